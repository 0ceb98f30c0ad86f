/**
 * The officer's record on both stores (issue 14): operations a second, each in its own transaction with its
 * evidence leaf — open a case, record a contact, add a diary entry, read the case back — as the commands and
 * the web view make them. SQLite (WAL, synchronous=FULL) through the operations' synchronous entry points
 * (the ones the embedded web view calls); PostgreSQL 15 on this machine (fsync on) through the record port,
 * one operation at a time and with 8 at once from one pool (several officers).
 * Run: node --import tsx bench/record-stores.ts   (EARSHOT_BENCH_CASES, default 300)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCase, recordContact, addDiaryEntry, showCase } from '../ingest/src/cases/index.ts';
import { openIngest } from '../ingest/src/service/open-ingest.ts';
import { openPostgres } from '../ingest/src/storage/postgres/connect.ts';
import { type PostgresTarget, parseStoreUrl } from '../ingest/src/storage/store-url.ts';
import { startPostgres } from '../test/support/postgres.ts';

const CASES = Number(process.env['EARSHOT_BENCH_CASES'] ?? 300);
const OPS_PER_CASE = 4;
const ref = (i: number): string => `ASB-2026-${String(i + 1).padStart(4, '0')}`;
const contact = (i: number) => ({ caseRef: ref(i), method: 'phone' as const, summary: 'Spoke to the resident about last night', by: 'jsmith' });
const entry = { startedAt: '2026-03-01 23:40', endedAt: '2026-03-02 00:30', heard: 'Bass music through the wall' };
const opened = (i: number) => ({ ref: ref(i), category: 'general' as const, officer: 'jsmith', address: `${i + 1} Mill Lane` });

function report(store: string, seconds: number): void {
  const ops = CASES * OPS_PER_CASE;
  console.log(`record-stores ${store}: ${ops} operations in ${seconds.toFixed(2)} s: ${Math.round(ops / seconds).toLocaleString('en-GB')} operations/s`);
}

async function onSqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-record-'));
  const ingest = openIngest(dir);
  try {
    const t = process.hrtime.bigint();
    for (let i = 0; i < CASES; i++) {
      openCase(ingest.cases, opened(i));
      recordContact(ingest.cases, contact(i));
      addDiaryEntry(ingest.cases, ref(i), entry);
      showCase(ingest.db, ref(i));
    }
    report('SQLite', Number(process.hrtime.bigint() - t) / 1e9);
  } finally {
    ingest.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function onPostgres(): Promise<void> {
  // Loaded here, so the SQLite figure can be taken on a tree without the record port (a before/after pair).
  const [{ openCaseSteps }, { recordContactSteps }, { addDiaryEntrySteps }, { showCaseSteps }, { postgresRecord }] = await Promise.all([
    import('../ingest/src/cases/cases.ts'), import('../ingest/src/cases/contacts.ts'), import('../ingest/src/cases/diary.ts'),
    import('../ingest/src/cases/case-queries.ts'), import('../ingest/src/storage/record/postgres-record.ts'),
  ]);
  const server = await startPostgres();
  try {
    for (const parallel of [1, 8]) {
      const pool = await openPostgres(parseStoreUrl(await server.createDatabase()) as PostgresTarget, { maxConnections: parallel });
      const r = postgresRecord(pool);
      const one = async (i: number): Promise<void> => {
        await r.write(openCaseSteps(opened(i), r.now()));
        await r.write(recordContactSteps(contact(i), r.now()));
        await r.write(addDiaryEntrySteps(ref(i), entry, r.now()));
        await r.read(showCaseSteps(ref(i)));
      };
      const t = process.hrtime.bigint();
      let next = 0;
      await Promise.all(Array.from({ length: parallel }, async () => {
        while (next < CASES) await one(next++);
      }));
      report(`PostgreSQL, ${parallel} at once`, Number(process.hrtime.bigint() - t) / 1e9);
      await pool.end();
    }
  } finally {
    await server.stop();
  }
}

await onSqlite();
if (process.argv.includes('--sqlite-only')) process.exit(0);
await onPostgres();
