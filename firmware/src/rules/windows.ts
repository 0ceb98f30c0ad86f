/**
 * The sliding windows the rules read, shared between rules: one RollingLevels
 * (LAeq,T, LAF90,T) plus a C-weighted energy sum (LCeq,T) per distinct T. Windows a
 * new config still needs keep their history across a hot reload, so a reload does
 * not reset a 30 min background.
 */
import { levelOfMeanSquare } from '@earshot/shared';
import { RollingEnergy } from '../measure/rolling-energy.ts';
import { RollingLevels } from '../measure/rolling-levels.ts';
import { TICKS_PER_SECOND } from '../measure/time-weighting.ts';
import type { IntervalLevels } from '../measure/types.ts';

/**
 * A background LAF90 needs at least this much history (or the whole window, if
 * shorter): 5 min of 10 ms F levels is 30 000 samples, a stable percentile.
 */
export const MIN_BACKGROUND_SECONDS = 300;

/** Slack for summing interval durations that are not exact in binary. */
const EPS_SECONDS = 1e-6;

class Window {
  readonly levels: RollingLevels;
  readonly c: RollingEnergy;
  fedSeconds = 0;
  /** LAF90 computed since the last interval; undefined when stale. */
  laf90: number | null | undefined = undefined;

  constructor(readonly seconds: number, fullScaleDb: number) {
    this.levels = new RollingLevels({ windowSeconds: seconds, fullScaleDb });
    this.c = new RollingEnergy(seconds);
  }
}

export class WindowBank {
  private readonly bySeconds = new Map<number, Window>();
  private list: Window[] = [];
  private ticksSinceInterval = 0;
  private fs: number;

  constructor(fullScaleDb: number) {
    this.fs = fullScaleDb;
  }

  get fullScaleDb(): number {
    return this.fs;
  }

  set fullScaleDb(value: number) {
    this.fs = value;
    for (const w of this.list) w.levels.fullScaleDb = value;
  }

  /** Keeps exactly the windows of these lengths: existing ones with their history, new ones empty. */
  retain(seconds: Iterable<number>): void {
    const wanted = new Set(seconds);
    for (const s of this.bySeconds.keys()) if (!wanted.has(s)) this.bySeconds.delete(s);
    for (const s of wanted) if (!this.bySeconds.has(s)) this.bySeconds.set(s, new Window(s, this.fs));
    this.list = [...this.bySeconds.values()];
  }

  /** One 10 ms F level from the engine (DESIGN §2: LAFn sampled every 10 ms). */
  pushTick(lafDb: number | null): void {
    this.ticksSinceInterval++;
    const list = this.list;
    for (let i = 0; i < list.length; i++) list[i]!.levels.pushTick(lafDb);
  }

  /**
   * One completed interval. A source without 10 ms F levels (a serial meter, an
   * analogue module) sends no ticks: its interval LAeq then stands in for each
   * 10 ms sample of the interval, so LAF90 becomes the LAeq,1s exceeded 90 % of the time.
   */
  pushInterval(r: IntervalLevels): void {
    const list = this.list;
    const standIn = this.ticksSinceInterval === 0 ? Math.round(r.durationSeconds * TICKS_PER_SECOND) : 0;
    const standInLevel = r.silent ? null : r.LAeq;
    for (let i = 0; i < list.length; i++) {
      const w = list[i]!;
      for (let k = 0; k < standIn; k++) w.levels.pushTick(standInLevel);
      w.levels.pushInterval(r);
      // Digital silence takes its slot but no duration, as RollingLevels does for A.
      w.c.push(r.silent ? 0 : r.msC, r.silent ? 0 : r.durationSeconds);
      w.fedSeconds += r.durationSeconds;
      w.laf90 = undefined;
    }
    this.ticksSinceInterval = 0;
  }

  private window(seconds: number): Window {
    const w = this.bySeconds.get(seconds);
    if (w === undefined) throw new Error(`no ${seconds} s window retained`);
    return w;
  }

  /** Whether the window has seen its whole length T since it was made. */
  isFull(seconds: number): boolean {
    return this.window(seconds).fedSeconds >= seconds - EPS_SECONDS;
  }

  /** LAeq,T; null when the window is not yet full or holds only silence. */
  LAeq(seconds: number): number | null {
    const w = this.window(seconds);
    return w.fedSeconds >= seconds - EPS_SECONDS ? w.levels.LAeq : null;
  }

  /** LCeq,T; null when the window is not yet full or holds only silence. */
  LCeq(seconds: number): number | null {
    const w = this.window(seconds);
    return w.fedSeconds >= seconds - EPS_SECONDS ? levelOfMeanSquare(w.c.meanSquare, this.fs) : null;
  }

  /** LAF90,T, the background; null until MIN_BACKGROUND_SECONDS (or T) of history. */
  LAF90(seconds: number): number | null {
    const w = this.window(seconds);
    if (w.fedSeconds < Math.min(seconds, MIN_BACKGROUND_SECONDS) - EPS_SECONDS) return null;
    if (w.laf90 === undefined) w.laf90 = w.levels.LAFn(90);
    return w.laf90;
  }
}
