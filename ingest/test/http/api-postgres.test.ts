/**
 * The officer web view and API on PostgreSQL (issues 14, 15): the golden case (two monitors, events, clips,
 * calibrations, the diary) in a real data folder, copied into a real PostgreSQL with `store copy`'s code; then
 * the same requests to the app over each store — log in, the case list and page, the timeline and bands, a
 * clip through its signed link, the dashboard, a contact and a diary entry written, an export job and its
 * download — get the same answers (tokens, signatures and job ids aside). On PostgreSQL a second app on the
 * same store, sharing nothing in memory with the first, answers the first's session, links and job.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { bundleExporter, createBundleExporter } from '../../src/export/index.ts';
import { exportCaseBundleOnPostgres } from '../../src/export/export-on-postgres.ts';
import { createHttpApp, type HttpApp } from '../../src/http/app.ts';
import { clipFilesTable, clipsFolder } from '../../src/http/clip-store.ts';
import { linkKeyOf } from '../../src/http/signed-url.ts';
import { copyStore } from '../../src/storage/copy/copy-store.ts';
import { postgresDeviceAdmin } from '../../src/storage/postgres/device-admin.ts';
import { openPgDeviceRegistry, type PgDeviceRegistry } from '../../src/storage/postgres/device-registry.ts';
import { postgresJobStore } from '../../src/storage/postgres/export-jobs.ts';
import { embeddedRecord } from '../../src/storage/record/embedded-record.ts';
import { postgresRecord } from '../../src/storage/record/postgres-record.ts';
import { accessPortFor, createUsers } from '../../src/users/index.ts';
import { usePostgres } from '../storage/pg-fixture.ts';
import { type ExportFixture, makeExportFixture } from '../export/fixture.ts';
import * as golden from '../export/golden-case.ts';

const fx = usePostgres();
const fixtures: ExportFixture[] = [];
const apps: HttpApp[] = [];
const registries: PgDeviceRegistry[] = [];
afterAll(async () => {
  for (const r of registries) await r.close();
  for (const a of apps) {
    await a.jobs.idle();
    await a.app.close();
  }
  for (const f of fixtures) f.close();
});

const PASSWORD = 'a long enough password';
const SCRYPT = { N: 1024, r: 8, p: 1 };

/** What varies by nature between two runs: tokens, session handles, signatures and job ids. */
function normal(body: string): string {
  return body
    .replace(/"token":"[^"]+"/g, '"token":"…"')
    .replace(/([?&](sig|s))=[^&"]+/g, '$1=…')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'uuid');
}

type Ask = (method: 'GET' | 'POST', url: string, payload?: object) => Promise<{ status: number; body: string; raw: Buffer }>;

function asker(app: HttpApp, token: () => string | null): Ask {
  return async (method, url, payload) => {
    const t = token();
    const r = await app.app.inject({ method, url, ...(t === null ? {} : { headers: { authorization: `Bearer ${t}` } }), ...(payload === undefined ? {} : { payload }) });
    return { status: r.statusCode, body: r.body, raw: r.rawPayload };
  };
}

/** The same session against one app; each answer normalised. `other` answers the session's follow-ups on PostgreSQL. */
async function session(app: HttpApp, other: HttpApp = app): Promise<string[]> {
  let token: string | null = null;
  const ask = asker(app, () => token);
  const askOther = asker(other, () => token);
  const out: string[] = [];
  const note = (r: { status: number; body: string }): void => void out.push(`${r.status} ${normal(r.body)}`);
  const login = await ask('POST', '/api/login', { username: 'sup', password: PASSWORD });
  note(login);
  token = (JSON.parse(login.body) as { token: string }).token;
  note(await askOther('GET', '/api/me'));
  note(await askOther('GET', '/api/cases'));
  note(await askOther('GET', `/api/cases/${golden.REF}`));
  const q = `from=${golden.PERIOD.from}&to=${golden.PERIOD.to}`;
  for (const width of [300, 100_000]) note(await askOther('GET', `/api/cases/${golden.REF}/timeline?${q}&width=${width}`));
  const tl = JSON.parse((await ask('GET', `/api/cases/${golden.REF}/timeline?${q}&width=300`)).body) as { clips: { url: string | null }[] };
  note(await askOther('GET', `/api/cases/${golden.REF}/bands?${q}&width=300`));
  note(await askOther('GET', '/api/dashboard'));
  note(await askOther('GET', '/api/monitors'));
  note(await askOther('GET', '/api/officers'));
  note(await askOther('GET', '/api/admin/users'));
  // A clip through the link one app signed, served by the other, whole and a range of it.
  const link = tl.clips.find((c) => c.url !== null)!.url!;
  token = null;
  const clip = await askOther('GET', link);
  out.push(`${clip.status} clip of ${clip.raw.length} bytes starting ${clip.raw.subarray(0, 4).toString('latin1')}`);
  token = (JSON.parse(login.body) as { token: string }).token;
  note(await askOther('POST', `/api/cases/${golden.REF}/contacts`, { method: 'phone', summary: 'Called the complainant back', at: golden.iso(golden.at(8, 0)) }));
  note(await askOther('POST', `/api/cases/${golden.REF}/diary`, { startedAt: golden.iso(golden.at(9, 0)), heard: 'Music again' }));
  note(await askOther('POST', `/api/cases/${golden.REF}/status`, { status: 'nonsense', reason: 'x' }));
  note(await askOther('GET', '/api/cases/ASB-2026-9999'));
  const start = await ask('POST', `/api/cases/${golden.REF}/bundle`, golden.PERIOD);
  note(start);
  await app.jobs.idle();
  const job = await askOther('GET', `/api/jobs/${(JSON.parse(start.body) as { id: string }).id}`);
  note(job);
  token = null;
  const zip = await askOther('GET', (JSON.parse(job.body) as { downloadUrl: string }).downloadUrl);
  out.push(`${zip.status} ${zip.raw.subarray(0, 2).toString('latin1')} of ${zip.raw.length > 10_000 ? 'more than' : 'under'} 10 kB`);
  token = (JSON.parse(login.body) as { token: string }).token;
  note(await askOther('POST', '/api/logout'));
  note(await ask('GET', '/api/me'));
  return out;
}

describe('the officer web view and API on PostgreSQL', () => {
  it('answers as on SQLite, and any instance of the store answers another\'s session, links and jobs', async () => {
    const f = makeExportFixture(golden.T0);
    fixtures.push(f);
    await golden.buildGoldenCase(f);
    await createUsers(f.ingest.db, { scrypt: SCRYPT, now: () => f.clock }).add({ username: 'sup', displayName: 'Sam Upton', initials: 'SU', role: 'supervisor', password: PASSWORD });
    const pool = await fx.pool();
    expect((await copyStore({ db: f.ingest.db, clipsDir: f.ingest.dir.clips }, pool)).ok).toBe(true);
    const now = (): number => f.clock;
    const common = { logger: pino({ level: 'silent' }), now, urlKey: linkKeyOf(f.ingest.serverKey.privateKey) };
    const lite = await createHttpApp({
      ...common, record: embeddedRecord(f.ingest.cases, accessPortFor(f.ingest.log, now), now), users: createUsers(f.ingest.db, { scrypt: SCRYPT, now }),
      clips: clipsFolder(f.ingest.dir.clips), exportBundle: createBundleExporter(f.ingest, { outDir: f.temp(), now }), registry: f.ingest.registry,
    });
    const onPostgres = async () => {
      const record = postgresRecord(pool, now);
      const store = { pool, key: f.ingest.serverKey };
      return createHttpApp({
        ...common, record, users: createUsers(record, { scrypt: SCRYPT, now }), clips: clipFilesTable(record), jobStore: postgresJobStore(pool, { now }),
        exportBundle: bundleExporter((ref, request, o) => exportCaseBundleOnPostgres(store, ref, request, o), { outDir: f.temp(), now }),
      });
    };
    const [pgA, pgB] = [await onPostgres(), await onPostgres()];
    apps.push(lite, pgA, pgB);
    const a = await session(lite);
    const b = await session(pgA, pgB);
    expect(b).toEqual(a);
    // What the answers were, so that "equal" is not "equally broken".
    expect(a.map((x) => Number(x.slice(0, 3)))).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403, 200, 201, 201, 400, 404, 202, 200, 200, 204, 401]);
    expect(a[4]).toContain('"deviceId":"mon-a"');
    expect(a[11]).toMatch(/^200 clip of \d+ bytes starting RIFF$/);
    expect(a[18]).toBe('200 PK of more than 10 kB');
  }, 180_000);

  it('adds, disables and enables a monitor from the browser as on SQLite, every instance seeing it', async () => {
    const f = makeExportFixture(golden.T0);
    fixtures.push(f);
    f.device('mon-a');
    await createUsers(f.ingest.db, { scrypt: SCRYPT, now: () => f.clock }).add({ username: 'root', displayName: 'Ada Admin', initials: 'AA', role: 'admin', password: PASSWORD });
    const pool = await fx.pool();
    expect((await copyStore({ db: f.ingest.db, clipsDir: f.ingest.dir.clips }, pool)).ok).toBe(true);
    const now = (): number => f.clock;
    const provisioning = { server: 'mqtts://earshot.example.org:8883', serverPublicKeyPem: f.ingest.serverKey.publicKeyPem };
    const common = { logger: pino({ level: 'silent' }), now, urlKey: linkKeyOf(f.ingest.serverKey.privateKey), provisioning };
    const lite = await createHttpApp({
      ...common, record: embeddedRecord(f.ingest.cases, accessPortFor(f.ingest.log, now), now), users: createUsers(f.ingest.db, { scrypt: SCRYPT, now }),
      clips: clipsFolder(f.ingest.dir.clips), exportBundle: createBundleExporter(f.ingest, { outDir: f.temp(), now }), registry: f.ingest.registry,
    });
    const onPostgres = async () => {
      const record = postgresRecord(pool, now);
      const registry = await openPgDeviceRegistry(pool);
      registries.push(registry);
      const app = await createHttpApp({
        ...common, record, users: createUsers(record, { scrypt: SCRYPT, now }), clips: clipFilesTable(record), jobStore: postgresJobStore(pool, { now }),
        exportBundle: bundleExporter((ref, request, o) => exportCaseBundleOnPostgres({ pool, key: f.ingest.serverKey }, ref, request, o), { outDir: f.temp(), now }),
        registry, devices: postgresDeviceAdmin(pool, registry, null),
      });
      return { app, registry };
    };
    const [pgA, pgB] = [await onPostgres(), await onPostgres()];
    apps.push(lite, pgA.app, pgB.app);

    /** The admin's round: add, a second add refused, the list, disable, enable; `other` answers from another instance. */
    const round = async (app: HttpApp, other: HttpApp, registry: { checkCredentials(id: string, p: Buffer): Promise<string> }, settle: () => Promise<void>): Promise<string[]> => {
      let token: string | null = null;
      const ask = asker(app, () => token);
      const askOther = asker(other, () => token);
      const login = await ask('POST', '/api/login', { username: 'root', password: PASSWORD });
      token = (JSON.parse(login.body) as { token: string }).token;
      const out: string[] = [];
      const added = await ask('POST', '/api/admin/devices', { deviceId: 'flat-9' });
      const details = JSON.parse((JSON.parse(added.body) as { details: string }).details) as { deviceId: string; secret: string; server: string };
      out.push(`${added.status} ${details.deviceId} ${details.server} ${(JSON.parse(added.body) as { qrSvg: string }).qrSvg.startsWith('<svg') ? 'with' : 'without'} a QR code`);
      await settle();
      out.push(`secret ${await registry.checkCredentials('flat-9', Buffer.from(details.secret))}`);
      out.push(normal((await ask('POST', '/api/admin/devices', { deviceId: 'flat-9' })).body));
      const listed = (r: { body: string }) => (JSON.parse(r.body) as { devices: { deviceId: string; enabled: boolean }[] }).devices.map((d) => `${d.deviceId}:${d.enabled}`).join(' ');
      out.push(listed(await askOther('GET', '/api/admin/devices')));
      out.push(`${(await askOther('POST', '/api/admin/devices/flat-9/enabled', { enabled: false })).status}`);
      await settle();
      out.push(listed(await ask('GET', '/api/admin/devices')), `secret ${await registry.checkCredentials('flat-9', Buffer.from(details.secret))}`);
      out.push(`${(await ask('POST', '/api/admin/devices/flat-9/enabled', { enabled: true })).status}`);
      out.push(normal((await ask('POST', '/api/admin/devices/flat-404/enabled', { enabled: true })).body));
      await settle();
      out.push(listed(await askOther('GET', '/api/admin/devices')));
      return out;
    };
    const a = await round(lite, lite, f.ingest.registry, async () => undefined);
    const b = await round(pgA.app, pgB.app, pgA.registry, async () => {
      await pgA.registry.refresh();
      await pgB.registry.refresh();
    });
    expect(b).toEqual(a);
    expect(a).toEqual([
      '201 flat-9 mqtts://earshot.example.org:8883 with a QR code',
      'secret ok',
      expect.stringContaining('EARSHOT_E_DEVICE_EXISTS'),
      'flat-9:true mon-a:true',
      '200',
      'flat-9:false mon-a:true',
      'secret disabled',
      '200',
      expect.stringContaining('EARSHOT_E_DEVICE_UNKNOWN'),
      'flat-9:true mon-a:true',
    ]);
  }, 180_000);
});
