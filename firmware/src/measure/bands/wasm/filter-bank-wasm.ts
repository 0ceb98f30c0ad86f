/**
 * The filter bank's arithmetic in WebAssembly with 128-bit SIMD (filter-bank.wat): a stage's
 * bands side by side in the four f32 lanes of one vector, the decimator four outputs at a time,
 * the whole bank in one call per 2048 samples. Some four times the speed of the scalar f64 code
 * (bench/bands.ts), which remains its reference (filter-bank-scalar.ts).
 *
 * Precision. The signal path is f32, the band sums f64. Every stage runs its bands at the same
 * place relative to its own rate (0.1 to 0.4 of it, filter-bank-design.ts), so a 10 Hz band is
 * as well conditioned as a 10 kHz one: rounding the coefficients to f32 moves a band's response by
 * less than 0.00001 dB at every class 1 breakpoint, and the class 1 conformance tests hold as they
 * did, the lowest bands included. The documented tolerance against the f64 reference
 * (filter-bank-scalar.ts; firmware/test/measure/bands/wasm-kernel.test.ts): every band within
 * 0.001 dB while the bands lie within 60 dB of one another; within 0.005 dB for a band up to 90 dB
 * under the loudest (a filter's deep stop band, 80 dB down, moves by a few thousandths of a dB);
 * within 0.05 dB up to 110 dB under it, where the f32 rounding noise, some 135 dB under the loudest
 * component, begins to show. As with the scalar code, results are identical whatever the block size.
 *
 * Layout: one instance per bank, laid out once (below) in a memory of its own or, for the engine, from
 * a given byte on in the memory its level chain uses (KernelPlace), which is grown then if it must be
 * and never afterwards, so the typed views stay valid and nothing is allocated per block. The engine's
 * level chain then writes the samples into the input buffer itself (BankInput).
 */
import { type WasmMemory, ensureBytes, moduleCompiler, webAssembly } from '../../wasm/webassembly.ts';
import type { BankInput, BankKernel, KernelPlace } from '../bank-kernel.ts';
import type { FilterBankDesign } from '../filter-bank-design.ts';
import { WASM_BASE64 } from './filter-bank-binary.ts';

/**
 * Input samples gathered before the module runs them (its buffers are sized from it). The bank's
 * sums are read only at an interval's end (take), so samples wait here until CHUNK have come or
 * the interval ends: the cost of a call and of each stage's set-up, which the lowest stages pay
 * for a sample or two, is then shared by CHUNK samples rather than by the engine's 10 ms runs.
 */
const CHUNK = 2048;
/** Bands per stage the module runs side by side (f32x4), and sections per band. */
const LANES = 4;
const SECTIONS = 4;
/** The decimator the module is written for: h1 … h23 (half-length M = 23). */
const TAPS = 12;
const HALF_LENGTH = 23;
/** Bytes of a stage's group block, a stage table entry and a decimator header (filter-bank.wat). */
const GROUP_BYTES = 304;
const GROUP_STATE = 144;
const GROUP_SUMS = 272;
const TABLE_ENTRY = 16;
const LINE_HEADER = 16;
/** Samples of history the decimator keeps: even (centre tap, one more may wait) and odd. */
const EVEN_HISTORY = 13;
const ODD_HISTORY = HALF_LENGTH;
/** Room for a vector that runs past the last output. */
const OVERRUN = 8;

const kernelModule = moduleCompiler(WASM_BASE64);

/** Whether the module can run this design: at most four bands a stage, three or four sections a band, the 23-tap-half-length decimator. */
export function fitsWasmKernel(d: FilterBankDesign): boolean {
  if (webAssembly === null) return false;
  if (d.halfBand.m !== HALF_LENGTH || d.halfBand.odd.length !== TAPS) return false;
  const perStage = new Array<number>(d.stages).fill(0);
  for (const b of d.bands) {
    if (b.sections.length < 3 || b.sections.length > SECTIONS) return false;
    perStage[b.stage]!++;
  }
  return perStage.every((n) => n <= LANES);
}

interface KernelExports {
  run: (table: number, taps: number, n: number) => void;
}

export class WasmBankKernel implements BankKernel, BankInput {
  readonly memory: WasmMemory;
  private readonly run: (table: number, taps: number, n: number) => void;
  private readonly f32: Float32Array;
  private readonly f64: Float64Array;
  private readonly i32: Int32Array;
  private readonly table: number;
  private readonly taps: number;
  /** Stage 0's input buffer, as an f32 index, and the samples waiting in it. */
  private readonly input: number;
  private pending = 0;
  /** Per band: its group's Σ y² as an f64 index (lane included). */
  private readonly sumAt: Int32Array;
  /** Per stage: its group block (0: none) and decimator (0: last stage), bytes. */
  private readonly groups: Int32Array;
  private readonly lines: Int32Array;
  /** Per stage with a decimator: its even and odd buffers, f32 index ranges [from, to). */
  private readonly history: Int32Array;

