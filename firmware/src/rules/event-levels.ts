/**
 * Levels over one event, kept in energy (STYLE: combine in energy via msA/msC,
 * never average dB): Σ ms·t for A and C over the measured seconds, and the max LAF.
 */
import { levelOfMeanSquare } from '@earshot/shared';
import type { IntervalLevels } from '../measure/types.ts';

export class EventLevels {
  private energyA = 0;
  private energyC = 0;
  private measured = 0;
  private maxF = Number.NEGATIVE_INFINITY;

  reset(): void {
    this.energyA = 0;
    this.energyC = 0;
    this.measured = 0;
    this.maxF = Number.NEGATIVE_INFINITY;
  }

  add(r: IntervalLevels): void {
    // Digital silence is a fault, not a quiet room: it adds no energy and no duration.
    if (r.silent) return;
    this.energyA += r.msA * r.durationSeconds;
    this.energyC += r.msC * r.durationSeconds;
    this.measured += r.durationSeconds;
    if (r.LAFmax !== null && r.LAFmax > this.maxF) this.maxF = r.LAFmax;
  }

  /** Adds everything `other` holds (a merged gap joins the event). */
  absorb(other: EventLevels): void {
    this.energyA += other.energyA;
    this.energyC += other.energyC;
    this.measured += other.measured;
    if (other.maxF > this.maxF) this.maxF = other.maxF;
  }

  LAeq(fullScaleDb: number): number | null {
    return this.measured > 0 ? levelOfMeanSquare(this.energyA / this.measured, fullScaleDb) : null;
  }

  LCeq(fullScaleDb: number): number | null {
    return this.measured > 0 ? levelOfMeanSquare(this.energyC / this.measured, fullScaleDb) : null;
  }

  get LAFmax(): number | null {
    return this.maxF === Number.NEGATIVE_INFINITY ? null : this.maxF;
  }
}
