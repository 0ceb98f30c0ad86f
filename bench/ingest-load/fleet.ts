/**
 * The simulated fleet of the load bench: per-device Ed25519 keys, registration
 * in a data folder, and the messages of one measured window, signed before the
 * window starts so signing never competes with the load.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { type SignedKind, signEnvelope, topics } from '@earshot/shared';
import { openIngest } from '../../ingest/src/service/open-ingest.ts';
import { levelsBody, startedBody, statusBody } from '../../ingest/test/pipeline/support/ingest-fixture.ts';

/** DESIGN §4: 1 s records batched per 10 s; the heartbeat every 60 s (shared/src/schemas/status.ts). */
export const LEVELS_EVERY_MS = 10_000;
export const RECORDS_PER_BATCH = 10;
export const HEARTBEAT_EVERY_MS = 60_000;
/** An event from 1 in 50 devices per minute. */
export const EVENT_ONE_IN = 50;

export interface SimDevice {
  readonly id: string;
  readonly key: KeyObject;
  readonly publicKeyPem: string;
  seq: number;
}

export function makeFleet(n: number): SimDevice[] {
  return Array.from({ length: n }, (_, i) => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    return { id: `load-${String(i).padStart(5, '0')}`, key: privateKey, publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(), seq: 0 };
  });
}

/**
 * Registers every device with its public key pinned; returns the secret they share.
 * The first goes through registry.add; the others copy its scrypt hash: one
 * scrypt per device (~36 ms here) would make 10,000 registrations take six
 * minutes, while the service still runs a full scrypt check at every CONNECT.
 */
export function registerFleet(dataDir: string, fleet: readonly SimDevice[]): string {
  const ingest = openIngest(dataDir);
  try {
    const first = fleet[0]!;
    const { secret } = ingest.registry.add(first.id, { publicKeyPem: first.publicKeyPem });
    const copy = ingest.db.prepare<[string, string, string]>(
      `INSERT INTO devices (id, secret_salt, secret_hash, scrypt_n, scrypt_r, scrypt_p, public_key, key_pinned_at, created_at, changed_at)
       SELECT ?, secret_salt, secret_hash, scrypt_n, scrypt_r, scrypt_p, ?, key_pinned_at, created_at, changed_at FROM devices WHERE id = ?`,
    );
    ingest.db.transaction(() => {
      for (const d of fleet.slice(1)) copy.run(d.id, d.publicKeyPem, first.id);
    })();
    return secret;
  } finally {
    ingest.close();
  }
}

/** One publish of the window: when (ms from its start), by which device, where, what. */
export interface Planned {
  at: number;
  device: number;
  topic: string;
  payload: Buffer;
}

/**
 * Every message the first `n` devices send in a window of `windowMs`, by time.
 * Start times are spread evenly: device i sends its levels at i/n of each 10 s,
 * its heartbeat at i/n of each minute; 1 in 50 devices (a different set each
 * window) sends an event in each minute.
 */
export function planWindow(fleet: readonly SimDevice[], n: number, windowMs: number, wallStart: number, windowIndex: number): Planned[] {
  const out: Planned[] = [];
  const sign = (d: SimDevice, type: SignedKind, body: unknown, at: number): Buffer =>
    signEnvelope({ v: 1, device: d.id, seq: d.seq++, sentAt: new Date(wallStart + at).toISOString(), type, body }, d.key);
  for (let i = 0; i < n; i++) {
    const d = fleet[i]!;
    const frac = i / n;
    for (let t = frac * LEVELS_EVERY_MS; t < windowMs; t += LEVELS_EVERY_MS) {
      // The batch of the ten seconds before it is sent.
      out.push({ at: t, device: i, topic: topics.levels(d.id), payload: sign(d, 'levels', levelsBody(Math.floor((wallStart + t) / 1000) * 1000 - LEVELS_EVERY_MS, RECORDS_PER_BATCH), t) });
    }
    for (let t = frac * HEARTBEAT_EVERY_MS; t < windowMs; t += HEARTBEAT_EVERY_MS) {
      out.push({ at: t, device: i, topic: topics.status(d.id), payload: sign(d, 'status', statusBody({ synced: true, offsetMs: 2 }), t) });
    }
    if ((i + windowIndex) % EVENT_ONE_IN === 0) {
      for (let t = ((frac * 7) % 1) * 60_000; t < windowMs; t += 60_000) {
        const at = wallStart + t;
        out.push({ at: t, device: i, topic: topics.event(d.id), payload: sign(d, 'event', startedBody(`${d.id}-${at}`, at), t) });
      }
    }
  }
  return out.sort((a, b) => a.at - b.at);
}
