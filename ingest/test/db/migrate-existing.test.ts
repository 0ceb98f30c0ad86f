/**
 * Upgrading an existing data folder (db/migrate.ts): a folder made by the
 * previous release — only the migrations it shipped, its rows written by the
 * message pipeline, the cases code and the evidence log as they stood — is
 * opened by this release. The new migrations (issue 10's equipment and config
 * history among them) apply once; every row and the evidence log's root survive;
 * the old deployment reads with no equipment and its typed calibration as the
 * installer's note; the bundle of the old case exports and verifies.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SignedKind, signEnvelope, topics } from '@earshot/shared';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/bundle/index.ts';
import { createAttacher, listDeployments, openCase } from '../../src/cases/index.ts';
import { prepareDataDir } from '../../src/data-dir.ts';
import { openDatabase } from '../../src/db/open.ts';
import { createDeviceRegistry } from '../../src/devices/registry.ts';
import { EvidenceLog, type EvidenceLeaf, loadOrCreateServerKey } from '../../src/evidence/index.ts';
import { exportCaseBundle } from '../../src/export/index.ts';
import { createPipeline } from '../../src/pipeline/pipeline.ts';
import { ALL_MIGRATIONS } from '../../src/service/migrations.ts';
import { openIngest } from '../../src/service/open-ingest.ts';

/**
 * The migrations the previous release shipped (migrations are never edited once shipped, so their SQL is
 * today's), and the store's quarantine quota, which this release's message pipeline (used here to write the
 * old folder's messages) needs and which touches nothing of issue 10's.
 */
const RELEASED = new Set([
  'devices-001-registry', 'store-001-messages', 'store-002-quarantine-released', 'store-003-quarantine-quota', 'evidence-001-log',
  'cases-001-cases', 'cases-002-deployments', 'cases-003-diary-annotations', 'cases-004-retention-audit',
  'timeline-001-level-rollups', 'users-001-accounts', 'service-001-device-configs',
]);
const ISSUE_10 = ['cases-005-deployment-equipment', 'cases-006-device-config-history'];

