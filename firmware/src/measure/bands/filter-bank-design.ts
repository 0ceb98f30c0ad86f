/**
 * The multirate 1/3-octave filter bank for one sample rate.
 *
 * Stage 0 runs at the sample rate; stage d at fs/2^d, fed from stage d − 1 through a
 * half-band anti-alias filter and a decimation by 2. Each band runs at the lowest stage
 * whose rate keeps its upper edge at or below STAGE_EDGE of that rate (three bands per
 * octave decimation, as the octaves of base-10 bands fall close to factors of 2), and
 * its band-pass is designed for that stage's actual rate. The work per input sample is
 * then that of stage 0 plus at most as much again for all the lower octaves together.
 *
 * Aliasing: a half-band filter from rate r passes to STAGE_EDGE·r/2 and stops from
 * (1 − STAGE_EDGE)·r/2, which is what folds onto [0, STAGE_EDGE·r/2] after the decimation,
 * so every band fed from it sees folded energy at least HALF_BAND_STOP_DB down: more
 * than the 70 dB the class 1 mask asks for at its far stop band (iec61260-limits.ts).
 * The gain of each band is set to exactly 0 dB at its exact midband frequency through
 * the whole chain.
 */
import { type Biquad, cascadeMagnitude } from '../biquad.ts';
import { designBandPass } from './band-pass-design.ts';
import { type HalfBand, designHalfBand, halfBandMagnitude } from './half-band.ts';
import { breakpoints, class1Limits } from './iec61260-limits.ts';
import { type ThirdOctaveBand, bandsForSampleRate } from './third-octave-bands.ts';

/** A band runs at the lowest rate r at which its upper edge ≤ STAGE_EDGE·r. */
export const STAGE_EDGE = 0.4;
/** Stop-band attenuation of the decimation filters (their pass-band ripple is the same δ: ±0.0002 dB). */
export const HALF_BAND_STOP_DB = 75;
/** Prototype orders tried, lowest first: the first whose response keeps the design margins inside the class 1 mask is used. */
const ORDERS = [3, 4, 5, 6] as const;
/**
 * Design margins inside the class 1 mask (IEC 61260-1:2014 Table 1): 1 dB beyond the minimum
 * attenuation in the stop band (room for what folds through a decimation filter's transition band),
 * 0.1 dB inside the pass-band limits.
 */
export const STOP_MARGIN_DB = 1;
export const PASS_MARGIN_DB = 0.1;

export interface BandDesign extends ThirdOctaveBand {
  /** Decimation stage the band runs at (rate = sampleRate / 2^stage). */
  readonly stage: number;
  /** Band-pass sections at the stage's rate, gain set so the whole chain reads 0 dB at fm. */
  readonly sections: readonly Biquad[];
  /** Smallest distance of the band-pass's relative attenuation from the class 1 limits, dB. */
  readonly maskMargin: number;
}

export interface FilterBankDesign {
  readonly sampleRate: number;
  /** The bands, lowest first (the output order). */
  readonly bands: readonly BandDesign[];
  /** Number of stages (1 + the deepest band's stage). */
  readonly stages: number;
  readonly halfBand: HalfBand;
}

let halfBand: HalfBand | null = null;

/** The one decimation filter every stage uses (it depends only on STAGE_EDGE). */
function decimationFilter(): HalfBand {
  halfBand ??= designHalfBand(STAGE_EDGE / 2, HALF_BAND_STOP_DB);
  return halfBand;
}

/** |H| of the decimation chain from the input down to `stage`, at f Hz. */
function chainMagnitude(h: HalfBand, sampleRate: number, stage: number, f: number): number {
  let g = 1;
  for (let j = 0; j < stage; j++) g *= halfBandMagnitude(h, f / (sampleRate / 2 ** j));
  return g;
}

const designs = new Map<number, FilterBankDesign>();

