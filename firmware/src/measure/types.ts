/**
 * What the measurement engine produces. Levels in dB re 20 µPa (via fullScaleDb,
 * DESIGN §2), `null` for digital silence. Mean squares are kept alongside so that
 * consumers can combine intervals in energy, never by averaging dB.
 */

import type { BandLevels } from './bands/filter-bank.ts';

/** One measurement interval (default 1 s; the last one of a stream may be shorter). */
export interface IntervalLevels {
  /** 0-based interval number since the engine started. */
  index: number;
  /** First sample of the interval, counted from the engine's start. */
  startSample: number;
  /** Number of samples in the interval. */
  samples: number;
  /** startSample / sampleRate. */
  startSeconds: number;
  /** samples / sampleRate. */
  durationSeconds: number;
  LAeq: number | null;
  LCeq: number | null;
  LZeq: number | null;
  /** Max / min of the A-weighted Fast time-weighted level, checked at every sample. */
  LAFmax: number | null;
  LAFmin: number | null;
  /** Max of the A-weighted Slow time-weighted level, checked at every sample. */
  LASmax: number | null;
  /** 10·log10(max(c²)/0.5) + fullScaleDb (DESIGN §2). */
  LCpeak: number | null;
  /** Mean squares of the A, C and Z weighted signal over the interval (full scale sine = 0.5). */
  msA: number;
  msC: number;
  msZ: number;
  /** Samples at or beyond digital full scale (overload): the levels are underestimates. */
  clippedSamples: number;
  /** Every input sample in the interval was exactly 0: a dead input, not a quiet room. Levels are null. */
  silent: boolean;
  /** 1/3-octave band LZeq of the interval (DESIGN §3 "Bands"), when the engine was built with `bands`. Reused per interval. */
  bands?: BandLevels;
}

export interface EngineOptions {
  /** 8 000 – 192 000 Hz. */
  sampleRate: number;
  /** DESIGN §2 calibration; default 120. */
  fullScaleDb?: number;
  /** Interval length in seconds (default 1). Rounded to whole samples. */
  intervalSeconds?: number;
  /** Called synchronously for each completed interval. The object is reused: copy what you keep. */
  onInterval?: (levels: IntervalLevels) => void;
  /**
   * Called every 10 ms with the A-weighted Fast level at that instant (null in silence),
   * for detectors and percentiles (DESIGN §2: LAFn sampled every 10 ms).
   */
  onTick?: (lafDb: number | null, tickIndex: number) => void;
  /**
   * 'third-octave': also measure the 1/3-octave band LZeq of each interval, 10 Hz – 20 kHz to
   * IEC 61260-1 class 1 (DESIGN §3 "Bands"; bands/). Off by default: it multiplies the cost per sample by some 2.5 (bench/bands.ts).
   */
  bands?: 'third-octave';
  /**
   * Which kernel runs the level chain: 'auto' (WebAssembly where the process has it) or 'scalar' (the
   * JavaScript reference, bit-identical; level-chain.ts). For tests and benchmarks; default 'auto'.
   */
  kernel?: 'auto' | 'scalar';
}
