/**
 * The device-secret check at CONNECT, one rule for every registry (registry.ts
 * on SQLite, storage/postgres/device-registry.ts): the registry says how to
 * read a device's stored secret and state, and how to store an upgraded hash;
 * the work and the answer are decided here, so both stores answer alike and
 * stay constant-time.
 */
import { FairQueue, QueueFullError } from '../users/fair-queue.ts';
import { checkKeyedSecret, checkScryptSecret, type HashedSecret, hashSecret, isKeyedHash, newSecret } from './secret.ts';

/** 'busy': an older scrypt-hashed row could not be checked now (too many such checks waiting); the device retries. */
export type Credentials = 'ok' | 'unknown' | 'disabled' | 'bad-secret' | 'busy';

/**
 * scrypt checks of rows written before the keyed hash run one at a time, at
 * most two waiting per device id and 256 in all, so they cannot take the libuv
 * pool from officer logins and the web view's file reads (issue 11).
 */
export const LEGACY_CHECKS = { concurrency: 1, maxPerSource: 2, maxQueued: 256 } as const;

/** What a registry holds of one device for the check. */
export interface StoredCredentials {
  readonly secret: HashedSecret;
  readonly enabled: boolean;
}

export type CheckCredentials = (
  id: string,
  password: Buffer | undefined,
  /** The device's row now (undefined: no such device); called again after a slow check. */
  read: () => StoredCredentials | undefined,
  /** Stores the keyed hash in place of an older scrypt hash that matched (`was`). */
  upgrade: (next: HashedSecret, was: HashedSecret) => void,
) => Promise<Credentials>;

/** One checker per registry: its dummy hash and its queue of slow checks. */
export function createCredentialCheck(): CheckCredentials {
  const dummy = hashSecret(newSecret());
  const legacy = new FairQueue(LEGACY_CHECKS);
  return async (id, password, read, upgrade) => {
    const r = read();
    const given = password ?? Buffer.alloc(0);
    const stored = r === undefined ? dummy : r.secret;
    let good: boolean;
    if (isKeyedHash(stored)) {
      // An unknown id is checked against a dummy keyed hash: the same microsecond of
      // work, so timing tells an outsider little about which ids exist, and a refusal
      // says neither whether an id exists nor whether it is disabled.
      good = checkKeyedSecret(given, stored);
    } else {
      try {
        good = await legacy.run(id, () => checkScryptSecret(given, stored));
      } catch (e) {
        if (e instanceof QueueFullError) return 'busy';
        throw e;
      }
      // Upgrade at the first good CONNECT: from now on this device costs a keyed hash.
      if (good) upgrade(hashSecret(given), stored);
    }
    if (r === undefined) return 'unknown';
    if (!good) return 'bad-secret';
    // Read again: disabled while a slow hash was being checked is still refused.
    return read()?.enabled === true ? 'ok' : 'disabled';
  };
}
