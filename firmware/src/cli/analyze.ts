/**
 * `earshot-device analyze FILE.wav [--full-scale-db 120] [--interval 1] [--channel 0] [--bands third-octave]`
 * (DESIGN §3): per-interval levels as NDJSON, then a summary, from the same
 * LevelEngine the live monitor runs; with `--bands third-octave` each line and the
 * summary also carry "LZeq_3oct", the 1/3-octave band levels.
 */
import { DEFAULT_FULL_SCALE_DB, parseCommand, round2 } from '@earshot/shared';
import { z } from 'zod';
import { WavFileReader } from '../audio/index.ts';
import { type BandLevels, BandSummary, type IntervalLevels, LevelEngine, LevelSummary, roundedLevels } from '../measure/index.ts';
import { ANALYZE_USAGE } from './usage.ts';

const AnalyzeArgs = z.object({
  positionals: z.array(z.string()).length(1, `one WAV file (${ANALYZE_USAGE})`),
  'full-scale-db': z.coerce.number().min(0).max(250).default(DEFAULT_FULL_SCALE_DB),
  interval: z.coerce.number().positive().max(86_400).default(1),
  channel: z.coerce.number().int().nonnegative().default(0),
  // DESIGN §3 "Bands": the only band set.
  bands: z.literal('third-octave', { error: 'must be "third-octave", the only band set' }).optional(),
});

export interface AnalyzeOptions {
  fullScaleDb: number;
  intervalSeconds: number;
  channel: number;
  /** DESIGN §3 "Bands": add "LZeq_3oct" to every line. */
  bands?: 'third-octave';
}

/** What the run noticed that the user should know but the NDJSON contract has no field for. */
export interface AnalyzeNotes {
  clippedIntervals: number;
  firstClippedAt: number | null;
  silentSeconds: number;
}

/** Seconds as printed: exact to the microsecond, no float noise. */
function seconds(s: number): number {
  return Math.round(s * 1e6) / 1e6;
}

/**
 * `"LZeq_3oct":{"10":41.2,"12.5":…}` with the bands in frequency order. Written by hand because a
 * JS object lists integer-like keys ("10", "16") before the others ("12.5"), whatever the insertion order.
 */
function bandsMember(nominal: readonly string[], levels: readonly (number | null)[]): string {
  const parts = nominal.map((n, i) => `${JSON.stringify(n)}:${JSON.stringify(round2(levels[i] ?? null))}`);
  return `"LZeq_3oct":{${parts.join(',')}}`;
}

/** A JSON object line with one more member appended. */
function withMember(json: string, member: string): string {
  return `${json.slice(0, -1)},${member}}`;
}

function intervalLine(r: IntervalLevels): string {
  const line = JSON.stringify({ start: seconds(r.startSeconds), duration: seconds(r.durationSeconds), ...roundedLevels(r) });
  const b: BandLevels | undefined = r.bands;
  return b === undefined ? line : withMember(line, bandsMember(b.nominal, b.levels));
}

/** Runs the engine over one channel of a WAV file, handing each output line to `write`. */
export function analyzeFile(path: string, options: AnalyzeOptions, write: (line: string) => void): AnalyzeNotes {
  const reader = WavFileReader.open(path, { channel: options.channel });
  try {
    const summary = new LevelSummary(options.fullScaleDb);
    const notes: AnalyzeNotes = { clippedIntervals: 0, firstClippedAt: null, silentSeconds: 0 };
    const engine = new LevelEngine({
      sampleRate: reader.format.sampleRate,
      fullScaleDb: options.fullScaleDb,
      intervalSeconds: options.intervalSeconds,
      ...(options.bands === undefined ? {} : { bands: options.bands }),
      onInterval: (r) => {
        summary.addInterval(r);
        if (r.bands !== undefined && bandSummary !== null && !r.silent) bandSummary.add(r.bands, r.durationSeconds);
        if (r.clippedSamples > 0) {
          notes.clippedIntervals++;
          notes.firstClippedAt ??= seconds(r.startSeconds);
        }
        write(intervalLine(r));
      },
      onTick: (laf) => summary.addTick(laf),
    });
    const bandSummary = engine.bandNominals === null ? null : new BandSummary(engine.bandNominals);
    const block = new Float64Array(reader.maxBlockFrames);
    for (let n = reader.read(block); n > 0; n = reader.read(block)) engine.process(block, 0, n);
    engine.flush();
    const s = summary.result();
    notes.silentSeconds = seconds(s.silentSeconds);
    const summaryLine = JSON.stringify({
      summary: true,
      duration: seconds(s.duration),
      LAeq: round2(s.LAeq),
      LCeq: round2(s.LCeq),
      LAE: round2(s.LAE),
      LAFmax: round2(s.LAFmax),
      LAF10: round2(s.LAF10),
      LAF90: round2(s.LAF90),
      LCpeak: round2(s.LCpeak),
    });
    write(bandSummary === null ? summaryLine : withMember(summaryLine, bandsMember(bandSummary.nominal, bandSummary.levels(options.fullScaleDb))));
    return notes;
  } finally {
    reader.close();
  }
}

export function analyzeCommand(args: readonly string[], out: (line: string) => void, warn: (line: string) => void): number {
  const a = parseCommand(args, { 'full-scale-db': { type: 'string' }, interval: { type: 'string' }, channel: { type: 'string' }, bands: { type: 'string' } }, AnalyzeArgs);
  const options: AnalyzeOptions = { fullScaleDb: a['full-scale-db'], intervalSeconds: a.interval, channel: a.channel };
  if (a.bands !== undefined) options.bands = a.bands;
  const notes = analyzeFile(a.positionals[0]!, options, out);
  // The NDJSON contract (DESIGN §3) has no field for these; they go to stderr so nobody misses them.
  if (notes.clippedIntervals > 0) warn(`warning: samples at digital full scale in ${notes.clippedIntervals} interval(s), first at ${notes.firstClippedAt} s: levels there are underestimates`);
  if (notes.silentSeconds > 0) warn(`warning: ${notes.silentSeconds} s of digital silence (a dead input): levels null there and left out of the summary LAeq`);
  return 0;
}
