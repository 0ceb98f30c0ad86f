/**
 * The 1 s level records of data/levels.csv (DESIGN §6): only this case's
 * deployment spans, read from SQLite an hour at a time — a month is 2.6 M rows
 * and is never held at once. Hour-sized `.all()` reads of raw arrays run about
 * twice as fast here as a row-by-row `.iterate()` of objects (bench/bundle-export.ts),
 * and no statement stays open on the connection between chunks.
 *
 * Hot path: one row object is reused for every record; the CSV writer
 * (bundle/csv.ts) turns each row into text before asking for the next. Each
 * record carries the device clock's flag at its time (issue 10 item 4), from the
 * heartbeats' changes read once per span and walked with a cursor.
 */
import type { Db } from '../db/open.ts';
import type { LevelRow } from '../bundle/model.ts';
import { ClockFlagCursor, createClockFlagReader } from './clock-sync.ts';
import type { DeploymentSpan } from './spans.ts';

/** One hour of 1 s records per read. */
const CHUNK_MS = 3_600_000;

type Raw = [number, number, number | null, number | null, number | null, number | null, number | null, number | null, number | null];

type MutableRow = { -readonly [K in keyof LevelRow]: LevelRow[K] };

/** `spans` in time order (measuredSpans). */
export function* levelRows(db: Db, spans: readonly DeploymentSpan[]): Generator<LevelRow> {
  const read = db
    .prepare<[number, number, string], Raw>('SELECT t, d, laeq, lceq, lzeq, lafmax, lafmin, lasmax, lcpeak FROM levels WHERE t >= ? AND t < ? AND device = ? ORDER BY t')
    .raw(true);
  const flags = createClockFlagReader(db);
  const row: MutableRow = { t: 0, d: 0, deviceId: '', LAeq: null, LCeq: null, LZeq: null, LAFmax: null, LAFmin: null, LASmax: null, LCpeak: null, clockFlag: null };
  for (const s of spans) {
    row.deviceId = s.deviceId;
    const clock = new ClockFlagCursor(flags(s.deviceId, s.from, s.to));
    for (let from = s.from; from < s.to; from += CHUNK_MS) {
      for (const r of read.all(from, Math.min(from + CHUNK_MS, s.to), s.deviceId)) {
        row.t = r[0];
        row.d = r[1];
        row.LAeq = r[2];
        row.LCeq = r[3];
        row.LZeq = r[4];
        row.LAFmax = r[5];
        row.LAFmin = r[6];
        row.LASmax = r[7];
        row.LCpeak = r[8];
        row.clockFlag = clock.at(r[0]);
        yield row;
      }
    }
  }
}
