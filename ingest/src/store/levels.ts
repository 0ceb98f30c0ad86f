/** Writes 1 s level records (DESIGN §2 levels; null for digital silence). */
import type { LevelsBody } from '@earshot/shared';
import type { Db } from '../db/open.ts';

export interface LevelsWriter {
  /** Stores every record of one batch; returns how many were new (a record already stored for that time is kept as it was). */
  write(device: string, seq: number, body: LevelsBody): number;
}

export function createLevelsWriter(db: Db): LevelsWriter {
  const insert = db.prepare<[number, string, number, number | null, number | null, number | null, number | null, number | null, number | null, number | null, number | null, number, number | null, number, number]>(
    `INSERT INTO levels (t, device, d, laeq, lceq, lzeq, lafmax, lafmin, lasmax, lcpeak, clipped, silent, n, full_scale_db, seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  return {
    write(device, seq, body) {
      let stored = 0;
      for (const r of body.records) {
        stored += insert.run(Date.parse(r.t), device, r.d, r.LAeq, r.LCeq, r.LZeq, r.LAFmax, r.LAFmin, r.LASmax, r.LCpeak, r.clipped ?? null, r.silent === true ? 1 : 0, r.n ?? null, body.fullScaleDb, seq).changes;
      }
      return stored;
    },
  };
}
