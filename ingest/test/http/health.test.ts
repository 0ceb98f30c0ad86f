/** /healthz and /readyz (http/health.ts) on a real SQLite database: what each check sees, and that nothing else is said. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fastify } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.ts';
import { healthRoutes, readiness } from '../../src/http/health.ts';
import { ALL_MIGRATIONS } from '../../src/service/migrations.ts';

const dir = mkdtempSync(join(tmpdir(), 'earshot-health-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const names = ALL_MIGRATIONS.map((m) => m.name);

async function probe(check: ReturnType<typeof readiness>) {
  const app = fastify();
  healthRoutes(app, check);
  const live = await app.inject({ url: '/healthz' });
  const ready = await app.inject({ url: '/readyz' });
  await app.close();
  return { live: [live.statusCode, live.json()], ready: [ready.statusCode, ready.json()], cache: ready.headers['cache-control'] };
}

describe('health routes', () => {
  it('are ready when the store answers with this version’s schema and the broker is up', async () => {
    const db = openDatabase(join(dir, 'a.db'), ALL_MIGRATIONS);
    let brokerUp = true;
    const check = readiness({ db, migrations: names, broker: () => brokerUp });
    expect(await probe(check)).toEqual({ live: [200, { status: 'live' }], ready: [200, { ready: true, checks: { store: 'ok', migrations: 'ok', broker: 'ok' } }], cache: 'no-store' });
    brokerUp = false;
    expect((await probe(check)).ready).toEqual([503, { ready: false, checks: { store: 'ok', migrations: 'ok', broker: 'failing' } }]);
    db.close();
    // Closed: not ready, still live.
    expect(await probe(check)).toMatchObject({ live: [200, { status: 'live' }], ready: [503, { ready: false, checks: { store: 'failing', migrations: 'failing', broker: 'failing' } }] });
  });

  it('are not ready on a schema this version did not make: one missing, or one from a newer version', async () => {
    const older = openDatabase(join(dir, 'b.db'), ALL_MIGRATIONS.slice(0, -1));
    expect((await probe(readiness({ db: older, migrations: names }))).ready).toEqual([503, { ready: false, checks: { store: 'ok', migrations: 'failing' } }]);
    older.close();
    const newer = openDatabase(join(dir, 'c.db'), [...ALL_MIGRATIONS, { name: 'zz-999-from-a-later-version', sql: 'CREATE TABLE later (x INTEGER) STRICT;' }]);
    expect((await probe(readiness({ db: newer, migrations: names }))).ready).toEqual([503, { ready: false, checks: { store: 'ok', migrations: 'failing' } }]);
    newer.close();
  });
});
