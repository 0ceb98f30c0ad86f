/**
 * The band records of one monitor over a time range, hour by hour, as band
 * blocks (codec.ts): what data/bands.csv reads (export/bands-csv.ts). Read
 * from any connection — the export's read-only snapshot — never written.
 *
 * A stored block is used only when it packs as many records as the ten-minute
 * sums (`level_bands_10m`, written in the same transactions as the records)
 * count in its hour: one query per range. An hour whose block is missing or
 * disagrees is built from its rows (build-block.ts) and used without storing;
 * an hour the codec cannot pack is handed back as 'rows', for the caller to
 * read the records themselves. Hours with no band record are skipped.
 */
import type { Db } from '../../db/open.ts';
import { HOUR_MS } from '../level-blocks/migrations.ts';
import { lowerBound } from '../level-blocks/read-blocks.ts';
import { createBandBlockBuilder } from './build-block.ts';
import { type BandBlock, decodeBandBlock } from './codec.ts';
import { BAND_BLOCKS_TABLE } from './migrations.ts';

/** An hour holding band records and how it is read: its block's records inside the range [first, end), or its rows. */
export type BandHour = { readonly hourMs: number; readonly block: BandBlock; readonly first: number; readonly end: number } | { readonly hourMs: number; readonly block: 'rows' };

export interface BandBlockReader {
  /** The hours of `device` over [from, to) with band records, in time order; the generator may be left early. */
  hours(device: string, from: number, to: number): Generator<BandHour>;
  /** How many hours so far came from stored blocks, how many were built from rows, how many were left to the rows. */
  readonly stats: { stored: number; built: number; rows: number };
}

interface HourRow { hourMs: number; records: number; rows: number | null }

/** Needs `level_bands` and `level_bands_10m` (store/level-bands.ts hasLevelBands); without `band_blocks` every hour is built from its rows. */
export function createBandBlockReader(db: Db): BandBlockReader {
  const build = createBandBlockBuilder(db);
  const withBlocks = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '${BAND_BLOCKS_TABLE}'`).get()!.n === 1;
  const counts = db.prepare<{ device: string; from: number; to: number }, HourRow>(
    withBlocks
      ? `SELECT h.hourMs, h.records, b.rows FROM (
           SELECT start - (start % ${HOUR_MS}) AS hourMs, sum(records) AS records FROM level_bands_10m
           WHERE device = :device AND start >= :from AND start < :to GROUP BY 1) h
         LEFT JOIN band_blocks b ON b.device = :device AND b.hour_ms = h.hourMs ORDER BY 1`
      : `SELECT start - (start % ${HOUR_MS}) AS hourMs, sum(records) AS records, NULL AS rows FROM level_bands_10m
         WHERE device = :device AND start >= :from AND start < :to GROUP BY 1 ORDER BY 1`,
  );
  const data = withBlocks ? db.prepare<[string, number, number], { data: Buffer }>('SELECT data FROM band_blocks WHERE device = ? AND hour_ms = ? AND rows = ?') : null;
  const stats = { stored: 0, built: 0, rows: 0 };

  function block(device: string, h: HourRow): BandBlock | 'rows' | null {
    const s = h.rows === h.records ? data?.get(device, h.hourMs, h.records) : undefined;
    if (s !== undefined) {
      stats.stored++;
      return decodeBandBlock(h.hourMs, s.data);
    }
    const b = build(device, h.hourMs);
    if (b === 'rows') {
      stats.rows++;
      return 'rows';
    }
    stats.built++;
    return b === null ? null : decodeBandBlock(h.hourMs, b.data);
  }

  return {
    stats,
    *hours(device, from, to) {
      if (to <= from) return;
      const h0 = Math.floor(from / HOUR_MS) * HOUR_MS;
      const h1 = Math.ceil(to / HOUR_MS) * HOUR_MS;
      for (const h of counts.all({ device, from: h0, to: h1 })) {
        const b = block(device, h);
        if (b === null) continue;
        if (b === 'rows') {
          yield { hourMs: h.hourMs, block: 'rows' };
          continue;
        }
        const first = from > h.hourMs ? lowerBound(b.offsetMs, from - h.hourMs) : 0;
        const end = to < h.hourMs + HOUR_MS ? lowerBound(b.offsetMs, to - h.hourMs) : b.rows;
        if (end > first) yield { hourMs: h.hourMs, block: b, first, end };
      }
    },
  };
}
