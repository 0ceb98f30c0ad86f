/**
 * The caseload dashboard (issue 12: "200 open cases and 50 monitors answers in
 * < 300 ms"): a real data folder (openIngest), 200 open cases over 10 officers,
 * 50 monitors each deployed with a heartbeat, 40 events and 10 diary entries per
 * case, contacts on half of them; GET /api/dashboard through the whole fastify
 * app (auth, queries, JSON), for a supervisor (everyone's) and for one officer.
 * Run: npx tsx bench/dashboard.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { addDiaryEntry, openCase, recordContact, startDeployment } from '../ingest/src/cases/index.ts';
import { createHttpApp } from '../ingest/src/http/index.ts';
import { openIngest } from '../ingest/src/service/open-ingest.ts';
import { createEvidenceRows } from '../ingest/src/store/evidence-rows.ts';
import { createStatusStore } from '../ingest/src/store/status.ts';
import { clipsFolder } from '../ingest/src/http/clip-store.ts';
import { embeddedRecord } from '../ingest/src/storage/record/embedded-record.ts';
import { accessPortFor, createUsers } from '../ingest/src/users/index.ts';

const CASES = 200;
const MONITORS = 50;
const OFFICERS = 10;
const RUNS = 50;
const PASSWORD = 'bench password 123';
const dir = mkdtempSync(join(tmpdir(), 'earshot-dash-bench-'));
const T0 = Date.parse('2026-11-01T12:00:00Z');
let clock = T0;
const ingest = openIngest(dir, () => clock);
const users = createUsers(ingest.db, { now: () => clock, scrypt: { N: 1024, r: 8, p: 1 } });
for (let o = 0; o < OFFICERS; o++) await users.add({ username: `officer${o}`, displayName: `Officer ${o}`, initials: 'OF', role: 'officer', password: PASSWORD });
await users.add({ username: 'sup', displayName: 'Supervisor', initials: 'SU', role: 'supervisor', password: PASSWORD });
const rows = createEvidenceRows(ingest.db);
const status = createStatusStore(ingest.db);
let seq = 1;
ingest.db.transaction(() => {
  for (let m = 0; m < MONITORS; m++) ingest.registry.add(`mon-${String(m).padStart(3, '0')}`, { now: T0 });
  for (let c = 0; c < CASES; c++) {
    const ref = `ASB-2026-${String(c + 1).padStart(4, '0')}`;
    openCase(ingest.cases, { ref, category: c % 3 === 0 ? 'high-risk' : 'general', officer: `officer${c % OFFICERS}`, address: `${c + 1} Bench Street` });
    if (c < MONITORS) startDeployment(ingest.cases, { caseRef: ref, deviceId: `mon-${String(c).padStart(3, '0')}`, installedBy: 'Installer' });
    for (let d = 0; d < 10; d++) addDiaryEntry(ingest.cases, ref, { startedAt: new Date(T0 - (d + 1) * 86_400_000).toISOString(), heard: `Noise ${d}` });
    if (c % 2 === 0) recordContact(ingest.cases, { caseRef: ref, method: 'phone', summary: 'Spoke to the complainant', by: `officer${c % OFFICERS}` });
  }
})();
clock = T0 + 86_400_000;
ingest.db.transaction(() => {
  for (let m = 0; m < MONITORS; m++) {
    const device = `mon-${String(m).padStart(3, '0')}`;
    const ref = `ASB-2026-${String(m + 1).padStart(4, '0')}`;
    status.write(device, seq++, clock - 30_000, clock - 30_000, {
      uptimeSeconds: 1, clock: { synced: true, offsetMs: 3, source: 'chrony' }, outbox: { depth: 0, bytes: 0, quotaBytes: 1e9, compactedRecords: 0 },
      disk: { freeBytes: 1e10, totalBytes: 3e10 }, temperatureC: null, mic: { state: 'ok', silentSeconds: 0, clippedSamples: 0 }, fullScaleDb: 120,
      config: { version: 1, lastReceived: { version: 1, accepted: true } }, capture: { source: 'alsa', restarts: 0, lastError: null },
    });
    for (let e = 0; e < 40; e++) {
      const t = T0 + e * 60_000;
      const s = seq++;
      rows.insertEvent({ device, seq: s, deviceTime: t, receivedAt: t + 500, clock: { synced: true, offsetMs: 3, flag: null }, envelope: Buffer.from(`{"seq":${s}}`), signature: Buffer.alloc(64) },
        { kind: 'started', eventId: `${device}-${e}`, ruleId: 'loud', ruleType: 'absolute', startedAt: new Date(t).toISOString(), level: 70, threshold: 55 });
      rows.setAttachment('events', device, s, ref, null);
    }
  }
})();

const { app } = await createHttpApp({
  record: embeddedRecord(ingest.cases, accessPortFor(ingest.log), () => clock), users, exportBundle: async () => { throw new Error('not used'); },
  clips: clipsFolder(ingest.dir.clips), logger: pino({ level: 'silent' }), now: () => clock, registry: ingest.registry,
});
async function token(username: string): Promise<string> {
  const r = await app.inject({ method: 'POST', url: '/api/login', payload: { username, password: PASSWORD } });
  return (r.json() as { token: string }).token;
}
async function measure(label: string, username: string): Promise<void> {
  const t = await token(username);
  const ms: number[] = [];
  let n = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = await app.inject({ method: 'GET', url: '/api/dashboard', headers: { authorization: `Bearer ${t}` } });
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.statusCode !== 200) throw new Error(`dashboard answered ${r.statusCode}: ${r.body}`);
    n = (r.json() as { cases: unknown[] }).cases.length;
  }
  ms.sort((a, b) => a - b);
  const p = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!.toFixed(1);
  process.stdout.write(`dashboard ${label}: ${n} cases, ${RUNS} requests: p50 ${p(0.5)} ms, p95 ${p(0.95)} ms, max ${ms.at(-1)!.toFixed(1)} ms (goal < 300 ms)\n`);
}
await measure(`supervisor (all ${CASES} open cases, ${MONITORS} monitors)`, 'sup');
await measure('officer (own cases)', 'officer0');
await app.close();
ingest.close();
rmSync(dir, { recursive: true, force: true });
