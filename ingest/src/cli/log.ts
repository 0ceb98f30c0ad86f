/**
 * `earshot log verify [--json]`: recomputes the Merkle tree from every stored
 * leaf and checks every signed tree head (DESIGN §5). Exit 0 when all hold,
 * 1 naming each failure.
 * `earshot log head`: signs a tree head now and prints its exact bytes.
 */
import { parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { type Command, DATA_DIR_OPTION, withIngest } from './context.ts';

const verify: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, json: { type: 'boolean' } }, z.object({ positionals: z.array(z.string()).max(0), 'data-dir': z.string().optional(), json: z.boolean().default(false) }));
  return withIngest(a['data-dir'], (ingest) => {
    const r = ingest.log.verify();
    if (a.json) io.out(JSON.stringify(r));
    else {
      for (const f of r.failures) io.out(`FAIL ${f.code}${f.leafIndex === undefined ? '' : ` leaf ${f.leafIndex}`}${f.treeHeadId === undefined ? '' : ` tree head ${f.treeHeadId}`}: ${f.detail}`);
      if (r.failureCount > r.failures.length) io.out(`… and ${r.failureCount - r.failures.length} more failures`);
      io.out(r.ok ? `OK: ${r.leaves} leaves and ${r.treeHeads} signed tree heads verified.` : `${r.failureCount} failure(s) in ${r.leaves} leaves and ${r.treeHeads} signed tree heads.`);
    }
    return r.ok ? 0 : 1;
  });
};

const head: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION }, z.object({ positionals: z.array(z.string()).max(0), 'data-dir': z.string().optional() }));
  return withIngest(a['data-dir'], (ingest) => {
    const h = ingest.log.signTreeHead();
    io.out(h.bytes.toString('utf8'));
    io.out(h.signature.toString('base64'));
    return 0;
  });
};

export const logCommands: Record<string, Command> = { verify, head };
