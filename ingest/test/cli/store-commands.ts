/**
 * Runs `earshot <group> <sub> …` in this process as the command line does (the store check first), on the
 * store a URL names (undefined: the SQLite file), for tests that compare a session's lines on both stores.
 * EARSHOT_STORE_URL is put back after each test.
 */
import { EarshotError } from '@earshot/shared';
import { afterEach } from 'vitest';
import type { Command, Io } from '../../src/cli/context.ts';
import { checkStoreForCommand } from '../../src/storage/command-support.ts';

export type StoreCommand = (url: string | undefined, dataDir: string, group: string, sub: string, ...args: string[]) => Promise<string[]>;

/** Its lines (stdout, then `err: ` lines), then `exit N` — or `refused CODE`, or `(not run here)` for a group not given. */
export function storeCommands(groups: Record<string, Record<string, Command>>, stdin = 'a long enough password\n'): StoreCommand {
  const saved = process.env['EARSHOT_STORE_URL'];
  afterEach(() => {
    if (saved === undefined) delete process.env['EARSHOT_STORE_URL'];
    else process.env['EARSHOT_STORE_URL'] = saved;
  });
  return async (url, dataDir, group, sub, ...args) => {
    if (url === undefined) delete process.env['EARSHOT_STORE_URL'];
    else process.env['EARSHOT_STORE_URL'] = url;
    const out: string[] = [];
    const io: Io = { out: (l) => out.push(l), err: (l) => out.push(`err: ${l}`), stdin: () => Promise.resolve(stdin) };
    try {
      checkStoreForCommand(group, sub);
      if (groups[group] === undefined) return ['(not run here)'];
      out.push(`exit ${await groups[group][sub]!([...args, '--data-dir', dataDir], io)}`);
    } catch (e) {
      if (!(e instanceof EarshotError)) throw e;
      out.push(`refused ${e.code}`);
    }
    return out;
  };
}
