/**
 * Leases on the run-once jobs (storage/postgres/lease.ts) with a real
 * PostgreSQL: of two processes' leases on one role only one is held; when the
 * holder's connection is killed (as a SIGKILLed process's would be) it knows it
 * lost it and the lease goes to one of them, never both; when the holder gives
 * it up the other takes it within its retry period; leases on different roles
 * do not exclude each other.
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

    // The holder's session ends as a killed process's does: it knows it lost the lease, and the lease goes to
    // whichever asks first — the standby, or the old holder asking again — never to both.
    const sample = setInterval(() => expect(a.held() && b.held()).toBe(false), 5);
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = 10 AND granted");
    await vi.waitFor(() => expect(lost).toHaveBeenCalledTimes(1), { timeout: 5_000 });
    await vi.waitFor(() => expect(a.held() !== b.held()).toBe(true), { timeout: 5_000 });

    // Given up (a process stopping): the other takes it.
    const [holder, standby] = a.held() ? [a, b] : [b, a];
    await holder.close();
    await vi.waitFor(() => expect(standby.held()).toBe(true), { timeout: 5_000 });
    clearInterval(sample);
    await standby.close();
    await other.close();
    expect([a.held(), b.held(), other.held()]).toEqual([false, false, false]);
  }, 60_000);
});
