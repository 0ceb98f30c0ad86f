/**
 * The message pipeline on both stores (DESIGN §8, issue 14), each in its own
 * process: the same signed messages from 200 monitors — level batches of 10
 * records, one message in 20 an event on a deployed monitor (evidence: a row,
 * its attachment and a leaf) — in batches of 50 per transaction, as the broker
 * hands them over. SQLite (WAL, synchronous=FULL) through pipeline/pipeline.ts;
 * PostgreSQL 15 on this machine (fsync on) through
 * storage/postgres/ingest-batch/. Signing is done beforehand; the figure is the
 * store path: open, verify, validate, dedupe, store, attach, log, commit.
 * Run: node --import tsx bench/pipeline-stores.ts   (EARSHOT_BENCH_MESSAGES, default 6000)
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Envelope, signEnvelope, topics } from '@earshot/shared';
import { pino } from 'pino';
import { openCase, startDeployment } from '../ingest/src/cases/index.ts';
import { createPipeline } from '../ingest/src/pipeline/pipeline.ts';
import type { Incoming } from '../ingest/src/pipeline/types.ts';
import { type Ingest, openIngest } from '../ingest/src/service/open-ingest.ts';
import { copyStore } from '../ingest/src/storage/copy/copy-store.ts';
import { openPostgres } from '../ingest/src/storage/postgres/connect.ts';
import { createPostgresPipeline } from '../ingest/src/storage/postgres/ingest-batch/postgres-pipeline.ts';
import { createPgLevelsWriter } from '../ingest/src/storage/postgres/levels-writer.ts';
import { type PostgresTarget, parseStoreUrl } from '../ingest/src/storage/store-url.ts';
import { startPostgres } from '../test/support/postgres.ts';

const MESSAGES = Number(process.env['EARSHOT_BENCH_MESSAGES'] ?? 6000);
const DEVICES = 200;
const BATCH = 50;
const RECORDS = 10;
const T0 = Date.parse('2026-11-24T22:00:00.000Z');
const quiet = pino({ level: 'silent' });
const iso = (ms: number): string => new Date(ms).toISOString();

/** An installation with the monitors, half of them deployed on one open case, and the messages they send. */
function installation(dir: string): { ingest: Ingest; batches: Incoming[][] } {
  const ingest = openIngest(join(dir, 'data'), () => T0);
  const keys = Array.from({ length: DEVICES }, () => generateKeyPairSync('ed25519'));
  openCase(ingest.cases, { ref: 'ASB-2026-0901', category: 'general', officer: 'Jo Smith', address: '1 Elm Court, Leeds' });
  keys.forEach((k, i) => {
    ingest.registry.add(`mon-${i}`, { publicKeyPem: k.publicKey.export({ format: 'pem', type: 'spki' }).toString() });
    if (i % 2 === 0) startDeployment(ingest.cases, { caseRef: 'ASB-2026-0901', deviceId: `mon-${i}`, installedAt: iso(T0 - 3_600_000), installedBy: 'Sam Patel' });
  });
  const seq = new Array<number>(DEVICES).fill(0);
  const msgs: Incoming[] = [];
  for (let m = 0; m < MESSAGES; m++) {
    const d = m % DEVICES;
    const id = `mon-${d}`;
    const n = seq[d]!;
    seq[d] = n + 1;
    const at = T0 + Math.floor(m / DEVICES) * RECORDS * 1000;
    const event = m % 20 === 10 && d % 2 === 0;
    const body = event
      ? { kind: 'started', eventId: `ev-${n}`, ruleId: 'r1', ruleType: 'threshold', startedAt: iso(at), level: 70, threshold: 65 }
      : { fullScaleDb: 120, records: Array.from({ length: RECORDS }, (_, i) => ({ t: iso(at + i * 1000), d: 1, LAeq: 40 + (i % 7), LCeq: 50, LZeq: 55, LAFmax: 45, LAFmin: 38, LASmax: 44, LCpeak: 70 })) };
    const env: Envelope<unknown> = { v: 1, device: id, seq: n, sentAt: iso(at), type: event ? 'event' : 'levels', body };
    msgs.push({ topic: event ? topics.event(id) : topics.levels(id), payload: signEnvelope(env, keys[d]!.privateKey), clientId: id, receivedAt: at + 200 });
  }
  const batches: Incoming[][] = [];
  for (let i = 0; i < msgs.length; i += BATCH) batches.push(msgs.slice(i, i + BATCH));
  return { ingest, batches };
}

function report(name: string, t0: bigint, cpu0: NodeJS.CpuUsage): void {
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const perMsg = ((cpu.user + cpu.system) / 1000 / MESSAGES).toFixed(3);
  console.log(`pipeline, ${name}: ${Math.round(MESSAGES / s).toLocaleString('en-GB')} messages/s (${Math.round((MESSAGES * RECORDS) / s).toLocaleString('en-GB')} level records/s), ${BATCH} a transaction, this process ${perMsg} ms CPU a message`);
}

const variant = process.argv[2];
const dir = variant === undefined ? '' : mkdtempSync(join(tmpdir(), 'earshot-bench-pipeline-'));
try {
  if (variant === 'sqlite') {
    const { ingest, batches } = installation(dir);
    const p = createPipeline({ db: ingest.db, dataDir: ingest.dir.root, pinnedKey: (id) => ingest.registry.publicKey(id), attacher: ingest.attacher, log: ingest.log, alert: () => undefined, logger: quiet });
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    for (const b of batches) p.processBatch(b);
    report('SQLite', t0, cpu0);
    ingest.close();
  } else if (variant === 'postgres') {
    const server = await startPostgres({ fsync: true });
    try {
      const { ingest, batches } = installation(dir);
      const pool = await openPostgres(parseStoreUrl(await server.createDatabase('bench')) as PostgresTarget, { maxConnections: 2 });
      await copyStore({ db: ingest.db, clipsDir: ingest.dir.clips }, pool);
      const p = createPostgresPipeline({ pool, pinnedKey: (id) => ingest.registry.publicKey(id), levels: createPgLevelsWriter(), alert: () => undefined, logger: quiet });
      const t0 = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      for (const b of batches) await p.processBatch(b);
      report('PostgreSQL', t0, cpu0);
      await pool.end();
      ingest.close();
    } finally {
      await server.stop();
    }
  } else {
    for (const v of ['sqlite', 'postgres']) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), v], { stdio: 'inherit' });
      if (r.status !== 0) process.exit(r.status ?? 1);
    }
  }
} finally {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
}
