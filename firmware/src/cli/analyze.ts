/**
 * `earshot-device analyze FILE.wav [--full-scale-db 120] [--interval 1] [--channel 0]`
 * (DESIGN §3): per-interval levels as NDJSON, then a summary, from the same
 * LevelEngine the live monitor runs.
 */
import { DEFAULT_FULL_SCALE_DB, parseCommand, round2 } from '@earshot/shared';
import { z } from 'zod';
import { WavFileReader } from '../audio/index.ts';
import { type IntervalLevels, LevelEngine, LevelSummary, roundedLevels } from '../measure/index.ts';

export const ANALYZE_USAGE = 'earshot-device analyze FILE.wav [--full-scale-db 120] [--interval 1] [--channel 0]';

const AnalyzeArgs = z.object({
  positionals: z.array(z.string()).length(1, `one WAV file (${ANALYZE_USAGE})`),
  'full-scale-db': z.coerce.number().min(0).max(250).default(DEFAULT_FULL_SCALE_DB),
  interval: z.coerce.number().positive().max(86_400).default(1),
  channel: z.coerce.number().int().nonnegative().default(0),
});

export interface AnalyzeOptions {
  fullScaleDb: number;
  intervalSeconds: number;
  channel: number;
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

function intervalLine(r: IntervalLevels): string {
  return JSON.stringify({ start: seconds(r.startSeconds), duration: seconds(r.durationSeconds), ...roundedLevels(r) });
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
      onInterval: (r) => {
        summary.addInterval(r);
        if (r.clippedSamples > 0) {
          notes.clippedIntervals++;
          notes.firstClippedAt ??= seconds(r.startSeconds);
        }
        write(intervalLine(r));
      },
      onTick: (laf) => summary.addTick(laf),
    });
    const block = new Float64Array(reader.maxBlockFrames);
    for (let n = reader.read(block); n > 0; n = reader.read(block)) engine.process(block, 0, n);
    engine.flush();
    const s = summary.result();
    notes.silentSeconds = seconds(s.silentSeconds);
    write(JSON.stringify({
      summary: true,
      duration: seconds(s.duration),
      LAeq: round2(s.LAeq),
      LCeq: round2(s.LCeq),
      LAE: round2(s.LAE),
      LAFmax: round2(s.LAFmax),
      LAF10: round2(s.LAF10),
      LAF90: round2(s.LAF90),
      LCpeak: round2(s.LCpeak),
    }));
    return notes;
  } finally {
    reader.close();
  }
}

export function analyzeCommand(args: readonly string[], out: (line: string) => void, warn: (line: string) => void): number {
  const a = parseCommand(args, { 'full-scale-db': { type: 'string' }, interval: { type: 'string' }, channel: { type: 'string' } }, AnalyzeArgs);
  const notes = analyzeFile(a.positionals[0]!, { fullScaleDb: a['full-scale-db'], intervalSeconds: a.interval, channel: a.channel }, out);
  // The NDJSON contract (DESIGN §3) has no field for these; they go to stderr so nobody misses them.
  if (notes.clippedIntervals > 0) warn(`warning: samples at digital full scale in ${notes.clippedIntervals} interval(s), first at ${notes.firstClippedAt} s: levels there are underestimates`);
  if (notes.silentSeconds > 0) warn(`warning: ${notes.silentSeconds} s of digital silence (a dead input): levels null there and left out of the summary LAeq`);
  return 0;
}