const T0 = Date.parse('2026-11-02T22:00:00.000Z');
const REF = 'ASB-2026-0330';
const DEVICE = 'old-mon-1';
const iso = (ms: number): string => new Date(ms).toISOString();
const TABLES = ['cases', 'case_history', 'deployments', 'calibration_checks', 'levels', 'events', 'status', 'device_configs', 'evidence_leaves', 'devices'] as const;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The previous release's data folder: a case, a deployment with the typed calibration, an hour of levels, an event, a heartbeat, a published config. */
function previousReleaseFolder(root: string): { counts: Record<string, number>; rootHash: string; treeSize: number } {
  const dir = prepareDataDir(root);
  const db = openDatabase(dir.database, ALL_MIGRATIONS.filter((m) => RELEASED.has(m.name)));
  let clock = T0 - 3_600_000;
  const log = new EvidenceLog(db, loadOrCreateServerKey(dir.keys), { now: () => new Date(clock) });
  const append = (kind: EvidenceLeaf['kind'], caseRef: string | null, data: Record<string, unknown>): number =>
    log.append({ v: 1, kind, recordedAt: iso(clock), caseRef, data } as EvidenceLeaf).leafIndex;
  openCase({ db, now: () => clock, evidence: { append: (l) => log.append({ v: 1, kind: l.kind, recordedAt: iso(clock), caseRef: l.caseRef, data: l.data } as EvidenceLeaf) } }, {
    ref: REF, category: 'general', officer: 'Jo Smith', address: '3 Old Road, Leeds',
  });
  // The deployment and its typed calibration check, as the previous release wrote them.
  const install = append('deployment', REF, { action: 'installed', deploymentId: 1, deviceId: DEVICE, installedAt: iso(T0), installedBy: 'Sam Patel', audioMode: 'on-event' });
  db.prepare("INSERT INTO deployments (id, case_ref, device_id, installed_ms, installed_by, audio_mode, install_leaf) VALUES (1, ?, ?, ?, 'Sam Patel', 'on-event', ?)").run(REF, DEVICE, T0, install);
  const check = append('calibration', REF, { deploymentId: 1, phase: 'install', checkedAt: iso(T0), calibratorDb: 94, readingDb: 94.1, fullScaleDb: 119.4 });
  db.prepare("INSERT INTO calibration_checks (deployment_id, phase, checked_ms, calibrator_db, reading_db, full_scale_db, leaf_index) VALUES (1, 'install', ?, 94, 94.1, 119.4, ?)").run(T0, check);
  db.prepare('INSERT INTO device_configs (device, version, config, published_at) VALUES (?, 1, ?, ?)').run(DEVICE, JSON.stringify({ rules: [{ type: 'impulsive', id: 'impulsive', thresholdDb: 70, hysteresisDb: 3, minDurationSeconds: 0, mergeGapSeconds: 5 }], audio: { mode: 'on-event' } }), T0);

  // The monitor's messages through the message pipeline.
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const registry = createDeviceRegistry(db);
  registry.add(DEVICE, { publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() });
  const attach = createAttacher(db);
  const pipeline = createPipeline({
    db, dataDir: dir.root, pinnedKey: (id) => registry.publicKey(id), log, alert: () => undefined, logger: pino({ level: 'silent' }),
    attacher: { attach: (r) => { const a = attach(r.deviceId, r.deviceTimeMs); return a.attached ? { caseRef: a.caseRef } : { caseRef: null, reason: a.reason }; } },
  });
  let seq = 0;
  const send = (type: SignedKind, body: unknown, at: number): void => {
    clock = at;
    const payload = signEnvelope({ v: 1, device: DEVICE, seq: seq++, sentAt: iso(at), type, body }, privateKey);
    const topic = { levels: topics.levels(DEVICE), event: topics.event(DEVICE), clip: topics.clip(DEVICE), status: topics.status(DEVICE) }[type];
    const out = pipeline.process({ topic, payload, clientId: DEVICE, receivedAt: at + 100 });
    expect(out.status, type).toBe('stored');
  };
  send('status', {
    uptimeSeconds: 10, clock: { synced: true, offsetMs: 4, source: 'chrony' }, outbox: { depth: 0, bytes: 0, quotaBytes: 1_000_000, compactedRecords: 0 }, disk: null, temperatureC: null,
    mic: { state: 'ok', silentSeconds: 0, clippedSamples: 0 }, fullScaleDb: 119.4, config: { version: 1, lastReceived: null }, capture: { source: 'alsa', restarts: 0, lastError: null },
  }, T0);
  for (let b = 0; b < 3600; b += 600) {
    const records = Array.from({ length: 600 }, (_, k) => {
      const l = 35 + ((b + k) % 10) / 10;
      return { t: iso(T0 + (b + k) * 1000), d: 1, LAeq: l, LCeq: l + 8, LZeq: l + 10, LAFmax: l + 6, LAFmin: l - 3, LASmax: l + 3, LCpeak: l + 25 };
    });
    send('levels', { fullScaleDb: 119.4, records }, T0 + (b + 600) * 1000);
  }
  const eventId = `${DEVICE}-${T0 + 600_000}-impulsive`;
  send('event', { kind: 'started', eventId, ruleId: 'impulsive', ruleType: 'impulsive', startedAt: iso(T0 + 600_000), level: 75, threshold: 70 }, T0 + 600_000);
  send('event', {
    kind: 'ended', eventId, ruleId: 'impulsive', ruleType: 'impulsive', startedAt: iso(T0 + 600_000), endedAt: iso(T0 + 602_000), durationSeconds: 2, LAeq: 60, LAFmax: 75,
    LCminusLA: 5, backgroundLAF90: 35, threshold: 70, clipIds: [],
  }, T0 + 602_000);
  const counts = Object.fromEntries(TABLES.map((t) => [t, db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${t}`).get()!.n]));
  const head = log.signTreeHead();
  const parsed = JSON.parse(head.bytes.toString('utf8')) as { rootHash: string; treeSize: number };
  db.close();
  return { counts, rootHash: parsed.rootHash, treeSize: parsed.treeSize };
}

describe('opening a data folder made by the previous release', () => {
  it('applies only the new migrations, keeps every row and the evidence log, and exports the old case', async () => {
    const root = mkdtempSync(join(tmpdir(), 'earshot-upgrade-'));
    dirs.push(root);
    const data = join(root, 'data');
    const before = previousReleaseFolder(data);
    expect(before.counts).toMatchObject({ cases: 1, deployments: 1, calibration_checks: 1, levels: 3600, events: 2, status: 1, device_configs: 1 });

    const ingest = openIngest(data, () => T0 + 86_400_000);
    try {
      const applied = ingest.db.prepare<[], { name: string }>('SELECT name FROM schema_migrations').all().map((r) => r.name);
      expect(new Set(applied)).toEqual(new Set(ALL_MIGRATIONS.map((m) => m.name)));
      for (const name of ISSUE_10) expect(applied).toContain(name);
      // Every row is still there, and the log's tree is the same tree.
      for (const t of TABLES) expect(ingest.db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${t}`).get()!.n, t).toBe(before.counts[t]);
      const head = JSON.parse(ingest.log.signTreeHead().bytes.toString('utf8')) as { rootHash: string; treeSize: number };
      expect(head).toMatchObject({ rootHash: before.rootHash, treeSize: before.treeSize });
      // The new tables start empty; the old deployment reads without equipment, its typed check a note only.
      expect(ingest.db.prepare('SELECT count(*) AS n FROM deployment_equipment').get()).toEqual({ n: 0 });
      expect(ingest.db.prepare('SELECT count(*) AS n FROM device_config_history').get()).toEqual({ n: 0 });
      const [dep] = listDeployments(ingest.db, { caseRef: REF });
      expect(dep).toMatchObject({ id: 1, deviceId: DEVICE, installedAt: iso(T0), installedBy: 'Sam Patel' });
      expect(dep!.calibration.atInstall).toBeNull();
      expect(dep!.install).toMatchObject({ readingDb: 94.1, fullScaleDb: 119.4 });

      const out = mkdtempSync(join(tmpdir(), 'earshot-upgrade-out-'));
      dirs.push(out);
      const bundle = await exportCaseBundle(ingest, REF, { from: iso(T0), to: iso(T0 + 3_600_000) }, { outDir: out });
      expect((await verifyBundle(bundle.path)).failures).toEqual([]);
      const { readZipEntries } = await import('../bundle/helpers.ts');
      const zip = new Map((await readZipEntries(bundle.path)).map((e) => [e.name, e.bytes]));
      expect(zip.get('data/levels.csv')!.toString('utf8').trim().split('\r\n')).toHaveLength(3601);
      expect(zip.get('data/events.csv')!.toString('utf8')).toContain(`${DEVICE}-${T0 + 600_000}-impulsive,${DEVICE},event,impulsive,ended`);
    } finally {
      ingest.close();
    }
  });
});
