/**
 * The level chain in JavaScript (level-chain.ts): the reference the WebAssembly kernel
 * (wasm/level-chain-wasm.ts) is tested bit for bit against, and the kernel where the process has
 * no WebAssembly. One fused loop with filter state and coefficients in locals (STYLE: 2.3× faster
 * than reading object fields per sample); the biquads run in transposed direct form II, two state
 * words per section.
 */
import type { BankInput, KernelPlace } from './bands/bank-kernel.ts';
import { CLIP_LEVEL, type ChainConstants, type ChainSums, type LevelChain } from './level-chain.ts';

export class ScalarLevelChain implements LevelChain {
  readonly bankPlace: KernelPlace | null = null;
  private readonly k: ChainConstants;
  // Filter state.
  private h1 = 0;
  private h2 = 0;
  private l1 = 0;
  private l2 = 0;
  private p1 = 0;
  private p2 = 0;
  // Time-weighted A squares.
  private fastSq = 0;
  private slow = 0;
  // Interval accumulators.
  private sumZ = 0;
  private sumC = 0;
  private sumA = 0;
  private peakC = 0;
  private fastMax = 0;
  private fastMin = Infinity;
  private slowMax = 0;
  private clipped = 0;

  constructor(constants: ChainConstants) {
    this.k = constants;
  }

  get fast(): number {
    return this.fastSq;
  }

  process(samples: Float64Array, start: number, end: number): void {
    const f = this.k.filters;
    const hb0 = f.hp1.b0, hb1 = f.hp1.b1, hb2 = f.hp1.b2, ha1 = f.hp1.a1, ha2 = f.hp1.a2;
    const lb0 = f.lp4.b0, lb1 = f.lp4.b1, lb2 = f.lp4.b2, la1 = f.lp4.a1, la2 = f.lp4.a2;
    const pb0 = f.hp23.b0, pb1 = f.hp23.b1, pb2 = f.hp23.b2, pa1 = f.hp23.a1, pa2 = f.hp23.a2;
    // `* 1` (exact) gives the optimiser a float here: read bare, the fields were unboxed from tagged numbers on every sample.
    const aF = this.k.alphaF * 1, aS = this.k.alphaS * 1;
    let h1 = this.h1, h2 = this.h2, l1 = this.l1, l2 = this.l2, p1 = this.p1, p2 = this.p2;
    let fast = this.fastSq, slow = this.slow;
    let sumZ = this.sumZ, sumC = this.sumC, sumA = this.sumA, peakC = this.peakC;
    let fastMax = this.fastMax, fastMin = this.fastMin, slowMax = this.slowMax, clipped = this.clipped;
    for (let i = start; i < end; i++) {
      const x = samples[i]!;
      if (Math.abs(x) >= CLIP_LEVEL) clipped++;
      sumZ += x * x;
      const v = hb0 * x + h1;
      h1 = hb1 * x - ha1 * v + h2;
      h2 = hb2 * x - ha2 * v;
      const c = lb0 * v + l1;
      l1 = lb1 * v - la1 * c + l2;
      l2 = lb2 * v - la2 * c;
      const a = pb0 * c + p1;
      p1 = pb1 * c - pa1 * a + p2;
      p2 = pb2 * c - pa2 * a;
      const cc = c * c;
      const aa = a * a;
      sumC += cc;
      sumA += aa;
      if (cc > peakC) peakC = cc;
      fast += aF * (aa - fast);
      slow += aS * (aa - slow);
      if (fast > fastMax) fastMax = fast;
      if (fast < fastMin) fastMin = fast;
      if (slow > slowMax) slowMax = slow;
    }
    this.h1 = h1; this.h2 = h2; this.l1 = l1; this.l2 = l2; this.p1 = p1; this.p2 = p2;
    this.fastSq = fast; this.slow = slow;
    this.sumZ = sumZ; this.sumC = sumC; this.sumA = sumA; this.peakC = peakC;
    this.fastMax = fastMax; this.fastMin = fastMin; this.slowMax = slowMax; this.clipped = clipped;
  }

  take(out: ChainSums): void {
    out.sumZ = this.sumZ; out.sumC = this.sumC; out.sumA = this.sumA; out.peakC = this.peakC;
    out.fastMax = this.fastMax; out.fastMin = this.fastMin; out.slowMax = this.slowMax; out.clipped = this.clipped;
    this.sumZ = this.sumC = this.sumA = this.peakC = this.fastMax = this.slowMax = 0;
    this.fastMin = Infinity;
    this.clipped = 0;
  }

  resetFastMin(): void {
    this.fastMin = Infinity;
  }

  feed(_input: BankInput | null): boolean {
    return false;
  }
}
