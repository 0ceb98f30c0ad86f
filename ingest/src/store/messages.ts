/** The (device, seq) pairs already accepted: DESIGN §4 "a message is stored once however often it is redelivered". */
import type { Db } from '../db/open.ts';

export type SeenResult = 'new' | 'duplicate' | 'conflict';

export interface MessageLedger {
  /** 'duplicate' when the same bytes were accepted before; 'conflict' when the seq was used for other bytes. */
  check(device: string, seq: number, envelopeSha256: Buffer): SeenResult;
  record(device: string, seq: number, type: string, envelopeSha256: Buffer, receivedAt: number): void;
}

export function createMessageLedger(db: Db): MessageLedger {
  const find = db.prepare<[string, number], { envelope_sha256: Buffer }>('SELECT envelope_sha256 FROM messages WHERE device = ? AND seq = ?');
  const insert = db.prepare<[string, number, string, Buffer, number]>('INSERT INTO messages (device, seq, type, envelope_sha256, received_at) VALUES (?, ?, ?, ?, ?)');
  return {
    check(device, seq, sha) {
      const row = find.get(device, seq);
      if (row === undefined) return 'new';
      return row.envelope_sha256.equals(sha) ? 'duplicate' : 'conflict';
    },
    record(device, seq, type, sha, receivedAt) {
      insert.run(device, seq, type, sha, receivedAt);
    },
  };
}
