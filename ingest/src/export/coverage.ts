/**
 * Coverage of one deployment span (issue 5: hours monitored vs gaps, gaps
 * listed), from the level records the device sent for it. A month is 2.6 M 1 s
 * records, so whole minutes come from the per-minute rollup (timeline/migrations.ts
 * `levels_1m`, kept exact by triggers): a minute holding 60 records is fully
 * monitored. Only the span's ragged ends and minutes with fewer records are read
 * record by record, which is where any gap is, from the hours' level blocks
 * (store/level-blocks/read-blocks.ts), each hour's block fetched once.
 */
import type { Db } from '../db/open.ts';
import { D, type BlockReader, type LevelBlock, RecordCursor, createBlockReader } from '../store/level-blocks/index.ts';
import type { DeploymentSpan } from './spans.ts';

/**
 * Holes of a minute or more are listed as gaps. Shorter ones (a lost batch is
 * 10 s, issue 3) still count against the time monitored but would swamp the list.
 */
export const MIN_LISTED_GAP_MS = 60_000;
const MINUTE_MS = 60_000;
/** 1 s records in a whole minute. */
const FULL_MINUTE_RECORDS = 60;

export interface Coverage {
  readonly monitoredSeconds: number;
  readonly periodSeconds: number;
  readonly gaps: { from: string; to: string }[];
}

export interface SpanCoverage {
  readonly coverage: Coverage;
  /** Level records in the span (the rows data/levels.csv gets from it). */
  readonly records: number;
}

/** Walks the monitored pieces in time order, adding up time and noting the holes. */
class CoverageWalk {
  monitoredMs = 0;
  records = 0;
  readonly gaps: { from: string; to: string }[] = [];
  #cursor: number;

  constructor(private readonly span: DeploymentSpan) {
    this.#cursor = span.from;
  }

  piece(t: number, ms: number, records: number): void {
    if (t - this.#cursor >= MIN_LISTED_GAP_MS) this.gaps.push({ from: new Date(this.#cursor).toISOString(), to: new Date(t).toISOString() });
    // A compacted record (d > 1) counts its whole length, cut at the span's end.
    const end = Math.min(t + ms, this.span.to);
    const start = Math.max(t, this.#cursor);
    if (end > start) this.monitoredMs += end - start;
    this.#cursor = Math.max(this.#cursor, end);
    this.records += records;
  }

  finish(): SpanCoverage {
    if (this.span.to - this.#cursor >= MIN_LISTED_GAP_MS) this.gaps.push({ from: new Date(this.#cursor).toISOString(), to: new Date(this.span.to).toISOString() });
    return { coverage: { monitoredSeconds: this.monitoredMs / 1000, periodSeconds: (this.span.to - this.span.from) / 1000, gaps: this.gaps }, records: this.records };
  }
}

export function createCoverageReader(db: Db, blocks: BlockReader = createBlockReader(db)): (span: DeploymentSpan) => SpanCoverage {
  const minutes = db.prepare<[string, number, number], { start: number; records: number }>(
    'SELECT start, records FROM levels_1m WHERE device = ? AND start >= ? AND start < ? ORDER BY start',
  );
  return (span) => {
    const walk = new CoverageWalk(span);
    const records = new RecordCursor(blocks, span.deviceId, span.from, span.to);
    const piece = (b: LevelBlock, i: number): void => walk.piece(b.hourMs + b.offsetMs[i]!, b.values(D)[i]! * 1000, 1);
    const rawPieces = (from: number, to: number): void => {
      if (to > from) records.each(from, to, piece);
    };
    const m0 = Math.ceil(span.from / MINUTE_MS) * MINUTE_MS;
    const m1 = Math.floor(span.to / MINUTE_MS) * MINUTE_MS;
    if (m1 <= m0) {
      rawPieces(span.from, span.to);
      return walk.finish();
    }
    rawPieces(span.from, m0);
    // A minute with no rollup row has no record starting in it (the triggers keep the rollup exact).
    for (const m of minutes.all(span.deviceId, m0, m1)) {
      if (m.records >= FULL_MINUTE_RECORDS) walk.piece(m.start, MINUTE_MS, m.records);
      else rawPieces(m.start, m.start + MINUTE_MS);
    }
    rawPieces(m1, span.to);
    return walk.finish();
  };
}
