/**
 * data/bands.csv from SQLite (issue 16): the bands of the level records inside
 * this case's deployment spans, span by span, each in time order (the order of
 * data/levels.csv), read a UTC hour at a time — from the hour's band block
 * (store/band-blocks/: the stored one, or one built from the hour's rows; the
 * hours are those the ten-minute sums hold) — and written straight into bytes
 * (bundle/bands-csv.ts). Whether there are any, and how many, is counted from
 * the ten-minute sums (and the records only at a span's ragged ends), so a case
 * without bands costs a few index lookups and its bundle has no bands.csv.
 */
import type { Db } from '../db/open.ts';
import { type BandsCsvSource, BandsCsvBytes } from '../bundle/bands-csv.ts';
import { csvField } from '../bundle/csv.ts';
import { bandIndex } from '../store/band-codec.ts';
import { BAND_ROLLUP_MS } from '../store/level-bands-migrations.ts';
import { hasLevelBands } from '../store/level-bands.ts';
import { type BandBlockReader, createBandBlockReader } from '../store/band-blocks/index.ts';
import type { DeploymentSpan } from './spans.ts';

const HOUR_MS = 3_600_000;

type Raw = [number, number, string, Buffer];

/** How many band records the spans hold. */
export function countBandRecords(db: Db, spans: readonly DeploymentSpan[]): number {
  const blocks = db.prepare<[string, number, number], { n: number }>('SELECT total(records) AS n FROM level_bands_10m WHERE device = ? AND start >= ? AND start < ?');
  const raw = db.prepare<[number, number, string], { n: number }>('SELECT count(*) AS n FROM level_bands WHERE t >= ? AND t < ? AND device = ?');
  let n = 0;
  for (const s of spans) {
    if (s.to <= s.from) continue;
    const whole0 = Math.ceil(s.from / BAND_ROLLUP_MS) * BAND_ROLLUP_MS;
    const whole1 = Math.floor(s.to / BAND_ROLLUP_MS) * BAND_ROLLUP_MS;
    if (whole1 <= whole0) {
      n += raw.get(s.from, s.to, s.deviceId)!.n;
      continue;
    }
    n += raw.get(s.from, whole0, s.deviceId)!.n + blocks.get(s.deviceId, whole0, whole1)!.n + raw.get(whole1, s.to, s.deviceId)!.n;
  }
  return n;
}

/** `spans` in time order (measuredSpans); yields the file's bytes in chunks of whole rows, the header first. */
export function* bandsCsvFromDb(db: Db, spans: readonly DeploymentSpan[], blocks: BandBlockReader = createBandBlockReader(db)): Generator<Buffer> {
  const out = new BandsCsvBytes();
  const rows = bandRowsReader(db);
  for (const s of spans) {
    const device = Buffer.from(csvField(s.deviceId), 'utf8');
    for (const h of blocks.hours(s.deviceId, s.from, s.to)) {
      if (h.block === 'rows') {
        yield* rows(out, device, s.deviceId, Math.max(h.hourMs, s.from), Math.min(h.hourMs + HOUR_MS, s.to));
        continue;
      }
      for (let i = h.first; i < h.end; ) {
        i = out.block(h.block, i, h.end, device);
        const chunk = out.take();
        if (chunk !== null) yield chunk;
      }
    }
  }
  yield out.rest();
}

/**
 * The file as made from the rows of `level_bands` alone, every hour of each span (the path before band
 * blocks): what the blocks are held to (ingest/test/export/bands-csv-blocks.test.ts).
 */
export function* bandsCsvFromRows(db: Db, spans: readonly DeploymentSpan[]): Generator<Buffer> {
  const out = new BandsCsvBytes();
  const rows = bandRowsReader(db);
  for (const s of spans) {
    const device = Buffer.from(csvField(s.deviceId), 'utf8');
    for (let hour = Math.floor(s.from / HOUR_MS) * HOUR_MS; hour < s.to; hour += HOUR_MS) {
      yield* rows(out, device, s.deviceId, Math.max(hour, s.from), Math.min(hour + HOUR_MS, s.to));
    }
  }
  yield out.rest();
}

/** Writes the band records of `deviceId` in [from, to) (at most an hour) from their rows, yielding full chunks. */
function bandRowsReader(db: Db): (out: BandsCsvBytes, device: Uint8Array, deviceId: string, from: number, to: number) => Generator<Buffer> {
  const read = db.prepare<[number, number, string], Raw>('SELECT t, d, f0, data FROM level_bands WHERE t >= ? AND t < ? AND device = ? ORDER BY t').raw(true);
  const i0 = new Map<string, number>();
  return function* (out, device, deviceId, from, to) {
    for (const [t, d, f0, data] of read.all(from, to, deviceId)) {
      let i = i0.get(f0);
      if (i === undefined) i0.set(f0, (i = bandIndex(f0)));
      out.row(t, device, d, i, data);
      const chunk = out.take();
      if (chunk !== null) yield chunk;
    }
  };
}

/** data/bands.csv for the spans, or undefined when they hold no bands (the bundle then has no such file). */
export function bandsCsvSource(db: Db, spans: readonly DeploymentSpan[]): BandsCsvSource | undefined {
  if (!hasLevelBands(db)) return undefined;
  const rows = countBandRecords(db, spans);
  if (rows === 0) return undefined;
  return { rows, bytes: () => bandsCsvFromDb(db, spans) };
}
