/**
 * The running 1/3-octave filter bank: samples in, band mean squares per interval out.
 *
 * Pure and synchronous, allocation-free after construction. The arithmetic runs in a kernel
 * (bank-kernel.ts): the WebAssembly one (wasm/filter-bank-wasm.ts) whenever it can hold the
 * design, which it does at every supported sample rate, else the scalar f64 one
 * (filter-bank-scalar.ts). Each recursion sees its samples in order whatever the chunking, so
 * any block size gives identical results. The engine places the WebAssembly kernel in its level
 * chain's memory, and the chain then writes the samples into it (`input`) instead of `process`.
 *
 * A decimated stage's sample belongs to the interval in which the input sample that
 * completed it arrived; a band's mean square is its sum over the samples of its stage in
 * the interval. An interval of digital silence (DESIGN §2: null) also clears every filter,
 * so a dead input leaves no tail and no denormal arithmetic behind.
 */
import { levelOfMeanSquare } from '@earshot/shared';
import type { BankInput, BankKernel, KernelPlace } from './bank-kernel.ts';
import { type FilterBankDesign, designFilterBank } from './filter-bank-design.ts';
import { ScalarBankKernel } from './filter-bank-scalar.ts';
import { WasmBankKernel, fitsWasmKernel } from './wasm/filter-bank-wasm.ts';

/** One interval's band levels. The engine reuses the object: copy what you keep. */
export interface BandLevels {
  /** Nominal midbands of the bands present, lowest first ("10", "12.5", … DESIGN §3). */
  readonly nominal: readonly string[];
  /** Band mean squares over the interval (full-scale sine = 0.5), 0 in silence. */
  readonly ms: Float64Array;
  /** Band levels LZeq in dB, null in digital silence (or for a band with no sample yet in a very short last interval). */
  readonly levels: (number | null)[];
}

/** Which kernel runs the bank: 'auto' (WebAssembly where it fits the design) or 'scalar' (the f64 reference). */
export type BankKernelChoice = 'auto' | 'scalar';

export class ThirdOctaveFilterBank {
  readonly design: FilterBankDesign;
  readonly levels: BandLevels;
  /** The kernel in use. */
  readonly kernelName: 'wasm' | 'scalar';
  /** The WebAssembly kernel's input buffer, for a producer in its memory (BankInput); null with the scalar kernel. */
  readonly input: BankInput | null;

  private readonly kernel: BankKernel;
  /** Per band: the product of the sections' gains, squared (applied to the mean square). */
  private readonly gain2: Float64Array;
  private readonly stageOf: Int32Array;
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;

  /** `place`: where the WebAssembly kernel lays itself out (KernelPlace); by default in a memory of its own. */
  constructor(sampleRate: number, kernel: BankKernelChoice = 'auto', place?: KernelPlace) {
    const d = designFilterBank(sampleRate);
    this.design = d;
    const wasm = kernel === 'auto' && fitsWasmKernel(d) ? new WasmBankKernel(d, place) : null;
    this.kernel = wasm ?? new ScalarBankKernel(d);
    this.kernelName = wasm !== null ? 'wasm' : 'scalar';
    this.input = wasm;
    const n = d.bands.length;
    this.gain2 = Float64Array.from(d.bands, (b) => b.sections.reduce((g, q) => g * q.b0, 1) ** 2);
    this.stageOf = Int32Array.from(d.bands, (b) => b.stage);
    this.sums = new Float64Array(n);
    this.counts = new Float64Array(d.stages);
    this.levels = { nominal: d.bands.map((b) => b.nominal), ms: new Float64Array(n), levels: d.bands.map(() => null) };
  }

  /** Feeds mono samples `x[start..end)` (floats in [−1, 1), DESIGN §2). */
  process(x: Float64Array, start: number, end: number): void {
    this.kernel.process(x, start, end);
  }

  /**
   * Closes the interval: band mean squares and levels into `levels`, sums reset. `silent`: the
   * interval's input was all zeros; levels are then null and the filters are cleared.
   */
  finish(silent: boolean, fullScaleDb: number): void {
    this.kernel.take(this.sums, this.counts);
    const { ms, levels } = this.levels;
    for (let i = 0; i < ms.length; i++) {
      const count = this.counts[this.stageOf[i]!]!;
      const m = silent || count === 0 ? 0 : (this.sums[i]! * this.gain2[i]!) / count;
      ms[i] = m;
      levels[i] = silent || count === 0 ? null : levelOfMeanSquare(m, fullScaleDb);
    }
    if (silent) this.kernel.clear();
  }
}
