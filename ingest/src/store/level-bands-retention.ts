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
import { keptAt, purgeBySlice } from '../retention/steps.ts';
import { all, hasTable, run } from '../storage/record/steps.ts';
import { BandBlock, bandSumsReplacer } from './level-bands.ts';
import { bandIndex } from './band-codec.ts';
import { BAND_ROLLUP_MS } from './level-bands-migrations.ts';

const DAY_MS = 86_400_000;

const NOT_KEPT = `NOT ${keptAt('b.device', 'b.t')}`;
const TOUCHED = `SELECT DISTINCT b.device AS device, b.t - b.t % ${BAND_ROLLUP_MS} AS block FROM level_bands b WHERE b.t >= ? AND b.t < ? AND ${NOT_KEPT} ORDER BY device, block`;
const DELETE = `DELETE FROM level_bands AS b WHERE b.t >= ? AND b.t < ? AND ${NOT_KEPT}`;
const REMAINING = 'SELECT d, f0, data FROM level_bands WHERE t >= ? AND t < ? AND device = ? ORDER BY t';

export const purgeLevelBands: PurgeStep = {
  name: 'level-bands',
  async run(ctx) {
    if (!(await ctx.read(hasTable('level_bands')))) return;
    const block = new BandBlock();
    const replace = bandSumsReplacer();
    await purgeBySlice(ctx, 'SELECT min(t) AS t FROM level_bands WHERE t >= ?', DAY_MS, (start, end) => function* () {
      const closedBy = ctx.cutoffs.casesClosedBy;
      const lost = yield* all<{ device: string; block: number }>(TOUCHED, start, end, closedBy);
      const rows = yield* run(DELETE, start, end, closedBy);
      for (const { device, block: s } of lost) {
        block.clear();
        for (const r of yield* all<{ d: number; f0: string; data: Buffer }>(REMAINING, s, s + BAND_ROLLUP_MS, device)) block.add(r.data, bandIndex(r.f0), r.d);
        yield* replace(device, s, block);
      }
      return { rows };
    });
  },
};
