/**
 * Evidence log (DESIGN §5) on a real SQLite file (WAL, synchronous=FULL):
 *  - appends/s batched in caller transactions (as the pipeline stores a batch of messages),
 *    and one durable transaction per append;
 *  - at the full size: root, inclusion proof, consistency proof and tree head signing times,
 *    and a whole-log verify (`earshot log verify`).
 * Run: npx tsx bench/evidence-log.ts [leaves]   (default 1 000 000; EARSHOT_BENCH_LEAVES too)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../ingest/src/db/open.ts';
import { EvidenceLog } from '../ingest/src/evidence/evidence-log.ts';
import type { EvidenceLeaf } from '../ingest/src/evidence/leaf.ts';
import { leafHash, verifyInclusion } from '../ingest/src/evidence/merkle.ts';
import { loadOrCreateServerKey } from '../ingest/src/evidence/server-key.ts';

const LEAVES = Number(process.argv[2] ?? process.env['EARSHOT_BENCH_LEAVES'] ?? 1_000_000);
const BATCH = 1000;
const SINGLE = 2000;
const PROOFS = 2000;

const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-evidence-'));
const file = join(dir, 'earshot.db');
const db = openDatabase(file, EvidenceLog.migrations);
const log = new EvidenceLog(db, loadOrCreateServerKey(dir));

/** A typical device event leaf (~600 bytes with its signed payload). */
const payload = Buffer.alloc(420, 0x61).toString('base64');
function leaf(i: number): EvidenceLeaf {
  const t = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  return {
    v: 1,
    kind: 'event',
    recordedAt: t,
    caseRef: 'ASB-2026-0001',
    data: { deviceId: 'pi-0042', seq: i, deviceTime: t, receivedAt: t, clockOffsetMs: 12, clockFlag: null, signedPayload: payload, eventId: `ev-${i}` },
  };
}

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

try {
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) log.append(leaf(i));
  });
  const t0 = process.hrtime.bigint();
  let lastReport = t0;
  for (let from = 0; from < LEAVES - SINGLE; from += BATCH) {
    batch(from, Math.min(from + BATCH, LEAVES - SINGLE));
    if (seconds(lastReport) > 30) {
      lastReport = process.hrtime.bigint();
      process.stderr.write(`  … ${from + BATCH} leaves\n`);
    }
  }
  const batched = seconds(t0);
  const t1 = process.hrtime.bigint();
  for (let i = LEAVES - SINGLE; i < LEAVES; i++) log.append(leaf(i));
  const single = seconds(t1);
  const n = log.size;
  console.log(`evidence log append, ${BATCH} leaves per transaction: ${((n - SINGLE) / batched).toFixed(0)} appends/s (${(n - SINGLE).toLocaleString('en-GB')} leaves in ${batched.toFixed(1)} s)`);
  console.log(`evidence log append, one durable transaction each: ${(SINGLE / single).toFixed(0)} appends/s (${SINGLE} leaves)`);

  let t = process.hrtime.bigint();
  const head = log.signTreeHead();
  const signMs = seconds(t) * 1e3;
  const root = Buffer.from(head.head.rootHash, 'hex');

  let state = 42;
  const rand = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  t = process.hrtime.bigint();
  const picks: number[] = [];
  let pathLength = 0;
  for (let k = 0; k < PROOFS; k++) {
    const m = Math.floor(rand() * n);
    picks.push(m);
    pathLength += log.inclusionProof(m, n).length;
  }
  const proofUs = (seconds(t) * 1e6) / PROOFS;
  let ok = 0;
  for (const m of picks.slice(0, 100)) ok += verifyInclusion(m, n, leafHash(log.leaf(m)!.leaf), log.inclusionProof(m, n), root) ? 1 : 0;
  if (ok !== 100) throw new Error(`only ${ok} of 100 proofs verified`);

  t = process.hrtime.bigint();
  for (let k = 0; k < PROOFS; k++) log.consistencyProof(Math.max(1, Math.floor(rand() * n)), n);
  const consistencyUs = (seconds(t) * 1e6) / PROOFS;

  console.log(
    `evidence log at ${n.toLocaleString('en-GB')} leaves (${(statSync(file).size / 1e6).toFixed(0)} MB + WAL): inclusion proof ${proofUs.toFixed(0)} µs (mean of ${PROOFS}, ${(pathLength / PROOFS).toFixed(1)} hashes), ` +
      `consistency proof ${consistencyUs.toFixed(0)} µs, sign tree head ${signMs.toFixed(1)} ms`,
  );

  t = process.hrtime.bigint();
  const report = log.verify();
  const verifyS = seconds(t);
  if (!report.ok) throw new Error(`log verify failed: ${report.failures[0]?.detail}`);
  console.log(`evidence log verify (recompute every leaf, node and head): ${verifyS.toFixed(1)} s for ${n.toLocaleString('en-GB')} leaves, ${(n / verifyS).toFixed(0)} leaves/s`);
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
