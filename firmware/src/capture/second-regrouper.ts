/**
 * Level records of any interval → 1 s records (DESIGN §4: the levels topic carries
 * 1 s records, and the rules step once per second). An instrument that reports
 * every 0.5 s, 0.3 s or 2 s is regrouped here, before the rules, on seconds counted
 * from its first reading (not from the epoch: a 1 s grid offset from the meter's
 * would blend every pair of readings).
 *
 * - Leq: energy mean weighted by the time each reading covers in the second,
 *   10·log10(Σ tᵢ·10^(Lᵢ/10) / Σ tᵢ) (IEC 61672-1:2013 §3.9, the time-average level).
 * - Maxima (LAFmax, LASmax, LCpeak): the highest of the readings that overlap the
 *   second; minima (LAFmin): the lowest.
 * - A reading that does not divide the second (0.3 s: 0.9–1.2 s) is split at the
 *   boundary in proportion to time for the Leq, and its maximum and minimum count
 *   in both seconds (the meter does not say in which part they fell: a maximum is
 *   never lost, at the cost of appearing in the neighbouring second too).
 * - A reading longer than a second (2 s) is spread over the seconds it covers:
 *   each carries its Leq (the only value the meter gives for any part of it) and
 *   its maximum and minimum; the Leq over whole readings is unchanged.
 * - A reading that does not follow on from the last one (the meter paused, the
 *   port was reopened) ends the second in progress: it goes out with the time it
 *   covers as `d` (< 1 s, so the rules skip it) and the grid starts again.
 * Pure: one small record out per second.
 */
import { type LevelRecord, round2 } from '@earshot/shared';
import { emptyRecord } from './level-fields.ts';

const SECOND_MS = 1_000;
/** Slack for sums of durations that are not exact in binary (0.1 s steps). */
const EPS_MS = 1e-6;

const MEANS = ['LAeq', 'LCeq', 'LZeq'] as const;
const MAXIMA = ['LAFmax', 'LASmax', 'LCpeak'] as const;

export class SecondRegrouper {
  private binStartMs = 0;
  /** ms of readings in the second in progress. */
  private coveredMs = 0;
  /** Where the next reading should start to follow on; NaN before the first. */
  private nextMs = Number.NaN;
  private readonly energy = { LAeq: 0, LCeq: 0, LZeq: 0 };
  private readonly energyMs = { LAeq: 0, LCeq: 0, LZeq: 0 };
  private readonly max = { LAFmax: -Infinity, LASmax: -Infinity, LCpeak: -Infinity };
  private min = Infinity;
  private clipped = 0;

  constructor(private readonly emit: (record: LevelRecord) => void) {}

  add(rec: LevelRecord): void {
    const startMs = Date.parse(rec.t);
    const durMs = rec.d * SECOND_MS;
    // Readings arrive with a little jitter (a serial line is stamped on arrival): within half a reading counts as following on.
    if (Number.isNaN(this.nextMs) || Math.abs(startMs - this.nextMs) > durMs / 2) {
      this.flush();
      this.binStartMs = startMs;
    }
    let at = Number.isNaN(this.nextMs) ? startMs : this.nextMs;
    const endMs = at + durMs;
    this.nextMs = endMs;
    while (at < endMs - EPS_MS) {
      const binEnd = this.binStartMs + SECOND_MS;
      const part = Math.min(endMs, binEnd) - at;
      this.accumulate(rec, part);
      at += part;
      if (at >= binEnd - EPS_MS) this.emitBin(SECOND_MS);
    }
  }

  /** Sends the second in progress, if any, as a shorter record (at stop, or before a gap). */
  flush(): void {
    if (this.coveredMs > EPS_MS) this.emitBin(this.coveredMs);
    this.nextMs = Number.NaN;
  }

  private accumulate(rec: LevelRecord, ms: number): void {
    this.coveredMs += ms;
    if (rec.silent === true) return;
    for (const f of MEANS) {
      const l = rec[f];
      if (l === null) continue;
      this.energy[f] += ms * 10 ** (l / 10);
      this.energyMs[f] += ms;
    }
    for (const f of MAXIMA) {
      const l = rec[f];
      if (l !== null && l > this.max[f]) this.max[f] = l;
    }
    if (rec.LAFmin !== null && rec.LAFmin < this.min) this.min = rec.LAFmin;
    this.clipped += rec.clipped ?? 0;
  }

  private emitBin(coveredMs: number): void {
    const r = emptyRecord(this.binStartMs, Math.round(coveredMs) / SECOND_MS);
    for (const f of MEANS) {
      if (this.energyMs[f] > 0) r[f] = round2(10 * Math.log10(this.energy[f] / this.energyMs[f]));
      this.energy[f] = 0;
      this.energyMs[f] = 0;
    }
    for (const f of MAXIMA) {
      if (this.max[f] !== -Infinity) r[f] = this.max[f];
      this.max[f] = -Infinity;
    }
    if (this.min !== Infinity) r.LAFmin = this.min;
    if (this.clipped > 0) r.clipped = this.clipped;
    this.min = Infinity;
    this.clipped = 0;
    this.coveredMs = 0;
    this.binStartMs += SECOND_MS;
    this.emit(r);
  }
}
