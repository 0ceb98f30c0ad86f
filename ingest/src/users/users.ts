/**
 * Officer accounts and bearer tokens (issue 5). A token is 32 random bytes
 * (base64url, RFC 4648 §5) shown once at login; only its SHA-256 is stored — a
 * 256-bit random value needs no slow hash. Tokens expire after a working shift
 * and end at logout.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EarshotError, describeIssues } from '@earshot/shared';
import type { Db } from '../db/open.ts';
import { readNow, writeNow } from '../storage/record/sqlite-record.ts';
import { type Account, accountsSteps, addUserSteps, parseNewUser } from './account-steps.ts';
import { FairQueue, type FairQueueOptions, QueueFullError } from './fair-queue.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { OWASP_SCRYPT, type PasswordHash, type ScryptParams, checkPassword, hashPassword } from './password.ts';
import { NewUser, type Role, type User } from './user-input.ts';

export const TOKEN_BYTES = 32;
/** A session lasts one working shift (8 h), then the officer logs in again. */
export const TOKEN_LIFETIME_MS = 8 * 3_600_000;

export interface Session {
  readonly token: string;
  /** A random handle of this session (not the token), for links signed in it (issue 11). */
  readonly sessionId: string;
  readonly expiresAt: string;
  readonly user: User;
}

export interface Users {
  add(input: NewUser): Promise<User>;
  get(username: string): User | null;
  list(): User[];
  /**
   * Throws EARSHOT_E_HTTP_LOGIN_LOCKED, EARSHOT_E_HTTP_LOGIN_FAILED, or
   * EARSHOT_E_HTTP_LOGIN_BUSY when `source` (the client's address) already has
   * its share of password checks waiting.
   */
  login(username: string, password: string, source?: string): Promise<Session>;
  /** The account behind a live token, or null (unknown, expired, logged out, disabled). */
  authenticate(token: string): User | null;
  /** The same, with the session's handle. */
  session(token: string): { readonly user: User; readonly sessionId: string } | null;
  /** The account of a live session, by its handle (signed links: dead once the session ends). */
  sessionUser(sessionId: string): User | null;
  logout(token: string): void;
  /**
   * True when this account may see a case assigned to `caseOfficer` (an account's
   * username): an officer sees their own cases; supervisors and admins see all.
   * Never by display name, which is not unique (issue 11 item 8).
   */
  canSeeCase(user: User, caseOfficer: string): boolean;
  /** Every account with whether it is enabled (administration, issue 12). */
  accounts(): Account[];
  /** Disables or enables an account; disabling ends its sessions at once. */
  setEnabled(username: string, enabled: boolean): User;
  /** Sets a new password (an admin's reset) and ends the account's sessions. */
  resetPassword(username: string, password: string): Promise<User>;
}

export type { Account } from './account-steps.ts';

