/**
 * data/levels.csv straight from SQLite (issue 10: 30 days of two monitors,
 * 5.2 M records, under 10 s): the same records in the same order as
 * levelRows (level-rows.ts) — span by span, each in time order, only inside
 * this case's deployment spans — read a UTC hour at a time (the time as its
 * offset in the hour, a small integer) and written straight into bytes
 * (bundle/levels-csv-bytes.ts) with no row object and no string per row.
 * ingest/test/export/level-csv.test.ts holds the bytes to levelRows + levelsCsv.
 */
import type { Db } from '../db/open.ts';
import { csvField } from '../bundle/csv.ts';
import { LevelsCsvBytes } from '../bundle/levels-csv-bytes.ts';
import { ClockFlagCursor, createClockFlagReader } from './clock-sync.ts';
import type { DeploymentSpan } from './spans.ts';

/** UTC hours: a record's offset and the Europe/London offset are fixed within one (UK clocks change on the hour). */
const HOUR_MS = 3_600_000;

/** The offset in the hour keeps the time a small integer on the way out of SQLite. */
const HOUR_SQL = `SELECT t - :hour, d, laeq, lceq, lzeq, lafmax, lafmin, lasmax, lcpeak
  FROM levels WHERE t >= :from AND t < :to AND device = :device ORDER BY t`;

type Raw = [number, number, number | null, number | null, number | null, number | null, number | null, number | null, number | null];

/** `spans` in time order (measuredSpans); yields the file's bytes in chunks, the header first. */
export function* levelsCsvFromDb(db: Db, spans: readonly DeploymentSpan[]): Generator<Buffer> {
  const read = db.prepare<{ hour: bigint; from: number; to: number; device: string }, Raw>(HOUR_SQL).raw(true);
  const flags = createClockFlagReader(db);
  const out = new LevelsCsvBytes();
  for (const s of spans) {
    const device = csvField(s.deviceId);
    const clock = new ClockFlagCursor(flags(s.deviceId, s.from, s.to));
    for (let hour = Math.floor(s.from / HOUR_MS) * HOUR_MS; hour < s.to; hour += HOUR_MS) {
      const fast = out.hour(hour, device);
      for (const r of read.all({ hour: BigInt(hour), from: Math.max(hour, s.from), to: Math.min(hour + HOUR_MS, s.to), device: s.deviceId })) {
        const flag = clock.at(hour + r[0]);
        if (fast) out.record(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], flag);
        else out.row({ t: hour + r[0], d: r[1], deviceId: s.deviceId, LAeq: r[2], LCeq: r[3], LZeq: r[4], LAFmax: r[5], LAFmin: r[6], LASmax: r[7], LCpeak: r[8], clockFlag: flag });
        const chunk = out.take();
        if (chunk !== null) yield chunk;
      }
    }
  }
  yield out.rest();
}
