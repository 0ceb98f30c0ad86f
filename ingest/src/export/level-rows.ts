/**
 * The 1 s level records of data/levels.csv (DESIGN §6) as row objects, for the
 * row formatter (bundle/csv.ts; a demonstration bundle's levels.csv): only this
 * case's deployment spans, read a UTC hour's level block at a time
 * (store/level-blocks/read-blocks.ts) — a month is 2.6 M rows and is never held
 * at once, and no statement stays open on the connection between hours.
 *
 * Hot path: one row object is reused for every record; the CSV writer turns
 * each row into text before asking for the next. Each record carries the
 * device clock's flag at its time (issue 10 item 4), from the heartbeats'
 * changes read once per span and walked with a cursor.
 */
import type { Db } from '../db/open.ts';
import type { LevelRow } from '../bundle/model.ts';
import { D, LAEQ, LAFMAX, LAFMIN, LASMAX, LCEQ, LCPEAK, LZEQ, type BlockReader, createBlockReader } from '../store/level-blocks/index.ts';
import { ClockFlagCursor, createClockFlagReader } from './clock-sync.ts';
import type { DeploymentSpan } from './spans.ts';

type MutableRow = { -readonly [K in keyof LevelRow]: LevelRow[K] };

const nullable = (v: number): number | null => (v !== v ? null : v);

/** `spans` in time order (measuredSpans). */
export function* levelRows(db: Db, spans: readonly DeploymentSpan[], blocks: BlockReader = createBlockReader(db)): Generator<LevelRow> {
  const flags = createClockFlagReader(db);
  const row: MutableRow = { t: 0, d: 0, deviceId: '', LAeq: null, LCeq: null, LZeq: null, LAFmax: null, LAFmin: null, LASmax: null, LCpeak: null, clockFlag: null };
  for (const s of spans) {
    row.deviceId = s.deviceId;
    const clock = new ClockFlagCursor(flags(s.deviceId, s.from, s.to));
    for (const { block, first, end } of blocks.slices(s.deviceId, s.from, s.to)) {
      const d = block.values(D);
      const laeq = block.values(LAEQ);
      const lceq = block.values(LCEQ);
      const lzeq = block.values(LZEQ);
      const lafmax = block.values(LAFMAX);
      const lafmin = block.values(LAFMIN);
      const lasmax = block.values(LASMAX);
      const lcpeak = block.values(LCPEAK);
      for (let i = first; i < end; i++) {
        row.t = block.hourMs + block.offsetMs[i]!;
        row.d = d[i]!;
        row.LAeq = nullable(laeq[i]!);
        row.LCeq = nullable(lceq[i]!);
        row.LZeq = nullable(lzeq[i]!);
        row.LAFmax = nullable(lafmax[i]!);
        row.LAFmin = nullable(lafmin[i]!);
        row.LASmax = nullable(lasmax[i]!);
        row.LCpeak = nullable(lcpeak[i]!);
        row.clockFlag = clock.at(row.t);
        yield row;
      }
    }
  }
}
