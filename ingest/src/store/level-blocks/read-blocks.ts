/**
 * The level records of one monitor over a time range, as level blocks, hour
 * by hour (what the export reads instead of the rows: a month of two monitors
 * is 1 440 blocks instead of 5.2 M rows). Read from any connection — the
 * export's read-only snapshot — and never written from here.
 *
 * A stored block is used only when it packs as many records as the minute
 * rollups count in its hour (timeline/migrations.ts `levels_10m`, kept in the
 * same transactions as the levels): one query per range. An hour whose block is
 * missing, or whose block disagrees with that count, is built from its rows
 * (build-block.ts), so the records handed out are always the levels table's.
 * Hours with no record are skipped. Without the rollup tables (a store missing
 * the timeline's migrations) every hour of the range is built from its rows.
 * The list of hours (hours()) carries a trusted block's summary, so a reader
 * that needs no more than that (export/full-scale.ts) reads no block data.
 */
import type { Db } from '../../db/open.ts';
import { createBlockBuilder } from './build-block.ts';
import { type LevelBlock, decodeBlock } from './codec.ts';
import { HOUR_MS } from './migrations.ts';

/** One block's records inside the range read: indexes [first, end) of the block. */
export interface BlockSlice {
  readonly block: LevelBlock;
  readonly first: number;
  readonly end: number;
}

/** An hour of `device` holding records, not yet read. */
export interface HourRef {
  readonly device: string;
  readonly hourMs: number;
  /** As the rollups count them (−1 without rollups). */
  readonly records: number;
  /** The stored block's summary when it packs that many records (migrations.ts), else null. */
  readonly sealed: SealedSummary | null;
}

export interface SealedSummary {
  readonly firstMs: number;
  readonly endMs: number;
  /** The fullScaleDb every record of the hour states, null when they differ. */
  readonly fullScaleDb: number | null;
}

export interface BlockReader {
  /** The blocks of `device` over [from, to), in time order; the generator may be left early. */
  slices(device: string, from: number, to: number): Generator<BlockSlice>;
  /** The hours of `device` over [from, to) that hold records, in time order, without reading their blocks. */
  hours(device: string, from: number, to: number): HourRef[];
  /** One hour's records inside [from, to); null when there are none. */
  slice(hour: HourRef, from: number, to: number): BlockSlice | null;
  /** How many hours so far came from stored blocks, and how many were built from rows. */
  readonly stats: { stored: number; built: number };
}

interface HourRow { hourMs: number; records: number; rows: number | null; firstMs: number | null; endMs: number | null; fullScaleDb: number | null }

/** First index of `offsets` (ascending) at or after `v`. */
export function lowerBound(offsets: Int32Array, v: number): number {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (offsets[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function hasTable(db: Db, name: string): boolean {
  return db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?").get(name)!.n === 1;
}

export function createBlockReader(db: Db): BlockReader {
  const build = createBlockBuilder(db);
  const withRollups = hasTable(db, 'levels_10m');
  const counts = withRollups
    ? db.prepare<{ device: string; from: number; to: number }, HourRow>(
      `SELECT h.hourMs, h.records, b.rows, b.first_ms AS firstMs, b.end_ms AS endMs, b.full_scale_db AS fullScaleDb FROM (
         SELECT start - (start % ${HOUR_MS}) AS hourMs, sum(records) AS records FROM levels_10m
         WHERE device = :device AND start >= :from AND start < :to GROUP BY 1) h
       LEFT JOIN level_blocks b ON b.device = :device AND b.hour_ms = h.hourMs ORDER BY 1`,
    )
    : null;
  const data = db.prepare<[string, number, number], { data: Buffer }>('SELECT data FROM level_blocks WHERE device = ? AND hour_ms = ? AND rows = ?');
  const stats = { stored: 0, built: 0 };

  function hours(device: string, from: number, to: number): HourRef[] {
    if (to <= from) return [];
    const h0 = Math.floor(from / HOUR_MS) * HOUR_MS;
    const h1 = Math.ceil(to / HOUR_MS) * HOUR_MS;
    if (counts !== null) {
      return counts.all({ device, from: h0, to: h1 }).map((r) => ({
        device, hourMs: r.hourMs, records: r.records,
        sealed: r.rows === r.records && r.firstMs !== null && r.endMs !== null ? { firstMs: r.firstMs, endMs: r.endMs, fullScaleDb: r.fullScaleDb } : null,
      }));
    }
    const all: HourRef[] = [];
    for (let h = h0; h < h1; h += HOUR_MS) all.push({ device, hourMs: h, records: -1, sealed: null });
    return all;
  }

  function slice(h: HourRef, from: number, to: number): BlockSlice | null {
    const hour = h.hourMs;
    const b = block(h);
    if (b === null) return null;
    const first = from > hour ? lowerBound(b.offsetMs, from - hour) : 0;
    const end = to < hour + HOUR_MS ? lowerBound(b.offsetMs, to - hour) : b.rows;
    return end > first ? { block: b, first, end } : null;
  }

  function block(h: HourRef): LevelBlock | null {
    const s = h.sealed === null ? undefined : data.get(h.device, h.hourMs, h.records);
    if (s !== undefined) {
      stats.stored++;
      return decodeBlock(h.hourMs, s.data);
    }
    const b = build(h.device, h.hourMs);
    stats.built++;
    return b === null ? null : decodeBlock(h.hourMs, b.data);
  }

  return {
    stats,
    hours,
    slice,
    *slices(device, from, to) {
      for (const h of hours(device, from, to)) {
        const s = slice(h, from, to);
        if (s !== null) yield s;
      }
    },
  };
}
