/**
 * The court bundle from a PostgreSQL store (DESIGN §6, §8): a real data folder
 * fed through the real pipeline (the golden case, and the bands case), copied
 * into a real PostgreSQL with `store copy`'s own code, then exported from each
 * store at the same time with the same key. The two ZIPs must be the same,
 * byte for byte, and verify offline (the bands case with its blocks sealed by
 * PostgreSQL's own sealer); and the export must refuse on PostgreSQL
 * as it does on SQLite.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/bundle/index.ts';
import { exportCaseBundleOnPostgres } from '../../src/export/export-on-postgres.ts';
import { exportCaseBundle } from '../../src/export/index.ts';
import { copyStore } from '../../src/storage/copy/copy-store.ts';
import { postgresBlockSealer } from '../../src/storage/postgres/block-sealer.ts';
import { sealPass } from '../../src/store/level-blocks/index.ts';
import { codeOfAsync } from '../support/error-code.ts';
import { usePostgres } from '../storage/pg-fixture.ts';
import { readZipEntries } from '../bundle/helpers.ts';
import * as bands from './bands-case.ts';
import { type ExportFixture, makeExportFixture } from './fixture.ts';
import * as golden from './golden-case.ts';

const fx = usePostgres();
const fixtures: ExportFixture[] = [];
afterAll(() => {
  for (const f of fixtures) f.close();
});

async function entries(path: string): Promise<Map<string, Buffer>> {
  return new Map((await readZipEntries(path)).map((e) => [e.name, e.bytes]));
}

/**
 * The fixture's store copied to PostgreSQL and the case exported from both: the ZIPs hold
 * the same entries, byte for byte, and the PostgreSQL one verifies. Returns the entry names.
 */
async function expectSameBundle(f: ExportFixture, ref: string, period: { from: string; to: string }, o: { sealOnPostgres?: boolean } = {}): Promise<string[]> {
  const pool = await fx.pool();
  expect((await copyStore({ db: f.ingest.db, clipsDir: f.ingest.dir.clips }, pool)).ok).toBe(true);
  if (o.sealOnPostgres === true) {
    // The blocks PostgreSQL's own sealer makes (what `earshot serve` does there in the background), read by its export.
    await pool.query('DELETE FROM level_blocks; DELETE FROM band_blocks');
    expect((await sealPass(postgresBlockSealer(pool), { nowMs: f.clock })).hours).toBeGreaterThan(0);
    expect((await pool.query<{ n: number }>('SELECT count(*)::bigint AS n FROM band_blocks WHERE rows > 0')).rows[0]!.n).toBeGreaterThan(0);
  }
  const lite = await exportCaseBundle(f.ingest, ref, period, { outDir: f.temp() });
  const pg = await exportCaseBundleOnPostgres({ pool, key: f.ingest.serverKey }, ref, period, { outDir: f.temp(), now: () => f.clock });
  const [a, b] = [await entries(lite.path), await entries(pg.path)];
  expect([...b.keys()]).toEqual([...a.keys()]);
  for (const [name, bytes] of a) expect(b.get(name)!.equals(bytes), name).toBe(true);
  expect((await verifyBundle(pg.path)).ok).toBe(true);
  return [...a.keys()];
}

describe('a court bundle exported from PostgreSQL', () => {
  it('is the embedded store\'s bundle, byte for byte: the golden case (two monitors, events, clips, gap, calibrations, rule change, diary)', async () => {
    const f = makeExportFixture(golden.T0);
    fixtures.push(f);
    await golden.buildGoldenCase(f);
    const names = await expectSameBundle(f, golden.REF, golden.PERIOD);
    expect(names.filter((n) => n.startsWith('exhibits/')).length).toBeGreaterThan(0);
  }, 180_000);

  it('is the embedded store\'s bundle, byte for byte: 1/3-octave bands, the low-frequency section and data/bands.csv', async () => {
    const f = makeExportFixture(bands.BANDS_CLOCK0);
    fixtures.push(f);
    await bands.buildBandsCase(f);
    expect(await expectSameBundle(f, bands.A, bands.PERIOD, { sealOnPostgres: true })).toContain('data/bands.csv');
  }, 180_000);

  it('refuses an unknown case and a bad period with the embedded store\'s codes, and leaves no snapshot behind', async () => {
    const f = makeExportFixture(golden.T0);
    fixtures.push(f);
    const pool = await fx.pool();
    const store = { pool, key: f.ingest.serverKey };
    const out = f.temp();
    const snapshots = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('earshot-snapshot-'));
    const before = snapshots();
    expect(await codeOfAsync(exportCaseBundleOnPostgres(store, 'ASB-2026-9999', {}, { outDir: out }))).toBe('EARSHOT_E_CASE_NOT_FOUND');
    expect(await codeOfAsync(exportCaseBundle(f.ingest, 'ASB-2026-9999', {}, { outDir: out }))).toBe('EARSHOT_E_CASE_NOT_FOUND');
    await golden.buildGoldenCase(f);
    await copyStore({ db: f.ingest.db, clipsDir: f.ingest.dir.clips }, pool);
    const reversed = { from: golden.PERIOD.to, to: golden.PERIOD.from };
    expect(await codeOfAsync(exportCaseBundleOnPostgres(store, golden.REF, reversed, { outDir: out }))).toBe('EARSHOT_E_BUNDLE_PERIOD_INVALID');
    expect(await codeOfAsync(exportCaseBundle(f.ingest, golden.REF, reversed, { outDir: out }))).toBe('EARSHOT_E_BUNDLE_PERIOD_INVALID');
    expect(snapshots()).toEqual(before);
  }, 180_000);
});
