/**
 * The filter bank's arithmetic in plain JavaScript, in f64: the reference the WebAssembly kernel
 * (wasm/filter-bank-wasm.ts) is tested against, and the kernel for a design it cannot hold (a
 * stage with more than four bands or a band of more than four sections: no supported sample rate
 * designs one today, filter-bank-design.ts may).
 *
 * Input is taken in chunks of at most CHUNK samples; for each stage every band's sections run
 * fused in one loop with state and coefficients in locals (STYLE), squaring and summing the
 * output into the band's running sum; then the half-band decimator makes the next stage's chunk.
 * Each recursion sees its samples in order whatever the chunking, and every sum is added to
 * sample by sample, so any block size gives bit-identical results.
 */
import type { BankKernel } from './bank-kernel.ts';
import type { FilterBankDesign } from './filter-bank-design.ts';

/** Largest run of input samples filtered at once (scratch buffers are sized from it). */
const CHUNK = 1024;

export class ScalarBankKernel implements BankKernel {
  private readonly design: FilterBankDesign;
  /** Per band, per section: a1, a2 (the numerator is 1 − z⁻²). */
  private readonly coef: Float64Array[];
  /** Per band: the input's and each section's output history, two words each. */
  private readonly state: Float64Array[];
  private readonly sums: Float64Array;
  /** Samples each stage produced in the interval so far. */
  private readonly counts: Float64Array;
  private readonly stageBands: number[][];
  /** Decimator into stage d (d ≥ 1): delay line of 2L words (each sample written twice), write position, phase. */
  private readonly lines: Float64Array[];
  private readonly linePos: Int32Array;
  private readonly phase: Int32Array;
  private readonly bufs: Float64Array[];
  private readonly tmp = new Float64Array(CHUNK);

  constructor(d: FilterBankDesign) {
    this.design = d;
    this.coef = d.bands.map((b) => Float64Array.from(b.sections.flatMap((q) => [q.a1, q.a2])));
    this.state = d.bands.map((b) => new Float64Array(2 * (b.sections.length + 1)));
    this.sums = new Float64Array(d.bands.length);
    this.counts = new Float64Array(d.stages);
    this.stageBands = Array.from({ length: d.stages }, (_, s) => d.bands.flatMap((b, i) => (b.stage === s ? [i] : [])));
    const len = 2 * d.halfBand.m + 1;
    this.lines = Array.from({ length: d.stages }, (_, s) => new Float64Array(s === 0 ? 0 : 2 * len));
    this.linePos = new Int32Array(d.stages);
    this.phase = new Int32Array(d.stages);
    this.bufs = Array.from({ length: d.stages }, (_, s) => new Float64Array(s === 0 ? 0 : CHUNK / 2 + 1));
  }

  process(x: Float64Array, start: number, end: number): void {
    for (let s = start; s < end; s += CHUNK) this.runStage(0, x, s, Math.min(end, s + CHUNK));
  }

  take(sums: Float64Array, counts: Float64Array): void {
    sums.set(this.sums);
    counts.set(this.counts);
    this.sums.fill(0);
    this.counts.fill(0);
  }

  clear(): void {
    for (const s of this.state) s.fill(0);
    for (const l of this.lines) l.fill(0);
  }

  private runStage(stage: number, x: Float64Array, s: number, e: number): void {
    if (e <= s) return;
    this.counts[stage]! += e - s;
    for (const band of this.stageBands[stage]!) this.runBand(band, x, s, e);
    if (stage + 1 < this.counts.length) {
      const m = this.decimate(stage + 1, x, s, e);
      this.runStage(stage + 1, this.bufs[stage + 1]!, 0, m);
    }
  }

  private runBand(band: number, x: Float64Array, s: number, e: number): void {
    const c = this.coef[band]!;
    const st = this.state[band]!;
    if (c.length === 6) this.runBand3(band, c, st, x, s, e);
    else if (c.length === 8) this.runBand4(band, c, st, x, s, e);
    else this.runBandN(band, c, st, x, s, e);
  }

  // Each section is (1 − z⁻²)/(1 + a1·z⁻¹ + a2·z⁻²) in direct form I; the sections' gains are
  // taken out into one factor applied to the mean square (ThirdOctaveFilterBank.finish), and section
  // k's output history is section k + 1's input history, so a section costs 2 multiplies, 3 adds and
  // 2 state words.

