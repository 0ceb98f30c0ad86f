/** Display names of accounts, for pages that name who did what (a username with no account stays as it is). */
import type { Users } from '../users/index.ts';

export async function accountNames(users: Users): Promise<(username: string) => string> {
  const names = new Map((await users.accounts()).map((a) => [a.username, a.displayName]));
  return (username) => names.get(username) ?? username;
}
