/**
 * Rollups of the 1 s levels (issue 5: 30 days of 1 s levels answered in < 300 ms).
 * A month is 2.6 M rows per device; the rollups hold 43 200 minutes and 4 320
 * ten-minute blocks per device-month, kept exact — so they can never disagree
 * with the records they summarise — by the levels writer as it stores each batch
 * (store/levels.ts, rollup-batch.ts; by an insert trigger until timeline-002) and
 * by a trigger when levels are deleted. Apply after the store's migrations.
 *
 * Two tiers, `levels_1m` (minutes) and `levels_10m` (ten minutes), each keyed by
 * (device, start), start = t − t mod size (UTC ms; a compacted record, d > 1,
 * counts in the block it starts in), holding:
 * - `seconds`, `energy`: Σ d and Σ d·10^(LAeq/10) over records with a level, so a
 *   bucket's energy-mean LAeq is 10·log10(Σ energy / Σ seconds) — energy, not dB,
 *   is what adds (IEC 61672-1:2013 §3.9, time-average sound level);
 * - `records`, `silent`: how many records, how many of them digital silence;
 * - `lafmax`, `lafmin`: max of LAFmax, min of LAFmin;
 * - and in `<tier>_hist`, the seconds of 1 s LAeq per 1 dB bin (bin = floor(LAeq)),
 *   from which a bucket's LA90 — the LAeq,1s level exceeded for 90 % of the time —
 *   is read to 1 dB. Chosen over a stored per-block L90 because percentiles of
 *   percentiles are not percentiles, while bin counts add exactly across blocks.
 * Deleting levels (the retention purge) subtracts; a block whose extreme was
 * deleted has its max/min recomputed from the remaining records.
 */
import type { Migration } from '../db/migrate.ts';

/** The rollup tiers, coarsest first: table name and block length (ms). */
export const ROLLUP_TIERS = [
  { table: 'levels_10m', ms: 600_000 },
  { table: 'levels_1m', ms: 60_000 },
] as const;

function tables(table: string): string {
  return `
    CREATE TABLE ${table} (
      device TEXT NOT NULL, start INTEGER NOT NULL,
      seconds REAL NOT NULL, energy REAL NOT NULL, records INTEGER NOT NULL, silent INTEGER NOT NULL,
      lafmax REAL, lafmin REAL,
      PRIMARY KEY (device, start)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE ${table}_hist (
      device TEXT NOT NULL, start INTEGER NOT NULL, bin INTEGER NOT NULL, seconds REAL NOT NULL,
      PRIMARY KEY (device, start, bin)
    ) STRICT, WITHOUT ROWID;`;
}

function onInsert(table: string, ms: number): string {
  const start = `NEW.t - (NEW.t % ${ms})`;
  return `
    INSERT INTO ${table} (device, start, seconds, energy, records, silent, lafmax, lafmin)
    VALUES (NEW.device, ${start},
            CASE WHEN NEW.laeq IS NULL THEN 0 ELSE NEW.d END,
            CASE WHEN NEW.laeq IS NULL THEN 0 ELSE NEW.d * pow(10, NEW.laeq / 10) END,
            1, NEW.silent, NEW.lafmax, NEW.lafmin)
    ON CONFLICT (device, start) DO UPDATE SET
      seconds = seconds + excluded.seconds,
      energy = energy + excluded.energy,
      records = records + 1,
      silent = silent + excluded.silent,
      lafmax = max(coalesce(lafmax, excluded.lafmax), coalesce(excluded.lafmax, lafmax)),
      lafmin = min(coalesce(lafmin, excluded.lafmin), coalesce(excluded.lafmin, lafmin));
    INSERT INTO ${table}_hist (device, start, bin, seconds)
    SELECT NEW.device, ${start}, CAST(floor(NEW.laeq) AS INTEGER), NEW.d WHERE NEW.laeq IS NOT NULL
    ON CONFLICT (device, start, bin) DO UPDATE SET seconds = seconds + excluded.seconds;`;
}

function onDelete(table: string, ms: number): string {
  const start = `OLD.t - (OLD.t % ${ms})`;
  const here = `device = OLD.device AND start = ${start}`;
  const block = `t >= ${start} AND t < ${start} + ${ms} AND device = OLD.device`;
  return `
    UPDATE ${table} SET
      seconds = seconds - CASE WHEN OLD.laeq IS NULL THEN 0 ELSE OLD.d END,
      energy = energy - CASE WHEN OLD.laeq IS NULL THEN 0 ELSE OLD.d * pow(10, OLD.laeq / 10) END,
      records = records - 1,
      silent = silent - OLD.silent
    WHERE ${here};
    DELETE FROM ${table} WHERE ${here} AND records <= 0;
    UPDATE ${table} SET
      lafmax = (SELECT max(lafmax) FROM levels WHERE ${block}),
      lafmin = (SELECT min(lafmin) FROM levels WHERE ${block})
    WHERE ${here} AND (OLD.lafmax >= lafmax OR OLD.lafmin <= lafmin);
    UPDATE ${table}_hist SET seconds = seconds - OLD.d
    WHERE OLD.laeq IS NOT NULL AND ${here} AND bin = CAST(floor(OLD.laeq) AS INTEGER);
    DELETE FROM ${table}_hist WHERE ${here} AND seconds <= 1e-9;`;
}

function backfill(table: string, ms: number): string {
  const start = `t - (t % ${ms})`;
  return `
    INSERT INTO ${table} (device, start, seconds, energy, records, silent, lafmax, lafmin)
    SELECT device, ${start},
           total(CASE WHEN laeq IS NULL THEN 0 ELSE d END),
           total(CASE WHEN laeq IS NULL THEN 0 ELSE d * pow(10, laeq / 10) END),
           count(*), sum(silent), max(lafmax), min(lafmin)
    FROM levels GROUP BY device, ${start};
    INSERT INTO ${table}_hist (device, start, bin, seconds)
    SELECT device, ${start}, CAST(floor(laeq) AS INTEGER), total(d)
    FROM levels WHERE laeq IS NOT NULL GROUP BY device, ${start}, CAST(floor(laeq) AS INTEGER);`;
}

export const timelineMigrations: readonly Migration[] = [
  {
    name: 'timeline-001-level-rollups',
    sql: `
      ${ROLLUP_TIERS.map((r) => tables(r.table)).join('\n')}
      CREATE TRIGGER levels_rollup_insert AFTER INSERT ON levels BEGIN
        ${ROLLUP_TIERS.map((r) => onInsert(r.table, r.ms)).join('\n')}
      END;
      CREATE TRIGGER levels_rollup_delete AFTER DELETE ON levels BEGIN
        ${ROLLUP_TIERS.map((r) => onDelete(r.table, r.ms)).join('\n')}
      END;
      -- Records stored before this migration.
      ${ROLLUP_TIERS.map((r) => backfill(r.table, r.ms)).join('\n')}
    `,
  },
  {
    // Issue 19: the insert trigger ran four upserts per 1 s record and was most of the store's CPU per message.
    // The levels writer (store/levels.ts, rollup-batch.ts) now adds each batch's new records, one upsert per
    // touched bucket, in the transaction that stores them. The delete trigger (the retention purge) stays.
    name: 'timeline-002-rollups-per-batch',
    sql: 'DROP TRIGGER levels_rollup_insert;',
  },
];
