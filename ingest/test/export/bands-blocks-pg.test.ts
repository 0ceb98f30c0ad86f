/**
 * The band blocks' PostgreSQL mirror (storage/postgres/schema/band-blocks.ts)
 * against the SQLite table it mirrors (store/band-blocks/migrations.ts): the
 * same columns, types, nullability and key, and deleting a band record drops
 * its hour's block (and only that one), as SQLite's trigger does. Applied here
 * on top of the schema until PG_MIGRATIONS lists it
 * (ingest/test/storage/postgres-schema.test.ts checks it there from then on).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { openDatabase } from '../../src/db/open.ts';
import { ALL_MIGRATIONS } from '../../src/service/migrations.ts';
import { bandBlocksPg } from '../../src/storage/postgres/schema/band-blocks.ts';
import { PG_MIGRATIONS } from '../../src/storage/postgres/schema/index.ts';
import { bandBlocksMigrations } from '../../src/store/band-blocks/index.ts';
import { usePostgres } from '../storage/pg-fixture.ts';

const fx = usePostgres();
const TYPES: Record<string, string> = { INTEGER: 'bigint', REAL: 'double precision', TEXT: 'text', BLOB: 'bytea' };
const HOUR = 3_600_000;
const T = 1_792_000_800_000 - (1_792_000_800_000 % HOUR);

describe('band blocks in PostgreSQL', () => {
  it('mirror the SQLite table and drop an hour\'s block when one of its band records is deleted', async () => {
    const db = openDatabase(join(fx.tempDir(), 'earshot.db'), ALL_MIGRATIONS);
    migrate(db, bandBlocksMigrations);
    const lite = db.prepare<[], { name: string; type: string; notnull: number; pk: number }>('PRAGMA table_info(band_blocks)').all();
    db.close();
    const pool = await fx.pool();
    if (!PG_MIGRATIONS.some((m) => m.name === bandBlocksPg[0]!.name)) for (const m of bandBlocksPg) await pool.query(m.sql);
    const cols = await pool.query<{ column_name: string; data_type: string; is_nullable: string }>(
      "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'band_blocks' ORDER BY ordinal_position");
    expect(cols.rows.map((c) => `${c.column_name} ${c.data_type}${c.is_nullable === 'NO' ? ' not null' : ''}`))
      .toEqual(lite.map((c) => `${c.name} ${TYPES[c.type]}${c.notnull === 1 || c.pk > 0 ? ' not null' : ''}`));
    const key = await pool.query<{ column_name: string }>(
      `SELECT k.column_name FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema
       WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema() AND tc.table_name = 'band_blocks' ORDER BY k.ordinal_position`);
    expect(key.rows.map((k) => k.column_name)).toEqual(lite.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name));

    for (const [device, t] of [['mon-a', T + 10_000], ['mon-a', T + HOUR + 10_000], ['mon-b', T + 10_000]] as const) {
      await pool.query("INSERT INTO level_bands (t, device, d, f0, data) VALUES ($1, $2, 1, '10', '\\x2c01')", [t, device]);
      await pool.query("INSERT INTO band_blocks (device, hour_ms, rows, sealed_at, data) VALUES ($1, $2, 1, 0, '\\x00')", [device, t - (t % HOUR)]);
    }
    await pool.query("DELETE FROM level_bands WHERE device = 'mon-a' AND t = $1", [T + 10_000]);
    const left = await pool.query<{ device: string; hour_ms: string }>('SELECT device, hour_ms FROM band_blocks ORDER BY device, hour_ms');
    expect(left.rows.map((r) => `${r.device} ${Number(r.hour_ms) - T}`)).toEqual([`mon-a ${HOUR}`, 'mon-b 0']);
  });
});
