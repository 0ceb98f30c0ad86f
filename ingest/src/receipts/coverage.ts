/**
 * What a stored receipt may claim (DESIGN §4): whether the signed message of a
 * device with a given seq is durably stored — a clip manifest only once every
 * one of its chunks is stored too (or its reassembly has settled: complete, or
 * corrupt and kept) — read from the message ledger (store/messages.ts) and the
 * clip tables. Point lookups on primary keys; nothing here writes.
 */
import type { Db } from '../db/open.ts';

export interface Coverage {
  /** True when seq of device is in the ledger and, for a clip manifest, its chunks are all stored. */
  stored(device: string, seq: number): boolean;
  /**
   * For a device with no receipt mark yet (first receipt, or a store from before
   * receipts): the end of the run of stored seqs from 0, before the first gap or
   * unfinished clip; -1 when seq 0 is not stored.
   */
  initialMark(device: string): number;
}

export function createCoverage(db: Db): Coverage {
  const typeOf = db.prepare<[string, number], { type: string }>('SELECT type FROM messages WHERE device = ? AND seq = ?');
  // clips' key is (device, clip_id): this reads the device's clips, only for a seq that is a clip manifest.
  const clipDone = db.prepare<[string, number], { done: number }>(`
    SELECT c.state <> 'incomplete' OR (SELECT count(*) FROM clip_chunks k WHERE k.device = c.device AND k.clip_id = c.clip_id) >= c.chunks AS done
    FROM clips c WHERE c.device = ? AND c.seq = ?`);
  // The first stored seq whose successor is not stored: walks the key in order and stops at the first gap.
  const firstGap = db.prepare<[string, string], { seq: number }>(`
    SELECT m.seq FROM messages m WHERE m.device = ?
      AND NOT EXISTS (SELECT 1 FROM messages n WHERE n.device = ? AND n.seq = m.seq + 1)
    ORDER BY m.seq LIMIT 1`);
  const firstUnfinishedClip = db.prepare<[string], { seq: number | null }>(`
    SELECT min(c.seq) AS seq FROM clips c WHERE c.device = ? AND c.state = 'incomplete'
      AND (SELECT count(*) FROM clip_chunks k WHERE k.device = c.device AND k.clip_id = c.clip_id) < c.chunks`);

  const stored = (device: string, seq: number): boolean => {
    const row = typeOf.get(device, seq);
    if (row === undefined) return false;
    if (row.type !== 'clip') return true;
    // DESIGN §4: a manifest counts as stored only once every one of its chunks is stored.
    return clipDone.get(device, seq)?.done === 1;
  };

  return {
    stored,
    initialMark(device) {
      if (typeOf.get(device, 0) === undefined) return -1;
      const end = firstGap.get(device, device)?.seq ?? -1;
      const clip = firstUnfinishedClip.get(device)?.seq ?? null;
      return clip !== null && clip <= end ? clip - 1 : end;
    },
  };
}
