/**
 * For tests that run one scenario on both stores through the record port (storage/record/): a SQLite data
 * folder and a PostgreSQL database on the same clock, their evidence leaves decoded, and answers with the
 * salted commitments masked (content.ts salts every commitment, so two stores' hashes of one text differ).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { decodeLeaf } from '../../src/evidence/leaf.ts';
import { openIngest } from '../../src/service/open-ingest.ts';
import { postgresEvidenceLog } from '../../src/storage/postgres/evidence-log.ts';
import { postgresRecord } from '../../src/storage/record/postgres-record.ts';
import { sqliteRecord } from '../../src/storage/record/sqlite-record.ts';
import type { RecordStore, Steps } from '../../src/storage/record/steps.ts';
import type { PgFixture } from './pg-fixture.ts';

export interface OpenedStore {
  readonly record: RecordStore;
  /** Every leaf so far, decoded and masked. */
  leaves(): Promise<unknown[]>;
  close(): Promise<void>;
}

export function testClock(t0: number): { now: () => number; advance(ms: number): void } {
  let t = t0;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** Both stores' openers for one test file; SQLite folders are removed after each test. */
export function bothStores(pg: PgFixture): { sqlite(now: () => number): Promise<OpenedStore>; postgres(now: () => number): Promise<OpenedStore> } {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return {
    async sqlite(now) {
      const dir = mkdtempSync(join(tmpdir(), 'earshot-record-'));
      dirs.push(dir);
      const ingest = openIngest(dir, now);
      return {
        record: sqliteRecord(ingest.cases),
        leaves: async () => Array.from({ length: ingest.log.size }, (_, i) => leafOf(ingest.log.leaf(i)!.leaf)),
        close: async () => ingest.close(),
      };
    },
    async postgres(now) {
      const pool = await pg.pool();
      const log = postgresEvidenceLog(pool);
      return {
        record: postgresRecord(pool, now),
        leaves: async () => (await log.leafPage(0, 1_000)).map((l) => leafOf(l.leaf)),
        close: async () => undefined,
      };
    },
  };
}

/** Every `…Sha256` that is a SHA-256 masked, in answers and leaves alike; maps become their entries. */
export function masked(x: unknown): unknown {
  if (x instanceof Map) return [...x.entries()].map(masked);
  if (Array.isArray(x)) return x.map(masked);
  if (typeof x !== 'object' || x === null) return x;
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, /Sha256$/.test(k) && typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? '(salted)' : masked(v)]));
}

function leafOf(bytes: Uint8Array): unknown {
  const d = decodeLeaf(Buffer.from(bytes));
  if (!d.ok) throw new Error('a leaf does not decode');
  return masked(d.leaf);
}

/** Runs an operation and gives back its result (masked), or the code it was refused with. */
export async function attempt<T>(r: RecordStore, steps: Steps<T>, write = true): Promise<unknown> {
  try {
    return masked(await (write ? r.write(steps) : r.read(steps)));
  } catch (e) {
    return { refused: (e as { code?: string }).code ?? String(e) };
  }
}

export interface BothRuns {
  readonly onSqlite: unknown[];
  readonly onPostgres: unknown[];
  readonly sqliteLeaves: unknown[];
  readonly postgresLeaves: unknown[];
}

/** Runs a scenario on a new SQLite folder and a new PostgreSQL database, each on its own clock from t0. */
export async function runOnBoth(
  stores: ReturnType<typeof bothStores>, t0: number, scenario: (o: OpenedStore, c: ReturnType<typeof testClock>) => Promise<unknown[]>,
): Promise<BothRuns> {
  const sc = testClock(t0);
  const pc = testClock(t0);
  const sqlite = await stores.sqlite(sc.now);
  const postgres = await stores.postgres(pc.now);
  try {
    const onSqlite = await scenario(sqlite, sc);
    const onPostgres = await scenario(postgres, pc);
    return { onSqlite, onPostgres, sqliteLeaves: await sqlite.leaves(), postgresLeaves: await postgres.leaves() };
  } finally {
    await sqlite.close();
    await postgres.close();
  }
}

/** The codes of the refused operations of a run, in order. */
export function refusalsOf(out: readonly unknown[]): string[] {
  return out.filter((x) => typeof x === 'object' && x !== null && 'refused' in x).map((x) => (x as { refused: string }).refused);
}
