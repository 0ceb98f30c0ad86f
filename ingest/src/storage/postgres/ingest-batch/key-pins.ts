/**
 * Trust on first use on PostgreSQL (pipeline/steps/verify.ts, issue 4): a
 * device with no key presents it in its first status. The steps that verify
 * run before the batch's transaction (postgres-pipeline.ts), so a pin is first
 * recorded in the batch, where the device's later messages in the same batch
 * see it, and written at the start of the transaction (storePins). Once
 * committed it is kept here until the registry's mirror shows it (its NOTIFY
 * may come after the next batch is verified).
 *
 * A key is never replaced: the UPDATE sets it only where none is stored. When
 * another process pinned one first, the same key is fine; another key fails
 * the whole batch (nothing stored, nothing acknowledged), and when the broker
 * sends its messages again they are verified against the stored key.
 */
import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import { EarshotError } from '@earshot/shared';
import type pg from 'pg';
import { parseDevicePublicKey } from '../../../devices/registry.ts';
import type { KeyPinning } from '../../../pipeline/steps/verify.ts';

export interface BatchPin {
  readonly key: KeyObject;
  /** Normalised as the SQLite registry stores it (devices/registry.ts parseDevicePublicKey). */
  readonly pem: string;
}

/** The pins one batch makes, and the key lookup its verify step uses. */
export interface BatchPins {
  readonly pins: ReadonlyMap<string, BatchPin>;
  readonly pinnedKey: (deviceId: string) => KeyObject | null;
  /** Verify's KeyPinning; while `tentative` is true a pin is checked but neither recorded nor seen by later messages. */
  readonly pinning: KeyPinning;
  tentative: boolean;
}

export interface KeyPins {
  batch(): BatchPins;
  /** The batch committed: its pins are stored. */
  committed(b: BatchPins): void;
  /** The registry shows the device's key now; true when this process had pinned it. */
  registryHas(deviceId: string): boolean;
}

export function createKeyPins(registryKey: (deviceId: string) => KeyObject | null): KeyPins {
  const committed = new Map<string, KeyObject>();
  return {
    batch() {
      const pins = new Map<string, BatchPin>();
      const b: BatchPins = {
        pins,
        pinnedKey: (id) => pins.get(id)?.key ?? registryKey(id) ?? committed.get(id) ?? null,
        pinning: {
          pin(id, pem) {
            if (!b.tentative) pins.set(id, parseDevicePublicKey(pem));
          },
          forget(id) {
            pins.delete(id);
          },
        },
        tentative: false,
      };
      return b;
    },
    committed(b) {
      for (const [id, p] of b.pins) committed.set(id, p.key);
    },
    registryHas: (id) => committed.delete(id),
  };
}

const Q = {
  pin: { name: 'earshot-batch-pin-key', text: 'UPDATE devices SET public_key = $2, key_pinned_at = $3, changed_at = $3 WHERE id = $1 AND public_key IS NULL' },
  stored: { name: 'earshot-batch-stored-key', text: 'SELECT public_key FROM devices WHERE id = $1' },
} as const;

/** Writes the batch's pins in its transaction on `c`, in id order (two batches lock the same rows in the same order). */
export async function storePins(c: pg.ClientBase, pins: ReadonlyMap<string, BatchPin>, at: number): Promise<void> {
  for (const id of [...pins.keys()].sort()) {
    const p = pins.get(id)!;
    if ((await c.query({ ...Q.pin, values: [id, p.pem, at] })).rowCount === 1) continue;
    const r = await c.query<{ public_key: string | null }>({ ...Q.stored, values: [id] });
    const stored = r.rows[0];
    if (stored === undefined) throw new EarshotError('EARSHOT_E_DEVICE_UNKNOWN', id);
    if (stored.public_key === null || !createPublicKey({ key: stored.public_key, format: 'pem' }).equals(p.key)) {
      throw new EarshotError('EARSHOT_E_DEVICE_KEY_PINNED', `${id} (another process pinned another key first; this batch is not stored)`);
    }
  }
}
