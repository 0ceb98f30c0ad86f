/**
 * The sliding windows the rules read, shared between rules: one RollingLevels
 * (LAeq,T, LAF90,T) plus a C-weighted energy sum (LCeq,T) per distinct T. Windows a
 * new config still needs keep their history across a hot reload, so a reload does
 * not reset a 30 min background.
 *
 * A window is named by a key: a positive key is a plain window of that many
 * seconds; a negative key (scheduledWindowKey) is a window that holds only the
 * intervals lying wholly inside a schedule. The Noise Act rule reads such windows,
 * so its offending LAeq,5min and its underlying LAF90 never hold a second from
 * before 23:00 or from 07:00 on (Noise Act 1996 s.2(6): night hours 23:00–07:00;
 * Permitted Level of Noise (England) Directions 2008: offending and underlying
 * levels measured over the same period, i.e. the same night). Such a window
 * empties at the first interval outside its schedule and fills again from the
 * first interval wholly inside it, so a night's first reading is its first T.
 */
import { levelOfMeanSquare } from '@earshot/shared';
import { RollingEnergy } from '../measure/rolling-energy.ts';
import { RollingLevels } from '../measure/rolling-levels.ts';
import { TICKS_PER_SECOND } from '../measure/time-weighting.ts';
import type { IntervalLevels } from '../measure/types.ts';
import { LondonClock, type LocalTime } from './local-time.ts';
import { type CompiledSchedule, isArmed } from './schedule.ts';

/**
 * A background LAF90 needs at least this much history (or the whole window, if
 * shorter): 5 min of 10 ms F levels is 30 000 samples, a stable percentile.
 */
export const MIN_BACKGROUND_SECONDS = 300;

/** Slack for summing interval durations that are not exact in binary. */
const EPS_SECONDS = 1e-6;

/** Radixes of the scheduled-window key: seconds ≤ 86 400 (shared WindowSeconds), minutes ≤ 1 440, 7 weekday bits. */
const KEY_SECONDS = 86_401;
const KEY_MINUTES = 1_441;

/** The key of a window of `seconds` that holds only intervals lying wholly inside `schedule`. */
export function scheduledWindowKey(seconds: number, schedule: CompiledSchedule): number {
  const start = schedule.startSecond / 60;
  const end = schedule.endSecond / 60;
  // < 2^53: 86 401 × 1 441 × 1 441 × 128 ≈ 2.3e13.
  return -(seconds + KEY_SECONDS * (start + KEY_MINUTES * (end + KEY_MINUTES * schedule.days)));
}

interface WindowSpec {
  readonly seconds: number;
  readonly gate: CompiledSchedule | null;
}

function specOf(key: number): WindowSpec {
  if (key > 0) return { seconds: key, gate: null };
  let rest = -key;
  const seconds = rest % KEY_SECONDS;
  rest = (rest - seconds) / KEY_SECONDS;
  const start = rest % KEY_MINUTES;
  rest = (rest - start) / KEY_MINUTES;
  const end = rest % KEY_MINUTES;
  const days = (rest - end) / KEY_MINUTES;
  return { seconds, gate: { days, startSecond: start * 60, endSecond: end * 60 } };
}

class Window {
  readonly levels: RollingLevels;
  readonly c: RollingEnergy;
  fedSeconds = 0;
  /** LAF90 computed since the last interval; undefined when stale. */
  laf90: number | null | undefined = undefined;
  /** Scheduled window: whether the 10 ms levels now arriving belong to an interval inside the schedule. */
  open = true;
  /** Scheduled window: anything fed since it was made. */
  dirty = false;

  constructor(readonly key: number, readonly seconds: number, readonly gate: CompiledSchedule | null, fullScaleDb: number) {
    this.levels = new RollingLevels({ windowSeconds: seconds, fullScaleDb });
    this.c = new RollingEnergy(seconds);
  }
}

export class WindowBank {
  private readonly byKey = new Map<number, Window>();
  private list: Window[] = [];
  private ticksSinceInterval = 0;
  private fs: number;
  private hasGates = false;
  private readonly clock = new LondonClock();
  private readonly local: LocalTime = { weekday: 0, secondOfDay: 0 };

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

