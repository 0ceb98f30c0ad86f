/**
 * Officer accounts and bearer tokens (issue 5). A token is 32 random bytes
 * (base64url, RFC 4648 §5) shown once at login; only its SHA-256 is stored — a
 * 256-bit random value needs no slow hash. Tokens expire after a working shift
 * and end at logout.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EarshotError, describeIssues } from '@earshot/shared';
import type { Db } from '../db/open.ts';
import { sqliteRecord } from '../storage/record/sqlite-record.ts';
import type { RecordStore } from '../storage/record/steps.ts';
import { type Account, accountsSteps, addUserSteps, parseNewUser } from './account-steps.ts';
import { FairQueue, type FairQueueOptions, QueueFullError } from './fair-queue.ts';
import { clearFailuresSteps, lockedUntilSteps, reserveAttemptSteps } from './login-throttle.ts';
import { OWASP_SCRYPT, type PasswordHash, type ScryptParams, checkPassword, hashPassword } from './password.ts';
import { insertTokenSteps, revokeTokenSteps, sessionUserSteps, setEnabledSteps, setPasswordSteps, tokenSessionSteps, toUser, userRowSteps, userSteps } from './session-steps.ts';
import { NewUser, type User } from './user-input.ts';

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
  get(username: string): Promise<User | null>;
  /**
   * Throws EARSHOT_E_HTTP_LOGIN_LOCKED, EARSHOT_E_HTTP_LOGIN_FAILED, or
   * EARSHOT_E_HTTP_LOGIN_BUSY when `source` (the client's address) already has
   * its share of password checks waiting.
   */
  login(username: string, password: string, source?: string): Promise<Session>;
  /** The account behind a live token, or null (unknown, expired, logged out, disabled). */
  authenticate(token: string): Promise<User | null>;
  /** The same, with the session's handle. */
  session(token: string): Promise<{ readonly user: User; readonly sessionId: string } | null>;
  /** The account of a live session, by its handle (signed links: dead once the session ends). */
  sessionUser(sessionId: string): Promise<User | null>;
  logout(token: string): Promise<void>;
  /**
   * True when this account may see a case assigned to `caseOfficer` (an account's
   * username): an officer sees their own cases; supervisors and admins see all.
   * Never by display name, which is not unique (issue 11 item 8).
   */
  canSeeCase(user: User, caseOfficer: string): boolean;
  /** Every account with whether it is enabled (administration, issue 12). */
  accounts(): Promise<Account[]>;
  /** Disables or enables an account; disabling ends its sessions at once. */
  setEnabled(username: string, enabled: boolean): Promise<User>;
  /** Sets a new password (an admin's reset) and ends the account's sessions. */
  resetPassword(username: string, password: string): Promise<User>;
}

export type { Account } from './account-steps.ts';

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

/** The embedded store's record, for accounts (which append nothing to the evidence log). */
function recordOf(store: Db | RecordStore, now: () => number): RecordStore {
  if ('write' in store && 'read' in store && 'store' in store) return store;
  return sqliteRecord({ db: store, now });
}

/** Accounts and sessions on either store: the embedded database, or the record port of any store. */
export function createUsers(store: Db | RecordStore, options: UsersOptions = {}): Users {
  const now = options.now ?? Date.now;
  const params = options.scrypt ?? OWASP_SCRYPT;
  const record = recordOf(store, now);
  const hashing = new FairQueue(options.hashing ?? LOGIN_HASHING);
  let decoy: Promise<PasswordHash> | null = null;
  const lockedError = (username: string, until: number): EarshotError => new EarshotError('EARSHOT_E_HTTP_LOGIN_LOCKED', `${username} until ${new Date(until).toISOString()}`);

  return {
    async add(input) {
      const u = parseNewUser(input);
      const h = await hashPassword(u.password, params);
      return record.write(addUserSteps(u, h, now()));
    },
    get: (username) => record.read(userSteps(username)),
    async login(username, password, source = 'local') {
      const at = now();
      const locked = await record.read(lockedUntilSteps(username, at));
      if (locked !== null) throw lockedError(username, locked);
      if (!hashing.hasRoom(source)) throw new EarshotError('EARSHOT_E_HTTP_LOGIN_BUSY', `too many logins from ${source} at once`);
      // Counted before it is evaluated (issue 11 item 7), in one transaction with the check that it may be.
      const refused = await record.write(reserveAttemptSteps(username, at));
      if (refused !== null) throw lockedError(username, refused);
      const row = await record.read(userRowSteps(username));
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
      const token = randomBytes(TOKEN_BYTES).toString('base64url');
      const sessionId = randomBytes(16).toString('hex');
      const issued = now();
      const expires = issued + TOKEN_LIFETIME_MS;
      await record.write((function* () {
        yield* clearFailuresSteps(row.username);
        yield* insertTokenSteps(sha256(token), row.username, issued, expires, sessionId);
      })());
      return { token, sessionId, expiresAt: new Date(expires).toISOString(), user: toUser(row) };
    },
    authenticate: async (token) => (await record.read(tokenSessionSteps(sha256(token), now())))?.user ?? null,
    session: (token) => record.read(tokenSessionSteps(sha256(token), now())),
    sessionUser: (sessionId) => record.read(sessionUserSteps(sessionId, now())),
    logout: (token) => record.write(revokeTokenSteps(sha256(token), now())),
    canSeeCase(user, caseOfficer) {
      if (user.role !== 'officer') return true;
      return caseOfficer === user.username;
    },
    accounts: () => record.read(accountsSteps()),
    setEnabled: (username, enabled) => record.write(setEnabledSteps(username, enabled, now())),
    async resetPassword(username, password) {
      const p = NewUser.shape.password.safeParse(password);
      if (!p.success) throw new EarshotError('EARSHOT_E_USER_INVALID', `password: ${describeIssues(p.error)}`);
      if ((await record.read(userRowSteps(username))) === undefined) throw new EarshotError('EARSHOT_E_USER_NOT_FOUND', username);
      const h = await hashPassword(p.data, params);
      return record.write(setPasswordSteps(username, h, now()));
    },
  };
}
