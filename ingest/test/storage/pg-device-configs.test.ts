/**
 * Device configs on PostgreSQL (storage/postgres/device-configs.ts) against
 * SQLite's (service/device-config.ts): one installation, its first configs
 * already published, copied into PostgreSQL with `store copy`; then the same
 * sweeps at the same moments on both — deployments starting and ending, a case
 * no longer open, a device never deployed. The published configs, versions,
 * device_configs and history rows, every evidence leaf's bytes and the log's
 * root must be the same; a second PgDeviceConfigs whose memory is behind, and
 * two sweeping at once, never repeat a version.
 */
import { join } from 'node:path';
import type { RemoteConfig } from '@earshot/shared';
import { describe, expect, it } from 'vitest';
import { changeCaseStatus, endDeployment, openCase, startDeployment } from '../../src/cases/index.ts';
import { createDeviceConfigs } from '../../src/service/device-config.ts';
import { openIngest } from '../../src/service/open-ingest.ts';
import { Settings } from '../../src/service/settings.ts';
import { copyStore } from '../../src/storage/copy/copy-store.ts';
import { createPgDeviceConfigs, type PgDeviceConfigs } from '../../src/storage/postgres/device-configs.ts';
import { postgresEvidenceLog } from '../../src/storage/postgres/evidence-log.ts';
import { usePostgres } from './pg-fixture.ts';

const fx = usePostgres();
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-02T12:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const DEVICES = ['mon-1', 'mon-2', 'mon-3', 'mon-4', 'mon-5'];

const TABLES: Record<string, string> = {
  configs: 'SELECT device, version, config, published_at FROM device_configs ORDER BY device',
  history: 'SELECT device, version, config, published_ms, leaf_index FROM device_config_history ORDER BY device, version',
  leaves: 'SELECT leaf_index, leaf, leaf_hash, appended_at FROM evidence_leaves ORDER BY leaf_index',
};

type Published = [string, RemoteConfig][];

