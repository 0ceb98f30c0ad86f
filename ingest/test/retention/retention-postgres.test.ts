/**
 * The retention purge on PostgreSQL (issue 14 with issue 4): one data folder fed through the real pipeline —
 * a case closed over seven years before, an open one, an undeployed monitor; levels with their 1/3-octave
 * bands inside and outside deployments, sealed level and band blocks, events and clips (one WAV shared by
 * both cases), a phone recording, clip chunks without a manifest, quarantined messages old and new —
 * copied into a real PostgreSQL with `store copy`'s own code. The same purge, run on both stores at the
 * same instant, must leave the same rows in every table it touches, the same clip files, the same audit,
 * and every evidence leaf where it was.
 */
import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { addDiaryEntry, annotate, closeCase, endDeployment, openCase, startDeployment } from '../../src/cases/index.ts';
import { purgeBundleFiles, runPurge, sqlitePurgeStore } from '../../src/retention/index.ts';
import { retentionSteps } from '../../src/service/retention-steps.ts';
import { copyStore } from '../../src/storage/copy/copy-store.ts';
import { purgeExportJobs } from '../../src/storage/postgres/export-jobs.ts';
import { postgresPurgeStore } from '../../src/storage/postgres/purge-store.ts';
import { createBlockSealer, sealPass } from '../../src/store/level-blocks/index.ts';
import { createQuarantine } from '../../src/store/quarantine.ts';
import { topics } from '@earshot/shared';
import { DAY, type ExportFixture, HOUR, makeExportFixture } from '../export/fixture.ts';
import { usePostgres } from '../storage/pg-fixture.ts';

const fx = usePostgres();
const fixtures: ExportFixture[] = [];
afterAll(() => {
  for (const f of fixtures) f.close();
});