  private runBand3(band: number, c: Float64Array, st: Float64Array, x: Float64Array, s: number, e: number): void {
    const a11 = c[0]!, a21 = c[1]!, a12 = c[2]!, a22 = c[3]!, a13 = c[4]!, a23 = c[5]!;
    let x1 = st[0]!, x2 = st[1]!, p1 = st[2]!, p2 = st[3]!, q1 = st[4]!, q2 = st[5]!, r1 = st[6]!, r2 = st[7]!;
    let sum = this.sums[band]!;
    for (let i = s; i < e; i++) {
      const x0 = x[i]!;
      const p0 = x0 - x2 - a11 * p1 - a21 * p2;
      const q0 = p0 - p2 - a12 * q1 - a22 * q2;
      const r0 = q0 - q2 - a13 * r1 - a23 * r2;
      x2 = x1; x1 = x0; p2 = p1; p1 = p0; q2 = q1; q1 = q0; r2 = r1; r1 = r0;
      sum += r0 * r0;
    }
    st[0] = x1; st[1] = x2; st[2] = p1; st[3] = p2; st[4] = q1; st[5] = q2; st[6] = r1; st[7] = r2;
    this.sums[band] = sum;
  }

  private runBand4(band: number, c: Float64Array, st: Float64Array, x: Float64Array, s: number, e: number): void {
    const a11 = c[0]!, a21 = c[1]!, a12 = c[2]!, a22 = c[3]!, a13 = c[4]!, a23 = c[5]!, a14 = c[6]!, a24 = c[7]!;
    let x1 = st[0]!, x2 = st[1]!, p1 = st[2]!, p2 = st[3]!, q1 = st[4]!, q2 = st[5]!, r1 = st[6]!, r2 = st[7]!, t1 = st[8]!, t2 = st[9]!;
    let sum = this.sums[band]!;
    for (let i = s; i < e; i++) {
      const x0 = x[i]!;
      const p0 = x0 - x2 - a11 * p1 - a21 * p2;
      const q0 = p0 - p2 - a12 * q1 - a22 * q2;
      const r0 = q0 - q2 - a13 * r1 - a23 * r2;
      const t0 = r0 - r2 - a14 * t1 - a24 * t2;
      x2 = x1; x1 = x0; p2 = p1; p1 = p0; q2 = q1; q1 = q0; r2 = r1; r1 = r0; t2 = t1; t1 = t0;
      sum += t0 * t0;
    }
    st[0] = x1; st[1] = x2; st[2] = p1; st[3] = p2; st[4] = q1; st[5] = q2; st[6] = r1; st[7] = r2; st[8] = t1; st[9] = t2;
    this.sums[band] = sum;
  }

  /** Any number of sections, one at a time through the scratch buffer. */
  private runBandN(band: number, c: Float64Array, st: Float64Array, x: Float64Array, s: number, e: number): void {
    const t = this.tmp;
    const n = e - s;
    for (let i = 0; i < n; i++) t[i] = x[s + i]!;
    for (let q = 0; q < c.length / 2; q++) {
      const a1 = c[2 * q]!, a2 = c[2 * q + 1]!;
      let in1 = st[2 * q]!, in2 = st[2 * q + 1]!, y1 = st[2 * q + 2]!, y2 = st[2 * q + 3]!;
      for (let i = 0; i < n; i++) {
        const x0 = t[i]!;
        const y0 = x0 - in2 - a1 * y1 - a2 * y2;
        in2 = in1; in1 = x0; y2 = y1; y1 = y0;
        t[i] = y0;
      }
      st[2 * q] = in1; st[2 * q + 1] = in2;
    }
    // The last section's output history.
    const last = c.length;
    if (n >= 2) {
      st[last] = t[n - 1]!;
      st[last + 1] = t[n - 2]!;
    } else if (n === 1) {
      st[last + 1] = st[last]!;
      st[last] = t[0]!;
    }
    let sum = this.sums[band]!;
    for (let i = 0; i < n; i++) sum += t[i]! * t[i]!;
    this.sums[band] = sum;
  }

  /** Half-band filter and keep every second sample: x[s..e) at stage d − 1 into bufs[d]; returns the count. */
  private decimate(d: number, x: Float64Array, s: number, e: number): number {
    const line = this.lines[d]!;
    const out = this.bufs[d]!;
    const h = this.design.halfBand.odd;
    const taps = h.length;
    const mid = this.design.halfBand.m;
    const len = 2 * mid + 1;
    let p = this.linePos[d]!;
    let ph = this.phase[d]!;
    let m = 0;
    for (let i = s; i < e; i++) {
      const v = x[i]!;
      line[p] = v;
      line[p + len] = v;
      p = p + 1 === len ? 0 : p + 1;
      ph ^= 1;
      if (ph === 0) {
        // The last len samples, oldest first, are line[p .. p + len); the centre tap is at p + mid.
        const c = p + mid;
        let acc = 0.5 * line[c]!;
        for (let j = 0; j < taps; j++) {
          const k = 2 * j + 1;
          acc += h[j]! * (line[c - k]! + line[c + k]!);
        }
        out[m++] = acc;
      }
    }
    this.linePos[d] = p;
    this.phase[d] = ph;
    return m;
  }
}
