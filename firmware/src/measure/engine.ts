/**
 * The measurement engine: raw samples in, IEC 61672 levels out.
 *
 * Per sample it runs three biquads (shared C chain, then the A-only high-pass;
 * see weighting-design.ts), squares the Z, C and A signals, sums them for Leq,
 * keeps the C peak, and runs the Fast and Slow exponential time weightings on
 * the A square with their maxima and minimum. Everything stays in energy;
 * log10 is taken only at the 10 ms ticks and at interval ends.
 *
 * The stages are fused into one loop with filter state and coefficients in
 * locals (STYLE: 2.3× faster than reading object fields per sample). The loop
 * only breaks at a 10 ms tick or an interval end, so any block size produces
 * bit-identical results, and nothing is allocated per block.
 *
 * With `bands: 'third-octave'` each run's raw samples also go through the 1/3-octave
 * filter bank (bands/), which closes its band levels with every interval. The live
 * monitor may switch the bank on or off (`setBands`, a new remote config): the switch
 * takes effect at the next interval boundary, so no interval holds part of a band sum.
 */
import { DEFAULT_FULL_SCALE_DB, EarshotError, levelOfMeanSquare } from '@earshot/shared';
import type { EngineOptions, IntervalLevels } from './types.ts';
import { TAU_FAST_S, TAU_SLOW_S, TICKS_PER_SECOND, timeWeightingAlpha } from './time-weighting.ts';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, type WeightingFilters, designWeighting } from './weighting-design.ts';
import { ThirdOctaveFilterBank } from './bands/filter-bank.ts';

/** Largest int16 sample: anything at or beyond it (either sign) is treated as clipped. */
const CLIP_LEVEL = 32767 / 32768;

/**
 * The F detector starts from zero; its minimum is not a reading until it has settled.
 * 4τF = 0.5 s leaves it within 0.08 dB of a steady input (e^−4 = 1.8 %).
 */
const MIN_SETTLE_SECONDS = 4 * TAU_FAST_S;

export class LevelEngine {
  readonly sampleRate: number;
  readonly intervalSamples: number;
  readonly filters: WeightingFilters;
  /** DESIGN §2 calibration. May be changed between blocks (e.g. after `calibrate`). */
  fullScaleDb: number;

  private readonly onInterval: ((levels: IntervalLevels) => void) | undefined;
  private readonly onTick: ((lafDb: number | null, tickIndex: number) => void) | undefined;
  private readonly alphaF: number;
  private readonly alphaS: number;
  /** The 1/3-octave bank (options.bands), fed the raw (Z) samples of every run; null when off. */
  private bank: ThirdOctaveFilterBank | null;
  /** A `setBands` waiting for the interval in progress to end; undefined when none. */
  private bandsNext: 'third-octave' | null | undefined = undefined;

  // Filter state (transposed direct form II, two words per section).
  private h1 = 0;
  private h2 = 0;
  private l1 = 0;
  private l2 = 0;
  private p1 = 0;
  private p2 = 0;
  // Time-weighted A squares.
  private fast = 0;
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
  private inInterval = 0;
  // Positions.
  private samplesDone = 0;
  private intervalIndex = 0;
  private tickIndex = 0;
  private nextTickAt: number;
  private readonly settleAt: number;
  private readonly result: IntervalLevels;

  constructor(options: EngineOptions) {
    const { sampleRate } = options;
    if (!Number.isInteger(sampleRate) || sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
      throw new EarshotError('EARSHOT_E_SAMPLE_RATE', `${sampleRate} Hz (supported: ${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz)`);
    }
    const intervalSeconds = options.intervalSeconds ?? 1;
    const intervalSamples = Math.round(intervalSeconds * sampleRate);
    if (!(intervalSamples >= 1)) {
      throw new EarshotError('EARSHOT_E_USAGE', `interval ${intervalSeconds} s is shorter than one sample`);
    }
    this.sampleRate = sampleRate;
    this.intervalSamples = intervalSamples;
    this.fullScaleDb = options.fullScaleDb ?? DEFAULT_FULL_SCALE_DB;
    this.filters = designWeighting(sampleRate);
    this.onInterval = options.onInterval;
    this.onTick = options.onTick;
    this.alphaF = timeWeightingAlpha(sampleRate, TAU_FAST_S);
    this.alphaS = timeWeightingAlpha(sampleRate, TAU_SLOW_S);
    this.nextTickAt = this.tickBoundary(1);
    this.settleAt = Math.round(MIN_SETTLE_SECONDS * sampleRate);
    this.result = {
      index: 0, startSample: 0, samples: 0, startSeconds: 0, durationSeconds: 0,
      LAeq: null, LCeq: null, LZeq: null, LAFmax: null, LAFmin: null, LASmax: null, LCpeak: null,
      msA: 0, msC: 0, msZ: 0, clippedSamples: 0, silent: true,
    };
    this.bank = null;
    this.applyBands(options.bands ?? null);
  }

