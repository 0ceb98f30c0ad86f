/**
 * The evidence-log port on both stores (DESIGN §8), each in its own process:
 * SQLite (WAL, synchronous=FULL) and PostgreSQL 15 on this machine (fsync on,
 * started in a temporary folder by test/support/postgres.ts).
 *  - appends/s, one durable transaction per append (as an HTTP write or a single message);
 *  - appends/s, 100 leaves per transaction (as the pipeline stores a batch);
 *  - on PostgreSQL, two connections appending at once (the advisory lock serialises them);
 *  - inclusion proofs/s at the final size.
 * Run: npx tsx bench/evidence-log-stores.ts   (EARSHOT_BENCH_APPENDS, default 2000)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '../test/support/postgres.ts';
import { openDatabase } from '../ingest/src/db/open.ts';
import { EvidenceLog } from '../ingest/src/evidence/evidence-log.ts';
import type { EvidenceLogPort } from '../ingest/src/storage/evidence-log-port.ts';
import { openPostgres } from '../ingest/src/storage/postgres/connect.ts';
import { postgresEvidenceLog } from '../ingest/src/storage/postgres/evidence-log.ts';
import { sqliteEvidenceLog } from '../ingest/src/storage/sqlite/evidence-log.ts';
import { type PostgresTarget, parseStoreUrl } from '../ingest/src/storage/store-url.ts';

const APPENDS = Number(process.env['EARSHOT_BENCH_APPENDS'] ?? 2000);
const BATCH = 100;
const PROOFS = 1000;
const leaf = (i: number): Buffer => Buffer.from(JSON.stringify({ v: 1, kind: 'event', seq: i, payload: 'a'.repeat(560) }));
const at = new Date(Date.UTC(2026, 0, 1)).toISOString();

function rate(n: number, t0: bigint): string {
  return Math.round(n / (Number(process.hrtime.bigint() - t0) / 1e9)).toLocaleString('en-GB');
}

async function measure(name: string, ports: EvidenceLogPort[]): Promise<void> {
  const [port] = ports as [EvidenceLogPort];
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < APPENDS; i++) await port.append(leaf(i), at);
  console.log(`evidence log, ${name}: ${rate(APPENDS, t0)} appends/s, one transaction each`);
  t0 = process.hrtime.bigint();
  for (let i = 0; i < APPENDS * 10; i += BATCH) await port.appendAll(Array.from({ length: BATCH }, (_, k) => ({ leaf: leaf(i + k), appendedAt: at })));
  console.log(`evidence log, ${name}: ${rate(APPENDS * 10, t0)} appends/s, ${BATCH} per transaction`);
  if (ports.length > 1) {
    t0 = process.hrtime.bigint();
    await Promise.all(ports.map(async (p) => {
      for (let i = 0; i < APPENDS / ports.length; i++) await p.append(leaf(i), at);
    }));
    console.log(`evidence log, ${name}: ${rate(APPENDS, t0)} appends/s, one transaction each, ${ports.length} connections at once`);
  }
  const size = await port.size();
  t0 = process.hrtime.bigint();
  for (let i = 0; i < PROOFS; i++) await port.inclusionProof((i * 7919) % size, size);
  console.log(`evidence log, ${name}: ${rate(PROOFS, t0)} inclusion proofs/s at ${size.toLocaleString('en-GB')} leaves`);
}

const variant = process.argv[2];
if (variant === 'sqlite') {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-stores-'));
  try {
    const db = openDatabase(join(dir, 'earshot.db'), EvidenceLog.migrations);
    await measure('SQLite', [sqliteEvidenceLog(db)]);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else if (variant === 'postgres') {
  const server = await startPostgres({ fsync: true });
  try {
    const target = parseStoreUrl(await server.createDatabase('bench')) as PostgresTarget;
    const a = await openPostgres(target, { maxConnections: 1 });
    const b = await openPostgres(target, { maxConnections: 1 });
    await measure('PostgreSQL', [postgresEvidenceLog(a), postgresEvidenceLog(b)]);
    await a.end();
    await b.end();
  } finally {
    await server.stop();
  }
} else {
  for (const v of ['sqlite', 'postgres']) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), v], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
