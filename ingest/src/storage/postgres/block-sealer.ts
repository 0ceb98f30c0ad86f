/**
 * Sealing level and band blocks on PostgreSQL (store/level-blocks/seal-blocks.ts
 * BlockSealer): the same hours, read with the same SQL and packed by the same
 * code as on SQLite, so a block sealed here is the bytes SQLite would seal from
 * the same records. Run in the background by the holder of the `level-blocks`
 * lease (service/serve-postgres.ts).
 *
 * Each hour is one transaction, and never waits on the ingest:
 * - It first takes LOCK.blockSeal, which the retention purge takes too before it
 *   deletes anything (purge-store.ts), so the purge never deletes an hour's
 *   records while a block is being made of them — that block would otherwise
 *   outlive the records it packs.
 * - It then locks the hour's stored blocks FOR UPDATE NOWAIT. If the levels
 *   writer holds one (it is dropping it for a record it stores), the hour is
 *   left to the next pass rather than waited on, so the two can never deadlock
 *   and a batch never waits on the sealer.
 * - A record the writer commits after the block's rows were read makes the
 *   block count fewer records than the rollups: no reader trusts such a block
 *   (read-blocks.ts), and the next pass finds it stale and seals it again.
 */
import type pg from 'pg';
import { BAND_ROWS_SQL, type BandRow, createBandHourPacker } from '../../store/band-blocks/build-block.ts';
import { BAND_PENDING_SQL, PUT_BAND_BLOCK_SQL, UNPACKABLE, mergeHours } from '../../store/band-blocks/seal.ts';
import { LEVEL_ROWS_SQL, type LevelRow, packLevelHour } from '../../store/level-blocks/build-block.ts';
import { HOUR_MS } from '../../store/level-blocks/migrations.ts';
import { type BlockSealer, LEVEL_PENDING_SQL, PUT_LEVEL_BLOCK_SQL, SEAL_DEVICES_SQL, assertSealable } from '../../store/level-blocks/seal-blocks.ts';
import { postgresText } from '../record/postgres-record.ts';
import { EARSHOT_LOCK_CLASS, LOCK } from './advisory-locks.ts';
import { inTransaction } from './transaction.ts';

/** `:name` parameters as `$1…` in the order given (the SQL holds no `::` cast). */
function numbered(sql: string, names: readonly string[]): string {
  return sql.replace(/:([a-z]+)/g, (_, name: string) => {
    const i = names.indexOf(name);
    if (i < 0) throw new RangeError(`no parameter :${name}`);
    return `$${i + 1}`;
  });
}

const RANGE = ['device', 'from', 'to', 'limit'] as const;
const HOUR = ['hour', 'end', 'device'] as const;
const SQL = {
  devices: SEAL_DEVICES_SQL,
  levelPending: numbered(LEVEL_PENDING_SQL, RANGE),
  bandPending: numbered(BAND_PENDING_SQL, RANGE),
  levelRows: numbered(LEVEL_ROWS_SQL, HOUR),
  bandRows: numbered(BAND_ROWS_SQL, HOUR),
  lockLevel: 'SELECT 1 FROM level_blocks WHERE device = $1 AND hour_ms = $2 FOR UPDATE NOWAIT',
  lockBand: 'SELECT 1 FROM band_blocks WHERE device = $1 AND hour_ms = $2 FOR UPDATE NOWAIT',
  putLevel: postgresText(PUT_LEVEL_BLOCK_SQL),
  putBand: postgresText(PUT_BAND_BLOCK_SQL),
  dropLevel: 'DELETE FROM level_blocks WHERE device = $1 AND hour_ms = $2',
  dropBand: 'DELETE FROM band_blocks WHERE device = $1 AND hour_ms = $2',
};

// https://www.postgresql.org/docs/15/errcodes-appendix.html: lock_not_available, what NOWAIT raises.
const LOCK_NOT_AVAILABLE = '55P03';

export function postgresBlockSealer(pool: pg.Pool): BlockSealer {
  // Whether the store has band blocks, asked once (every connection sees the schema migrated at open).
  let bandTables: Promise<boolean> | null = null;
  const hasBands = (): Promise<boolean> =>
    (bandTables ??= pool.query<{ b: boolean }>("SELECT to_regclass('band_blocks') IS NOT NULL AND to_regclass('level_bands_10m') IS NOT NULL AS b").then((r) => r.rows[0]!.b));
  const packBands = createBandHourPacker();
  const hours = async (sql: string, device: string, fromMs: number, toMs: number, limit: number): Promise<number[]> =>
    (await pool.query<{ hour: number }>({ text: sql, values: [device, fromMs, toMs, limit] })).rows.map((r) => r.hour);

  return {
    devices: async () => (await pool.query<{ device: string }>(SQL.devices)).rows.map((r) => r.device),
    async pending(device, fromMs, toMs, limit) {
      const level = await hours(SQL.levelPending, device, fromMs, toMs, limit);
      const all = (await hasBands()) ? mergeHours(level, await hours(SQL.bandPending, device, fromMs, toMs, limit), limit) : level;
      return all.map((hourMs) => ({ device, hourMs }));
    },
    async seal(h, nowMs) {
      assertSealable(h, nowMs);
      const bands = await hasBands();
      const at = [h.hourMs, h.hourMs + HOUR_MS, h.device];
      try {
        return await inTransaction(pool, 'BEGIN', async (c) => {
          await c.query('SELECT pg_advisory_xact_lock($1, $2)', [EARSHOT_LOCK_CLASS, LOCK.blockSeal]);
          await c.query({ name: 'earshot_seal_lock_level', text: SQL.lockLevel, values: [h.device, h.hourMs] });
          if (bands) {
            await c.query({ name: 'earshot_seal_lock_band', text: SQL.lockBand, values: [h.device, h.hourMs] });
            const rows = (await c.query({ name: 'earshot_seal_band_rows', text: SQL.bandRows, values: at, rowMode: 'array' })).rows as unknown as BandRow[];
            const b = packBands(h.hourMs, rows);
            if (b === null) await c.query({ name: 'earshot_seal_drop_band', text: SQL.dropBand, values: [h.device, h.hourMs] });
            else if (b === 'rows') await c.query({ name: 'earshot_seal_put_band', text: SQL.putBand, values: [h.device, h.hourMs, UNPACKABLE, nowMs, Buffer.alloc(0)] });
            else await c.query({ name: 'earshot_seal_put_band', text: SQL.putBand, values: [h.device, h.hourMs, b.rows, nowMs, b.data] });
          }
          const rows = (await c.query({ name: 'earshot_seal_level_rows', text: SQL.levelRows, values: at, rowMode: 'array' })).rows as unknown as LevelRow[];
          const b = packLevelHour(h.hourMs, rows);
          if (b === null) await c.query({ name: 'earshot_seal_drop_level', text: SQL.dropLevel, values: [h.device, h.hourMs] });
          else await c.query({ name: 'earshot_seal_put_level', text: SQL.putLevel, values: [h.device, h.hourMs, b.rows, b.firstMs, b.endMs, b.fullScaleDb, nowMs, b.data] });
          return b?.rows ?? 0;
        });
      } catch (e) {
        // The levels writer is dropping this hour's block just now: the next pass seals it.
        if ((e as { code?: unknown }).code === LOCK_NOT_AVAILABLE) return 0;
        throw e;
      }
    },
  };
}
