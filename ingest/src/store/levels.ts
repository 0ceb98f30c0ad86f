/**
 * Writes 1 s level records (DESIGN §2 levels; null for digital silence), and
 * adds the new ones to the minute and ten-minute rollups in the same
 * transaction (timeline/rollup-batch.ts; issue 19: once per batch, not by a
 * trigger per record), and drops the level block of every hour a new record
 * lands in (store/level-blocks/invalidate.ts). Every path that stores level
 * records goes through here, so neither the rollups nor the blocks ever
 * disagree with the records.
 */
import type { LevelsBody } from '@earshot/shared';
import type { Db } from '../db/open.ts';
import { createRollupBatch, rollupMode } from '../timeline/rollup-batch.ts';
import { createLevelBandsWriter } from './level-bands.ts';
import { createBlockInvalidator } from './level-blocks/invalidate.ts';

export interface LevelsWriter {
  /**
   * Stores every record of one batch; returns how many were new (a record already stored for that time is kept as it was,
   * and counted in the rollups once). Runs in the caller's transaction, or in its own when there is none.
   */
  write(device: string, seq: number, body: LevelsBody): number;
}

export function createLevelsWriter(db: Db): LevelsWriter {
  const insert = db.prepare<[number, string, number, number | null, number | null, number | null, number | null, number | null, number | null, number | null, number | null, number, number | null, number, number]>(
    `INSERT INTO levels (t, device, d, laeq, lceq, lzeq, lafmax, lafmin, lasmax, lcpeak, clipped, silent, n, full_scale_db, seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  // Decided once, when the writer is made (after the database's migrations): a store without the timeline's
  // migrations has no rollups, and one still carrying timeline-001's insert trigger has them kept by it.
  const rollups = rollupMode(db) === 'batch' ? createRollupBatch(db) : null;
  // Issue 16: a new record's 1/3-octave bands, stored with it (null without the band tables).
  const bands = createLevelBandsWriter(db);
  // A record into an hour already sealed (late, or resent) drops its block (null without the blocks' table).
  const blocks = createBlockInvalidator(db);
  const writeAll = (device: string, seq: number, body: LevelsBody): number => {
    let stored = 0;
    rollups?.begin(device);
    blocks?.begin();
    for (const r of body.records) {
      const t = Date.parse(r.t);
      const silent = r.silent === true ? 1 : 0;
      if (insert.run(t, device, r.d, r.LAeq, r.LCeq, r.LZeq, r.LAFmax, r.LAFmin, r.LASmax, r.LCpeak, r.clipped ?? null, silent, r.n ?? null, body.fullScaleDb, seq).changes === 1) {
        stored += 1;
        rollups?.add(t, r.d, r.LAeq, silent, r.LAFmax, r.LAFmin);
        if (r.Z3 !== undefined) bands?.add(device, t, r.d, r.Z3);
        blocks?.add(device, t);
      }
    }
    rollups?.end();
    bands?.end();
    return stored;
  };
  const inOwnTransaction = db.transaction(writeAll);
  return {
    write(device, seq, body) {
      return db.inTransaction ? writeAll(device, seq, body) : inOwnTransaction(device, seq, body);
    },
  };
}
