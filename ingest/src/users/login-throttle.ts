/**
 * Failed-login throttling per username (OWASP Authentication Cheat Sheet, "Login
 * Throttling" / "Account Lockout"): 5 failures within 15 minutes lock the
 * username for 15 minutes, whatever the password tried next. Kept in the store,
 * so a restart does not reset it, and shared by every process on one store.
 * NIST SP 800-63B §5.2.2 caps consecutive failures at 100; this is far below.
 *
 * An attempt is counted as a failure before its password is hashed (issue 11:
 * 200 simultaneous guesses were all evaluated, because each was counted only
 * once its hash was done). So at most MAX_FAILURES attempts in a window are
 * ever evaluated; a success clears the count, the others stay counted. The
 * reservation is one write of the record port (storage/record/steps.ts), so two
 * attempts at once, on one process or two, cannot both take the last one.
 */
import { get, run, type Steps } from '../storage/record/steps.ts';

export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MS = 15 * 60_000;
export const LOCKOUT_MS = 15 * 60_000;

interface Row { failures: number; window_start: number; locked_until: number | null }

const ROW = 'SELECT failures, window_start, locked_until FROM login_failures WHERE username = ?';

const lockOf = (r: Row | undefined, now: number): number | null => (r?.locked_until != null && r.locked_until > now ? r.locked_until : null);

/** The instant the username's lock ends, or null when it may try. */
export function* lockedUntilSteps(username: string, now: number): Steps<number | null> {
  return lockOf(yield* get<Row>(ROW, username), now);
}

/**
 * Counts an attempt as failed before it is evaluated: null when counted, or the
 * instant the lock ends (and nothing counted) when the username is locked.
 */
export function* reserveAttemptSteps(username: string, now: number): Steps<number | null> {
  const r = yield* get<Row>(ROW, username);
  const locked = lockOf(r, now);
  if (locked !== null) return locked;
  const fresh = r === undefined || now - r.window_start > FAILURE_WINDOW_MS || (r.locked_until !== null && r.locked_until <= now);
  const failures = fresh ? 1 : r.failures + 1;
  yield* run(
    `INSERT INTO login_failures (username, failures, window_start, locked_until) VALUES (?, ?, ?, ?)
     ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locked_until = excluded.locked_until`,
    username, failures, fresh ? now : r.window_start, failures >= MAX_FAILURES ? now + LOCKOUT_MS : null,
  );
  return null;
}

/** A success clears the username's count. */
export function* clearFailuresSteps(username: string): Steps<void> {
  yield* run('DELETE FROM login_failures WHERE username = ?', username);
}
