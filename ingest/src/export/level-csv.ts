/**
 * data/levels.csv from the level blocks (issue 10: 30 days of two monitors,
 * 5.2 M records, under 10 s): the same records in the same order as
 * levelRows (level-rows.ts) — span by span, each in time order, only inside
 * this case's deployment spans — a UTC hour's block at a time
 * (store/level-blocks/read-blocks.ts: the stored block, or one built from the
 * hour's rows) and written straight into bytes (bundle/levels-csv-bytes.ts)
 * with no row object and no string per row.
 * ingest/test/export/level-csv.test.ts holds the bytes to the rows of the
 * levels table formatted by LevelRowFormatter.
 */
import type { Db } from '../db/open.ts';
import { csvField } from '../bundle/csv.ts';
import { LevelsCsvBytes } from '../bundle/levels-csv-bytes.ts';
import { D, LAEQ, LAFMAX, LAFMIN, LASMAX, LCEQ, LCPEAK, LZEQ, type BlockReader, createBlockReader } from '../store/level-blocks/index.ts';
import { ClockFlagCursor, createClockFlagReader } from './clock-sync.ts';
import type { DeploymentSpan } from './spans.ts';

const nullable = (v: number): number | null => (v !== v ? null : v);

/** `spans` in time order (measuredSpans); yields the file's bytes in chunks, the header first. */
export function* levelsCsvFromDb(db: Db, spans: readonly DeploymentSpan[], blocks: BlockReader = createBlockReader(db)): Generator<Buffer> {
  const flags = createClockFlagReader(db);
  const out = new LevelsCsvBytes();
  for (const s of spans) {
    const device = csvField(s.deviceId);
    const clock = new ClockFlagCursor(flags(s.deviceId, s.from, s.to));
    for (const { block, first, end } of blocks.slices(s.deviceId, s.from, s.to)) {
      if (out.hour(block.hourMs, device)) {
        for (let i = first; i < end; ) {
          i = out.block(block, i, end, clock);
          const chunk = out.take();
          if (chunk !== null) yield chunk;
        }
        continue;
      }
      const v = [D, LAEQ, LCEQ, LZEQ, LAFMAX, LAFMIN, LASMAX, LCPEAK].map((c) => block.values(c));
      for (let i = first; i < end; i++) {
        const t = block.hourMs + block.offsetMs[i]!;
        out.row({
          t, d: v[0]![i]!, deviceId: s.deviceId, LAeq: nullable(v[1]![i]!), LCeq: nullable(v[2]![i]!), LZeq: nullable(v[3]![i]!), LAFmax: nullable(v[4]![i]!),
          LAFmin: nullable(v[5]![i]!), LASmax: nullable(v[6]![i]!), LCpeak: nullable(v[7]![i]!), clockFlag: clock.at(t),
        });
        const chunk = out.take();
        if (chunk !== null) yield chunk;
      }
    }
  }
  yield out.rest();
}
