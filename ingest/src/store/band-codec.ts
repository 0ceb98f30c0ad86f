/**
 * How 1/3-octave band levels are kept (issue 16): a record's `Z3.dB10` (DESIGN
 * §3 "Bands", shared/src/schemas/levels.ts) as a BLOB of little-endian int16,
 * one per band from `f0` upwards, in the 0.1 dB integers the monitor sent;
 * digital silence (null) as −32768, which no level takes (the schema bounds
 * them to −2000 … 2500). 34 bands are 68 bytes.
 *
 * Energies (the quantity that adds, IEC 61672-1:2013 §3.9) come from a table
 * of 10^(dB10/100) over the schema's whole range, so summing a month of bands
 * computes no power per value.
 */
import { BAND_DB10_MAX, BAND_DB10_MIN, MAX_THIRD_OCTAVE_BANDS, NOMINAL_THIRD_OCTAVES } from '@earshot/shared';

/** int16 marking a band in digital silence (null). */
export const BAND_NULL = -32_768;
/** Bytes per band in a stored BLOB. */
export const BAND_BYTES = 2;
/** Every nominal band, 10 Hz … 20 kHz (IEC 61260-1:2014 Annex E): the index space sums are kept in. */
export const ALL_BANDS = MAX_THIRD_OCTAVE_BANDS;

const ENERGY = new Float64Array(BAND_DB10_MAX - BAND_DB10_MIN + 1);
for (let v = BAND_DB10_MIN; v <= BAND_DB10_MAX; v++) ENERGY[v - BAND_DB10_MIN] = 10 ** (v / 100);

/** 10^(L/10) of a level given in 0.1 dB integers (within the schema's bounds). */
export function energyOfDb10(db10: number): number {
  return ENERGY[db10 - BAND_DB10_MIN]!;
}

/** Index of a nominal midband ("10" → 0, "20000" → 33); −1 for anything else. */
export function bandIndex(f0: string): number {
  return (NOMINAL_THIRD_OCTAVES as readonly string[]).indexOf(f0);
}

/** Writes `dB10` into `out` (which has room for exactly dB10.length bands). */
export function encodeBands(dB10: readonly (number | null)[], out: Buffer): Buffer {
  for (let i = 0; i < dB10.length; i++) out.writeInt16LE(dB10[i] ?? BAND_NULL, i * BAND_BYTES);
  return out;
}

/** The stored BLOB back as the wire's 0.1 dB integers (null for silence). */
export function decodeBands(data: Uint8Array): (number | null)[] {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out = new Array<number | null>(b.length / BAND_BYTES);
  for (let i = 0; i < out.length; i++) {
    const v = b.readInt16LE(i * BAND_BYTES);
    out[i] = v === BAND_NULL ? null : v;
  }
  return out;
}

/**
 * Adds one stored record's band energies, d·10^(L/10), and durations into sums
 * indexed by nominal band (ALL_BANDS wide, from `offset`): silent bands add nothing.
 */
export function addBandEnergies(data: Uint8Array, i0: number, d: number, energy: Float64Array, seconds: Float64Array, offset: number): void {
  const n = data.byteLength / BAND_BYTES;
  for (let i = 0; i < n; i++) {
    const lo = data[i * BAND_BYTES]!;
    const hi = data[i * BAND_BYTES + 1]!;
    const v = ((hi << 24) >> 16) | lo;
    if (v === BAND_NULL) continue;
    const k = offset + i0 + i;
    energy[k]! += d * ENERGY[v - BAND_DB10_MIN]!;
    seconds[k]! += d;
  }
}

/** Energy mean of one band, 10·log10(Σ d·10^(L/10) / Σ d), to 0.1 dB; null without any level. */
export function bandMeanDb(energy: number, seconds: number): number | null {
  if (!(seconds > 0) || !(energy > 0)) return null;
  return Math.round(100 * Math.log10(energy / seconds)) / 10;
}
