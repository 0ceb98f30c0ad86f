/**
 * The retention purge of the 1/3-octave bands (issue 16): the bands of exactly
 * the level records the `levels` step purges — older than the levels cutoff and
 * not inside a deployment of a case whose evidence is still kept (the same
 * test as retention/steps.ts purgeOldTimeSeries) — a day of time per
 * transaction; and in the same transaction the ten-minute sums of every block
 * that lost rows are made again from the rows it still has (none, usually:
 * the sums row goes), so the sums never disagree with the bands.
 */
import type { PurgeStep } from '../retention/index.ts';
import { BandBlock, createBandBlockStore, hasLevelBands } from './level-bands.ts';
import { bandIndex } from './band-codec.ts';
import { BAND_ROLLUP_MS } from './level-bands-migrations.ts';

const DAY_MS = 86_400_000;

const KEPT = `EXISTS (
  SELECT 1 FROM deployments d JOIN cases c ON c.ref = d.case_ref
  WHERE d.device_id = b.device AND d.installed_ms <= b.t AND (d.removed_ms IS NULL OR d.removed_ms > b.t)
    AND NOT (c.status = 'closed' AND c.closed_at <= :closedBy))`;

export const purgeLevelBands: PurgeStep = {
  name: 'level-bands',
  run(ctx) {
    if (!hasLevelBands(ctx.db)) return;
    const cutoff = ctx.cutoffs.levelsBeforeMs;
    const touched = ctx.db.prepare<{ start: number; end: number; closedBy: string }, { device: string; block: number }>(
      `SELECT DISTINCT b.device AS device, b.t - b.t % ${BAND_ROLLUP_MS} AS block FROM level_bands b WHERE b.t >= :start AND b.t < :end AND NOT ${KEPT}`,
    );
    const del = ctx.db.prepare<{ start: number; end: number; closedBy: string }>(
      `DELETE FROM level_bands AS b WHERE b.t >= :start AND b.t < :end AND NOT ${KEPT}`,
    );
    const remaining = ctx.db.prepare<[number, number, string], { d: number; f0: string; data: Buffer }>('SELECT d, f0, data FROM level_bands WHERE t >= ? AND t < ? AND device = ?');
    const next = ctx.db.prepare<[number], { t: number | null }>('SELECT min(t) AS t FROM level_bands WHERE t >= ?');
    const blocks = createBandBlockStore(ctx.db);
    const block = new BandBlock();
    let startMs = -8.64e15;
    for (;;) {
      const first = next.get(startMs)?.t ?? null;
      if (first === null || first >= cutoff) return;
      const end = Math.min(first + DAY_MS, cutoff);
      const p = { start: first, end, closedBy: ctx.cutoffs.casesClosedBy };
      ctx.commit(() => {
        const lost = touched.all(p);
        const rows = del.run(p).changes;
        for (const { device, block: s } of lost) {
          block.clear();
          for (const r of remaining.iterate(s, s + BAND_ROLLUP_MS, device)) block.add(r.data, bandIndex(r.f0), r.d);
          blocks.replace(device, s, block);
        }
        return { rows };
      });
      startMs = end;
    }
  },
};
