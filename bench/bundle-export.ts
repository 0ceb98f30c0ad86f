/**
 * Court bundle export (issue 5: "a case with 30 days of 1 s levels and 500
 * events exports in < 10 s"): a synthetic case — 30 days of 1 s level records
 * (2 592 000 rows), 500 events, 5 clips, a real evidence log — written as the
 * whole ZIP (PDF, clips, CSVs, evidence, manifest). Prints the seconds and the
 * ZIP size, then the time `earshot verify` takes on it. The database query is
 * not timed (the rows come from a generator).
 * Run: npx tsx bench/bundle-export.ts
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyBundle, writeBundle } from '../ingest/src/bundle/index.ts';
import { openDatabase } from '../ingest/src/db/open.ts';
import { EvidenceLog } from '../ingest/src/evidence/index.ts';
import { syntheticCase } from '../ingest/test/bundle/synthetic-case.ts';

const DAYS = 30;
const EVENTS = 500;
const CLIPS = 5;
/** Issue 5. */
const BAR_SECONDS = 10;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, '.bench-tmp', 'bundle-export');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const db = openDatabase(join(dir, 'earshot.db'), EvidenceLog.migrations);
const c = syntheticCase({ dir, db, days: DAYS, events: EVENTS, clips: CLIPS });
const t0 = process.hrtime.bigint();
const bundle = await writeBundle(c.source, { outDir: join(dir, 'out') });
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
db.close();
const t1 = process.hrtime.bigint();
const report = await verifyBundle(bundle.path);
const verifySeconds = Number(process.hrtime.bigint() - t1) / 1e9;
if (!report.ok) throw new Error(`the bundle does not verify: ${JSON.stringify(report.failures)}`);

const mb = (n: number): string => (n / 1e6).toFixed(1);
console.log(`bundle export: ${DAYS} days of 1 s levels (${c.source.model.levelCount.toLocaleString('en-GB')} rows), ${EVENTS} events, ${CLIPS} clips`);
console.log(`  ${seconds.toFixed(2)} s to write ${bundle.fileName}, ${mb(bundle.bytes)} MB (bar: < ${BAR_SECONDS} s) ${seconds < BAR_SECONDS ? 'OK' : 'TOO SLOW'}`);
console.log(`  ${verifySeconds.toFixed(2)} s to verify it (manifest, ${report.provedLeaves} inclusion proofs, tree head signature)`);
rmSync(dir, { recursive: true, force: true });
