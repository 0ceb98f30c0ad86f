/**
 * What runs the engine's per-sample arithmetic (engine.ts): the WebAssembly kernel
 * (wasm/level-chain-wasm.ts) or the JavaScript one (level-chain-scalar.ts), bit-identical to each
 * other. Per sample: the three weighting biquads (the shared C chain, then the A-only high-pass;
 * weighting-design.ts), Σ z², Σ c², Σ a², the C peak, the F and S exponential time weightings of
 * a² with the F maximum and minimum and the S maximum, and the clipped-sample count. Each value
 * is updated sample by sample in order, so any split of the input into runs gives identical
 * results. Synchronous, and nothing allocated per call.
 */
import type { BankInput, KernelPlace } from './bands/bank-kernel.ts';
import { TAU_FAST_S, TAU_SLOW_S, timeWeightingAlpha } from './time-weighting.ts';
import type { WeightingFilters } from './weighting-design.ts';

/** Largest int16 sample: anything at or beyond it (either sign) is treated as clipped. */
export const CLIP_LEVEL = 32767 / 32768;

/** One interval's accumulators (mean squares are these sums over the interval's samples). */
export interface ChainSums {
  sumZ: number;
  sumC: number;
  sumA: number;
  /** Largest c² of the interval. */
  peakC: number;
  fastMax: number;
  /** Infinity until a sample counts (and after resetFastMin). */
  fastMin: number;
  slowMax: number;
  clipped: number;
}

export interface LevelChain {
  /** Runs `x[start..end)` through the chain (and into the bank given to `feed`, if any). */
  process(x: Float64Array, start: number, end: number): void;
  /** The F time-weighted A square after the last sample. */
  readonly fast: number;
  /** Copies the interval's accumulators into `out` and starts them again. */
  take(out: ChainSums): void;
  /** Forgets the F minimum so far (the F detector has just settled). */
  resetFastMin(): void;
  /** Where a WebAssembly bank may lay itself out to be fed by this chain (`feed`); null when it cannot be. */
  readonly bankPlace: KernelPlace | null;
  /**
   * Hands every sample processed from now on to `input` as well, or stops with null. Returns
   * whether it does (false: this kernel cannot write there, and the caller feeds the bank itself).
   */
  feed(input: BankInput | null): boolean;
}

/** The chain's constants for one sample rate, in the order both kernels read them. */
export interface ChainConstants {
  readonly filters: WeightingFilters;
  readonly alphaF: number;
  readonly alphaS: number;
}

export function chainConstants(filters: WeightingFilters): ChainConstants {
  // IEC 61672-1:2013 5.8.1: F and S time constants (time-weighting.ts).
  return { filters, alphaF: timeWeightingAlpha(filters.sampleRate, TAU_FAST_S), alphaS: timeWeightingAlpha(filters.sampleRate, TAU_SLOW_S) };
}