  constructor(d: FilterBankDesign, place?: KernelPlace) {
    if (!fitsWasmKernel(d)) throw new RangeError(`the WebAssembly filter bank cannot run the ${d.sampleRate} Hz design`);
    const stages = d.stages;
    let top = place?.base ?? 0;
    const alloc = (bytes: number): number => {
      const at = top;
      top += Math.ceil(bytes / 16) * 16;
      return at;
    };
    this.table = alloc(TABLE_ENTRY * stages);
    this.taps = alloc(16 * TAPS);
    this.groups = new Int32Array(stages);
    this.lines = new Int32Array(stages);
    const bufs = new Int32Array(stages);
    const evens = new Int32Array(stages);
    const odds = new Int32Array(stages);
    // Samples a stage can receive in one run: CHUNK at stage 0, then at most half (rounded up, a sample may wait) at each.
    let cap = CHUNK;
    const caps: number[] = [];
    for (let s = 0; s < stages; s++) {
      caps.push(cap);
      cap = Math.ceil(cap / 2);
    }
    for (let s = 0; s < stages; s++) {
      // Group blocks start at byte 16 or more, so 0 can mean "no bands here".
      if (d.bands.some((b) => b.stage === s)) this.groups[s] = alloc(GROUP_BYTES);
      bufs[s] = alloc(4 * (caps[s]! + OVERRUN));
      if (s + 1 < stages) {
        this.lines[s] = alloc(LINE_HEADER);
        evens[s] = alloc(4 * (EVEN_HISTORY + caps[s + 1]! + OVERRUN));
        odds[s] = alloc(4 * (ODD_HISTORY + caps[s + 1]! + OVERRUN));
      }
    }

    const memory = place?.memory ?? new webAssembly!.Memory({ initial: 1 });
    ensureBytes(memory, top);
    this.memory = memory;
    // At rest: a shared memory may hold an earlier bank laid out at the same place.
    const base = place?.base ?? 0;
    new Uint8Array(memory.buffer, base, top - base).fill(0);
    this.run = (new webAssembly!.Instance(kernelModule(), { env: { memory } }).exports as unknown as KernelExports).run;
    this.f32 = new Float32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.input = bufs[0]! / 4;

    for (let j = 0; j < TAPS; j++) this.f32.fill(d.halfBand.odd[j]!, this.taps / 4 + 4 * j, this.taps / 4 + 4 * j + 4);
    this.sumAt = new Int32Array(d.bands.length);
    this.history = new Int32Array(4 * stages);
    for (let s = 0; s < stages; s++) {
      const t = (this.table + TABLE_ENTRY * s) / 4;
      this.i32[t] = this.groups[s]!;
      this.i32[t + 1] = bufs[s]!;
      this.i32[t + 2] = this.lines[s]!;
      this.i32[t + 3] = 0;
      const line = this.lines[s]!;
      if (line !== 0) {
        this.i32[line / 4] = 0;
        this.i32[line / 4 + 1] = evens[s]!;
        this.i32[line / 4 + 2] = odds[s]!;
        this.history.set([evens[s]! / 4, evens[s]! / 4 + EVEN_HISTORY + caps[s + 1]! + OVERRUN, odds[s]! / 4, odds[s]! / 4 + ODD_HISTORY + caps[s + 1]! + OVERRUN], 4 * s);
      }
      const g = this.groups[s]!;
      if (g === 0) continue;
      const lanes = d.bands.flatMap((b, i) => (b.stage === s ? [i] : []));
      lanes.forEach((band, lane) => {
        const sections = d.bands[band]!.sections;
        for (let k = 0; k < sections.length; k++) {
          this.f32[g / 4 + 8 * k + lane] = sections[k]!.a1;
          this.f32[g / 4 + 8 * k + 4 + lane] = sections[k]!.a2;
        }
        // Section 3's numerator 1 − c·z⁻²: the band-pass's 1 − z⁻², or a pass-through (c = a1 = a2 = 0) after three sections.
        this.f32[g / 4 + 32 + lane] = sections.length === SECTIONS ? 1 : 0;
        this.sumAt[band] = (g + GROUP_SUMS) / 8 + lane;
      });
    }
  }

  process(x: Float64Array, start: number, end: number): void {
    const f32 = this.f32;
    let i = start;
    while (i < end) {
      const n = Math.min(end - i, CHUNK - this.pending);
      const stop = i + n;
      // Two indices against a bound: V8 compiles this copy tighter than one offset added to both (0.6 against 1.1 ns a sample).
      for (let j = this.input + this.pending; i < stop; i++, j++) f32[j] = x[i]!;
      this.pending += n;
      if (this.pending === CHUNK) this.flush();
    }
  }

  get at(): number {
    return 4 * (this.input + this.pending);
  }

  get room(): number {
    return CHUNK - this.pending;
  }

  advance(n: number): void {
    this.pending += n;
    if (this.pending === CHUNK) this.flush();
  }

  /** Runs the samples waiting in the input buffer. */
  private flush(): void {
    if (this.pending === 0) return;
    this.run(this.table, this.taps, this.pending);
    this.pending = 0;
  }

  take(sums: Float64Array, counts: Float64Array): void {
    this.flush();
    for (let b = 0; b < sums.length; b++) sums[b] = this.f64[this.sumAt[b]!]!;
    for (let s = 0; s < counts.length; s++) {
      const at = (this.table + TABLE_ENTRY * s) / 4 + 3;
      counts[s] = this.i32[at]!;
      this.i32[at] = 0;
      const g = this.groups[s]!;
      if (g !== 0) this.f64.fill(0, (g + GROUP_SUMS) / 8, (g + GROUP_BYTES) / 8);
    }
  }

  clear(): void {
    for (let s = 0; s < this.groups.length; s++) {
      const g = this.groups[s]!;
      if (g !== 0) this.f32.fill(0, (g + GROUP_STATE) / 4, (g + GROUP_SUMS) / 4);
      if (this.lines[s] !== 0) {
        const h = 4 * s;
        this.f32.fill(0, this.history[h]!, this.history[h + 1]!);
        this.f32.fill(0, this.history[h + 2]!, this.history[h + 3]!);
      }
    }
  }
}
