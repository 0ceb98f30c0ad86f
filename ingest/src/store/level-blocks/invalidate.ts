/**
 * The levels writer's side of the level blocks (store/levels.ts): a record
 * stored into an hour drops that hour's block in the same transaction — a
 * late record from a monitor's journal, or a resend, into an hour already
 * sealed. One DELETE per hour a batch touches (a live batch of ten 1 s
 * records touches one or two), none per record. The hour's band block
 * (store/band-blocks/) is dropped with it.
 */
import type { Db } from '../../db/open.ts';
import { HOUR_MS } from './migrations.ts';
import { hasBandBlocks } from '../band-blocks/seal.ts';

export interface BlockInvalidator {
  /** A batch begins: its hours are dropped afresh (a block may have been sealed since the last, or its transaction rolled back). */
  begin(): void;
  /** A record of `device` at `t` (epoch ms) was stored. */
  add(device: string, t: number): void;
}

/** Null on a store without the level blocks' table. */
export function createBlockInvalidator(db: Db): BlockInvalidator | null {
  const exists = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'level_blocks'").get()!.n === 1;
  if (!exists) return null;
  const drop = db.prepare<[string, number]>('DELETE FROM level_blocks WHERE device = ? AND hour_ms = ?');
  // Issue 16: a record's bands are stored with it (store/level-bands.ts), so its hour's band block goes too.
  const dropBands = hasBandBlocks(db) ? db.prepare<[string, number]>('DELETE FROM band_blocks WHERE device = ? AND hour_ms = ?') : null;
  let device = '';
  let hour = Number.NaN;
  return {
    begin() {
      hour = Number.NaN;
    },
    add(d, t) {
      const h = t - (t % HOUR_MS);
      if (h === hour && d === device) return;
      drop.run(d, h);
      dropBands?.run(d, h);
      device = d;
      hour = h;
    },
  };
}
