/**
 * The device registry (issue 4: broker and device identity).
 *
 * Public key: each device makes its Ed25519 key pair itself at provisioning and
 * keeps the private key. Its public key is either registered with the device,
 * `add(id, { publicKeyPem })` (`earshot device add <id> --public-key FILE`), or
 * pinned at its first connection: its status heartbeat presents the key, and the
 * pipeline pins it if that status verifies with it (pipeline/steps/verify.ts).
 * Until a key is pinned the device's other signed messages are quarantined whole
 * (EARSHOT_E_KEY_NOT_PINNED). A pinned key is never replaced silently:
 * `pinPublicKey` refuses when one is set.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { DEVICE_ID_PATTERN, EarshotError } from '@earshot/shared';
import { BUSY_TIMEOUT_MS, type Db } from '../db/open.ts';
import { type Credentials, createCredentialCheck } from './credential-check.ts';
import { hashSecret, KEYED_HASH_N, newSecret } from './secret.ts';

export { type Credentials, LEGACY_CHECKS } from './credential-check.ts';

export interface DeviceInfo {
  id: string;
  enabled: boolean;
  publicKeyPem: string | null;
  keyPinnedAt: number | null;
  createdAt: number;
}

/**
 * How far back a poller of disabledSince/changedSince must look past its last poll: a change's `changed_at` is
 * stamped before its write waits for the database's lock (up to BUSY_TIMEOUT_MS), and the other process's clock and
 * scheduling add to that. A poller that looked back only one interval missed changes committed late.
 */
export const CHANGE_LAG_MS = BUSY_TIMEOUT_MS + 5_000;

export interface Provisioned {
  deviceId: string;
  /** Shown once: only its keyed hash is stored (secret.ts). */
  secret: string;
}

export interface DeviceRegistry {
  add(id: string, opts?: { publicKeyPem?: string; now?: number }): Provisioned;
  get(id: string): DeviceInfo | null;
  list(): DeviceInfo[];
  /** Every device's id, in the order of list(): what the config sync walks every few seconds, without the rest of each row. */
  ids(): string[];
  disable(id: string, now?: number): void;
  enable(id: string, now?: number): void;
  pinPublicKey(id: string, publicKeyPem: string, now?: number): void;
  /** Drops the cached parsed key (after a transaction that pinned it was rolled back). */
  forgetCachedKey(id: string): void;
  /** The pinned key, parsed once and cached. */
  publicKey(id: string): KeyObject | null;
  checkCredentials(id: string, password: Buffer | undefined): Promise<Credentials>;
  /** True when this id's stored secret is an older scrypt hash (its check is slow until upgraded). */
  needsSlowCheck(id: string): boolean;
  /** Devices disabled after `since` (ms), for a broker to cut connections opened before another process disabled them. */
  disabledSince(since: number): string[];
  /** Called in this process whenever a device is disabled. */
  onDisable(listener: (id: string) => void): void;
  /** Devices changed after `since` (ms) with their state now, for an external broker's accounts (broker-client/account-sync.ts). */
  changedSince(since: number): { id: string; enabled: boolean; changedAt: number }[];
  /** Called in this process with each device added, while its secret still exists (an external broker's account is made from it). */
  onAdd(listener: (p: Provisioned) => void): void;
  /** Takes back an `add` of moments ago (its broker account could not be made); false when the row is not that one any more. */
  undoAdd(id: string, createdAt: number): boolean;
}

/** A `devices` row as the store returns it (devices/migrations.ts; PostgreSQL's mirror adds nothing the registry reads). */
export interface DeviceRow {
  id: string;
  secret_salt: Buffer;
  secret_hash: Buffer;
  scrypt_n: number;
  scrypt_r: number;
  scrypt_p: number;
  public_key: string | null;
  key_pinned_at: number | null;
  enabled: number;
  created_at: number;
}

function info(r: DeviceRow): DeviceInfo {
  return { id: r.id, enabled: r.enabled === 1, publicKeyPem: r.public_key, keyPinnedAt: r.key_pinned_at, createdAt: r.created_at };
}

