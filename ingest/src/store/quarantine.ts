/** Messages that could not be accepted, kept whole with the reason (issue 4: never dropped). */
import type { ErrorCode } from '@earshot/shared';
import type { Db } from '../db/open.ts';

export interface QuarantineEntry {
  receivedAt: number;
  clientId: string | null;
  device: string | null;
  topic: string;
  code: ErrorCode;
  detail: string;
  raw: Buffer;
}

export interface QuarantineRow extends QuarantineEntry {
  id: number;
}

export interface Quarantine {
  add(entry: QuarantineEntry): number;
  list(limit?: number): QuarantineRow[];
  /** Rows of a device held for `code` and not yet released, oldest first. */
  held(device: string, code: ErrorCode): QuarantineRow[];
  /** Marks a row released: processed again and accepted (the row itself stays). */
  release(id: number, as: string, at: number): void;
}

export function createQuarantine(db: Db): Quarantine {
  const insert = db.prepare<[number, string | null, string | null, string, string, string, Buffer]>(
    'INSERT INTO quarantine (received_at, client_id, device, topic, code, detail, raw) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const recent = db.prepare<[number], { id: number; received_at: number; client_id: string | null; device: string | null; topic: string; code: ErrorCode; detail: string; raw: Buffer }>(
    'SELECT * FROM quarantine ORDER BY id DESC LIMIT ?',
  );
  const heldRows = db.prepare<[string, string], { id: number; received_at: number; client_id: string | null; device: string | null; topic: string; code: ErrorCode; detail: string; raw: Buffer }>(
    'SELECT * FROM quarantine WHERE device = ? AND code = ? AND released_at IS NULL ORDER BY id',
  );
  const markReleased = db.prepare<[number, string, number]>('UPDATE quarantine SET released_at = ?, released_as = ? WHERE id = ?');
  const row = (r: { id: number; received_at: number; client_id: string | null; device: string | null; topic: string; code: ErrorCode; detail: string; raw: Buffer }): QuarantineRow =>
    ({ id: r.id, receivedAt: r.received_at, clientId: r.client_id, device: r.device, topic: r.topic, code: r.code, detail: r.detail, raw: r.raw });
  return {
    add(e) {
      return Number(insert.run(e.receivedAt, e.clientId, e.device, e.topic, e.code, e.detail, e.raw).lastInsertRowid);
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
  };
}