const A = 'ASB-2026-0001'; // closed 2026-03-10: expired by NOW
const B = 'ASB-2026-0002'; // open
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const NOW = Date.parse('2033-04-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const cal = { readingDb: 94, fullScaleDb: 120 };

/** `n` 1 s records from `from` with bands (10 Hz to 20 kHz, levels varying with the second). */
function bandedLevels(f: ExportFixture, device: ReturnType<ExportFixture['device']>, from: number, n: number): void {
  for (let i = 0; i < n; i += 600) {
    const records = [];
    for (let k = i; k < Math.min(n, i + 600); k++) {
      const l = 40 + (k % 17);
      records.push({
        t: iso(from + k * 1000), d: 1, LAeq: l, LCeq: l + 8, LZeq: l + 10, LAFmax: l + 6, LAFmin: l - 3, LASmax: l + 3, LCpeak: l + 25,
        Z3: { f0: '10' as const, dB10: Array.from({ length: 34 }, (_, b) => (k % 29 === 0 && b === 3 ? null : 300 + ((k * 7 + b * 13) % 200))) },
      });
    }
    device.send('levels', { fullScaleDb: 120, records }, from + Math.min(n, i + 600) * 1000);
  }
}

async function build(): Promise<ExportFixture> {
  const f = makeExportFixture(T0);
  fixtures.push(f);
  const ctx = f.ingest.cases;
  const [a, b, x] = ['mon-a', 'mon-b', 'mon-x'].map((id) => f.device(id)) as [ReturnType<ExportFixture['device']>, ReturnType<ExportFixture['device']>, ReturnType<ExportFixture['device']>];
  openCase(ctx, { ref: A, category: 'general', officer: 'P. Officer', address: '1 Elm Court', complainant: { name: 'Ann Resident', contact: 'ann@example.org' } });
  openCase(ctx, { ref: B, category: 'general', officer: 'P. Officer', address: '2 Elm Court', complainant: { name: 'Bea Resident', contact: 'bea@example.org' } });
  const da = startDeployment(ctx, { caseRef: A, deviceId: 'mon-a', installedAt: iso(T0 + 20 * 60_000), installedBy: 'T', calibration: cal });
  startDeployment(ctx, { caseRef: B, deviceId: 'mon-b', installedAt: iso(T0 + 25 * 60_000), installedBy: 'T', calibration: cal });
  // Two hours each, from before the deployments: the minutes before them are no case's (09:25 cuts a ten-minute block).
  for (const d of [a, b, x]) bandedLevels(f, d, T0, 2 * 3600);
  f.clock = T0 + 3 * HOUR;
  // The same sound on both monitors: one content-addressed WAV, A's evidence and B's.
  await a.event({ startMs: T0 + HOUR, seconds: 30, laeq: 58, tone: 440 });
  await b.event({ startMs: T0 + HOUR, seconds: 30, laeq: 58, tone: 440 });
  await a.event({ startMs: T0 + HOUR + 10 * 60_000, seconds: 20, laeq: 61, tone: 220 });
  a.incident(T0 + HOUR + 5 * 60_000);
  addDiaryEntry(ctx, A, { startedAt: iso(T0 + HOUR), heard: 'Music through the wall' });
  addDiaryEntry(ctx, B, { startedAt: iso(T0 + HOUR), heard: 'Music again' });
  annotate(ctx, { caseRef: A, officer: 'P. Officer', text: 'Spoke to the neighbour' });
  // A phone recording with A's diary entry (content-addressed beside the clips, as the resident's page stores it).
  const webm = Buffer.from('\x1aE\xdf\xa3 a phone recording');
  const sha = createHash('sha256').update(webm).digest('hex');
  writeFileSync(join(f.ingest.dir.clips, `${sha}.webm`), webm);
  f.ingest.db.prepare("UPDATE diary_entries SET recording_file = ?, recording_sha256 = ?, recording_type = 'audio/webm', recording_bytes = ? WHERE case_ref = ? AND content IS NOT NULL").run(`${sha}.webm`, sha, webm.length, A);
  // Chunks of a clip whose manifest never came: one long past 48 hours, one recent.
  for (const [clipId, at] of [['orphan-old', NOW - 3 * DAY], ['orphan-new', NOW - HOUR]] as const) {
    f.pipeline.process({ topic: topics.clipChunk('mon-x', clipId, 0), payload: Buffer.from('chunk bytes'), clientId: 'mon-x', receivedAt: at });
  }
  // Quarantined messages: a payload past 30 days, one held for its key, a recent one, a row past 400 days.
  const q = createQuarantine(f.ingest.db);
  const raw = Buffer.from('garbage payload');
  for (const [age, code, device] of [[40 * DAY, 'EARSHOT_E_ENVELOPE_MALFORMED', 'mon-x'], [40 * DAY, 'EARSHOT_E_KEY_NOT_PINNED', 'mon-y'], [DAY, 'EARSHOT_E_ENVELOPE_MALFORMED', 'mon-x'], [500 * DAY, 'EARSHOT_E_ENVELOPE_MALFORMED', 'mon-x']] as const) {
    q.add({ receivedAt: NOW - age, clientId: device, device, topic: `earshot/v1/${device}/levels`, code, detail: 'x', raw });
  }
  // Every hour's level and band blocks sealed, so the purge must drop the ones it cuts.
  await sealPass(createBlockSealer(f.ingest.db), { nowMs: T0 + DAY });
  f.clock = Date.parse('2026-03-10T12:00:00.000Z');
  endDeployment(ctx, { deploymentId: da.id, removedAt: iso(T0 + 2 * HOUR), removedBy: 'T', calibration: cal });
  closeCase(ctx, A, 'resolved', 'P. Officer');
  return f;
}

/** Every table the purge touches, in an order both stores give alike. */
const TABLES: readonly [string, string][] = [
  ['cases', 'SELECT ref, details, details_sha256, purged_at, status FROM cases ORDER BY ref'],
  ['diary_entries', 'SELECT id, case_ref, content, content_sha256, purged_at, recording_file, recording_sha256 FROM diary_entries ORDER BY id'],
  ['annotations', 'SELECT id, case_ref, content, purged_at FROM annotations ORDER BY id'],
  ['clips', 'SELECT device, clip_id, state, file, problem FROM clips ORDER BY device, clip_id'],
  ['clip_chunks', 'SELECT device, clip_id, n FROM clip_chunks ORDER BY device, clip_id, n'],
  ['events', 'SELECT device, event_id, case_ref FROM events ORDER BY device, event_id'],
  ['levels', 'SELECT device, count(*) AS n, min(t) AS first, max(t) AS last FROM levels GROUP BY device ORDER BY device'],
  ['levels_1m', 'SELECT * FROM levels_1m ORDER BY device, start'],
  ['levels_1m_hist', 'SELECT * FROM levels_1m_hist ORDER BY device, start, bin'],
  ['levels_10m', 'SELECT * FROM levels_10m ORDER BY device, start'],
  ['levels_10m_hist', 'SELECT * FROM levels_10m_hist ORDER BY device, start, bin'],
  ['level_bands', 'SELECT device, count(*) AS n, min(t) AS first, max(t) AS last FROM level_bands GROUP BY device ORDER BY device'],
  ['level_bands_10m', 'SELECT * FROM level_bands_10m ORDER BY device, start'],
  ['level_blocks', 'SELECT device, hour_ms FROM level_blocks ORDER BY device, hour_ms'],
  ['band_blocks', 'SELECT device, hour_ms FROM band_blocks ORDER BY device, hour_ms'],
  ['quarantine', 'SELECT id, device, code, received_at, raw, raw_bytes, raw_sha256, raw_dropped, raw_dropped_at FROM quarantine ORDER BY id'],
  ['quarantine_overflow', 'SELECT * FROM quarantine_overflow ORDER BY device, code, day'],
  ['retention_audit', 'SELECT id, run_at, step, rows, detail FROM retention_audit ORDER BY id'],
  ['retention_audit_items', 'SELECT id, audit_id, item FROM retention_audit_items ORDER BY id'],
  ['evidence_leaves', 'SELECT count(*) AS n FROM evidence_leaves'],
];

async function tables(f: ExportFixture, pool: pg.Pool): Promise<{ lite: Record<string, unknown[]>; pg: Record<string, unknown[]> }> {
  const lite: Record<string, unknown[]> = {};
  const pgRows: Record<string, unknown[]> = {};
  for (const [name, sql] of TABLES) {
    lite[name] = f.ingest.db.prepare(sql).all();
    pgRows[name] = (await pool.query(sql)).rows;
  }
  return { lite, pg: pgRows };
}

describe('the retention purge on PostgreSQL', () => {
  it('leaves the same rows, files and audit as on SQLite, and every leaf', async () => {
    const f = await build();
    const pool = await fx.pool();
    expect((await copyStore({ db: f.ingest.db, clipsDir: f.ingest.dir.clips }, pool)).ok).toBe(true);
    const before = await tables(f, pool);
    expect(before.pg).toEqual(before.lite);
    const filesBefore = readdirSync(f.ingest.dir.clips).sort();
    expect(filesBefore).toHaveLength(3);

    const lite = await runPurge(sqlitePurgeStore(f.ingest.db, f.ingest.dir.clips), retentionSteps(purgeBundleFiles(join(f.ingest.dir.root, 'bundles'))), { nowMs: NOW });
    const onPg = await runPurge(postgresPurgeStore(pool), retentionSteps(purgeExportJobs), { nowMs: NOW });
    expect(onPg).toEqual(lite);
    const after = await tables(f, pool);
    for (const [name] of TABLES) expect([name, after.pg[name]]).toEqual([name, after.lite[name]]);
    // The same files left: on SQLite in the folder, on PostgreSQL in clip_files.
    const filesLite = readdirSync(f.ingest.dir.clips).sort();
    expect((await pool.query<{ file: string }>('SELECT file FROM clip_files ORDER BY file')).rows.map((r) => r.file)).toEqual(filesLite);

    // And what that is: A's content, its own WAV, its phone recording, its chunks and events gone; the WAV B shares kept.
    const steps = Object.fromEntries(lite.steps.map((s) => [s.name, s.rows]));
    expect(steps).toMatchObject({ 'case-content': 3, 'clip-files': 2, 'phone-recordings': 1, 'quarantine-payloads': 2, 'quarantine-rows': 1, 'orphan-chunks': 1, bundles: 0 });
    expect(filesLite).toHaveLength(1);
    expect(after.lite.cases).toEqual([
      expect.objectContaining({ ref: A, details: null, purged_at: iso(NOW) }),
      expect.objectContaining({ ref: B, purged_at: null }),
    ]);
    expect((after.lite.events as { case_ref: string | null }[]).some((e) => e.case_ref === A)).toBe(false);
    // Levels: mon-b's inside its open case's deployment stay (from 09:25); mon-a's and mon-x's all go, with their bands and blocks.
    expect(after.lite.levels).toEqual([{ device: 'mon-b', n: 2 * 3600 - 25 * 60, first: T0 + 25 * 60_000, last: T0 + 2 * HOUR - 1000 }]);
    expect(after.lite.level_bands).toEqual([{ device: 'mon-b', n: 2 * 3600 - 25 * 60, first: T0 + 25 * 60_000, last: T0 + 2 * HOUR - 1000 }]);
    expect(after.lite.level_blocks).toEqual([{ device: 'mon-b', hour_ms: T0 + HOUR }]);
    expect(after.lite.evidence_leaves).toEqual(before.lite.evidence_leaves);
    // The ten-minute band sums of the block the deployment cut are those of its last five minutes.
    expect(after.lite.level_bands_10m).toContainEqual(expect.objectContaining({ device: 'mon-b', start: T0 + 20 * 60_000, records: 300 }));

    // A second run removes nothing more on either.
    const again = [
      await runPurge(sqlitePurgeStore(f.ingest.db, f.ingest.dir.clips), retentionSteps(null), { nowMs: NOW + DAY }),
      await runPurge(postgresPurgeStore(pool), retentionSteps(null), { nowMs: NOW + DAY }),
    ];
    for (const r of again) expect(r.steps.every((s) => s.rows === 0)).toBe(true);
  }, 180_000);

  it('purges PostgreSQL\'s export jobs after the bundle days, each audited, their ZIPs with them', async () => {
    const pool = await fx.pool();
    const job = (id: string, at: number) => pool.query(
      "INSERT INTO export_jobs (id, case_ref, username, state, progress, stage, file, created_at, updated_at) VALUES ($1, $2, 'jsmith', 'done', 1, null, 'b.zip', $3, $3)",
      [id, A, at],
    );
    await job('old-export', NOW - 10 * DAY);
    await job('new-export', NOW - HOUR);
    await pool.query("INSERT INTO export_job_files (job_id, part, data) VALUES ('old-export', 0, '\\x504b'), ('new-export', 0, '\\x504b')");
    const r = await runPurge(postgresPurgeStore(pool), [purgeExportJobs], { nowMs: NOW });
    expect(r.steps).toEqual([{ name: 'bundles', rows: 1, auditId: expect.any(Number) }]);
    expect((await pool.query('SELECT job_id FROM export_job_files')).rows).toEqual([{ job_id: 'new-export' }]);
    expect((await pool.query('SELECT item FROM retention_audit_items')).rows.map((x: { item: string }) => JSON.parse(x.item))).toEqual([{ bundle: 'old-export', lastWritten: iso(NOW - 10 * DAY) }]);
  }, 60_000);
});
