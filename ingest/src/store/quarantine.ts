/**
 * Messages that could not be accepted, kept whole with the reason (issue 4:
 * never dropped silently). Issue 11 item 5: one authenticated device could fill
 * the disk through it, so each device may hold at most `bytesPerDevice` in
 * quarantine, each row charged its payload plus ROW_COST_BYTES. Past that, a
 * refused message is only counted (quarantine_overflow: device, code, UTC day,
 * messages, bytes), so neither payloads nor rows can fill the disk. The
 * retention job drops payloads older than 30 days, keeping each row with its
 * size and SHA-256 (retention/hygiene.ts); such rows are no longer charged.
 */
import { createHash } from 'node:crypto';
import type { ErrorCode } from '@earshot/shared';
import type { Db } from '../db/open.ts';

/**
 * Default quota per device: about a day of a monitor's level batches (one 1 s
 * record is ~170 bytes of JSON: 86 400 a day ≈ 15 MB, with its status and
 * events well under 64 MiB), so a monitor whose messages are all refused (a
 * reset sequence counter) keeps a day of them whole.
 */
export const QUARANTINE_BYTES_PER_DEVICE = 64 * 1024 * 1024;

/** What a row costs beside its payload (its columns, index entries and page slack): a flood of tiny messages is charged too. */
export const ROW_COST_BYTES = 512;

/** The cached charge of a device is read again from the table after this long (the retention job may have freed some). */
const CHARGE_TTL_MS = 60_000;

export type RawDropped = 'quota' | 'refused' | 'purged';

export interface QuarantineEntry {
  receivedAt: number;
  clientId: string | null;
  /** The device it is filed under: the authenticated client that sent it when known (item 16), else the topic's device. */
  device: string | null;
  topic: string;
  code: ErrorCode;
  detail: string;
  raw: Buffer;
}

export interface QuarantineRow extends QuarantineEntry {
  id: number;
  rawBytes: number;
  rawSha256: string | null;
  /** Why the payload is not held (then `raw` is empty), or null. */
  rawDropped: RawDropped | null;
}

/** The row, or null when the device's quota was reached and the message was only counted (quarantine_overflow). */
export interface Added {
  id: number | null;
}

export interface Quarantine {
  /** `keepRaw: false`: record the refusal without the payload (it was refused for its size). */
  add(entry: QuarantineEntry, options?: { keepRaw?: boolean }): Added;
  list(limit?: number): QuarantineRow[];
  /** Rows of a device held for `code` and not yet released, oldest first (only those whose payload is held). */
  held(device: string, code: ErrorCode): QuarantineRow[];
  /** Marks a row released: processed again and accepted (the row itself stays). */
  release(id: number, as: string, at: number): void;
  /** What the device's quarantine holds, as charged against its quota (payloads plus ROW_COST_BYTES a row). */
  bytesHeld(device: string | null): number;
}

interface Row {
  id: number; received_at: number; client_id: string | null; device: string | null; topic: string; code: ErrorCode; detail: string; raw: Buffer;
  raw_bytes: number | null; raw_sha256: string | null; raw_dropped: RawDropped | null;
}

const EMPTY = Buffer.alloc(0);

export function createQuarantine(db: Db, options: { bytesPerDevice?: number; now?: () => number } = {}): Quarantine {
  const quota = options.bytesPerDevice ?? QUARANTINE_BYTES_PER_DEVICE;
  const now = options.now ?? Date.now;
  const insert = db.prepare<[number, string | null, string | null, string, string, string, Buffer, number, string, RawDropped | null, number | null]>(
    `INSERT INTO quarantine (received_at, client_id, device, topic, code, detail, raw, raw_bytes, raw_sha256, raw_dropped, raw_dropped_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const overflow = db.prepare<[string, string, string, number, number, number]>(
    `INSERT INTO quarantine_overflow (device, code, day, messages, bytes, first_at, last_at) VALUES (?, ?, ?, 1, ?, ?, ?)
     ON CONFLICT (device, code, day) DO UPDATE SET messages = messages + 1, bytes = bytes + excluded.bytes, last_at = excluded.last_at`,
  );
  const recent = db.prepare<[number], Row>('SELECT * FROM quarantine ORDER BY id DESC LIMIT ?');
  const heldRows = db.prepare<[string, string], Row>('SELECT * FROM quarantine WHERE device = ? AND code = ? AND released_at IS NULL AND raw_dropped IS NULL ORDER BY id');
  const markReleased = db.prepare<[number, string, number]>('UPDATE quarantine SET released_at = ?, released_as = ? WHERE id = ?');
  // Charged rows: payload held, or refused (row only). On the partial index quarantine_charged.
  const charged = db.prepare<[number, string], { b: number }>(
    "SELECT coalesce(sum(length(raw)), 0) + ? * count(*) AS b FROM quarantine WHERE device = ? AND (raw_dropped IS NULL OR raw_dropped = 'refused')",
  );
  const chargedUnknown = db.prepare<[number], { b: number }>(
    "SELECT coalesce(sum(length(raw)), 0) + ? * count(*) AS b FROM quarantine WHERE device IS NULL AND (raw_dropped IS NULL OR raw_dropped = 'refused')",
  );
  const row = (r: Row): QuarantineRow => ({
    id: r.id, receivedAt: r.received_at, clientId: r.client_id, device: r.device, topic: r.topic, code: r.code, detail: r.detail, raw: r.raw,
    rawBytes: r.raw_bytes ?? r.raw.length, rawSha256: r.raw_sha256, rawDropped: r.raw_dropped,
  });
  /** device ('' for none) → its charge and when it was read from the table. */
  const cache = new Map<string, { bytes: number; at: number }>();
  const charge = (device: string | null): { bytes: number; at: number } => {
    const key = device ?? '';
    const t = now();
    let c = cache.get(key);
    if (c === undefined || t - c.at > CHARGE_TTL_MS) {
      c = { bytes: (device === null ? chargedUnknown.get(ROW_COST_BYTES)! : charged.get(ROW_COST_BYTES, device)!).b, at: t };
      cache.set(key, c);
    }
    return c;
  };
  return {
    add(e, o = {}) {
      const keep = o.keepRaw !== false;
      const cost = ROW_COST_BYTES + (keep ? e.raw.length : 0);
      const c = charge(e.device);
      if (c.bytes + cost > quota) {
        overflow.run(e.device ?? '', e.code, new Date(e.receivedAt).toISOString().slice(0, 10), e.raw.length, e.receivedAt, e.receivedAt);
        return { id: null };
      }
      const sha = createHash('sha256').update(e.raw).digest('hex');
      const id = Number(insert.run(e.receivedAt, e.clientId, e.device, e.topic, e.code, e.detail, keep ? e.raw : EMPTY, e.raw.length, sha, keep ? null : 'refused', keep ? null : e.receivedAt).lastInsertRowid);
      c.bytes += cost;
      return { id };
    },
    list(limit = 100) {
      return recent.all(limit).map(row);
    },
    held(device, code) {
      return heldRows.all(device, code).map(row);
    },
    release(id, as, at) {
      markReleased.run(at, as, id);
    },
    bytesHeld: (device) => charge(device).bytes,
  };
}