  /**
   * Turns the 1/3-octave bank on or off (EngineOptions.bands) from the next interval on:
   * at once if no interval is in progress, else when it ends. A bank switched on starts
   * from rest, as the engine's own filters do.
   */
  setBands(bands: 'third-octave' | null): void {
    if (this.inInterval === 0) this.applyBands(bands);
    else this.bandsNext = bands;
  }

  private applyBands(bands: 'third-octave' | null): void {
    this.bandsNext = undefined;
    if ((bands === 'third-octave') === (this.bank !== null)) return;
    this.bank = bands === 'third-octave' ? new ThirdOctaveFilterBank(this.sampleRate) : null;
    if (this.bank !== null) this.result.bands = this.bank.levels;
    else delete this.result.bands;
  }

  /** Nominal midbands of the 1/3-octave bands measured (lowest first), or null without `bands`. */
  get bandNominals(): readonly string[] | null {
    return this.bank === null ? null : this.bank.levels.nominal;
  }

  /** Samples processed since the start. */
  get position(): number {
    return this.samplesDone;
  }

  /** The A-weighted Fast level now (null in silence). */
  get currentLAF(): number | null {
    return levelOfMeanSquare(this.fast, this.fullScaleDb);
  }

  /**
   * Sample count after which tick k (k ≥ 1) falls: ⌊k·fs/100⌋, exact for non-integer 10 ms. Taken as whole
   * seconds plus the ticks left over, the same integer, because k·fs itself passes 2³¹ after 447 s at 48 kHz:
   * the optimised `process` (into which this is inlined) would be thrown out there and rebuilt, running slow
   * code meanwhile (some 7 % of a 10-minute analyze, and more where the recompiling waits for a busy core).
   */
  private tickBoundary(k: number): number {
    const seconds = Math.floor(k / TICKS_PER_SECOND);
    return seconds * this.sampleRate + Math.floor(((k - seconds * TICKS_PER_SECOND) * this.sampleRate) / TICKS_PER_SECOND);
  }