  /** Keeps exactly the windows of these keys: existing ones with their history, new ones empty. */
  retain(keys: Iterable<number>): void {
    const wanted = new Set(keys);
    for (const k of this.byKey.keys()) if (!wanted.has(k)) this.byKey.delete(k);
    for (const k of wanted) {
      if (this.byKey.has(k)) continue;
      const spec = specOf(k);
      this.byKey.set(k, new Window(k, spec.seconds, spec.gate, this.fs));
    }
    this.list = [...this.byKey.values()];
    this.hasGates = this.list.some((w) => w.gate !== null);
  }

  /** One 10 ms F level from the engine (DESIGN §2: LAFn sampled every 10 ms). */
  pushTick(lafDb: number | null): void {
    this.ticksSinceInterval++;
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const w = list[i]!;
      if (w.gate === null) w.levels.pushTick(lafDb);
      else if (w.open) {
        w.levels.pushTick(lafDb);
        w.dirty = true;
      }
    }
  }

  /** Whether [fromMs, toMs) lies wholly inside the schedule (Europe/London wall clock). */
  private inside(gate: CompiledSchedule, fromMs: number, toMs: number): boolean {
    return isArmed(gate, this.clock.localTime(fromMs, this.local)) && isArmed(gate, this.clock.localTime(toMs - 1, this.local));
  }

  /**
   * One completed interval. A source without 10 ms F levels (a serial meter, an
   * analogue module) sends no ticks: its interval LAeq then stands in for each
   * 10 ms sample of the interval, so LAF90 becomes the LAeq,1s exceeded 90 % of the time.
   */
  /**
   * `startMs` is the interval's device wall time (epoch ms); without it a scheduled
   * window takes every interval.
   */
  pushInterval(r: IntervalLevels, startMs?: number): void {
    const list = this.list;
    const standIn = this.ticksSinceInterval === 0 ? Math.round(r.durationSeconds * TICKS_PER_SECOND) : 0;
    const standInLevel = r.silent ? null : r.LAeq;
    const gated = this.hasGates && startMs !== undefined;
    const durMs = r.durationSeconds * 1_000;
    for (let i = 0; i < list.length; i++) {
      let w = list[i]!;
      if (gated && w.gate !== null) {
        const endMs = startMs + durMs;
        const inside = this.inside(w.gate, startMs, endMs);
        // The next interval's 10 ms levels go in only if it too lies inside.
        const nextOpen = this.inside(w.gate, endMs, endMs + durMs);
        if (!inside) {
          // Outside the schedule: the window empties (a new one once per change, not per second).
          if (w.dirty) {
            w = new Window(w.key, w.seconds, w.gate, this.fs);
            list[i] = w;
            this.byKey.set(w.key, w);
          }
          w.open = nextOpen;
          continue;
        }
        w.dirty = true;
        w.open = nextOpen;
      }
      for (let k = 0; k < standIn; k++) w.levels.pushTick(standInLevel);
      w.levels.pushInterval(r);
      // Digital silence takes its slot but no duration, as RollingLevels does for A.
      w.c.push(r.silent ? 0 : r.msC, r.silent ? 0 : r.durationSeconds);
      w.fedSeconds += r.durationSeconds;
      w.laf90 = undefined;
    }
    this.ticksSinceInterval = 0;
  }

  private window(key: number): Window {
    const w = this.byKey.get(key);
    if (w === undefined) throw new Error(`no window ${key} retained`);
    return w;
  }

  /** Whether the window has seen its whole length T since it was made (or since its schedule opened). */
  isFull(key: number): boolean {
    const w = this.window(key);
    return w.fedSeconds >= w.seconds - EPS_SECONDS;
  }

  /** LAeq,T; null when the window is not yet full or holds only silence. */
  LAeq(key: number): number | null {
    const w = this.window(key);
    return w.fedSeconds >= w.seconds - EPS_SECONDS ? w.levels.LAeq : null;
  }

  /** LCeq,T; null when the window is not yet full or holds only silence. */
  LCeq(key: number): number | null {
    const w = this.window(key);
    return w.fedSeconds >= w.seconds - EPS_SECONDS ? levelOfMeanSquare(w.c.meanSquare, this.fs) : null;
  }

  /** LAF90,T, the background; null until MIN_BACKGROUND_SECONDS (or T) of history. */
  LAF90(key: number): number | null {
    const w = this.window(key);
    if (w.fedSeconds < Math.min(w.seconds, MIN_BACKGROUND_SECONDS) - EPS_SECONDS) return null;
    if (w.laf90 === undefined) w.laf90 = w.levels.LAFn(90);
    return w.laf90;
  }
}
