/**
 * Sliding-window statistics over the engine's output for one window length T
 * (e.g. 5 min, 30 min, 1 h, up to 24 h): LAeq,T, LAE,T, LAFmax,T and LAFn,T,
 * each updated in O(1) per interval / tick without rescanning.
 */
import { levelOfMeanSquare } from '@earshot/shared';
import { RollingEnergy } from './rolling-energy.ts';
import { RollingMax } from './rolling-max.ts';
import { RollingPercentile } from './rolling-percentile.ts';
import { TICKS_PER_SECOND } from './time-weighting.ts';
import type { IntervalLevels } from './types.ts';

export interface RollingOptions {
  windowSeconds: number;
  /** The engine's interval length (default 1 s). */
  intervalSeconds?: number;
  fullScaleDb: number;
}

/** 24 h: the longest window kept (DESIGN / issue #2). */
export const MAX_WINDOW_SECONDS = 86_400;

export class RollingLevels {
  readonly windowSeconds: number;
  fullScaleDb: number;
  private readonly energy: RollingEnergy;
  private readonly maxima: RollingMax;
  private readonly ticks: RollingPercentile;

  constructor(options: RollingOptions) {
    const interval = options.intervalSeconds ?? 1;
    if (!(options.windowSeconds > 0 && options.windowSeconds <= MAX_WINDOW_SECONDS)) {
      throw new RangeError(`window ${options.windowSeconds} s is outside (0, ${MAX_WINDOW_SECONDS}] s`);
    }
    this.windowSeconds = options.windowSeconds;
    this.fullScaleDb = options.fullScaleDb;
    const intervals = Math.max(1, Math.round(options.windowSeconds / interval));
    this.energy = new RollingEnergy(intervals);
    this.maxima = new RollingMax(intervals);
    this.ticks = new RollingPercentile(Math.max(1, Math.round(options.windowSeconds * TICKS_PER_SECOND)));
  }

  /** Feeds one completed interval (from the engine's onInterval). */
  pushInterval(r: IntervalLevels): void {
    // Digital silence is a fault, not a quiet room: it takes its slot but is never averaged in.
    this.energy.push(r.silent ? 0 : r.msA, r.silent ? 0 : r.durationSeconds);
    this.maxima.push(r.silent ? null : r.LAFmax);
  }

  /** Feeds one 10 ms F level (from the engine's onTick). */
  pushTick(lafDb: number | null): void {
    this.ticks.push(lafDb);
  }

  /** LAeq,T over the measured part of the window. */
  get LAeq(): number | null {
    return levelOfMeanSquare(this.energy.meanSquare, this.fullScaleDb);
  }

  /** LAE,T: the window's A-weighted energy as a 1 s exposure. */
  get LAE(): number | null {
    return levelOfMeanSquare(this.energy.totalEnergy, this.fullScaleDb);
  }

  get LAFmax(): number | null {
    return this.maxima.max;
  }

  /** LAFn,T: the F level exceeded n % of the window (LAF90 = background). */
  LAFn(percent: number): number | null {
    return this.ticks.exceeded(percent);
  }

  /** Seconds of valid measurement in the window (less than T at start-up or after silence). */
  get measuredSeconds(): number {
    return this.energy.measuredSeconds;
  }
}
