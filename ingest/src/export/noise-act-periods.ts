/**
 * The Noise Act assessment of one night from the stored 1 s levels: a pure,
 * synchronous core, fed the records of one monitor in time order.
 *
 * - Night hours: 23:00–07:00 UK time (Noise Act 1996 s.2(6)); only records lying
 *   wholly inside the night count (a record belongs to the second it starts in).
 * - Offending level: LAeq over each clock-aligned 5-minute period of the night,
 *   23:00–23:05, 23:05–23:10, … (Permitted Level of Noise (England) Directions 2008:
 *   LAeq measured over 5 minutes), a period assessed only when every second of it
 *   was recorded. Consecutive periods, not a sliding window, so every exceedance is
 *   a distinct 5 minutes of the night and anyone can recount them from levels.csv.
 * - Underlying level: as the monitor's rule (firmware/src/rules/noise-act-night.ts),
 *   the level exceeded 90 % of the time over the `underlyingWindowSeconds` (30 min)
 *   up to the period's end, never reaching back before 23:00 of the same night (the
 *   Directions: offending and underlying levels over the same period). From the 1 s
 *   LAeq values (the monitor reads its 10 ms F levels, which are not sent), at 0.1 dB
 *   resolution and with the monitor's rank rule (DESIGN §2).
 * - Permitted level: permittedLevelDb where the underlying level ≤ underlyingLimitDb,
 *   otherwise underlying + excessDb (the Directions: 34 dB / 24 dB / 10 dB in England).
 * - An exceedance is a period whose LAeq "exceeds" the permitted level (s.4(1)(b),
 *   strictly), compared at the 0.01 dB they are reported in, as the monitor compares.
 */

export interface NoiseActParams {
  readonly windowSeconds: number;
  readonly underlyingWindowSeconds: number;
  readonly permittedLevelDb: number;
  readonly underlyingLimitDb: number;
  readonly excessDb: number;
}

export interface NightLevels {
  /** Seconds of level records wholly inside the night. */
  readonly monitoredSeconds: number;
  /** 5-minute periods with every second recorded. */
  readonly periodsAssessed: number;
  readonly exceedances: number;
  /** Highest LAeq,5min of an assessed period (0.01 dB), null if none. */
  readonly worstLAeq: number | null;
  /** Largest LAeq,5min − permitted level over the assessed periods (negative: the closest it came), null if none. */
  readonly worstOverByDb: number | null;
  /** Highest LAFmax of a record in the night. */
  readonly LAFmaxMax: number | null;
}

// DESIGN §2: percentile levels at 0.1 dB resolution; the monitor's histogram range.
const HIST_MIN_DB = -100;
const HIST_MAX_DB = 250;
const HIST_BINS = (HIST_MAX_DB - HIST_MIN_DB) * 10 + 1;
const NONE = 0;
const LEVEL = 1;
const SILENT = 2;

const round2 = (v: number): number => Math.round(v * 100) / 100;

function binOf(db: number): number {
  const b = Math.round((db - HIST_MIN_DB) * 10);
  return b < 0 ? 0 : b >= HIST_BINS ? HIST_BINS - 1 : b;
}

export function permittedLevel(underlying: number, p: NoiseActParams): number {
  return underlying <= p.underlyingLimitDb ? p.permittedLevelDb : underlying + p.excessDb;
}

/** One night of one monitor: add its records, then read `result()`. */
export class NightAssessment {
  readonly seconds: number;
  private readonly state: Uint8Array;
  private readonly la: Float64Array;
  private monitored = 0;
  private lafmax: number | null = null;

  constructor(readonly start: number, readonly end: number, readonly params: NoiseActParams) {
    this.seconds = Math.round((end - start) / 1000);
    this.state = new Uint8Array(this.seconds);
    this.la = new Float64Array(this.seconds);
  }

  /** One record: start `t` (epoch ms), `d` seconds, its LAeq and LAFmax (null: digital silence). */
  add(t: number, d: number, laeq: number | null, lafmax: number | null): void {
    if (t < this.start || t + d * 1000 > this.end) return;
    const first = Math.floor((t - this.start) / 1000);
    const n = Math.max(1, Math.round(d));
    for (let k = first; k < first + n && k < this.seconds; k++) {
      if (this.state[k] === NONE) this.monitored++;
      this.state[k] = laeq === null ? SILENT : LEVEL;
      this.la[k] = laeq ?? 0;
    }
    if (lafmax !== null && (this.lafmax === null || lafmax > this.lafmax)) this.lafmax = lafmax;
  }

  result(): NightLevels {
    const p = this.params;
    const w = p.windowSeconds;
    const u = p.underlyingWindowSeconds;
    const hist = new Int32Array(HIST_BINS);
    let histCount = 0;
    let histFrom = 0;
    let histTo = 0;
    let assessed = 0;
    let exceedances = 0;
    let worstLAeq: number | null = null;
    let worstOver: number | null = null;
    // The bins the night's levels fall in: the histogram is empty outside them, so exceeded() need not look further.
    let lowBin = HIST_BINS - 1;
    let highBin = 0;
    for (let k = 0; k < this.seconds; k++) {
      if (this.state[k] !== LEVEL) continue;
      const b = binOf(this.la[k]!);
      if (b < lowBin) lowBin = b;
      if (b > highBin) highBin = b;
    }
    for (let s = 0; s + w <= this.seconds; s += w) {
      const e = s + w;
      // The underlying window [max(0, e − u), e), slid forward by whole periods.
      for (; histTo < e; histTo++) if (this.state[histTo] === LEVEL) (hist[binOf(this.la[histTo]!)]!++, histCount++);
      for (; histFrom < Math.max(0, e - u); histFrom++) if (this.state[histFrom] === LEVEL) (hist[binOf(this.la[histFrom]!)]!--, histCount--);
      let complete = true;
      let energy = 0;
      let levels = 0;
      for (let k = s; k < e; k++) {
        const st = this.state[k];
        if (st === NONE) {
          complete = false;
          break;
        }
        if (st === LEVEL) {
          energy += 10 ** (this.la[k]! / 10);
          levels++;
        }
      }
      if (!complete || levels === 0 || histCount === 0) continue;
      const laeq = round2(10 * Math.log10(energy / levels));
      const underlying = exceeded(hist, histCount, 90, lowBin, highBin);
      const permitted = round2(permittedLevel(underlying, p));
      const over = round2(laeq - permitted);
      assessed++;
      // Noise Act 1996 s.4(1)(b): "exceeds" (strict).
      if (over > 0) exceedances++;
      if (worstLAeq === null || laeq > worstLAeq) worstLAeq = laeq;
      if (worstOver === null || over > worstOver) worstOver = over;
    }
    return { monitoredSeconds: this.monitored, periodsAssessed: assessed, exceedances, worstLAeq, worstOverByDb: worstOver, LAFmaxMax: this.lafmax };
  }
}

/** LN: the r-th highest level, r = max(1, ⌈N/100 · count⌉) (the monitor's LevelHistogram.exceeded); bins outside [low, high] are empty. */
function exceeded(hist: Int32Array, count: number, percent: number, low: number, high: number): number {
  const rank = Math.max(1, Math.ceil((percent / 100) * count - 1e-9));
  let cum = 0;
  for (let b = high; b >= low; b--) {
    cum += hist[b]!;
    if (cum >= rank) return Math.round(HIST_MIN_DB * 10 + b) / 10;
  }
  return HIST_MIN_DB;
}
