/**
 * Mirrors ingest/src/timeline/migrations.ts: the minute and ten-minute rollups of
 * the 1 s levels, kept exact by triggers on `levels` (same sums, bins and
 * recomputed extremes as the SQLite triggers; energy, not dB, adds: IEC
 * 61672-1:2013 §3.9). SQLite's two-argument max/min become greatest/least,
 * which likewise ignore a NULL. No backfill: the table is created empty
 * (`earshot store copy` copies the rollups with the levels).
 */
import { ROLLUP_TIERS } from '../../../timeline/migrations.ts';
import type { PgMigration } from './migration.ts';

function tables(table: string): string {
  return `
CREATE TABLE ${table} (
  device text NOT NULL, start bigint NOT NULL,
  seconds double precision NOT NULL, energy double precision NOT NULL, records bigint NOT NULL, silent bigint NOT NULL,
  lafmax double precision, lafmin double precision,
  PRIMARY KEY (device, start)
);
CREATE TABLE ${table}_hist (
  device text NOT NULL, start bigint NOT NULL, bin bigint NOT NULL, seconds double precision NOT NULL,
  PRIMARY KEY (device, start, bin)
);`;
}

function onInsert(table: string, ms: number): string {
  const start = `NEW.t - (NEW.t % ${ms})`;
  return `
  INSERT INTO ${table} AS r (device, start, seconds, energy, records, silent, lafmax, lafmin)
  VALUES (NEW.device, ${start},
          CASE WHEN NEW.laeq IS NULL THEN 0 ELSE NEW.d END,
          CASE WHEN NEW.laeq IS NULL THEN 0 ELSE NEW.d * power(10, NEW.laeq / 10) END,
          1, NEW.silent, NEW.lafmax, NEW.lafmin)
  ON CONFLICT (device, start) DO UPDATE SET
    seconds = r.seconds + excluded.seconds,
    energy = r.energy + excluded.energy,
    records = r.records + 1,
    silent = r.silent + excluded.silent,
    lafmax = greatest(r.lafmax, excluded.lafmax),
    lafmin = least(r.lafmin, excluded.lafmin);
  IF NEW.laeq IS NOT NULL THEN
    INSERT INTO ${table}_hist AS h (device, start, bin, seconds) VALUES (NEW.device, ${start}, floor(NEW.laeq)::bigint, NEW.d)
    ON CONFLICT (device, start, bin) DO UPDATE SET seconds = h.seconds + excluded.seconds;
  END IF;`;
}

function onDelete(table: string, ms: number): string {
  const start = `OLD.t - (OLD.t % ${ms})`;
  const here = `device = OLD.device AND start = ${start}`;
  const block = `l.t >= ${start} AND l.t < ${start} + ${ms} AND l.device = OLD.device`;
  return `
  UPDATE ${table} SET
    seconds = seconds - CASE WHEN OLD.laeq IS NULL THEN 0 ELSE OLD.d END,
    energy = energy - CASE WHEN OLD.laeq IS NULL THEN 0 ELSE OLD.d * power(10, OLD.laeq / 10) END,
    records = records - 1,
    silent = silent - OLD.silent
  WHERE ${here};
  DELETE FROM ${table} WHERE ${here} AND records <= 0;
  UPDATE ${table} SET
    lafmax = (SELECT max(l.lafmax) FROM levels l WHERE ${block}),
    lafmin = (SELECT min(l.lafmin) FROM levels l WHERE ${block})
  WHERE ${here} AND (OLD.lafmax >= lafmax OR OLD.lafmin <= lafmin);
  IF OLD.laeq IS NOT NULL THEN
    UPDATE ${table}_hist SET seconds = seconds - OLD.d WHERE ${here} AND bin = floor(OLD.laeq)::bigint;
    DELETE FROM ${table}_hist WHERE ${here} AND seconds <= 1e-9;
  END IF;`;
}

export const timelinePg: readonly PgMigration[] = [
  {
    name: 'pg-timeline-001-level-rollups',
    sql: `
${ROLLUP_TIERS.map((r) => tables(r.table)).join('\n')}
CREATE FUNCTION earshot_levels_rollup_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
${ROLLUP_TIERS.map((r) => onInsert(r.table, r.ms)).join('\n')}
  RETURN NULL;
END $$;
CREATE FUNCTION earshot_levels_rollup_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
${ROLLUP_TIERS.map((r) => onDelete(r.table, r.ms)).join('\n')}
  RETURN NULL;
END $$;
CREATE TRIGGER levels_rollup_insert AFTER INSERT ON levels FOR EACH ROW EXECUTE FUNCTION earshot_levels_rollup_insert();
CREATE TRIGGER levels_rollup_delete AFTER DELETE ON levels FOR EACH ROW EXECUTE FUNCTION earshot_levels_rollup_delete();`,
  },
];
