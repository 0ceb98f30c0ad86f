/** A `devices` row as PostgreSQL returns it (schema/devices.ts), and what the registry and `earshot device` make of it. */
import type { DeviceInfo, DeviceRow } from '../../devices/registry.ts';
import type { HashedSecret } from '../../devices/secret.ts';

export interface PgDeviceRow extends DeviceRow {
  changed_at: number;
}

/**
 * Device ids in byte order, as SQLite's `ORDER BY id` and JavaScript's string
 * comparison sort them: the database's default collation may not (en_US skips
 * '-' at first level), so list() would disagree between stores.
 */
export const BY_ID = 'ORDER BY id COLLATE "C"';

export const DEVICE_COLUMNS = 'id, secret_salt, secret_hash, scrypt_n, scrypt_r, scrypt_p, public_key, key_pinned_at, enabled, created_at, changed_at';

/** The columns a DeviceInfo is made from. */
export type PgDeviceInfoRow = Pick<PgDeviceRow, 'id' | 'public_key' | 'key_pinned_at' | 'enabled' | 'created_at'>;

export function deviceInfo(r: PgDeviceInfoRow): DeviceInfo {
  return { id: r.id, enabled: r.enabled === 1, publicKeyPem: r.public_key, keyPinnedAt: r.key_pinned_at, createdAt: r.created_at };
}

export function storedSecret(r: PgDeviceRow): HashedSecret {
  return { salt: r.secret_salt, hash: r.secret_hash, params: { N: r.scrypt_n, r: r.scrypt_r, p: r.scrypt_p } };
}
