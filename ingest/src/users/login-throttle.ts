/**
 * Failed-login throttling per username (OWASP Authentication Cheat Sheet, "Login
 * Throttling" / "Account Lockout"): 5 failures within 15 minutes lock the
 * username for 15 minutes, whatever the password tried next. Kept in SQLite, so
 * a restart does not reset it. NIST SP 800-63B §5.2.2 caps consecutive failures
 * at 100; this is far below.
 *
 * An attempt is counted as a failure before its password is hashed (issue 11:
 * 200 simultaneous guesses were all evaluated, because each was counted only
 * once its hash was done). So at most MAX_FAILURES attempts in a window are
 * ever evaluated; a success clears the count, the others stay counted.
 */
import type { Db } from '../db/open.ts';

export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MS = 15 * 60_000;
export const LOCKOUT_MS = 15 * 60_000;

interface Row { failures: number; window_start: number; locked_until: number | null }

export interface LoginThrottle {
  /** The instant the lock ends, or null when the username may try. */
  lockedUntil(username: string, now: number): number | null;
  /** Counts an attempt as failed before it is evaluated; false (and nothing counted) when the username is locked. */
  reserve(username: string, now: number): boolean;
  succeeded(username: string): void;
}

export function createLoginThrottle(db: Db): LoginThrottle {
  const get = db.prepare<[string], Row>('SELECT failures, window_start, locked_until FROM login_failures WHERE username = ?');
  const put = db.prepare<[string, number, number, number | null]>(
    `INSERT INTO login_failures (username, failures, window_start, locked_until) VALUES (?, ?, ?, ?)
     ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locked_until = excluded.locked_until`,
  );
  const clear = db.prepare<[string]>('DELETE FROM login_failures WHERE username = ?');
  return {
    lockedUntil(username, now) {
      const r = get.get(username);
      return r?.locked_until != null && r.locked_until > now ? r.locked_until : null;
    },
    reserve(username, now) {
      const r = get.get(username);
      if (r?.locked_until != null && r.locked_until > now) return false;
      const fresh = r === undefined || now - r.window_start > FAILURE_WINDOW_MS || (r.locked_until !== null && r.locked_until <= now);
      const failures = fresh ? 1 : r.failures + 1;
      put.run(username, failures, fresh ? now : r.window_start, failures >= MAX_FAILURES ? now + LOCKOUT_MS : null);
      return true;
    },
    succeeded(username) {
      clear.run(username);
    },
  };
}