describe('device configs on PostgreSQL', () => {
  it('publishes the same configs, versions, rows and leaves as SQLite, and never a version twice', async () => {
    let clock = T0 - 2 * HOUR;
    const ingest = openIngest(join(fx.tempDir(), 'data'), () => clock);
    const settings = Settings.parse({});
    openCase(ingest.cases, { ref: 'ASB-2026-0401', category: 'general', officer: 'Jo Smith', address: '1 Elm Court, Leeds' });
    openCase(ingest.cases, { ref: 'ASB-2026-0402', category: 'general', officer: 'Jo Smith', address: '2 Elm Court, Leeds' });
    // mon-1: deployed from T0 to three hours in.
    const d1 = startDeployment(ingest.cases, { caseRef: 'ASB-2026-0401', deviceId: 'mon-1', installedAt: iso(T0), installedBy: 'Sam Patel' });
    endDeployment(ingest.cases, { deploymentId: d1.id, removedAt: iso(T0 + 3 * HOUR), removedBy: 'Sam Patel' });
    // mon-2: deployed, but its case is no longer open.
    const d2 = startDeployment(ingest.cases, { caseRef: 'ASB-2026-0402', deviceId: 'mon-2', installedAt: iso(T0), installedBy: 'Sam Patel', audioMode: 'button-only' });
    endDeployment(ingest.cases, { deploymentId: d2.id, removedAt: iso(T0 + 3 * HOUR), removedBy: 'Sam Patel' });
    changeCaseStatus(ingest.cases, { ref: 'ASB-2026-0402', status: 'inactive', reason: 'complainant away', by: 'Jo Smith' });
    // mon-3 is never deployed; mon-4's deployment ends an hour in; mon-5's starts two hours in.
    const d4 = startDeployment(ingest.cases, { caseRef: 'ASB-2026-0401', deviceId: 'mon-4', installedAt: iso(T0), installedBy: 'Sam Patel', audioMode: 'button-only' });
    endDeployment(ingest.cases, { deploymentId: d4.id, removedAt: iso(T0 + HOUR), removedBy: 'Sam Patel' });
    startDeployment(ingest.cases, { caseRef: 'ASB-2026-0401', deviceId: 'mon-5', installedAt: iso(T0 + 2 * HOUR), installedBy: 'Sam Patel' });

    // Before the copy: every device's first config (all `off`), published on SQLite.
    const lite = createDeviceConfigs(ingest, settings);
    const liteSweep = (at: number, devices = DEVICES): Published => {
      clock = at + 1_234; // appendedAt comes from the log's clock, not the sweep's moment
      const out: Published = [];
      lite.sweep(devices, at, (id, c) => out.push([id, c]));
      return out;
    };
    expect(liteSweep(T0 - HOUR).map(([id, c]) => [id, c.version, c.audio.mode])).toEqual(DEVICES.map((d) => [d, 1, 'off']));

    const { target } = await fx.database();
    const pool = await fx.pool(target);
    await copyStore({ db: ingest.db, clipsDir: ingest.dir.clips }, pool);
    const first = await createPgDeviceConfigs(pool, { settings, now: () => clock });
    // Another process, made now: its memory falls behind what `first` publishes.
    const behind = await createPgDeviceConfigs(await fx.pool(target), { settings, now: () => clock });
    const pgSweep = async (configs: PgDeviceConfigs, at: number, devices = DEVICES): Promise<Published> => {
      clock = at + 1_234;
      const out: Published = [];
      await configs.sweep(devices, at, (id, c) => out.push([id, c]));
      return out;
    };
    for (const d of DEVICES) expect(first.current(d)).toEqual(lite.current(d));

    // Half an hour in: mon-1 on-event, mon-4 button-only; the others stay off.
    const at1 = T0 + HOUR / 2;
    const want1 = liteSweep(at1);
    expect(want1.map(([id, c]) => [id, c.version, c.audio.mode])).toEqual([['mon-1', 2, 'on-event'], ['mon-4', 2, 'button-only']]);
    expect(await pgSweep(first, at1)).toEqual(want1);
    expect(await pgSweep(first, at1)).toEqual([]);
    expect(liteSweep(at1)).toEqual([]);
    // The one behind finds the rows say it already: nothing published, nothing logged.
    expect(await pgSweep(behind, at1)).toEqual([]);

    // Two hours in: mon-4's deployment is over, mon-5's has begun. The one behind publishes, the other then finds it done.
    const at2 = T0 + 2 * HOUR;
    const want2 = liteSweep(at2);
    expect(want2.map(([id, c]) => [id, c.version, c.audio.mode])).toEqual([['mon-4', 3, 'off'], ['mon-5', 2, 'on-event']]);
    expect(await pgSweep(behind, at2)).toEqual(want2);
    expect(await pgSweep(first, at2)).toEqual([]);

    // Four hours in, mon-1's deployment over: two processes sweeping at once publish the change once.
    const at3 = T0 + 4 * HOUR;
    const want3 = liteSweep(at3);
    expect(want3.map(([id, c]) => [id, c.version, c.audio.mode])).toEqual([['mon-1', 3, 'off']]);
    const racer = await createPgDeviceConfigs(await fx.pool(target), { settings, now: () => clock });
    const [x, y] = await Promise.all([pgSweep(first, at3), pgSweep(racer, at3)]);
    expect([...x, ...y]).toEqual(want3);

    for (const d of DEVICES) {
      expect(first.current(d)).toEqual(lite.current(d));
      expect(racer.current(d)).toEqual(lite.current(d));
    }
    // The one behind still remembers what it last published; the rows are what count.
    expect(behind.current('mon-5')).toEqual(lite.current('mon-5'));
    for (const [name, sql] of Object.entries(TABLES)) {
      const rows = (await pool.query(sql)).rows;
      expect({ name, rows }).toEqual({ name, rows: ingest.db.prepare(sql).all() });
    }
    expect((await pool.query('SELECT count(*)::int AS n FROM device_config_history')).rows[0].n).toBe(DEVICES.length + 5);
    expect(await postgresEvidenceLog(pool).root()).toEqual(ingest.log.root());
    ingest.close();
  }, 120_000);
});
