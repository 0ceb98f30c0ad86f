/**
 * Accounts as steps of the record port (storage/record/steps.ts): adding one and listing them, the same on
 * either store. The embedded service's `createUsers` (users.ts) runs them on SQLite; the commands run them on
 * PostgreSQL through `postgresRecord`.
 */
import { EarshotError, describeIssues } from '@earshot/shared';
import type { RecordStore, Steps } from '../storage/record/steps.ts';
import { all, get } from '../storage/record/steps.ts';
import { OWASP_SCRYPT, type PasswordHash, type ScryptParams, hashPassword } from './password.ts';
import { NewUser, type Role, type User } from './user-input.ts';

type CheckedUser = ReturnType<typeof NewUser.parse>;

export interface Account extends User {
  readonly enabled: boolean;
}

interface AccountRow {
  username: string;
  display_name: string;
  initials: string;
  role: Role;
  enabled: number;
}

const toAccount = (r: AccountRow): Account => ({ username: r.username, displayName: r.display_name, initials: r.initials, role: r.role, enabled: r.enabled === 1 });

/** Every account with whether it is enabled, by username. */
export function* accountsSteps(): Steps<Account[]> {
  return (yield* all<AccountRow>('SELECT username, display_name, initials, role, enabled FROM users ORDER BY username')).map(toAccount);
}

/** A new account from its checked input and password hash; EARSHOT_E_USER_EXISTS when the username is taken. */
export function* addUserSteps(u: CheckedUser, h: PasswordHash, nowMs: number): Steps<User> {
  const added = yield* get<{ username: string }>(
    `INSERT INTO users (username, display_name, initials, role, password_salt, password_hash, scrypt_n, scrypt_r, scrypt_p, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING username`,
    u.username, u.displayName, u.initials, u.role, h.salt, h.hash, h.params.N, h.params.r, h.params.p, nowMs,
  );
  if (added === undefined) throw new EarshotError('EARSHOT_E_USER_EXISTS', u.username);
  return { username: u.username, displayName: u.displayName, initials: u.initials, role: u.role };
}

/** Checks a new account's input, in a sentence with a stable code. */
export function parseNewUser(input: unknown): CheckedUser {
  const r = NewUser.safeParse(input);
  if (!r.success) throw new EarshotError('EARSHOT_E_USER_INVALID', describeIssues(r.error));
  return r.data;
}

/** Adds an account on either store: the password hashed first, outside the transaction. */
export async function addAccount(record: RecordStore, input: unknown, scrypt: ScryptParams = OWASP_SCRYPT): Promise<User> {
  const u = parseNewUser(input);
  const h = await hashPassword(u.password, scrypt);
  return record.write(addUserSteps(u, h, record.now()));
}
