/**
 * `earshot bundle export <caseRef> [--from ISO] [--to ISO] [--out DIR] [--initials JS] [--include-complainant]`
 * (DESIGN §6): writes `<caseRef>_<from>_<to>.zip` — the same ZIP as the web
 * view's button. The period defaults to the case's whole record.
 */
import { userInfo } from 'node:os';
import { basename, resolve } from 'node:path';
import { parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { exportCaseBundle } from '../export/exporter.ts';
import { loadSettings } from '../service/settings.ts';
import { accessPortFor, createAccessLog } from '../users/index.ts';
import { type Command, DATA_DIR_OPTION } from './context.ts';
import { withIngest } from './with-ingest.ts';

const exportCommand: Command = (args, io) => {
  const a = parseCommand(args, {
    ...DATA_DIR_OPTION, config: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' }, initials: { type: 'string' }, 'include-complainant': { type: 'boolean' },
  }, z.object({
    positionals: z.array(z.string()).length(1, 'one case reference: earshot bundle export <caseRef>'), 'data-dir': z.string().optional(),
    config: z.string().optional(), from: z.string().optional(), to: z.string().optional(), out: z.string().default('.'), initials: z.string().optional(), 'include-complainant': z.boolean().default(false),
  }));
  return withIngest(a['data-dir'], async (ingest) => {
    const settings = loadSettings(a.config);
    let shown = -1;
    const r = await exportCaseBundle(ingest, a.positionals[0]!, {
      from: a.from, to: a.to, initials: a.initials, includeComplainant: a['include-complainant'],
      onProgress: (fraction) => {
        const pct = Math.floor(fraction * 10) * 10;
        if (pct > shown && process.stderr.isTTY) {
          shown = pct;
          io.err(`  ${pct}%`);
        }
      },
    }, { outDir: resolve(a.out), rules: settings.rules, lowFrequency: settings.lowFrequency });
    // Every export is part of the record (issue 5), from the web view or from here.
    createAccessLog(ingest.db, accessPortFor(ingest.log)).record({ username: `cli:${userInfo().username}`, action: 'export', caseRef: a.positionals[0]!, target: basename(r.path) });
    io.out(r.path);
    return 0;
  });
};

export const bundleCommands: Record<string, Command> = { export: exportCommand };
