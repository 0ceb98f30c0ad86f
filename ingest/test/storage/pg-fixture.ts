/** One PostgreSQL server per test file (test/support/postgres.ts), a database per test, closed afterwards. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type PostgresServer, startPostgres } from '../../../test/support/postgres.ts';
import { openPostgres } from '../../src/storage/postgres/connect.ts';
import { type PostgresTarget, parseStoreUrl } from '../../src/storage/store-url.ts';

export interface PgFixture {
  server(): PostgresServer;
  /** A new empty database: its URL and target. */
  database(): Promise<{ url: string; target: PostgresTarget; name: string }>;
  /** A migrated pool on a new database, closed after the test. */
  pool(target?: PostgresTarget, max?: number): Promise<pg.Pool>;
  tempDir(): string;
}

export function usePostgres(): PgFixture {
  let server: PostgresServer | undefined;
  const pools: pg.Pool[] = [];
  const dirs: string[] = [];
  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);
  afterEach(async () => {
    for (const p of pools.splice(0)) await p.end();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  afterAll(async () => {
    await server?.stop();
  }, 60_000);
  const fixture: PgFixture = {
    server: () => server!,
    async database() {
      const url = await server!.createDatabase();
      const target = parseStoreUrl(url) as PostgresTarget;
      return { url, target, name: target.database };
    },
    async pool(target, max) {
      const t = target ?? (await fixture.database()).target;
      const p = await openPostgres(t, max === undefined ? {} : { maxConnections: max });
      pools.push(p);
      return p;
    },
    tempDir() {
      const d = mkdtempSync(join(tmpdir(), 'earshot-storage-'));
      dirs.push(d);
      return d;
    },
  };
  return fixture;
}
