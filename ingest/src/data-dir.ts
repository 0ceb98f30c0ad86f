/**
 * The ingest data folder (DESIGN §7): one folder holds the SQLite database, the
 * clips (content-addressed by sha256) and the server key, so backing up that
 * folder backs up everything. `--data-dir`, else EARSHOT_DATA_DIR, else ./data.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface DataDir {
  root: string;
  database: string;
  clips: string;
  keys: string;
}

export const DEFAULT_DATA_DIR = './data';

export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env['EARSHOT_DATA_DIR'] ?? DEFAULT_DATA_DIR);
}

/** Creates the folder and its parts (owner-only: it holds the server's private key). */
export function prepareDataDir(root: string): DataDir {
  const dir: DataDir = { root, database: join(root, 'earshot.db'), clips: join(root, 'clips'), keys: join(root, 'keys') };
  for (const d of [dir.root, dir.clips, dir.keys]) mkdirSync(d, { recursive: true, mode: 0o700 });
  return dir;
}
