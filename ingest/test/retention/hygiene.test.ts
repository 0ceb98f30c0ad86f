/**
 * Issue 11 items 14 and 5 (purging): the service's own purge steps
 * (service/retention-steps.ts) on a real SQLite file and a real data folder.
 * Chunks of an expired case's clips go; a WAV still referenced by another
 * case's clip stays; quarantine payloads go after 30 days (row and hash kept),
 * quarantine rows after 400; chunks without a manifest after 48 h; exported
 * bundles after 7 days.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeCase, openCase } from '../../src/cases/cases.ts';
import { migrate } from '../../src/db/migrate.ts';
import { purgeBundleFiles, runPurge, sqlitePurgeStore } from '../../src/retention/index.ts';
import { retentionSteps } from '../../src/service/retention-steps.ts';
import { createQuarantine } from '../../src/store/quarantine.ts';
import { storeMigrations } from '../../src/store/migrations.ts';
import { DAY, type Fixture, HOUR, openFixture } from '../cases/fixture.ts';

let f: Fixture;
let data: string;
afterEach(() => {
  f.close();
  rmSync(data, { recursive: true, force: true });
});

const A = 'ASB-2026-0001'; // closed 2026-03-10: expired by NOW
const B = 'ASB-2026-0002'; // open
const NOW = Date.parse('2033-04-01T00:00:00.000Z');
const SHARED = 'a'.repeat(64);
const ONLY_A = 'b'.repeat(64);

function world(): { clips: string; bundles: string } {
  f = openFixture();
  migrate(f.db, storeMigrations);
  data = mkdtempSync(join(tmpdir(), 'earshot-hygiene-'));
  const clips = join(data, 'clips');
  const bundles = join(data, 'bundles');
  mkdirSync(clips);
  openCase(f, { ref: A, category: 'general', officer: 'P', address: '1 Elm Court', complainant: { name: 'Ann Resident', contact: 'x' } });
  openCase(f, { ref: B, category: 'general', officer: 'P', address: '2 Elm Court' });
  f.clock = Date.parse('2026-03-10T12:00:00.000Z');
  closeCase(f, A, 'resolved', 'P');

  const clip = f.db.prepare<[string, string, number, string, string, string, string | null]>(
    `INSERT INTO clips (device, clip_id, seq, event_id, sha256, bytes, chunks, chunk_bytes, device_time, received_at, case_ref, state, file, body, envelope, signature)
     VALUES (?, ?, ?, 'ev', ?, 4, 1, 4, 0, 0, ?, ?, ?, '{}', x'00', x'00')`,
  );
  // The same sound recorded twice (content-addressed: one file): once for A, once for B.
  clip.run('mon-a', 'a-1', 1, SHARED, A, 'complete', `${SHARED}.wav`);
  clip.run('mon-b', 'b-1', 1, SHARED, B, 'complete', `${SHARED}.wav`);
  clip.run('mon-a', 'a-2', 2, ONLY_A, A, 'complete', `${ONLY_A}.wav`);
  // Incomplete clips: their chunks are home audio too.
  clip.run('mon-a', 'a-3', 3, 'c'.repeat(64), A, 'incomplete', null);
  clip.run('mon-b', 'b-2', 2, 'd'.repeat(64), B, 'incomplete', null);
  for (const sha of [SHARED, ONLY_A]) writeFileSync(join(clips, `${sha}.wav`), 'RIFF');

  const chunk = f.db.prepare<[string, string, number]>("INSERT INTO clip_chunks (device, clip_id, n, data, received_at) VALUES (?, ?, 0, x'0102030405', ?)");
  chunk.run('mon-a', 'a-3', NOW - 1000 * DAY);
  chunk.run('mon-b', 'b-2', NOW - 1000 * DAY);
  chunk.run('mon-x', 'orphan-old', NOW - 3 * DAY); // no manifest, past 48 h
  chunk.run('mon-x', 'orphan-new', NOW - HOUR);

  const q = createQuarantine(f.db);
  const raw = Buffer.from('garbage payload');
  const add = (receivedAt: number, code: 'EARSHOT_E_ENVELOPE_MALFORMED' | 'EARSHOT_E_KEY_NOT_PINNED', device = 'mon-x') =>
    q.add({ receivedAt, clientId: device, device, topic: `earshot/v1/${device}/levels`, code, detail: 'x', raw }).id;
  add(NOW - 40 * DAY, 'EARSHOT_E_ENVELOPE_MALFORMED'); // payload expired
  add(NOW - 40 * DAY, 'EARSHOT_E_KEY_NOT_PINNED', 'mon-y'); // still held for its key: kept whole
  add(NOW - DAY, 'EARSHOT_E_ENVELOPE_MALFORMED'); // recent
  add(NOW - 500 * DAY, 'EARSHOT_E_ENVELOPE_MALFORMED'); // the row itself expired
  f.db.prepare("INSERT INTO quarantine_overflow VALUES ('mon-x', 'EARSHOT_E_ENVELOPE_MALFORMED', '2031-01-01', 9, 90, ?, ?)").run(NOW - 800 * DAY, NOW - 800 * DAY);

  // Two exports: one 10 days old, one from today.
  for (const [id, age] of [['old-export', 10 * DAY], ['new-export', HOUR]] as const) {
    const dir = join(bundles, id);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${A}_20260301T000000Z_20260302T000000Z.zip`);
    writeFileSync(file, 'PK');
    const t = new Date(NOW - age);
    utimesSync(file, t, t);
    utimesSync(dir, t, t);
  }
  return { clips, bundles };
}

const chunks = (): string[] => f.db.prepare<[], { clip_id: string }>('SELECT clip_id FROM clip_chunks ORDER BY clip_id').all().map((r) => r.clip_id);

describe('the service purge (items 14 and 5)', () => {
  it('deletes the chunks of an expired case\'s clips, and a WAV only when no remaining clip references it', async () => {
    const { clips, bundles } = world();
    await runPurge(sqlitePurgeStore(f.db, clips), retentionSteps(purgeBundleFiles(bundles)), { nowMs: NOW });
    expect(chunks()).toEqual(['b-2', 'orphan-new']);
    // a-2's file was A's alone: gone. The shared file is still B's evidence: kept.
    expect(existsSync(join(clips, `${ONLY_A}.wav`))).toBe(false);
    expect(existsSync(join(clips, `${SHARED}.wav`))).toBe(true);
    const rows = f.db.prepare<[], { clip_id: string; file: string | null }>('SELECT clip_id, file FROM clips ORDER BY clip_id').all();
    expect(rows.filter((r) => r.clip_id === 'b-1')).toEqual([{ clip_id: 'b-1', file: `${SHARED}.wav` }]);
    expect(rows.filter((r) => r.clip_id.startsWith('a-')).map((r) => r.file)).toEqual([null, null, null]);
    // The audit names each one, and says why the shared file stayed.
    const items = f.db.prepare<[], { step: string; item: string }>('SELECT a.step, i.item FROM retention_audit_items i JOIN retention_audit a ON a.id = i.audit_id ORDER BY i.id').all();
    const files = items.filter((i) => i.step === 'clip-files').map((i) => JSON.parse(i.item) as { sha256: string; kept?: string });
    expect(files).toEqual(expect.arrayContaining([
      expect.objectContaining({ sha256: ONLY_A }),
      expect.objectContaining({ sha256: SHARED, kept: 'referenced by another clip' }),
    ]));
    expect(files.find((x) => x.sha256 === ONLY_A)?.kept).toBeUndefined();
  });

  it('drops quarantine payloads after 30 days keeping row and hash, rows after 400, orphan chunks after 48 h, bundles after 7 days', async () => {
    const { clips, bundles } = world();
    const report = await runPurge(sqlitePurgeStore(f.db, clips), retentionSteps(purgeBundleFiles(bundles)), { nowMs: NOW });
    const q = f.db.prepare<[], { device: string; received_at: number; code: string; raw: Buffer; raw_bytes: number; raw_sha256: string; raw_dropped: string | null }>(
      'SELECT device, received_at, code, raw, raw_bytes, raw_sha256, raw_dropped FROM quarantine ORDER BY received_at, device',
    ).all();
    expect(q.map((r) => [NOW - r.received_at, r.code, r.raw.length, r.raw_dropped])).toEqual([
      [40 * DAY, 'EARSHOT_E_ENVELOPE_MALFORMED', 0, 'purged'],
      [40 * DAY, 'EARSHOT_E_KEY_NOT_PINNED', 15, null],
      [DAY, 'EARSHOT_E_ENVELOPE_MALFORMED', 15, null],
    ]);
    expect(q[0]!.raw_bytes).toBe(15);
    expect(q[0]!.raw_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(f.db.prepare('SELECT count(*) AS n FROM quarantine_overflow').get()).toEqual({ n: 0 });
    expect(chunks()).not.toContain('orphan-old');
    expect(chunks()).toContain('orphan-new');
    expect(existsSync(join(bundles, 'old-export'))).toBe(false);
    expect(existsSync(join(bundles, 'new-export'))).toBe(true);
    const steps = Object.fromEntries(report.steps.map((s) => [s.name, s.rows]));
    expect(steps).toMatchObject({ 'clip-chunks': 1, 'quarantine-payloads': 2, 'quarantine-rows': 2, 'orphan-chunks': 1, 'bundles': 1 });
  });
});
