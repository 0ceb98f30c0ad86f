/**
 * The 1/3-octave band levels of a whole period (the `analyze` summary, DESIGN §3): each
 * band's energy summed over the intervals and divided by the time it was measured, so
 * intervals combine in energy, never by averaging dB. Intervals of digital silence are
 * left out, as they are from the summary LAeq.
 */
import { levelOfMeanSquare } from '@earshot/shared';
import type { BandLevels } from './filter-bank.ts';

export class BandSummary {
  readonly nominal: readonly string[];
  private readonly energy: Float64Array;
  private readonly seconds: Float64Array;

  constructor(nominal: readonly string[]) {
    this.nominal = nominal;
    this.energy = new Float64Array(nominal.length);
    this.seconds = new Float64Array(nominal.length);
  }

  /** Adds one interval's bands, `durationSeconds` long. */
  add(bands: BandLevels, durationSeconds: number): void {
    for (let i = 0; i < this.energy.length; i++) {
      if (bands.levels[i] === null) continue;
      this.energy[i]! += bands.ms[i]! * durationSeconds;
      this.seconds[i]! += durationSeconds;
    }
  }

  /** Band levels over the period, null where nothing was measured. */
  levels(fullScaleDb: number): (number | null)[] {
    return this.nominal.map((_, i) => {
      const t = this.seconds[i]!;
      return t > 0 ? levelOfMeanSquare(this.energy[i]! / t, fullScaleDb) : null;
    });
  }
}
