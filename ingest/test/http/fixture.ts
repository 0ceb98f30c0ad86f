/**
 * A real officer service for tests: SQLite in a temp dir with the store, cases,
 * timeline and users tables; a case seeded through the real cases and store
 * modules (deployment, 1 s levels, an event with a clip, a diary entry); an
 * in-test evidence log in the same database; the fastify app, not listening.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { LevelRecord } from '@earshot/shared';
import { type Logger, pino } from 'pino';
import { type CasesContext, addDiaryEntry, casesMigrations, openCase, startDeployment } from '../../src/cases/index.ts';
import { type Db, openDatabase } from '../../src/db/open.ts';
import { type DeviceRegistry, createDeviceRegistry } from '../../src/devices/registry.ts';
import { devicesMigrations } from '../../src/devices/migrations.ts';
import { type ExportBundle, type HttpApp, type HttpLimits, createHttpApp } from '../../src/http/index.ts';
import { writeClipFile } from '../../src/store/clip-file.ts';
import { createEvidenceRows } from '../../src/store/evidence-rows.ts';
import { createLevelsWriter } from '../../src/store/levels.ts';
import { storeMigrations } from '../../src/store/migrations.ts';
import { timelineMigrations } from '../../src/timeline/index.ts';
import { clipsFolder } from '../../src/http/clip-store.ts';
import { clipsFolderKeeper } from '../../src/resident/intake.ts';
import { embeddedRecord } from '../../src/storage/record/embedded-record.ts';
import { type Users, createUsers, usersMigrations } from '../../src/users/index.ts';

export const REF = 'ASB-2026-0001';
export const OTHER_REF = 'ASB-2026-0002';
export const DEVICE = 'mon-001';
/** A second registered monitor, not deployed. */
export const SPARE_DEVICE = 'mon-002';
/** The provisioning details' broker address in tests. */
export const MQTT_URL = 'mqtt://ingest.test:1883';
export const CLIP_ID = 'clip-1';
export const EVENT_ID = 'mon-001-1764021600000-loud';
/** The monitored night: 2026-11-24 22:00 UTC, levels for 3 hours. */
export const T0 = Date.parse('2026-11-24T22:00:00.000Z');
export const LEVEL_SECONDS = 3 * 3600;
export const EVENT_AT = T0 + 3_600_000;
export const NOW = T0 + 6 * 3_600_000;
export const PASSWORD = 'correct horse battery';
/** Cheap scrypt for tests (the service uses OWASP's N = 2^17; one test checks that default). */
export const TEST_SCRYPT = { N: 1024, r: 8, p: 1 };

export interface Leaf { readonly kind: string; readonly caseRef: string | null; readonly data: Record<string, unknown> }

export interface HttpFixture {
  readonly dir: string;
  readonly db: Db;
  readonly users: Users;
  readonly http: HttpApp;
  readonly clipBytes: Buffer;
  /** The case operations the app writes through (the same the CLI uses). */
  readonly cases: CasesContext;
  readonly registry: DeviceRegistry;
  clock: number;
  leaves(): Leaf[];
  login(username: string): Promise<string>;
  close(): Promise<void>;
}

/** A 16-bit mono WAV of a 440 Hz tone (RIFF/WAVE, as the device writes clips). */
export function toneWav(seconds: number, rate = 8000): Buffer {
  const n = Math.round(seconds * rate);
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + n * 2, 4); b.write('WAVE', 8);
  b.write('fmt ', 12); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * 2, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34);
  b.write('data', 36); b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return b;
}

function records(start: number, n: number): LevelRecord[] {
  const out: LevelRecord[] = [];
  for (let i = 0; i < n; i++) {
    const t = start + i * 1000;
    const loud = t >= EVENT_AT && t < EVENT_AT + 120_000;
    const l = loud ? 68 : 35 + (i % 5);
    out.push({ t: new Date(t).toISOString(), d: 1, LAeq: l, LCeq: l + 5, LZeq: l + 8, LAFmax: l + 4, LAFmin: l - 3, LASmax: l + 2, LCpeak: l + 25 });
  }
  return out;
}

const meta = (seq: number, deviceTime: number) => ({
  device: DEVICE, seq, deviceTime, receivedAt: deviceTime + 500, clock: { synced: true, offsetMs: 3, flag: null },
  envelope: Buffer.from(`{"seq":${seq}}`), signature: Buffer.alloc(64),
});

