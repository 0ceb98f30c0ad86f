/**
 * An event's average 1/3-octave spectrum against the background before it
 * (issue 16): the energy mean of each band over the event's records, and over
 * the quiet time just before it (quiet-before.ts) — the web view's event
 * spectrum and the bundle's low-frequency section both read it here.
 */
import { NOMINAL_THIRD_OCTAVES, type NominalThirdOctave } from '@earshot/shared';
import type { Db } from '../db/open.ts';
import { readNow } from '../storage/record/sqlite-record.ts';
import type { Steps } from '../storage/record/steps.ts';
import { ALL_BANDS, bandMeanDb } from '../store/band-codec.ts';
import { bandSumsOverSteps } from './band-series.ts';
import { type Span, quietBefore } from './quiet-before.ts';

export interface SpectrumPart {
  readonly from: string;
  readonly to: string;
  /** Longest time any band was measured over, s (Σ d of its records). */
  readonly seconds: number;
  /** Energy mean per band of `bands`, dB to 0.1; null where not measured. */
  readonly levels: (number | null)[];
}

export interface EventSpectrum {
  /** Nominal midbands of the levels, the lowest to the highest measured in either part. */
  readonly bands: NominalThirdOctave[];
  readonly event: SpectrumPart;
  /** The quiet intervals the background was read from (empty when none was found). */
  readonly backgroundIntervals: Span[];
  readonly background: SpectrumPart;
}

export interface SpectrumRequest {
  readonly deviceId: string;
  readonly from: number;
  readonly to: number;
  /** The monitor's deployment ranges (the only time its records count). */
  readonly available: readonly Span[];
  /** The monitor's other events. */
  readonly busy: readonly Span[];
  /** Keep only bands lo … hi of the nominal list (indexes), e.g. 10–160 Hz; default every measured band. */
  readonly bandRange?: readonly [number, number];
}

const iso = (ms: number): string => new Date(ms).toISOString();

function clip(spans: readonly Span[], from: number, to: number): Span[] {
  return spans.map((s) => ({ from: Math.max(s.from, from), to: Math.min(s.to, to) })).filter((s) => s.to > s.from);
}

/** An event's spectrum and its background's, from the monitor's band records. */
export function* spectrumSteps(req: SpectrumRequest): Steps<EventSpectrum> {
  const ev = yield* bandSumsOverSteps(req.deviceId, clip(req.available, req.from, req.to));
  const quiet = quietBefore(req.from, req.available, req.busy);
  const bg = yield* bandSumsOverSteps(req.deviceId, quiet);
  let lo = -1;
  let hi = -1;
  for (let k = 0; k < ALL_BANDS; k++) {
    if (!(ev.seconds[k]! > 0) && !(bg.seconds[k]! > 0)) continue;
    if (lo < 0) lo = k;
    hi = k;
  }
  if (req.bandRange !== undefined) {
    lo = req.bandRange[0];
    hi = req.bandRange[1];
  }
  const levels = (s: { energy: Float64Array; seconds: Float64Array }): (number | null)[] => {
    const out: (number | null)[] = [];
    for (let k = lo; k >= 0 && k <= hi; k++) out.push(bandMeanDb(s.energy[k]!, s.seconds[k]!));
    return out;
  };
  const longest = (s: Float64Array): number => Math.round(1000 * Math.max(0, ...s)) / 1000;
  const bgFrom = quiet[0]?.from ?? req.from;
  return {
    bands: lo < 0 ? [] : NOMINAL_THIRD_OCTAVES.slice(lo, hi + 1),
    event: { from: iso(req.from), to: iso(req.to), seconds: longest(ev.seconds), levels: levels(ev) },
    backgroundIntervals: quiet,
    background: { from: iso(bgFrom), to: iso(quiet.at(-1)?.to ?? req.from), seconds: longest(bg.seconds), levels: levels(bg) },
  };
}

/** The same, at once on the embedded store (the bundle's low-frequency section reads it so). */
export function createEventSpectrumReader(db: Db): (req: SpectrumRequest) => EventSpectrum {
  return (req) => readNow(db, spectrumSteps(req));
}
