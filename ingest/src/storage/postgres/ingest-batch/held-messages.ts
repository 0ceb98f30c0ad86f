/**
 * Messages held for want of a key (EARSHOT_E_KEY_NOT_PINNED), as SQLite's
 * store/quarantine.ts held() and release() read and mark them: the device's
 * rows not yet released whose payload is kept, oldest first, each accepted one
 * marked released (its row stays). The rows are locked for the transaction
 * that processes them again, so two processes releasing one device's messages
 * take turns, and the second skips what the first released (PostgreSQL
 * re-checks the WHERE of a row it waited for:
 * https://www.postgresql.org/docs/15/transaction-iso.html#XACT-READ-COMMITTED).
 */
import type pg from 'pg';
import type { Incoming } from '../../../pipeline/types.ts';

export interface HeldMessage {
  readonly id: number;
  readonly msg: Incoming;
}

const Q = {
  held: {
    name: 'earshot-held-for-key',
    text: `SELECT id, received_at, client_id, topic, raw FROM quarantine
      WHERE device = $1 AND code = 'EARSHOT_E_KEY_NOT_PINNED' AND released_at IS NULL AND raw_dropped IS NULL ORDER BY id FOR UPDATE`,
  },
  release: {
    name: 'earshot-held-release',
    text: 'UPDATE quarantine q SET released_at = $3, released_as = x.a FROM unnest($1::bigint[], $2::text[]) AS x (i, a) WHERE q.id = x.i',
  },
} as const;

export async function lockHeld(c: pg.ClientBase, device: string): Promise<HeldMessage[]> {
  const r = await c.query<{ id: number; received_at: number; client_id: string | null; topic: string; raw: Buffer }>({ ...Q.held, values: [device] });
  return r.rows.map((x) => ({ id: x.id, msg: { topic: x.topic, payload: x.raw, clientId: x.client_id, receivedAt: x.received_at } }));
}

/** Marks rows released: processed again and accepted `as` (the outcome's status), at `at`. */
export async function markReleased(c: pg.ClientBase, released: readonly { readonly id: number; readonly as: string }[], at: number): Promise<void> {
  if (released.length === 0) return;
  await c.query({ ...Q.release, values: [released.map((r) => r.id), released.map((r) => r.as), at] });
}
