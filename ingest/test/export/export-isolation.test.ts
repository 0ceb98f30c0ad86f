/**
 * Issue 11 item 9: bundles shared between exports. Two officers export the same
 * case and period at the same time, one with the complainant named, through the
 * real HTTP API on a listening socket and the real exporter on a real data
 * folder: each export has its own ZIP, each link serves its own, a job is its
 * requester's alone, and the file name inside the download stays DESIGN §6's.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/bundle/index.ts';
import { openCase, startDeployment } from '../../src/cases/index.ts';
import { createBundleExporter } from '../../src/export/index.ts';
import { type HttpApp, createHttpApp } from '../../src/http/index.ts';
import { clipsFolder } from '../../src/http/clip-store.ts';
import { embeddedRecord } from '../../src/storage/record/embedded-record.ts';
import { accessPortFor, createUsers } from '../../src/users/index.ts';
import { DAY, type ExportFixture, HOUR, makeExportFixture } from './fixture.ts';

const T0 = Date.parse('2026-11-02T12:00:00.000Z');
const REF = 'ASB-2026-0101';
const PASSWORD = 'correct horse battery';
const iso = (ms: number): string => new Date(ms).toISOString();

let f: ExportFixture;
let http: HttpApp;
afterEach(async () => {
  await http.jobs.idle();
  await http.app.close();
  f.close();
});

function pdfText(pdf: Buffer, dir: string, name: string): string {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  return spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout;
}

async function unzipPdf(zip: Buffer, dir: string, name: string): Promise<Buffer> {
  const path = join(dir, `${name}.zip`);
  writeFileSync(path, zip);
  const r = spawnSync('unzip', ['-p', path, 'bundle.pdf']);
  return r.stdout;
}

describe('each export its own file, bound to its requester (item 9)', () => {
  it('two exports of one case and period at once: two valid ZIPs, each served only to whoever asked', async () => {
    f = makeExportFixture(T0);
    f.clock = T0 - DAY;
    openCase(f.ingest.cases, { ref: REF, category: 'general', officer: 'Jo Smith', address: '1 Elm Court, Leeds', complainant: { name: 'Ann Resident', contact: '07700 900001' } });
    startDeployment(f.ingest.cases, { caseRef: REF, deviceId: 'mon-1', installedAt: iso(T0), installedBy: 'Sam Patel', calibration: { readingDb: 94, fullScaleDb: 120 } });
    const dev = f.device('mon-1');
    dev.heartbeat(T0 + HOUR, { synced: true, offsetMs: 3 });
    dev.levels(T0 + HOUR, 1200, 45);
    f.clock = T0 + 2 * DAY;

    const users = createUsers(f.ingest.db, { now: () => f.clock, scrypt: { N: 1024, r: 8, p: 1 } });
    for (const [username, initials] of [['sup1', 'SA'], ['sup2', 'SB']] as const) {
      await users.add({ username, displayName: username, initials, role: 'supervisor', password: PASSWORD });
    }
    const outDir = join(f.ingest.dir.root, 'bundles');
    http = await createHttpApp({
      record: embeddedRecord(f.ingest.cases, accessPortFor(f.ingest.log), () => f.clock), users, exportBundle: createBundleExporter(f.ingest, { outDir, now: () => f.clock }),
      clips: clipsFolder(f.ingest.dir.clips), logger: pino({ level: 'silent' }), now: () => f.clock,
    });
    await http.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(http.app.server.address() as { port: number }).port}`;
    const login = async (username: string): Promise<string> =>
      ((await (await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })).json()) as { token: string }).token;
    const [t1, t2] = [await login('sup1'), await login('sup2')];
    const period = { from: iso(T0), to: iso(T0 + DAY) };
    const start = (token: string, includeComplainant: boolean) =>
      fetch(`${base}/api/cases/${REF}/bundle`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...period, includeComplainant }) })
        .then(async (r) => (await r.json()) as { id: string });
    const [j1, j2] = await Promise.all([start(t1, true), start(t2, false)]);
    await http.jobs.idle();
    const job = async (id: string, token: string) => (await (await fetch(`${base}/api/jobs/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { state: string; downloadUrl: string | null };
    const [s1, s2] = [await job(j1.id, t1), await job(j2.id, t2)];
    expect([s1.state, s2.state]).toEqual(['done', 'done']);

    // Two files, neither overwriting the other, no temporaries left behind.
    const files = readdirSync(outDir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
    expect(files).toHaveLength(2);
    for (const file of files) expect((await verifyBundle(file)).ok).toBe(true);

    const download = async (url: string) => {
      const r = await fetch(`${base}${url}`);
      expect(r.status).toBe(200);
      return { disposition: r.headers.get('content-disposition'), bytes: Buffer.from(await r.arrayBuffer()) };
    };
    const [d1, d2] = [await download(s1.downloadUrl!), await download(s2.downloadUrl!)];
    const name = `${REF}_20261102T120000Z_20261103T120000Z.zip`;
    expect([d1.disposition, d2.disposition]).toEqual([`attachment; filename="${name}"`, `attachment; filename="${name}"`]);
    const dir = f.temp();
    expect(pdfText(await unzipPdf(d1.bytes, dir, 'one'), dir, 'one')).toContain('Ann Resident');
    expect(pdfText(await unzipPdf(d2.bytes, dir, 'two'), dir, 'two')).not.toContain('Ann Resident');

    // Another user's job is not there for them, whatever their role: neither its progress nor its file.
    expect((await fetch(`${base}/api/jobs/${j1.id}`, { headers: { authorization: `Bearer ${t2}` } })).status).toBe(404);
    const signedForOne = new URL(s1.downloadUrl!, base);
    expect((await fetch(`${base}${signedForOne.pathname}`, { headers: { authorization: `Bearer ${t2}` } })).status).toBe(404);
  }, 60_000);
});
