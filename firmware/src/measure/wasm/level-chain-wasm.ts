/**
 * The level chain (level-chain.ts) in WebAssembly (level-chain.wat): bit-identical to the
 * JavaScript kernel (level-chain-scalar.ts) and about twice its speed, because paired in f64x2 its
 * state stays in registers (the .wat says why): the whole bands-off chain of bench/bands.ts, copy
 * and rolling levels included, takes some 30 % less CPU time for it (`--scalar` runs both).
 *
 * Each call copies up to CAPACITY input samples into the module's memory and runs them. The
 * memory is this chain's; a WebAssembly 1/3-octave bank may be laid out in it after the chain
 * (bankPlace), and once given to `feed` it takes its input straight from the chain, which writes
 * each sample into the bank's buffer as f32 as it reads it: no second copy, and one call into
 * WebAssembly per run for both.
 */
import type { BankInput, KernelPlace } from '../bands/bank-kernel.ts';
import { CLIP_LEVEL, type ChainConstants, type ChainSums, type LevelChain } from '../level-chain.ts';
import { WASM_BASE64 } from './level-chain-binary.ts';
import { type WasmMemory, ensureBytes, moduleCompiler, webAssembly } from './webassembly.ts';

/** Input samples per call into the module (its input buffer holds this many f64). */
const CAPACITY = 2048;
/** The layout of level-chain.wat, in f64 words (bytes / 8), and the input buffer in bytes. */
const HB0 = 0, HB = 2, HA = 4, LB0 = 6, LB = 8, LA = 10, PB0 = 12, PB = 14, PA = 16, ALPHA = 18, CLIP = 20, NEG_ZERO = 22;
const W = 30, M = 32, S = 34, K = 36, N = 38, SUM_Z = 40;
/** The clipped-sample count (i32 words), and a word the f32 copies go to when no bank is fed. */
const CLIPPED = 82;
const SCRATCH = 336;
const INPUT = 512;
/** The chain's bytes; a bank sharing the memory starts here. */
const CHAIN_BYTES = INPUT + 8 * CAPACITY;

const chainModule = moduleCompiler(WASM_BASE64);

type Run = (n: number, out: number, step: number) => void;

export class WasmLevelChain implements LevelChain {
  readonly memory: WasmMemory;
  readonly bankPlace: KernelPlace;
  private readonly run: Run;
  private f64: Float64Array;
  private i32: Int32Array;
  private bank: BankInput | null = null;

  constructor(k: ChainConstants) {
    const memory = new webAssembly!.Memory({ initial: 1 });
    ensureBytes(memory, CHAIN_BYTES);
    this.memory = memory;
    this.bankPlace = { memory, base: CHAIN_BYTES };
    this.run = (new webAssembly!.Instance(chainModule(), { env: { memory } }).exports as { run: Run }).run;
    this.f64 = new Float64Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    const { hp1, lp4, hp23 } = k.filters;
    const m = this.f64;
    m[HB0] = hp1.b0; m[HB] = hp1.b1; m[HB + 1] = hp1.b2; m[HA] = hp1.a1; m[HA + 1] = hp1.a2;
    m[LB0] = lp4.b0; m[LB] = lp4.b1; m[LB + 1] = lp4.b2; m[LA] = lp4.a1; m[LA + 1] = lp4.a2;
    m[PB0] = hp23.b0; m[PB] = hp23.b1; m[PB + 1] = hp23.b2; m[PA] = hp23.a1; m[PA + 1] = hp23.a2;
    m[ALPHA] = k.alphaF; m[ALPHA + 1] = k.alphaS;
    m[CLIP] = CLIP_LEVEL;
    m[NEG_ZERO] = -0; m[NEG_ZERO + 1] = -0;
    // Filters and detectors at rest (the memory starts zeroed), no F minimum yet.
    m[N] = m[N + 1] = Infinity;
  }

  get fast(): number {
    return this.f64[W]!;
  }

  process(x: Float64Array, start: number, end: number): void {
    // The memory grows only while a bank is laid out in it; views made before then are detached (length 0).
    if (this.f64.length === 0) this.views();
    const run = this.run;
    const f64 = this.f64;
    let i = start;
    while (i < end) {
      const bank = this.bank;
      const n = Math.min(end - i, CAPACITY, bank === null ? CAPACITY : bank.room);
      const stop = i + n;
      // Four at a time, then the rest: no allocation (a subarray per run would be one), and some 0.5 ns a sample.
      let j = INPUT / 8;
      for (; i + 4 <= stop; i += 4, j += 4) {
        const a = x[i]!, b = x[i + 1]!, c = x[i + 2]!, d = x[i + 3]!;
        f64[j] = a; f64[j + 1] = b; f64[j + 2] = c; f64[j + 3] = d;
      }
      for (; i < stop; i++, j++) f64[j] = x[i]!;
      if (bank === null) run(n, SCRATCH, 0);
      else {
        run(n, bank.at, 4);
        bank.advance(n);
      }
    }
  }

  take(out: ChainSums): void {
    const m = this.f64;
    out.sumZ = m[SUM_Z]!; out.sumC = m[S]!; out.sumA = m[S + 1]!; out.peakC = m[K]!;
    out.fastMax = m[M]!; out.slowMax = m[M + 1]!; out.fastMin = m[N]!; out.clipped = this.i32[CLIPPED]!;
    m[SUM_Z] = m[S] = m[S + 1] = m[K] = m[K + 1] = m[M] = m[M + 1] = 0;
    m[N] = m[N + 1] = Infinity;
    this.i32[CLIPPED] = 0;
  }

  resetFastMin(): void {
    this.f64[N] = this.f64[N + 1] = Infinity;
  }

  feed(input: BankInput | null): boolean {
    this.bank = input !== null && input.memory === this.memory ? input : null;
    this.views();
    return this.bank !== null;
  }

  private views(): void {
    this.f64 = new Float64Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }
}
