/**
 * Accounts and their sessions as steps of the record port (storage/record/steps.ts), the same on either
 * store, so a token issued by one `earshot serve` is good on every other sharing the store (issue 15: web
 * instances are stateless). Only a token's SHA-256 is stored (users.ts).
 */
import { EarshotError } from '@earshot/shared';
import { get, run, type Steps } from '../storage/record/steps.ts';
import { clearFailuresSteps } from './login-throttle.ts';
import type { PasswordHash } from './password.ts';
import type { Role, User } from './user-input.ts';

export interface UserRow {
  username: string;
  display_name: string;
  initials: string;
  role: Role;
  password_salt: Buffer;
  password_hash: Buffer;
  scrypt_n: number;
  scrypt_r: number;
  scrypt_p: number;
  enabled: number;
}

export function toUser(r: UserRow): User {
  return { username: r.username, displayName: r.display_name, initials: r.initials, role: r.role };
}

const USER_COLUMNS = 'u.username, u.display_name, u.initials, u.role, u.password_salt, u.password_hash, u.scrypt_n, u.scrypt_r, u.scrypt_p, u.enabled';

export function* userRowSteps(username: string): Steps<UserRow | undefined> {
  return yield* get<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.username = ?`, username);
}

/** The account, or null. */
export function* userSteps(username: string): Steps<User | null> {
  const r = yield* userRowSteps(username);
  return r === undefined ? null : toUser(r);
}

/** The enabled account behind a live token's hash, with its session's handle. */
export function* tokenSessionSteps(tokenSha256: Buffer, nowMs: number): Steps<{ readonly user: User; readonly sessionId: string } | null> {
  const r = yield* get<UserRow & { session_id: string }>(
    `SELECT ${USER_COLUMNS}, t.session_id FROM user_tokens t JOIN users u ON u.username = t.username
     WHERE t.token_sha256 = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND u.enabled = 1`,
    tokenSha256, nowMs,
  );
  return r === undefined ? null : { user: toUser(r), sessionId: r.session_id };
}

/** The enabled account of a live session, by its handle. */
export function* sessionUserSteps(sessionId: string, nowMs: number): Steps<User | null> {
  const r = yield* get<UserRow>(
    `SELECT ${USER_COLUMNS} FROM user_tokens t JOIN users u ON u.username = t.username
     WHERE t.session_id = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND u.enabled = 1`,
    sessionId, nowMs,
  );
  return r === undefined ? null : toUser(r);
}

export function* insertTokenSteps(tokenSha256: Buffer, username: string, nowMs: number, expiresMs: number, sessionId: string): Steps<void> {
  yield* run('INSERT INTO user_tokens (token_sha256, username, created_at, expires_at, session_id) VALUES (?, ?, ?, ?, ?)', tokenSha256, username, nowMs, expiresMs, sessionId);
}

export function* revokeTokenSteps(tokenSha256: Buffer, nowMs: number): Steps<void> {
  yield* run('UPDATE user_tokens SET revoked_at = ? WHERE token_sha256 = ? AND revoked_at IS NULL', nowMs, tokenSha256);
}

function* revokeAllSteps(username: string, nowMs: number): Steps<void> {
  yield* run('UPDATE user_tokens SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL', nowMs, username);
}

/** Disables or enables an account; disabling ends its sessions in the same transaction. */
export function* setEnabledSteps(username: string, enabled: boolean, nowMs: number): Steps<User> {
  const r = yield* userRowSteps(username);
  if (r === undefined) throw new EarshotError('EARSHOT_E_USER_NOT_FOUND', username);
  yield* run('UPDATE users SET enabled = ? WHERE username = ?', enabled ? 1 : 0, username);
  if (!enabled) yield* revokeAllSteps(username, nowMs);
  return toUser(r);
}

/** A new password (an admin's reset): ends the account's sessions and clears its failed logins. */
export function* setPasswordSteps(username: string, h: PasswordHash, nowMs: number): Steps<User> {
  const r = yield* userRowSteps(username);
  if (r === undefined) throw new EarshotError('EARSHOT_E_USER_NOT_FOUND', username);
  yield* run(
    'UPDATE users SET password_salt = ?, password_hash = ?, scrypt_n = ?, scrypt_r = ?, scrypt_p = ? WHERE username = ?',
    h.salt, h.hash, h.params.N, h.params.r, h.params.p, username,
  );
  yield* revokeAllSteps(username, nowMs);
  yield* clearFailuresSteps(username);
  return toUser(r);
}
