/**
 * `earshot device add | list | disable | enable` on PostgreSQL (DESIGN §8), and the browser's device
 * administration (postgresDeviceAdmin): the
 * same checks, errors and hashing as the SQLite registry (devices/registry.ts),
 * one statement each. A running `earshot serve` sees each change within its
 * notification (schema/devices-notify.ts, storage/postgres/device-registry.ts).
 */
import { DEVICE_ID_PATTERN, EarshotError } from '@earshot/shared';
import type pg from 'pg';
import { type DeviceInfo, type Provisioned, parseDevicePublicKey } from '../../devices/registry.ts';
import { hashSecret, newSecret } from '../../devices/secret.ts';
import type { DeviceAccounts } from '../../broker-client/device-accounts.ts';
import type { DeviceAdmin } from '../../http/device-admin.ts';
import { BY_ID, deviceInfo, type PgDeviceInfoRow } from './device-rows.ts';

/** Registers a device and returns its secret, shown once (only its keyed hash is stored); createdAt names the row for undoAddDevice. */
export async function addDevice(pool: pg.Pool, id: string, opts: { publicKeyPem?: string; now?: number } = {}): Promise<Provisioned & { createdAt: number }> {
  if (!DEVICE_ID_PATTERN.test(id)) throw new EarshotError('EARSHOT_E_DEVICE_ID_INVALID', id);
  const key = opts.publicKeyPem === undefined ? null : parseDevicePublicKey(opts.publicKeyPem).pem;
  const now = opts.now ?? Date.now();
  const secret = newSecret();
  const h = hashSecret(secret);
  const r = await pool.query(
    `INSERT INTO devices (id, secret_salt, secret_hash, scrypt_n, scrypt_r, scrypt_p, public_key, key_pinned_at, created_at, changed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT DO NOTHING`,
    [id, h.salt, h.hash, h.params.N, h.params.r, h.params.p, key, key === null ? null : now, now],
  );
  if (r.rowCount === 0) throw new EarshotError('EARSHOT_E_DEVICE_EXISTS', id);
  return { deviceId: id, secret, createdAt: now };
}

export async function listDevices(pool: pg.Pool): Promise<DeviceInfo[]> {
  const r = await pool.query<PgDeviceInfoRow>(`SELECT id, public_key, key_pinned_at, enabled, created_at FROM devices ${BY_ID}`);
  return r.rows.map(deviceInfo);
}

export async function setDeviceEnabled(pool: pg.Pool, id: string, enabled: boolean, now: number = Date.now()): Promise<void> {
  const r = await pool.query('UPDATE devices SET enabled = $1, changed_at = $2 WHERE id = $3', [enabled ? 1 : 0, now, id]);
  if (r.rowCount === 0) throw new EarshotError('EARSHOT_E_DEVICE_UNKNOWN', id);
}

/** Takes back an add of moments ago (its broker account could not be made); false when the row is not that one any more. */
export async function undoAddDevice(pool: pg.Pool, id: string, createdAt: number): Promise<boolean> {
  const r = await pool.query('DELETE FROM devices WHERE id = $1 AND created_at = $2', [id, createdAt]);
  return r.rowCount === 1;
}

/**
 * The browser's device administration on PostgreSQL (http/device-admin.ts): the same writes as the commands
 * above, and — with an external mosquitto whose accounts Earshot keeps — the device's broker account made in
 * the same request, from the secret that exists only then, the row taken back out if the broker refuses it
 * (as `earshot device add` does). A disable or enable reaches the broker through every process's account
 * sync (broker-client/account-sync.ts) and the embedded broker's cut (device-registry.ts onDisable). Each
 * answers once this process's registry holds the change.
 */
export function postgresDeviceAdmin(pool: pg.Pool, registry: { refresh(): Promise<void> }, accounts: DeviceAccounts | null): DeviceAdmin {
  return {
    async add(id, now) {
      accounts?.checkId(id);
      const p = await addDevice(pool, id, { now });
      try {
        await accounts?.add(p.deviceId, p.secret);
      } catch (e) {
        await undoAddDevice(pool, p.deviceId, p.createdAt);
        throw e;
      }
      await registry.refresh();
      return { deviceId: p.deviceId, secret: p.secret };
    },
    async setEnabled(id, enabled, now) {
      await setDeviceEnabled(pool, id, enabled, now);
      await registry.refresh();
    },
  };
}
