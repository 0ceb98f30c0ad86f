/**
 * `earshot log verify [--json]`: recomputes the Merkle tree from every stored
 * leaf and checks every signed tree head (DESIGN §5). Exit 0 when all hold,
 * 1 naming each failure.
 * `earshot log head`: signs a tree head now and prints its exact bytes.
 * Both work on the store EARSHOT_STORE_URL names (DESIGN §8): PostgreSQL through the storage port.
 */
import { parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { resolveDataDir } from '../data-dir.ts';
import type { LogReport } from '../evidence/verify-log.ts';
import { signTreeHeadOnPostgres, verifyLogOnPostgres } from '../storage/log-on-postgres.ts';
import { storeFromEnv } from '../storage/store-url.ts';
import { type Command, DATA_DIR_OPTION } from './context.ts';
import { withIngest } from './with-ingest.ts';

const verify: Command = async (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, json: { type: 'boolean' } }, z.object({ positionals: z.array(z.string()).max(0), 'data-dir': z.string().optional(), json: z.boolean().default(false) }));
  const store = storeFromEnv();
  const print = (r: LogReport): number => {
    if (a.json) io.out(JSON.stringify(r));
    else {
      for (const f of r.failures) io.out(`FAIL ${f.code}${f.leafIndex === undefined ? '' : ` leaf ${f.leafIndex}`}${f.treeHeadId === undefined ? '' : ` tree head ${f.treeHeadId}`}: ${f.detail}`);
      if (r.failureCount > r.failures.length) io.out(`… and ${r.failureCount - r.failures.length} more failures`);
      io.out(r.ok ? `OK: ${r.leaves} leaves and ${r.treeHeads} signed tree heads verified.` : `${r.failureCount} failure(s) in ${r.leaves} leaves and ${r.treeHeads} signed tree heads.`);
    }
    return r.ok ? 0 : 1;
  };
  if (store.kind === 'postgres') return print(await verifyLogOnPostgres(store, resolveDataDir(a['data-dir'])));
  return withIngest(a['data-dir'], (ingest) => print(ingest.log.verify()));
};

const head: Command = async (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION }, z.object({ positionals: z.array(z.string()).max(0), 'data-dir': z.string().optional() }));
  const store = storeFromEnv();
  if (store.kind === 'postgres') {
    const h = await signTreeHeadOnPostgres(store, resolveDataDir(a['data-dir']));
    io.out(h.bytes.toString('utf8'));
    io.out(h.signature.toString('base64'));
    return 0;
  }
  return withIngest(a['data-dir'], (ingest) => {
    const h = ingest.log.signTreeHead();
    io.out(h.bytes.toString('utf8'));
    io.out(h.signature.toString('base64'));
    return 0;
  });
};

export const logCommands: Record<string, Command> = { verify, head };
