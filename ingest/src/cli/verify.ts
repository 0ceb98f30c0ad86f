/**
 * `earshot verify BUNDLE.zip [--json]` (DESIGN §6): offline, with nothing but the
 * bundle — checks the manifest, every leaf's inclusion proof against the signed
 * tree head, and the tree head's signature. Exit 0 when all hold, 1 naming each
 * failure, 2 when the file is not a bundle at all.
 */
import { parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { verifyBundle } from '../bundle/verify-bundle.ts';
import type { Command } from './context.ts';

export const verifyCommand: Command = async (args, io) => {
  const a = parseCommand(args, { json: { type: 'boolean' } }, z.object({ positionals: z.array(z.string()).length(1, 'one bundle: earshot verify BUNDLE.zip'), json: z.boolean().default(false) }));
  const file = a.positionals[0]!;
  const r = await verifyBundle(file);
  if (a.json) {
    io.out(JSON.stringify(r));
    return r.ok ? 0 : 1;
  }
  for (const f of r.failures) {
    const where = [f.file, f.leafIndex === undefined ? undefined : `leaf ${f.leafIndex}`].filter((x) => x !== undefined).join(', ');
    io.out(`FAIL ${f.code}${where === '' ? '' : ` (${where})`}: ${f.detail}`);
  }
  const head = r.treeHead === null ? 'tree head signature NOT verified' : `signed tree head of ${r.treeHead.treeSize} leaves at ${r.treeHead.timestamp}`;
  io.out(r.ok
    ? `OK: ${file}: ${r.filesVerified} files match MANIFEST.sha256; ${r.provedLeaves} evidence leaves proved against the ${head}.`
    : `${r.failures.length} failure(s) in ${file}; ${head}.`);
  return r.ok ? 0 : 1;
};
