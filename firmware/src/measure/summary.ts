/**
 * Whole-period statistics (the `analyze` summary; an event's levels): energy sums,
 * maxima and a 0.1 dB histogram of the 10 ms F levels, all O(1) per update.
 */
import { levelOfMeanSquare } from '@earshot/shared';
import { LevelHistogram } from './histogram.ts';
import type { IntervalLevels } from './types.ts';

export interface SummaryLevels {
  /** Seconds covered, silent intervals included. */
  duration: number;
  LAeq: number | null;
  LCeq: number | null;
  /** Sound exposure level: all A energy of the period referred to 1 s. */
  LAE: number | null;
  LAFmax: number | null;
  LAF10: number | null;
  LAF90: number | null;
  LCpeak: number | null;
  /** Samples at or beyond full scale in the period. */
  clippedSamples: number;
  /** Seconds of digital silence (excluded from LAeq / LCeq). */
  silentSeconds: number;
}

export class LevelSummary {
  fullScaleDb: number;
  private duration = 0;
  private measured = 0;
  private energyA = 0;
  private energyC = 0;
  private maxF: number | null = null;
  private maxPeak: number | null = null;
  private clipped = 0;
  private silent = 0;
  private readonly hist = new LevelHistogram();

  constructor(fullScaleDb: number) {
    this.fullScaleDb = fullScaleDb;
  }

  addInterval(r: IntervalLevels): void {
    this.duration += r.durationSeconds;
    this.clipped += r.clippedSamples;
    if (r.silent) {
      this.silent += r.durationSeconds;
      return;
    }
    this.measured += r.durationSeconds;
    this.energyA += r.msA * r.durationSeconds;
    this.energyC += r.msC * r.durationSeconds;
    if (r.LAFmax !== null && (this.maxF === null || r.LAFmax > this.maxF)) this.maxF = r.LAFmax;
    if (r.LCpeak !== null && (this.maxPeak === null || r.LCpeak > this.maxPeak)) this.maxPeak = r.LCpeak;
  }

  addTick(lafDb: number | null): void {
    if (lafDb !== null) this.hist.add(lafDb);
  }

  /** Percentile level LAFn over the period so far. */
  LAFn(percent: number): number | null {
    return this.hist.exceeded(percent);
  }

  result(): SummaryLevels {
    const fs = this.fullScaleDb;
    const m = this.measured;
    return {
      duration: this.duration,
      LAeq: m > 0 ? levelOfMeanSquare(this.energyA / m, fs) : null,
      LCeq: m > 0 ? levelOfMeanSquare(this.energyC / m, fs) : null,
      LAE: levelOfMeanSquare(this.energyA, fs),
      LAFmax: this.maxF,
      LAF10: this.hist.exceeded(10),
      LAF90: this.hist.exceeded(90),
      LCpeak: this.maxPeak,
      clippedSamples: this.clipped,
      silentSeconds: this.silent,
    };
  }
}