/** Parses and checks an Ed25519 SubjectPublicKeyInfo PEM; returns it normalised. */
export function parseDevicePublicKey(pem: string): { key: KeyObject; pem: string } {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (e) {
    throw new EarshotError('EARSHOT_E_DEVICE_KEY_INVALID', (e as Error).message);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new EarshotError('EARSHOT_E_DEVICE_KEY_INVALID', `a ${key.asymmetricKeyType ?? 'unknown'} key`);
  return { key, pem: key.export({ format: 'pem', type: 'spki' }).toString() };
}

export function createDeviceRegistry(db: Db): DeviceRegistry {
  const insert = db.prepare<[string, Buffer, Buffer, number, number, number, string | null, number | null, number, number]>(
    `INSERT INTO devices (id, secret_salt, secret_hash, scrypt_n, scrypt_r, scrypt_p, public_key, key_pinned_at, created_at, changed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const byId = db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE id = ?');
  const all = db.prepare<[], DeviceRow>('SELECT * FROM devices ORDER BY id');
  const allIds = db.prepare<[], string>('SELECT id FROM devices ORDER BY id').pluck();
  const setEnabled = db.prepare<[number, number, string]>('UPDATE devices SET enabled = ?, changed_at = ? WHERE id = ?');
  const setKey = db.prepare<[string, number, number, string]>('UPDATE devices SET public_key = ?, key_pinned_at = ?, changed_at = ? WHERE id = ? AND public_key IS NULL');
  const disabledAfter = db.prepare<[number], { id: string }>('SELECT id FROM devices WHERE enabled = 0 AND changed_at > ?');
  const removeNew = db.prepare<[string, number]>('DELETE FROM devices WHERE id = ? AND created_at = ?');
  const changedAfter = db.prepare<[number], { id: string; enabled: number; changed_at: number }>('SELECT id, enabled, changed_at FROM devices WHERE changed_at > ?');
  const keys = new Map<string, KeyObject>();
  const setHash = db.prepare<[Buffer, Buffer, number, number, number, string]>('UPDATE devices SET secret_salt = ?, secret_hash = ?, scrypt_n = ?, scrypt_r = ?, scrypt_p = ? WHERE id = ?');
  const check = createCredentialCheck();
  const listeners: ((id: string) => void)[] = [];
  const addListeners: ((p: Provisioned) => void)[] = [];

  function mustGet(id: string): DeviceRow {
    const r = byId.get(id);
    if (r === undefined) throw new EarshotError('EARSHOT_E_DEVICE_UNKNOWN', id);
    return r;
  }

  function changeEnabled(id: string, enabled: boolean, now: number): void {
    mustGet(id);
    setEnabled.run(enabled ? 1 : 0, now, id);
  }

  return {
    add(id, opts = {}) {
      if (!DEVICE_ID_PATTERN.test(id)) throw new EarshotError('EARSHOT_E_DEVICE_ID_INVALID', id);
      const key = opts.publicKeyPem === undefined ? null : parseDevicePublicKey(opts.publicKeyPem).pem;
      const now = opts.now ?? Date.now();
      const secret = newSecret();
      const h = hashSecret(secret);
      const r = insert.run(id, h.salt, h.hash, h.params.N, h.params.r, h.params.p, key, key === null ? null : now, now, now);
      if (r.changes === 0) throw new EarshotError('EARSHOT_E_DEVICE_EXISTS', id);
      const p = { deviceId: id, secret };
      for (const l of addListeners) l(p);
      return p;
    },
    get(id) {
      const r = byId.get(id);
      return r === undefined ? null : info(r);
    },
    list() {
      return all.all().map(info);
    },
    ids() {
      return allIds.all();
    },
    disable(id, now = Date.now()) {
      changeEnabled(id, false, now);
      for (const l of listeners) l(id);
    },
    enable(id, now = Date.now()) {
      changeEnabled(id, true, now);
    },
    pinPublicKey(id, pem, now = Date.now()) {
      const parsed = parseDevicePublicKey(pem);
      mustGet(id);
      if (setKey.run(parsed.pem, now, now, id).changes === 0) throw new EarshotError('EARSHOT_E_DEVICE_KEY_PINNED', id);
      keys.set(id, parsed.key);
    },
    forgetCachedKey(id) {
      keys.delete(id);
    },
    publicKey(id) {
      const cached = keys.get(id);
      if (cached !== undefined) return cached;
      const pem = byId.get(id)?.public_key;
      if (pem === undefined || pem === null) return null;
      const key = createPublicKey({ key: pem, format: 'pem' });
      keys.set(id, key);
      return key;
    },
    checkCredentials(id, password) {
      const read = () => {
        const r = byId.get(id);
        return r === undefined ? undefined : { secret: { salt: r.secret_salt, hash: r.secret_hash, params: { N: r.scrypt_n, r: r.scrypt_r, p: r.scrypt_p } }, enabled: r.enabled === 1 };
      };
      return check(id, password, read, (h) => setHash.run(h.salt, h.hash, h.params.N, h.params.r, h.params.p, id));
    },
    needsSlowCheck(id) {
      const n = byId.get(id)?.scrypt_n;
      return n !== undefined && n !== KEYED_HASH_N;
    },
    disabledSince(since) {
      return disabledAfter.all(since).map((r) => r.id);
    },
    onDisable(listener) {
      listeners.push(listener);
    },
    changedSince(since) {
      return changedAfter.all(since).map((r) => ({ id: r.id, enabled: r.enabled === 1, changedAt: r.changed_at }));
    },
    onAdd(listener) {
      addListeners.push(listener);
    },
    undoAdd(id, createdAt) {
      keys.delete(id);
      return removeNew.run(id, createdAt).changes === 1;
    },
  };
}
