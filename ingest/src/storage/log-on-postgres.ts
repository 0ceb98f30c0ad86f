/**
 * `earshot log verify` and `earshot log head` on a PostgreSQL store (DESIGN §5,
 * §8). The server key stays in the data folder (`keys/server-key.pem`, DESIGN
 * §7), never in the database: every process that signs must be given the same
 * key file. Neither task makes a key: a new one would sign heads no earlier
 * head is consistent with.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EarshotError } from '@earshot/shared';
import { SERVER_KEY_FILE, type ServerKey, loadOrCreateServerKey } from '../evidence/server-key.ts';
import { type SignedTreeHead, signTreeHead } from '../evidence/tree-head.ts';
import type { LogReport } from '../evidence/verify-log.ts';
import type { EvidenceLogPort, StoredTreeHead } from './evidence-log-port.ts';
import { openPostgres } from './postgres/connect.ts';
import { postgresEvidenceLog } from './postgres/evidence-log.ts';
import type { PostgresTarget } from './store-url.ts';
import { verifyLogPort } from './verify-log.ts';

/** The data folder's server key; never a new one (see above). */
export function existingKey(dataDir: string): ServerKey {
  const keys = join(dataDir, 'keys');
  if (!existsSync(join(keys, SERVER_KEY_FILE))) {
    throw new EarshotError('EARSHOT_E_SERVER_KEY_INVALID', `no ${SERVER_KEY_FILE} in ${keys}: give --data-dir the folder holding the key that signs this log's tree heads`);
  }
  return loadOrCreateServerKey(keys);
}

export async function verifyLogOnPostgres(target: PostgresTarget, dataDir: string): Promise<LogReport> {
  const pool = await openPostgres(target);
  try {
    const key = existingKey(dataDir);
    return await verifyLogPort(postgresEvidenceLog(pool), key.publicKey);
  } finally {
    await pool.end();
  }
}

export async function signTreeHeadOnPostgres(target: PostgresTarget, dataDir: string, now: Date = new Date()): Promise<StoredTreeHead> {
  const pool = await openPostgres(target);
  try {
    const { stored } = await signHeadOf(postgresEvidenceLog(pool), existingKey(dataDir), now);
    return stored;
  } finally {
    await pool.end();
  }
}

/** Signs and records a head of the log as it is now: what it signed, and the row recorded. */
export async function signHeadOf(log: EvidenceLogPort, key: ServerKey, now: Date): Promise<{ signed: SignedTreeHead; stored: StoredTreeHead }> {
  // A tree of a given size never changes, so size and root need no lock against appenders.
  const size = await log.size();
  const signed = signTreeHead(size, await log.root(size), now, key.privateKey, key.logId);
  return { signed, stored: await log.recordTreeHead(size, signed.bytes, signed.signature) };
}
