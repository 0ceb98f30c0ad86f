/**
 * Readings of an analog sound-level module (already A-weighted, time-weighted dB
 * from the module itself) → level records: the LAeq of an interval is the energy
 * mean of its readings, 10·log10(mean(10^(L/10))) (DESIGN §2: work in energy,
 * dB only at the output), with the max and min reading. Pure and allocation-free
 * per reading.
 */
import { type LevelRecord, round2 } from '@earshot/shared';
import { emptyRecord } from './level-fields.ts';

export interface AnalogScale {
  /** dB per volt; a typical 30–130 dBA module outputs 0.6–2.6 V: dBA = 50 × V. */
  slopeDbPerVolt: number;
  offsetDb: number;
  /** ADC reference voltage (5 V on an Uno, 3.3 V on a Pico). */
  vrefVolts: number;
  /** ADC resolution in bits (10 on an Uno; johnny-five's Firmata default). */
  adcBits: number;
}

/** dB of a raw ADC code. ATmega328P datasheet §24.7: ADC = Vin·1024/Vref, so Vin = ADC·Vref/2^bits. */
export function dbOfAdc(raw: number, s: AnalogScale): number {
  const volts = (raw * s.vrefVolts) / 2 ** s.adcBits;
  return s.slopeDbPerVolt * volts + s.offsetDb;
}

export class DbaAggregator {
  private energy = 0;
  private max = -Infinity;
  private min = Infinity;
  private n = 0;
  private startMs = 0;

  constructor(
    /** Readings per record (sample rate × interval). */
    readonly readingsPerRecord: number,
    readonly intervalSeconds: number,
  ) {}

  /** Adds a reading taken at `atMs` covering the `periodMs` before it; returns a record when one is complete. */
  add(db: number, atMs: number, periodMs: number): LevelRecord | null {
    if (this.n === 0) this.startMs = atMs - periodMs;
    this.energy += 10 ** (db / 10);
    if (db > this.max) this.max = db;
    if (db < this.min) this.min = db;
    this.n++;
    if (this.n < this.readingsPerRecord) return null;
    const r = emptyRecord(this.startMs, this.intervalSeconds);
    r.LAeq = round2(10 * Math.log10(this.energy / this.n));
    // The module's own time weighting (F on most; see its datasheet) gives the extremes.
    r.LAFmax = round2(this.max);
    r.LAFmin = round2(this.min);
    this.energy = 0;
    this.max = -Infinity;
    this.min = Infinity;
    this.n = 0;
    return r;
  }
}
