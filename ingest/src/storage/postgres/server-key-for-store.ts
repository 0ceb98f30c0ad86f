/**
 * The server key of a process on a PostgreSQL store (`earshot serve`, `earshot
 * device add`). The key stays in the data folder (DESIGN §7 keys/server-key.pem),
 * never in the database, and every process of one store must hold the same one:
 * monitors are provisioned with its public key and refuse receipts signed by
 * another (DESIGN §4), and a tree head signed by another breaks the log's chain
 * of heads. So a key is made only for a store still new (no device, no leaf, no
 * head); a missing key otherwise means the data folder is the wrong one, and a
 * key other than the one the store's latest head names is refused.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EarshotError } from '@earshot/shared';
import type pg from 'pg';
import { SERVER_KEY_FILE, type ServerKey, loadOrCreateServerKey } from '../../evidence/server-key.ts';
import { TreeHead } from '../../evidence/tree-head.ts';
import type { PostgresTarget } from '../store-url.ts';
import { postgresEvidenceLog } from './evidence-log.ts';

export async function serverKeyForStore(pool: pg.Pool, target: PostgresTarget, dataDir: string): Promise<ServerKey> {
  const keys = join(dataDir, 'keys');
  if (!existsSync(join(keys, SERVER_KEY_FILE))) {
    const r = await pool.query<{ used: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM devices) OR EXISTS (SELECT 1 FROM evidence_leaves) OR EXISTS (SELECT 1 FROM evidence_tree_heads) AS used');
    if (r.rows[0]?.used !== false) {
      throw new EarshotError('EARSHOT_E_SERVER_KEY_INVALID', `no ${SERVER_KEY_FILE} in ${keys}, and ${target.display} already holds devices or evidence: give --data-dir the folder holding the key of this installation (copy keys/${SERVER_KEY_FILE} to every machine that runs earshot serve on this store)`);
    }
    mkdirSync(keys, { recursive: true, mode: 0o700 });
  }
  const key = loadOrCreateServerKey(keys);
  const latest = await postgresEvidenceLog(pool).latestTreeHead();
  if (latest !== null) {
    const { logId } = TreeHead.parse(JSON.parse(latest.bytes.toString('utf8')));
    if (logId !== key.logId) {
      throw new EarshotError('EARSHOT_E_SERVER_KEY_INVALID', `${join(keys, SERVER_KEY_FILE)} is not the key ${target.display}'s tree heads are signed with (log id ${logId.slice(0, 16)}…, this key's ${key.logId.slice(0, 16)}…): use the key of this installation`);
    }
  }
  return key;
}
