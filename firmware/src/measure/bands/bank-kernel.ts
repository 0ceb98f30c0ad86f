/**
 * What runs the filter bank's arithmetic (ThirdOctaveFilterBank): the WebAssembly kernel
 * (wasm/filter-bank-wasm.ts) or the scalar one (filter-bank-scalar.ts). Both are synchronous
 * and allocate nothing after construction.
 */
import type { WasmMemory } from '../wasm/webassembly.ts';

export interface BankKernel {
  /** Feeds mono samples `x[start..end)`. */
  process(x: Float64Array, start: number, end: number): void;
  /**
   * Writes each band's Σ y² (the sections' output before their gains, FilterBankDesign order) into
   * `sums` and the samples each stage ran into `counts`, then starts both again from zero.
   */
  take(sums: Float64Array, counts: Float64Array): void;
  /** Brings every filter and decimator to rest (zero history), keeping the decimation phase. */
  clear(): void;
}

/**
 * The WebAssembly kernel's input buffer, for a producer in the same memory that writes the samples
 * there itself (the engine's level chain, wasm/level-chain.wat, as it reads them): the same samples
 * `process` would have copied, so the same results, without the copy or a call per run.
 */
export interface BankInput {
  readonly memory: WasmMemory;
  /** Byte address of the next sample's f32 slot. */
  readonly at: number;
  /** Samples that fit from `at` before the bank must run (at least 1). */
  readonly room: number;
  /** `n` (≤ room) samples have been written from `at`: the bank takes them, and runs once its buffer is full. */
  advance(n: number): void;
}

/** Where a WebAssembly kernel lays itself out: a memory it shares, from byte `base` (a multiple of 16) on. */
export interface KernelPlace {
  readonly memory: WasmMemory;
  readonly base: number;
}