export async function makeHttpFixture(exportBundle?: ExportBundle, options: { webRoot?: string; logger?: Logger; limits?: Partial<HttpLimits> } = {}): Promise<HttpFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-http-'));
  const db = openDatabase(join(dir, 'earshot.db'), [
    ...devicesMigrations, ...storeMigrations, ...casesMigrations, ...timelineMigrations, ...usersMigrations,
    { name: 'test-leaves', sql: 'CREATE TABLE test_leaves (leaf_index INTEGER PRIMARY KEY, leaf TEXT NOT NULL) STRICT' },
  ]);
  const insertLeaf = db.prepare<[number, string]>('INSERT INTO test_leaves (leaf_index, leaf) VALUES (?, ?)');
  const countLeaves = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM test_leaves');
  const append = (leaf: { kind: string; caseRef: string | null; data: unknown }) => {
    const leafIndex = countLeaves.get()?.n ?? 0;
    insertLeaf.run(leafIndex, JSON.stringify(leaf));
    return { leafIndex };
  };
  const f = { clock: T0 - 86_400_000 } as { clock: number };
  const ctx: CasesContext = { db, now: () => f.clock, evidence: { append } };

  openCase(ctx, { ref: REF, category: 'general', officer: 'jsmith', address: '1 Acacia Avenue', complainant: { name: 'A. Resident', contact: '07700 900000' } });
  openCase(ctx, { ref: OTHER_REF, category: 'high-risk', officer: 'bjones', address: '2 Acacia Avenue' });
  startDeployment(ctx, { caseRef: REF, deviceId: DEVICE, installedAt: new Date(T0 - 3_600_000).toISOString(), installedBy: 'T. Tech', calibration: { readingDb: 94.1, fullScaleDb: 120 } });

  const levels = createLevelsWriter(db);
  db.transaction(() => {
    for (let s = 0; s < LEVEL_SECONDS; s += 3600) levels.write(DEVICE, s, { fullScaleDb: 120, records: records(T0 + s * 1000, 3600) });
  })();

  const clipBytes = toneWav(3);
  const sha = createHash('sha256').update(clipBytes).digest('hex');
  const rows = createEvidenceRows(db);
  const startedAt = new Date(EVENT_AT).toISOString();
  rows.insertEvent(meta(100, EVENT_AT), { kind: 'started', eventId: EVENT_ID, ruleId: 'loud', ruleType: 'absolute', startedAt, level: 68, threshold: 55 });
  rows.insertEvent(meta(101, EVENT_AT), {
    kind: 'ended', eventId: EVENT_ID, ruleId: 'loud', ruleType: 'absolute', startedAt, endedAt: new Date(EVENT_AT + 120_000).toISOString(),
    durationSeconds: 120, LAeq: 68, LAFmax: 72, LCminusLA: 5, backgroundLAF90: 35, threshold: 55, clipIds: [CLIP_ID],
  });
  rows.insertClip(meta(102, EVENT_AT - 5_000), {
    clipId: CLIP_ID, eventId: EVENT_ID, sha256: sha, bytes: clipBytes.length, chunks: 1, chunkBytes: clipBytes.length, sampleRate: 8000, channels: 1,
    bitsPerSample: 16, fullScaleDb: 120, startedAt: new Date(EVENT_AT - 5_000).toISOString(), durationSeconds: 3, preTriggerSeconds: 5, postTriggerSeconds: 0,
  });
  for (const [table, seq] of [['events', 100], ['events', 101], ['clips', 102]] as const) rows.setAttachment(table, DEVICE, seq, REF, null);
  const file = writeClipFile(join(dir, 'clips'), sha, [clipBytes]);
  db.prepare("UPDATE clips SET state = 'complete', file = ? WHERE device = ? AND clip_id = ?").run(basename(file), DEVICE, CLIP_ID);
  f.clock = T0;
  addDiaryEntry(ctx, REF, { startedAt: new Date(EVENT_AT + 30_000).toISOString(), heard: 'Loud music through the wall' });

  const users = createUsers(db, { now: () => f.clock, scrypt: TEST_SCRYPT });
  await users.add({ username: 'jsmith', displayName: 'Jo Smith', initials: 'JS', role: 'officer', password: PASSWORD });
  await users.add({ username: 'bjones', displayName: 'Bo Jones', initials: 'BJ', role: 'officer', password: PASSWORD });
  await users.add({ username: 'sup', displayName: 'Sam Upton', initials: 'SU', role: 'supervisor', password: PASSWORD });
  await users.add({ username: 'admin', displayName: 'Ada Admin', initials: 'AA', role: 'admin', password: PASSWORD });
  const registry = createDeviceRegistry(db);
  registry.add(DEVICE, { now: T0 - 86_400_000 });
  registry.add(SPARE_DEVICE, { now: T0 - 86_400_000 });

  f.clock = NOW;
  const fake: ExportBundle = async (caseRef, opts, onProgress) => {
    onProgress(0.5, 'bundle.pdf');
    const out = join(dir, `${caseRef}_bundle.zip`);
    writeFileSync(out, `PK fake bundle ${caseRef} ${opts.from} ${opts.to} ${opts.initials}`);
    return { file: out };
  };
  const http = await createHttpApp({
    record: embeddedRecord(ctx, { append }, () => f.clock), users, exportBundle: exportBundle ?? fake,
    clips: clipsFolder(join(dir, 'clips')), logger: options.logger ?? pino({ level: 'silent' }), now: () => f.clock,
    registry, provisioning: { server: MQTT_URL, serverPublicKeyPem: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n' },
    resident: { keep: clipsFolderKeeper(join(dir, 'clips')) },
    ...(options.webRoot === undefined ? {} : { webRoot: options.webRoot }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  const fx: HttpFixture = {
    dir, db, users, http, clipBytes, cases: ctx, registry,
    get clock() { return f.clock; },
    set clock(v: number) { f.clock = v; },
    leaves: () => db.prepare<[], { leaf: string }>('SELECT leaf FROM test_leaves ORDER BY leaf_index').all().map((r) => JSON.parse(r.leaf) as Leaf),
    async login(username) {
      const r = await http.app.inject({ method: 'POST', url: '/api/login', payload: { username, password: PASSWORD } });
      return (r.json() as { token: string }).token;
    },
    async close() {
      await http.jobs.idle();
      await http.app.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fx;
}
