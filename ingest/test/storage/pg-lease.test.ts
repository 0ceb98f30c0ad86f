/**
 * Leases on the run-once jobs (storage/postgres/lease.ts) with a real
 * PostgreSQL: of two processes' leases on one role only one is held; when the
 * holder's connection is killed (as a SIGKILLed process's would be) or it gives
 * the lease up, the other takes it within its retry period, and the old holder
 * knows it lost it; leases on different roles do not exclude each other.
 */
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { startLease } from '../../src/storage/postgres/lease.ts';
import { usePostgres } from './pg-fixture.ts';

const fx = usePostgres();
const quiet = pino({ level: 'silent' });

describe('a lease on a run-once job', () => {
  it('is held by one process at a time and passes on when the holder dies or gives it up', async () => {
    const { target } = await fx.database();
    const [p1, p2, admin] = [await fx.pool(target), await fx.pool(target), await fx.pool(target)];
    const lost = vi.fn();
    const a = startLease(p1, { role: 'tree-heads', retryMs: 50, logger: quiet, onLost: lost });
    await a.ready;
    const b = startLease(p2, { role: 'tree-heads', retryMs: 50, logger: quiet });
    await b.ready;
    expect([a.held(), b.held()]).toEqual([true, false]);
    // Another job's lease is independent.
    const other = startLease(p2, { role: 'retention', retryMs: 50, logger: quiet });
    await other.ready;
    expect(other.held()).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(b.held()).toBe(false);

    // The holder's session ends as a killed process's does.
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = 10 AND granted");
    await vi.waitFor(() => expect(b.held()).toBe(true), { timeout: 5_000 });
    await vi.waitFor(() => expect(lost).toHaveBeenCalledTimes(1), { timeout: 5_000 });
    await new Promise((r) => setTimeout(r, 200));
    expect(a.held()).toBe(false);

    // Given up: the standby (now the old holder) takes it.
    await b.close();
    await vi.waitFor(() => expect(a.held()).toBe(true), { timeout: 5_000 });
    await a.close();
    await other.close();
    expect(a.held()).toBe(false);
  }, 60_000);
});
