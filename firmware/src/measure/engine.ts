/**
 * The measurement engine: raw samples in, IEC 61672 levels out.
 *
 * Per sample a level chain (level-chain.ts) runs three biquads (shared C chain, then the A-only
 * high-pass; see weighting-design.ts), squares the Z, C and A signals, sums them for Leq, keeps
 * the C peak, and runs the Fast and Slow exponential time weightings on the A square with their
 * maxima and minimum. Everything stays in energy; log10 is taken only at the 10 ms ticks and at
 * interval ends. The chain runs in WebAssembly (wasm/level-chain-wasm.ts), bit-identical to its
 * JavaScript reference (level-chain-scalar.ts), which runs where the process has no WebAssembly.
 *
 * The engine feeds the chain runs of samples that end at a 10 ms tick, an interval end or the
 * moment the F detector has settled, and each stage of the chain sees its samples in order
 * whatever the runs, so any block size produces bit-identical results; nothing is allocated per
 * block.
 *
 * With `bands: 'third-octave'` each run's raw samples also go through the 1/3-octave filter bank
 * (bands/), which closes its band levels with every interval; its WebAssembly kernel is laid out
 * in the chain's memory and takes its input from the chain as the chain reads it. The live monitor
 * may switch the bank on or off (`setBands`, a new remote config): the switch takes effect at the
 * next interval boundary, so no interval holds part of a band sum.
 */
import { DEFAULT_FULL_SCALE_DB, EarshotError, levelOfMeanSquare } from '@earshot/shared';
import type { EngineOptions, IntervalLevels } from './types.ts';
import { TAU_FAST_S, TICKS_PER_SECOND } from './time-weighting.ts';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, type WeightingFilters, designWeighting } from './weighting-design.ts';
import { type ChainSums, type LevelChain, chainConstants } from './level-chain.ts';
import { ScalarLevelChain } from './level-chain-scalar.ts';
import { WasmLevelChain } from './wasm/level-chain-wasm.ts';
import { webAssembly } from './wasm/webassembly.ts';
import { ThirdOctaveFilterBank } from './bands/filter-bank.ts';

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
  private readonly chain: LevelChain;
  /** The chain's accumulators at an interval's end (reused). */
  private readonly sums: ChainSums = { sumZ: 0, sumC: 0, sumA: 0, peakC: 0, fastMax: 0, fastMin: Infinity, slowMax: 0, clipped: 0 };
  /** The 1/3-octave bank (options.bands), fed the raw (Z) samples of every run; null when off. */
  private bank: ThirdOctaveFilterBank | null;
  /** Whether the chain writes the bank's input itself (else `process` hands the bank each run). */
  private bankFed = false;
  /** A `setBands` waiting for the interval in progress to end; undefined when none. */
  private bandsNext: 'third-octave' | null | undefined = undefined;

  // Positions.
  private inInterval = 0;
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
    const constants = chainConstants(this.filters);
    this.chain = options.kernel !== 'scalar' && webAssembly !== null ? new WasmLevelChain(constants) : new ScalarLevelChain(constants);
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
    this.bank = bands === 'third-octave' ? new ThirdOctaveFilterBank(this.sampleRate, 'auto', this.chain.bankPlace ?? undefined) : null;
    this.bankFed = this.chain.feed(this.bank?.input ?? null);
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
    return levelOfMeanSquare(this.chain.fast, this.fullScaleDb);
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
    const chain = this.chain;
    let i = start;
    while (i < end) {
      const untilTick = this.nextTickAt - this.samplesDone;
      const untilInterval = this.intervalSamples - this.inInterval;
      let runEnd = end;
      if (i + untilTick < runEnd) runEnd = i + untilTick;
      if (i + untilInterval < runEnd) runEnd = i + untilInterval;
      const untilSettled = this.settleAt - this.samplesDone;
      if (untilSettled > 0 && i + untilSettled < runEnd) runEnd = i + untilSettled;
      chain.process(samples, i, runEnd);
      if (this.bank !== null && !this.bankFed) this.bank.process(samples, i, runEnd);
      const n = runEnd - i;
      i = runEnd;
      this.samplesDone += n;
      this.inInterval += n;
      if (this.samplesDone === this.settleAt) chain.resetFastMin();
      if (this.samplesDone === this.nextTickAt) {
        this.tickIndex++;
        this.nextTickAt = this.tickBoundary(this.tickIndex + 1);
        if (this.onTick !== undefined) this.onTick(levelOfMeanSquare(chain.fast, this.fullScaleDb), this.tickIndex - 1);
      }
      if (this.inInterval === this.intervalSamples) this.emit();
    }
  }

  /** Emits the interval in progress, if it holds any samples (the last, shorter interval of a file). */
  flush(): void {
    if (this.inInterval === 0) return;
    this.emit();
  }

  private emit(): void {
    const sums = this.sums;
    this.chain.take(sums);
    const { sumZ, sumC, sumA, peakC, fastMax, fastMin, slowMax, clipped } = sums;
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