  /** Feeds mono samples (floats in [−1, 1), DESIGN §2) from `samples[start..end)`. */
  process(samples: Float64Array, start = 0, end = samples.length): void {
    const f = this.filters;
    const hb0 = f.hp1.b0, hb1 = f.hp1.b1, hb2 = f.hp1.b2, ha1 = f.hp1.a1, ha2 = f.hp1.a2;
    const lb0 = f.lp4.b0, lb1 = f.lp4.b1, lb2 = f.lp4.b2, la1 = f.lp4.a1, la2 = f.lp4.a2;
    const pb0 = f.hp23.b0, pb1 = f.hp23.b1, pb2 = f.hp23.b2, pa1 = f.hp23.a1, pa2 = f.hp23.a2;
    // `* 1` (exact) gives the optimiser a float here: read bare, the fields were unboxed from tagged numbers on every sample.
    const aF = this.alphaF * 1, aS = this.alphaS * 1;
    let h1 = this.h1, h2 = this.h2, l1 = this.l1, l2 = this.l2, p1 = this.p1, p2 = this.p2;
    let fast = this.fast, slow = this.slow;
    let sumZ = this.sumZ, sumC = this.sumC, sumA = this.sumA, peakC = this.peakC;
    let fastMax = this.fastMax, fastMin = this.fastMin, slowMax = this.slowMax, clipped = this.clipped;

    let i = start;
    while (i < end) {
      const untilTick = this.nextTickAt - this.samplesDone;
      const untilInterval = this.intervalSamples - this.inInterval;
      let runEnd = end;
      if (i + untilTick < runEnd) runEnd = i + untilTick;
      if (i + untilInterval < runEnd) runEnd = i + untilInterval;
      const untilSettled = this.settleAt - this.samplesDone;
      if (untilSettled > 0 && i + untilSettled < runEnd) runEnd = i + untilSettled;
      const runStart = i;
      for (; i < runEnd; i++) {
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
      const n = i - runStart;
      if (this.bank !== null) this.bank.process(samples, runStart, i);
      this.samplesDone += n;
      this.inInterval += n;
      if (this.samplesDone === this.settleAt) fastMin = Infinity;
      if (this.samplesDone === this.nextTickAt) {
        this.tickIndex++;
        this.nextTickAt = this.tickBoundary(this.tickIndex + 1);
        this.fast = fast;
        if (this.onTick !== undefined) this.onTick(levelOfMeanSquare(fast, this.fullScaleDb), this.tickIndex - 1);
      }
      if (this.inInterval === this.intervalSamples) {
        this.emit(sumZ, sumC, sumA, peakC, fastMax, fastMin, slowMax, clipped);
        sumZ = sumC = sumA = peakC = fastMax = slowMax = 0;
        fastMin = Infinity;
        clipped = 0;
      }
    }

    this.h1 = h1; this.h2 = h2; this.l1 = l1; this.l2 = l2; this.p1 = p1; this.p2 = p2;
    this.fast = fast; this.slow = slow;
    this.sumZ = sumZ; this.sumC = sumC; this.sumA = sumA; this.peakC = peakC;
    this.fastMax = fastMax; this.fastMin = fastMin; this.slowMax = slowMax; this.clipped = clipped;
  }

  /** Emits the interval in progress, if it holds any samples (the last, shorter interval of a file). */
  flush(): void {
    if (this.inInterval === 0) return;
    this.emit(this.sumZ, this.sumC, this.sumA, this.peakC, this.fastMax, this.fastMin, this.slowMax, this.clipped);
    this.sumZ = this.sumC = this.sumA = this.peakC = this.fastMax = this.slowMax = 0;
    this.fastMin = Infinity;
    this.clipped = 0;
  }

  private emit(sumZ: number, sumC: number, sumA: number, peakC: number, fastMax: number, fastMin: number, slowMax: number, clipped: number): void {
    const n = this.inInterval;
    const r = this.result;
    const fs = this.fullScaleDb;
    r.index = this.intervalIndex;
    r.startSample = this.samplesDone - n;
    r.samples = n;
    r.startSeconds = r.startSample / this.sampleRate;
    r.durationSeconds = n / this.sampleRate;
    r.silent = sumZ === 0;
    r.msZ = sumZ / n;
    r.msC = r.silent ? 0 : sumC / n;
    r.msA = r.silent ? 0 : sumA / n;
    r.clippedSamples = clipped;
    if (r.silent) {
      // A dead input: report nothing rather than the filters' decaying tail (DESIGN §2: silence is null).
      r.LAeq = r.LCeq = r.LZeq = r.LAFmax = r.LAFmin = r.LASmax = r.LCpeak = null;
    } else {
      r.LAeq = levelOfMeanSquare(r.msA, fs);
      r.LCeq = levelOfMeanSquare(r.msC, fs);
      r.LZeq = levelOfMeanSquare(r.msZ, fs);
      r.LAFmax = levelOfMeanSquare(fastMax, fs);
      // Before the detector has settled there is no minimum to report.
      r.LAFmin = fastMin === Infinity || this.samplesDone <= this.settleAt ? null : levelOfMeanSquare(fastMin, fs);
      r.LASmax = levelOfMeanSquare(slowMax, fs);
      r.LCpeak = levelOfMeanSquare(peakC, fs);
    }
    if (this.bank !== null) this.bank.finish(r.silent, fs);
    this.intervalIndex++;
    this.inInterval = 0;
    if (this.onInterval !== undefined) this.onInterval(r);
    if (this.bandsNext !== undefined) this.applyBands(this.bandsNext);
  }
}
