/**
 * What runs the filter bank's arithmetic (ThirdOctaveFilterBank): the WebAssembly kernel
 * (wasm/filter-bank-wasm.ts) or the scalar one (filter-bank-scalar.ts). Both are synchronous
 * and allocate nothing after construction.
 */
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