interface UserRow {
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

function toUser(r: UserRow): User {
  return { username: r.username, displayName: r.display_name, initials: r.initials, role: r.role };
}

const sha256 = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

export interface UsersOptions {
  readonly now?: () => number;
  /** scrypt cost for new passwords; OWASP's by default (tests may pass less). */
  readonly scrypt?: ScryptParams;
  /** Bounds on password hashing at login (LOGIN_HASHING by default). */
  readonly hashing?: FairQueueOptions;
}

/**
 * One scrypt at a time (N = 2^17: 128 MiB and a few hundred ms each), so a
 * login flood holds at most 128 MiB and leaves the libuv pool's other threads
 * to device checks and the web view's files; four checks per client address,
 * 32 in all, beyond which a login is refused at once (issue 11).
 */
export const LOGIN_HASHING: FairQueueOptions = { concurrency: 1, maxPerSource: 4, maxQueued: 32 };

export function createUsers(db: Db, options: UsersOptions = {}): Users {
  const now = options.now ?? Date.now;
  const params = options.scrypt ?? OWASP_SCRYPT;
  const throttle = createLoginThrottle(db);
  const byName = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
  const all = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY username');
  const insertToken = db.prepare<[Buffer, string, number, number, string]>('INSERT INTO user_tokens (token_sha256, username, created_at, expires_at, session_id) VALUES (?, ?, ?, ?, ?)');
  const tokenUser = db.prepare<[Buffer, number], UserRow & { session_id: string }>(
    `SELECT u.*, t.session_id FROM user_tokens t JOIN users u ON u.username = t.username
     WHERE t.token_sha256 = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND u.enabled = 1`,
  );
  const sessionRow = db.prepare<[string, number], UserRow>(
    `SELECT u.* FROM user_tokens t JOIN users u ON u.username = t.username
     WHERE t.session_id = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND u.enabled = 1`,
  );
  const hashing = new FairQueue(options.hashing ?? LOGIN_HASHING);
  const revoke = db.prepare<[number, Buffer]>('UPDATE user_tokens SET revoked_at = ? WHERE token_sha256 = ? AND revoked_at IS NULL');
  const setEnabledRow = db.prepare<[number, string]>('UPDATE users SET enabled = ? WHERE username = ?');
  const revokeAll = db.prepare<[number, string]>('UPDATE user_tokens SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL');
  const setPassword = db.prepare<[Buffer, Buffer, number, number, number, string]>(
    'UPDATE users SET password_salt = ?, password_hash = ?, scrypt_n = ?, scrypt_r = ?, scrypt_p = ? WHERE username = ?',
  );
  let decoy: Promise<PasswordHash> | null = null;

  return {
    async add(input) {
      const u = parseNewUser(input);
      const h = await hashPassword(u.password, params);
      return writeNow({ db }, addUserSteps(u, h, now()));
    },
    get(username) {
      const r = byName.get(username);
      return r === undefined ? null : toUser(r);
    },
    list() {
      return all.all().map(toUser);
    },
    async login(username, password, source = 'local') {
      const at = now();
      const locked = throttle.lockedUntil(username, at);
      if (locked !== null) throw new EarshotError('EARSHOT_E_HTTP_LOGIN_LOCKED', `${username} until ${new Date(locked).toISOString()}`);
      if (!hashing.hasRoom(source)) throw new EarshotError('EARSHOT_E_HTTP_LOGIN_BUSY', `too many logins from ${source} at once`);
      // Counted before it is evaluated (issue 11 item 7); all synchronous up to the hash.
      if (!throttle.reserve(username, at)) {
        const until = throttle.lockedUntil(username, at) ?? at;
        throw new EarshotError('EARSHOT_E_HTTP_LOGIN_LOCKED', `${username} until ${new Date(until).toISOString()}`);
      }
      const row = byName.get(username);
      let ok = false;
      try {
        ok = await hashing.run(source, async () => {
          if (row === undefined || row.enabled !== 1) {
            // A hash to check against when the username is unknown, so the answer takes as long either way.
            decoy ??= hashPassword('decoy password for unknown users', params);
            await checkPassword(password, await decoy);
            return false;
          }
          return checkPassword(password, { salt: row.password_salt, hash: row.password_hash, params: { N: row.scrypt_n, r: row.scrypt_r, p: row.scrypt_p } });
        });
      } catch (e) {
        if (e instanceof QueueFullError) throw new EarshotError('EARSHOT_E_HTTP_LOGIN_BUSY', `too many logins from ${source} at once`);
        throw e;
      }
      if (!ok || row === undefined) throw new EarshotError('EARSHOT_E_HTTP_LOGIN_FAILED', username);
      throttle.succeeded(username);
      const token = randomBytes(TOKEN_BYTES).toString('base64url');
      const sessionId = randomBytes(16).toString('hex');
      const expires = now() + TOKEN_LIFETIME_MS;
      insertToken.run(sha256(token), row.username, now(), expires, sessionId);
      return { token, sessionId, expiresAt: new Date(expires).toISOString(), user: toUser(row) };
    },
    authenticate(token) {
      const r = tokenUser.get(sha256(token), now());
      return r === undefined ? null : toUser(r);
    },
    session(token) {
      const r = tokenUser.get(sha256(token), now());
      return r === undefined ? null : { user: toUser(r), sessionId: r.session_id };
    },
    sessionUser(sessionId) {
      const r = sessionRow.get(sessionId, now());
      return r === undefined ? null : toUser(r);
    },
    logout(token) {
      revoke.run(now(), sha256(token));
    },
    canSeeCase(user, caseOfficer) {
      if (user.role !== 'officer') return true;
      return caseOfficer === user.username;
    },
    accounts() {
      return readNow(db, accountsSteps());
    },
    setEnabled(username, enabled) {
      const r = byName.get(username);
      if (r === undefined) throw new EarshotError('EARSHOT_E_USER_NOT_FOUND', username);
      db.transaction(() => {
        setEnabledRow.run(enabled ? 1 : 0, username);
        if (!enabled) revokeAll.run(now(), username);
      }).immediate();
      return toUser(r);
    },
    async resetPassword(username, password) {
      const p = NewUser.shape.password.safeParse(password);
      if (!p.success) throw new EarshotError('EARSHOT_E_USER_INVALID', `password: ${describeIssues(p.error)}`);
      if (byName.get(username) === undefined) throw new EarshotError('EARSHOT_E_USER_NOT_FOUND', username);
      const h = await hashPassword(p.data, params);
      db.transaction(() => {
        setPassword.run(h.salt, h.hash, h.params.N, h.params.r, h.params.p, username);
        revokeAll.run(now(), username);
        throttle.succeeded(username);
      }).immediate();
      return toUser(byName.get(username)!);
    },
  };
}
