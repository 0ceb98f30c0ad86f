/**
 * Officer accounts and bearer tokens (issue 5). A token is 32 random bytes
 * (base64url, RFC 4648 §5) shown once at login; only its SHA-256 is stored — a
 * 256-bit random value needs no slow hash. Tokens expire after a working shift
 * and end at logout.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EarshotError, describeIssues } from '@earshot/shared';
import type { Db } from '../db/open.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { OWASP_SCRYPT, type PasswordHash, type ScryptParams, checkPassword, hashPassword } from './password.ts';
import { NewUser, type Role, type User } from './user-input.ts';

export const TOKEN_BYTES = 32;
/** A session lasts one working shift (8 h), then the officer logs in again. */
export const TOKEN_LIFETIME_MS = 8 * 3_600_000;

export interface Session {
  readonly token: string;
  readonly expiresAt: string;
  readonly user: User;
}

export interface Users {
  add(input: NewUser): Promise<User>;
  get(username: string): User | null;
  list(): User[];
  /** Throws EARSHOT_E_HTTP_LOGIN_LOCKED or EARSHOT_E_HTTP_LOGIN_FAILED. */
  login(username: string, password: string): Promise<Session>;
  /** The account behind a live token, or null (unknown, expired, logged out, disabled). */
  authenticate(token: string): User | null;
  logout(token: string): void;
  /** True when an officer-role account may see this case (supervisors and admins see all). */
  canSeeCase(user: User, caseOfficer: string): boolean;
}

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
}

export function createUsers(db: Db, options: UsersOptions = {}): Users {
  const now = options.now ?? Date.now;
  const params = options.scrypt ?? OWASP_SCRYPT;
  const throttle = createLoginThrottle(db);
  const byName = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
  const all = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY username');
  const insert = db.prepare<[string, string, string, string, Buffer, Buffer, number, number, number, number]>(
    `INSERT INTO users (username, display_name, initials, role, password_salt, password_hash, scrypt_n, scrypt_r, scrypt_p, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const insertToken = db.prepare<[Buffer, string, number, number]>('INSERT INTO user_tokens (token_sha256, username, created_at, expires_at) VALUES (?, ?, ?, ?)');
  const tokenUser = db.prepare<[Buffer, number], UserRow>(
    `SELECT u.* FROM user_tokens t JOIN users u ON u.username = t.username
     WHERE t.token_sha256 = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND u.enabled = 1`,
  );
  const revoke = db.prepare<[number, Buffer]>('UPDATE user_tokens SET revoked_at = ? WHERE token_sha256 = ? AND revoked_at IS NULL');
  // A hash to check against when the username is unknown, so the answer takes as long either way.
  let decoy: Promise<PasswordHash> | null = null;

  return {
    async add(input) {
      const r = NewUser.safeParse(input);
      if (!r.success) throw new EarshotError('EARSHOT_E_USER_INVALID', describeIssues(r.error));
      const u = r.data;
      const h = await hashPassword(u.password, params);
      const changes = insert.run(u.username, u.displayName, u.initials, u.role, h.salt, h.hash, h.params.N, h.params.r, h.params.p, now()).changes;
      if (changes === 0) throw new EarshotError('EARSHOT_E_USER_EXISTS', u.username);
      return { username: u.username, displayName: u.displayName, initials: u.initials, role: u.role };
    },
    get(username) {
      const r = byName.get(username);
      return r === undefined ? null : toUser(r);
    },
    list() {
      return all.all().map(toUser);
    },
    async login(username, password) {
      const at = now();
      const locked = throttle.lockedUntil(username, at);
      if (locked !== null) throw new EarshotError('EARSHOT_E_HTTP_LOGIN_LOCKED', `${username} until ${new Date(locked).toISOString()}`);
      const row = byName.get(username);
      let ok = false;
      if (row === undefined || row.enabled !== 1) {
        decoy ??= hashPassword('decoy password for unknown users', params);
        await checkPassword(password, await decoy);
      } else {
        ok = await checkPassword(password, { salt: row.password_salt, hash: row.password_hash, params: { N: row.scrypt_n, r: row.scrypt_r, p: row.scrypt_p } });
      }
      if (!ok || row === undefined) {
        throttle.failed(username, now());
        throw new EarshotError('EARSHOT_E_HTTP_LOGIN_FAILED', username);
      }
      throttle.succeeded(username);
      const token = randomBytes(TOKEN_BYTES).toString('base64url');
      const expires = now() + TOKEN_LIFETIME_MS;
      insertToken.run(sha256(token), row.username, now(), expires);
      return { token, expiresAt: new Date(expires).toISOString(), user: toUser(row) };
    },
    authenticate(token) {
      const r = tokenUser.get(sha256(token), now());
      return r === undefined ? null : toUser(r);
    },
    logout(token) {
      revoke.run(now(), sha256(token));
    },
    canSeeCase(user, caseOfficer) {
      if (user.role !== 'officer') return true;
      return caseOfficer === user.username || caseOfficer === user.displayName;
    },
  };
}
