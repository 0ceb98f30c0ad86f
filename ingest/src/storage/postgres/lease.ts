/**
 * A lease on one of the jobs that must run once however many `earshot serve`
 * processes share a PostgreSQL store (issue 15: tree heads, retention, the
 * config sync, offline alerts, level blocks): a session-level advisory lock,
 * pg_try_advisory_lock(EARSHOT_LOCK_CLASS, LEASE[role])
 * (https://www.postgresql.org/docs/15/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS),
 * held on a connection of its own for as long as that connection lives.
 *
 * Why a lock and not a row with an expiry: the server releases it the moment
 * the holder's connection ends — a process killed with SIGKILL, a machine that
 * loses power (once TCP keepalive or the server notices), a clean stop — so
 * there is no expiry to tune, no clock to trust between machines, and never two
 * holders: the server grants it to one session at a time. A standby asks again
 * every `retryMs`. The holder checks its connection as often; when it is gone,
 * the lease is lost (`onLost`) before anyone else can have it, and the holder
 * asks again like any standby. A held lease keeps one connection of the pool it
 * was given: give the leases a pool of their own, as large as the roles.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { EARSHOT_LOCK_CLASS, LEASE, type LeaseRole } from './advisory-locks.ts';

export interface LeaseOptions {
  readonly role: LeaseRole;
  /** How often a standby asks and a holder checks its connection (default 2 s). */
  readonly retryMs?: number;
  readonly logger: Logger;
  readonly onAcquired?: () => void;
  readonly onLost?: () => void;
}

export interface Lease {
  readonly role: LeaseRole;
  held(): boolean;
  /** Resolves at the first answer: held or not. */
  readonly ready: Promise<void>;
  /** Gives the lease up (its connection closes) and stops asking. */
  close(): Promise<void>;
}

const DEFAULT_RETRY_MS = 2_000;

export function startLease(pool: pg.Pool, o: LeaseOptions): Lease {
  const retryMs = o.retryMs ?? DEFAULT_RETRY_MS;
  let client: pg.PoolClient | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let settle: () => void = () => undefined;
  const ready = new Promise<void>((r) => (settle = r));

  const lose = (why: string): void => {
    const c = client;
    client = null;
    if (c !== null) {
      c.release(new Error(why));
      o.logger.warn({ role: o.role, why }, 'lease lost: this process no longer runs the job');
      o.onLost?.();
    }
  };

  const tick = async (): Promise<void> => {
    timer = null;
    if (closed) return;
    try {
      if (client !== null) {
        await client.query('SELECT 1');
      } else {
        const c = await pool.connect();
        let got = false;
        try {
          got = (await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [EARSHOT_LOCK_CLASS, LEASE[o.role]])).rows[0]!.ok;
        } finally {
          if (!got) c.release();
        }
        if (got) {
          if (closed) {
            c.release(new Error('closed'));
            return;
          }
          client = c;
          c.on('error', () => lose('its connection failed'));
          o.logger.info({ role: o.role }, 'lease held: this process runs the job');
          o.onAcquired?.();
        }
      }
    } catch (e) {
      if (client !== null) lose(`its connection failed: ${(e as Error).message}`);
    }
    settle();
    if (!closed) timer = setTimeout(() => void tick(), retryMs);
  };
  void tick();

  return {
    role: o.role,
    held: () => client !== null,
    ready,
    async close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      const c = client;
      client = null;
      // Closing the session releases its advisory locks at once.
      c?.release(new Error('lease given up'));
    },
  };
}