/** The filter bank for a sample rate; designed once per rate (a pure function of it). */
export function designFilterBank(sampleRate: number): FilterBankDesign {
  let d = designs.get(sampleRate);
  if (d === undefined) {
    d = design(sampleRate);
    designs.set(sampleRate, d);
  }
  return d;
}

function design(sampleRate: number): FilterBankDesign {
  const h = decimationFilter();
  const bands = bandsForSampleRate(sampleRate).map((b): BandDesign => {
    const stage = Math.max(0, Math.floor(Math.log2((STAGE_EDGE * sampleRate) / b.upper)));
    const rate = sampleRate / 2 ** stage;
    let chosen: { sections: Biquad[]; margin: number } | null = null;
    for (const order of ORDERS) {
      const raw = designBandPass(b.lower, b.upper, b.fm, rate, order);
      // Absorb the decimation chain's (tiny) gain at fm into the first section.
      const k = 1 / (chainMagnitude(h, sampleRate, stage, b.fm) * cascadeMagnitude(raw, b.fm, rate));
      const first = raw[0]!;
      const sections = [{ ...first, b0: first.b0 * k, b2: first.b2 * k }, ...raw.slice(1)];
      const m = maskMargins(b.fm, rate, sections);
      const margin = Math.min(m.stop, m.pass);
      if (chosen === null || margin > chosen.margin) chosen = { sections, margin };
      if (m.stop >= STOP_MARGIN_DB && m.pass >= PASS_MARGIN_DB) break;
    }
    return { ...b, stage, sections: chosen!.sections, maskMargin: chosen!.margin };
  });
  const stages = bands.reduce((n, b) => Math.max(n, b.stage + 1), 1);
  return { sampleRate, bands, stages, halfBand: h };
}

/**
 * Smallest distances (dB) of the band-pass's relative attenuation from the class 1 limits, in the
 * stop band (from the minimum) and in the pass band (from either limit), on a grid of 1/200 decade
 * from Ω = 1/20 to 20 (to half the stage rate) plus every breakpoint. The decimation filters before
 * it only add attenuation there (their pass-band ripple is ±0.0002 dB), so they are left out.
 */
let grid: { omega: Float64Array; min: Float64Array; max: Float64Array } | null = null;

/** The Ω grid of maskMargins and the class 1 limits on it (the same for every band). */
function maskGrid(): { omega: Float64Array; min: Float64Array; max: Float64Array } {
  if (grid === null) {
    const omegas: number[] = [...breakpoints(3)];
    for (let e = -1.3; e <= 1.3; e += 1 / 200) omegas.push(10 ** e);
    const limits = omegas.map((o) => class1Limits(o));
    grid = {
      omega: Float64Array.from(omegas),
      min: Float64Array.from(limits, (l) => l.min),
      max: Float64Array.from(limits, (l) => l.max),
    };
  }
  return grid;
}

function maskMargins(fm: number, rate: number, sections: readonly Biquad[]): { stop: number; pass: number } {
  const ref = cascadeMagnitude(sections, fm, rate);
  const g = maskGrid();
  let stop = Infinity, pass = Infinity;
  for (let i = 0; i < g.omega.length; i++) {
    const f = g.omega[i]! * fm;
    if (f >= rate / 2) continue;
    const dA = -20 * Math.log10(cascadeMagnitude(sections, f, rate) / ref);
    const min = g.min[i]!, max = g.max[i]!;
    if (max === Infinity) stop = Math.min(stop, dA - min);
    else pass = Math.min(pass, dA - min, max - dA);
  }
  return { stop, pass };
}

/**
 * The linear (non-aliased) response of band `i` at f Hz through the whole chain: decimation
 * filters then band-pass. Valid below half the band's stage rate; for tests and documentation.
 */
export function bandMagnitude(d: FilterBankDesign, i: number, f: number): number {
  const b = d.bands[i]!;
  const rate = d.sampleRate / 2 ** b.stage;
  return chainMagnitude(d.halfBand, d.sampleRate, b.stage, f) * cascadeMagnitude(b.sections, f, rate);
}
