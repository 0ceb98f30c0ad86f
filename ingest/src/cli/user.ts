/**
 * `earshot user add <username> --name "Jo Smith" --initials JS --role officer|supervisor|admin [--password-stdin]`
 * `earshot user list [--json]`
 * Without --password-stdin a strong password is made and shown once.
 */
import { randomBytes } from 'node:crypto';
import { parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { accountsSteps, addAccount } from '../users/account-steps.ts';
import { type Command, DATA_DIR_OPTION, table } from './context.ts';
import { withRecordStore } from './with-record-store.ts';

const add: Command = async (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, name: { type: 'string' }, initials: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean' } }, z.object({
    positionals: z.array(z.string()).length(1, 'one username: earshot user add <username>'), 'data-dir': z.string().optional(),
    name: z.string(), initials: z.string(), role: z.enum(['officer', 'supervisor', 'admin']), 'password-stdin': z.boolean().default(false),
  }));
  const password = a['password-stdin'] ? (await io.stdin()).split(/\r?\n/)[0] ?? '' : randomBytes(12).toString('base64url');
  return withRecordStore(a['data-dir'], 'write', async (record) => {
    const u = await addAccount(record, { username: a.positionals[0]!, displayName: a.name, initials: a.initials, role: a.role, password });
    io.out(`User ${u.username} (${u.role}) added.`);
    if (!a['password-stdin']) io.out(`password (shown once): ${password}`);
    return 0;
  });
};

const list: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, json: { type: 'boolean' } }, z.object({ positionals: z.array(z.string()).max(0), 'data-dir': z.string().optional(), json: z.boolean().default(false) }));
  return withRecordStore(a['data-dir'], 'read', async (record) => {
    const users = await record.read(accountsSteps());
    if (a.json) io.out(JSON.stringify(users));
    else table(io, users.map((u) => ({ username: u.username, name: u.displayName, initials: u.initials, role: u.role })), ['username', 'name', 'initials', 'role'], 'No users: earshot user add <username> …');
    return 0;
  });
};

export const userCommands: Record<string, Command> = { add, list };
