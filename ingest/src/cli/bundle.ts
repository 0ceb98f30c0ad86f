/**
 * `earshot bundle export <caseRef> [--from ISO] [--to ISO] [--out DIR] [--initials JS] [--include-complainant]`
 * (DESIGN §6): writes `<caseRef>_<from>_<to>.zip` — the same ZIP as the web
 * view's button. The period defaults to the case's whole record.
 */
import { userInfo } from 'node:os';
import { basename, resolve } from 'node:path';
import { parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { type ExportRequest, type ExporterOptions, exportCaseBundle } from '../export/exporter.ts';
import { resolveDataDir } from '../data-dir.ts';
import { storeFromEnv, type PostgresTarget } from '../storage/store-url.ts';
import type { AccessRecord } from '../users/access-log.ts';
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
  const caseRef = a.positionals[0]!;
  const settings = loadSettings(a.config);
  let shown = -1;
  const request: ExportRequest = {
    from: a.from, to: a.to, initials: a.initials, includeComplainant: a['include-complainant'],
    onProgress: (fraction) => {
      const pct = Math.floor(fraction * 10) * 10;
      if (pct > shown && process.stderr.isTTY) {
        shown = pct;
        io.err(`  ${pct}%`);
      }
    },
  };
  const options = { outDir: resolve(a.out), rules: settings.rules, lowFrequency: settings.lowFrequency };
  // Every export is part of the record (issue 5), from the web view or from here.
  const access = (path: string): AccessRecord => ({ username: `cli:${userInfo().username}`, action: 'export', caseRef, target: basename(path) });
  const store = storeFromEnv();
  if (store.kind === 'postgres') return exportOnPostgres(store, resolveDataDir(a['data-dir']), caseRef, request, options, access, io);
  return withIngest(a['data-dir'], async (ingest) => {
    const r = await exportCaseBundle(ingest, caseRef, request, options);
    createAccessLog(ingest.db, accessPortFor(ingest.log)).record(access(r.path));
    io.out(r.path);
    return 0;
  });
};

/** The same export from PostgreSQL (export/export-on-postgres.ts), signed with the data folder's server key; the driver loaded only here. */
async function exportOnPostgres(store: PostgresTarget, dataDir: string, caseRef: string, request: ExportRequest, options: ExporterOptions, access: (path: string) => AccessRecord, io: Parameters<Command>[1]): Promise<number> {
  const [{ openPostgres }, { postgresRecord }, { exportCaseBundleOnPostgres }, { existingKey }, { recordAccessSteps }] = await Promise.all([
    import('../storage/postgres/connect.ts'), import('../storage/record/postgres-record.ts'), import('../export/export-on-postgres.ts'),
    import('../storage/log-on-postgres.ts'), import('../users/access-log.ts'),
  ]);
  const key = existingKey(dataDir);
  const pool = await openPostgres(store, { maxConnections: 2 });
  try {
    const r = await exportCaseBundleOnPostgres({ pool, key }, caseRef, request, options);
    const record = postgresRecord(pool);
    await record.write(recordAccessSteps(access(r.path), record.now()));
    io.out(r.path);
    return 0;
  } finally {
    await pool.end();
  }
}

export const bundleCommands: Record<string, Command> = { export: exportCommand };
