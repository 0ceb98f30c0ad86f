/**
 * `earshot store copy --from DATA_DIR --to postgres://…` (DESIGN §8): copies an
 * embedded installation into an empty PostgreSQL database and proves it,
 * printing one line per check (storage/copy/copy-store.ts). Exit 0 when every
 * check holds, 1 when one fails (nothing is kept), 2 when the target is not
 * empty or cannot be reached.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EarshotError, parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { resolveDataDir } from '../data-dir.ts';
import { openDatabase } from '../db/open.ts';
import { ALL_MIGRATIONS } from '../service/migrations.ts';
import { copyStore } from '../storage/copy/copy-store.ts';
import { openPostgres } from '../storage/postgres/connect.ts';
import { STORE_URL_ENV, parseStoreUrl, storeFromEnv } from '../storage/store-url.ts';
import type { Command } from './context.ts';

const copy: Command = async (args, io) => {
  const a = parseCommand(args, { from: { type: 'string' }, to: { type: 'string' } }, z.object({ positionals: z.array(z.string()).max(0), from: z.string().min(1), to: z.string().optional() }));
  const target = a.to === undefined ? storeFromEnv() : parseStoreUrl(a.to, '--to');
  if (target.kind !== 'postgres') throw new EarshotError('EARSHOT_E_USAGE', `earshot store copy needs --to postgres://USER:PASS@HOST:PORT/DB (or ${STORE_URL_ENV})`);
  const dir = resolveDataDir(a.from);
  const file = join(dir, 'earshot.db');
  if (!existsSync(file)) throw new EarshotError('EARSHOT_E_FILE_UNREADABLE', `${dir} holds no earshot.db: --from names the data folder of an embedded installation`);
  const db = openDatabase(file, ALL_MIGRATIONS);
  try {
    const pool = await openPostgres(target);
    try {
      const report = await copyStore({ db, clipsDir: join(dir, 'clips') }, pool);
      for (const c of report.checks) io.out(`${c.ok ? 'OK  ' : 'FAIL'} ${c.line}`);
      const failed = report.checks.filter((c) => !c.ok).length;
      if (failed > 0) throw new EarshotError('EARSHOT_E_STORE_COPY_MISMATCH', `${failed} of ${report.checks.length} checks failed; nothing was kept in ${target.display}`);
      io.out(`Copied ${report.rows} rows and ${report.clips} clips from ${dir} to ${target.display}; every check holds.`);
      return 0;
    } finally {
      await pool.end();
    }
  } finally {
    db.close();
  }
};

export const storeCommands: Record<string, Command> = { copy };
