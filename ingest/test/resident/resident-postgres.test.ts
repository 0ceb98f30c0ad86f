/**
 * The resident's diary page and API on PostgreSQL (issue 13, DESIGN §6b, §8): `earshot serve` on PostgreSQL
 * serves /r/ through the record port, so a link issued on the store (`earshot deploy link`) works on any
 * process. The same requests to the service's HTTP side over SQLite and over PostgreSQL get the same
 * answers — the page, the diary, an entry with a phone recording, a resend, every refusal — and on
 * PostgreSQL the recording is in clip_files, content-addressed, with its entry's leaves in the log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openCaseSteps } from '../../src/cases/cases.ts';
import { startDeploymentSteps } from '../../src/cases/deployments.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { clipFilesTable } from '../../src/http/clip-store.ts';
import { embeddedRecord } from '../../src/storage/record/embedded-record.ts';
import { createUsers } from '../../src/users/users.ts';
import { clipFilesKeeper, clipsFolderKeeper, type RecordingKeeper } from '../../src/resident/intake.ts';
import { issueLinkSteps } from '../../src/resident/links.ts';
import { newLinkToken } from '../../src/resident/token.ts';
import { openIngest } from '../../src/service/open-ingest.ts';
import { postgresRecord } from '../../src/storage/record/postgres-record.ts';
import type { RecordStore } from '../../src/storage/record/steps.ts';
import { accessPortFor, createAccessLog } from '../../src/users/index.ts';
import { usePostgres } from '../storage/pg-fixture.ts';
import { wavBytes } from './audio-samples.ts';

const pg = usePostgres();
const T0 = Date.parse('2026-03-02T21:00:00.000Z');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const entry = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  clientId: 'phone-entry-0001', writtenAt: '2026-03-02T20:55:00.000Z', startedAt: '2026-03-02T20:30:00.000Z', endedAt: '2026-03-02T20:50:00.000Z',
  heard: 'Bass music through the bedroom wall', effect: 'Could not sleep', ...over,
});

/** The same requests to one store's HTTP side; each answer's status and body, with ids and times kept (one clock). */
async function session(record: RecordStore, keep: RecordingKeeper, now: () => number): Promise<unknown[]> {
  await record.write(openCaseSteps({ ref: 'ASB-2026-0001', category: 'general', officer: 'jsmith', address: '1 High Street' }, T0 - 86_400_000));
  await record.write(startDeploymentSteps({ caseRef: 'ASB-2026-0001', deviceId: 'mon-001', installedBy: 'jsmith', audioMode: 'on-event', installedAt: new Date(T0 - 3_600_000).toISOString() }, T0 - 3_600_000));
  const token = newLinkToken();
  await record.write(issueLinkSteps(1, 'jsmith', token, T0 - 60_000));
  const { app } = await createHttpApp({
    record, users: createUsers(record, { now }), exportBundle: async () => { throw new Error('not used'); }, clips: clipFilesTable(record),
    logger: pino({ level: 'silent' }), now, resident: { keep },
  });
  cleanups.push(() => app.close());
  const auth = { authorization: `Bearer ${token}` };
  const out: unknown[] = [];
  const ask = async (method: 'GET' | 'POST', url: string, headers: Record<string, string> = auth, payload?: unknown): Promise<void> => {
    const r = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
    const json = (r.headers['content-type'] ?? '').toString().startsWith('application/json');
    out.push({ status: r.statusCode, body: json ? r.json() : r.body.includes('<html') ? 'an HTML page' : r.body, csp: r.headers['content-security-policy'] });
  };
  await ask('GET', '/r/', {});
  await ask('GET', '/r/api/diary');
  await ask('GET', '/r/api/diary', { authorization: `Bearer ${newLinkToken()}` });
  await ask('POST', '/r/api/entries', auth, entry({ recording: { data: wavBytes(1).toString('base64'), seconds: 1 } }));
  await ask('POST', '/r/api/entries', auth, entry({ recording: { data: wavBytes(1).toString('base64'), seconds: 1 } }));
  await ask('POST', '/r/api/entries', auth, entry({ clientId: 'phone-entry-0002', startedAt: '2026-03-09T20:30:00.000Z' }));
  await ask('POST', '/r/api/entries', auth, entry({ clientId: 'phone-entry-0003', recording: { data: Buffer.from('not audio at all').toString('base64') } }));
  await ask('GET', '/r/api/diary');
  await ask('GET', '/api/cases');
  await ask('GET', '/', {});
  return out;
}

describe("the resident's diary page on PostgreSQL", () => {
  it('answers as on SQLite, and keeps the recording in clip_files with its leaves', async () => {
    const now = (): number => T0;
    const dir = mkdtempSync(join(tmpdir(), 'earshot-resident-pg-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const ingest = openIngest(dir, now);
    cleanups.push(() => ingest.close());
    const accessLog = createAccessLog(ingest.db, accessPortFor(ingest.log, now), now);
    const onSqlite = await session(embeddedRecord(ingest.cases, accessLog.evidence, now), clipsFolderKeeper(ingest.dir.clips), now);

    const pool = await pg.pool();
    const onPostgres = await session(postgresRecord(pool, now), clipFilesKeeper(now), now);
    expect(onPostgres).toEqual(onSqlite);

    // What the answers were: the page, the empty diary, an unknown link, the entry stored then resent, two refusals, the diary,
    // the officer API without an officer's token, the officer web view.
    expect((onPostgres as { status: number }[]).map((r) => r.status)).toEqual([200, 200, 404, 201, 200, 400, 415, 200, 401, 200]);
    const stored = onPostgres[3] as { body: { entry: { hasRecording: boolean; heard: string }; duplicate: boolean } };
    expect(stored.body).toMatchObject({ entry: { hasRecording: true, heard: 'Bass music through the bedroom wall' }, duplicate: false });
    expect((onPostgres[4] as { body: { duplicate: boolean } }).body.duplicate).toBe(true);
    expect((onPostgres[0] as { csp: string }).csp).toContain("default-src 'none'");
    const clip = (await pool.query<{ file: string; ok: boolean; recording_file: string }>(
      `SELECT f.file, encode(sha256(f.data), 'hex') = left(f.file, 64) AS ok, d.recording_file FROM clip_files f JOIN diary_entries d ON d.recording_file = f.file`,
    )).rows;
    expect(clip).toEqual([{ file: expect.stringMatching(/^[0-9a-f]{64}\.wav$/), ok: true, recording_file: clip[0]!.file }]);
    const kinds = (await pool.query<{ kind: string; action: string | null }>(
      "SELECT convert_from(leaf, 'UTF8')::json->>'kind' AS kind, convert_from(leaf, 'UTF8')::json->'data'->>'action' AS action FROM evidence_leaves ORDER BY leaf_index",
    )).rows;
    expect(kinds).toEqual([
      { kind: 'case', action: 'opened' }, { kind: 'deployment', action: 'installed' }, { kind: 'access', action: 'resident-link-issued' },
      { kind: 'diary', action: null }, { kind: 'access', action: 'resident-entry' },
    ]);
  }, 60_000);
});
