/**
 * Sealing: storing the level block of an hour that is over (codec.ts,
 * build-block.ts), each in a transaction of its own — the rows read and the
 * block written in one, so no record can land in between unseen (the levels
 * writer drops the block of any hour it adds to, in its own transaction).
 *
 * Which hours: those whose records the minute rollups count (`levels_10m`)
 * and that have no block packing that many records — never sealed, or dropped
 * since by a late record or the retention purge. Run by the service in the
 * background (sealer-job.ts) and by the export for the hours of its case before
 * it reads (export/exporter.ts).
 *
 * The hour's band block (store/band-blocks/) is sealed with it, in the same
 * transaction, and an hour whose band block alone is missing is sealed too.
 */
import type { Db } from '../../db/open.ts';
import { createBlockBuilder } from './build-block.ts';
import { createBandBlockSealer, mergeHours } from '../band-blocks/index.ts';
import { HOUR_MS } from './migrations.ts';

/**
 * An hour is sealed once it has been over for this long: a monitor sends its
 * records in batches every 10 s (DESIGN §4) and resends what was not
 * acknowledged, so the hour's last records are normally in by then. A record
 * arriving later still is stored, and drops the block (the next pass reseals it).
 */
export const SEAL_AFTER_MS = 5 * 60_000;

export interface HourToSeal {
  readonly device: string;
  readonly hourMs: number;
}

/**
 * The sealer's store (one port, two adapters): this file's on SQLite, and
 * storage/postgres/block-sealer.ts on PostgreSQL. Which hours want a block and
 * what a block holds are the same SQL and the same packing on both.
 */
export interface BlockSealer {
  /** Devices with level records (an index skip-scan of the rollups). */
  devices(): Promise<readonly string[]>;
  /** Hours of `device` in [fromMs, toMs) wanting a block, oldest first, at most `limit`. */
  pending(device: string, fromMs: number, toMs: number, limit: number): Promise<readonly HourToSeal[]>;
  /**
   * Builds and stores the hour's block in one transaction; returns the records packed (0: none, nothing stored,
   * or the hour left for the next pass because another writer holds its block just now).
   */
  seal(h: HourToSeal, nowMs: number): Promise<number>;
}

/** Devices with level records: the rollups' index walked one device at a time (both stores' SQL). */
export const SEAL_DEVICES_SQL = `WITH RECURSIVE d(device) AS (
    SELECT min(device) FROM levels_10m
    UNION ALL SELECT (SELECT min(device) FROM levels_10m WHERE device > d.device) FROM d WHERE d.device IS NOT NULL)
  SELECT device FROM d WHERE device IS NOT NULL`;

/** Hours of a device wanting a level block (named parameters device, from, to, limit; both stores' SQL). */
export const LEVEL_PENDING_SQL = `SELECT h.hour AS hour FROM (
    SELECT start - (start % ${HOUR_MS}) AS hour, sum(records) AS records FROM levels_10m
    WHERE device = :device AND start >= :from AND start < :to GROUP BY 1) h
  LEFT JOIN level_blocks b ON b.device = :device AND b.hour_ms = h.hour
  WHERE b.rows IS DISTINCT FROM h.records ORDER BY h.hour LIMIT :limit`;

/** Stores a built level block (positional: device, hour_ms, rows, first_ms, end_ms, full_scale_db, sealed_at, data). */
export const PUT_LEVEL_BLOCK_SQL = `INSERT INTO level_blocks (device, hour_ms, rows, first_ms, end_ms, full_scale_db, sealed_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (device, hour_ms) DO UPDATE SET rows = excluded.rows, first_ms = excluded.first_ms, end_ms = excluded.end_ms,
    full_scale_db = excluded.full_scale_db, sealed_at = excluded.sealed_at, data = excluded.data`;

/** Whether the hour starting at `hourMs` is over long enough to be sealed at `nowMs`. */
export function sealable(hourMs: number, nowMs: number): boolean {
  return hourMs + HOUR_MS + SEAL_AFTER_MS <= nowMs;
}

/** The end of the last hour that may be sealed at `nowMs` (exclusive bound for `pending`). */
export function sealableBefore(nowMs: number): number {
  return Math.floor((nowMs - SEAL_AFTER_MS) / HOUR_MS) * HOUR_MS;
}

/** The SQLite adapter: each hour in a `BEGIN IMMEDIATE` of its own on the ingest's connection. */
export function createBlockSealer(db: Db): BlockSealer {
  const build = createBlockBuilder(db);
  const devices = db.prepare<[], { device: string }>(SEAL_DEVICES_SQL);
  const pending = db.prepare<{ device: string; from: number; to: number; limit: number }, { hour: number }>(LEVEL_PENDING_SQL);
  const put = db.prepare<[string, number, number, number, number, number | null, number, Buffer]>(PUT_LEVEL_BLOCK_SQL);
  const drop = db.prepare<[string, number]>('DELETE FROM level_blocks WHERE device = ? AND hour_ms = ?');
  // Issue 16: the hour's band block (null on a store without band blocks).
  const bands = createBandBlockSealer(db);
  const sealOne = db.transaction((h: HourToSeal, nowMs: number): number => {
    bands?.seal(h.device, h.hourMs, nowMs);
    const b = build(h.device, h.hourMs);
    if (b === null) {
      drop.run(h.device, h.hourMs);
      return 0;
    }
    put.run(h.device, h.hourMs, b.rows, b.firstMs, b.endMs, b.fullScaleDb, nowMs, b.data);
    return b.rows;
  });
  return {
    devices: async () => devices.all().map((r) => r.device),
    async pending(device, fromMs, toMs, limit) {
      const hours = pending.all({ device, from: fromMs, to: toMs, limit }).map((r) => r.hour);
      const all = bands === null ? hours : mergeHours(hours, bands.pending(device, fromMs, toMs, limit), limit);
      return all.map((hourMs) => ({ device, hourMs }));
    },
    async seal(h, nowMs) {
      assertSealable(h, nowMs);
      return sealOne.immediate(h, nowMs);
    },
  };
}

/** Refuses an hour not over long enough (the caller's bug: pending never offers one). */
export function assertSealable(h: HourToSeal, nowMs: number): void {
  if (!sealable(h.hourMs, nowMs)) throw new RangeError(`the hour from ${new Date(h.hourMs).toISOString()} is not over long enough to seal`);
}
