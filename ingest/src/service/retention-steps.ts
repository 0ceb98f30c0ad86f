/**
 * What the retention job purges (retention/, issue 4): the confidential content
 * of cases whose evidence period has expired (7 years after closing by default),
 * their clip files, clip chunks and event rows, and 1 s levels past their own
 * limit. The evidence log's leaves are never deleted, so the log still verifies;
 * the audit tables list what went, with the hashes the leaves committed to.
 *
 * Issue 11 item 14: chunks are matched through their clip's manifest (a chunk
 * has no case of its own), and a clip file, being content-addressed, is deleted
 * only when no remaining clip row references it (the same sound recorded for
 * another, open case is that case's evidence). Items 5 and 14: quarantined
 * payloads and rows, chunks without a manifest and exported bundles are purged
 * too (retention/hygiene.ts).
 */
import {
  type PurgeStep, deleteCaseRows, expiredCases, purgeCaseContent, purgeCaseFiles, purgeOldTimeSeries, purgeOrphanChunks, purgeQuarantinePayloads, purgeQuarantineRows,
} from '../retention/index.ts';
import { purgePhoneRecordings } from '../resident/retention.ts';
import { purgeLevelBands } from '../store/level-bands-retention.ts';
import { all, get, run } from '../storage/record/steps.ts';

const DAY_MS = 86_400_000;

/** Chunks of the expired case's clips (incomplete or corrupt clips keep theirs until then). */
const clipChunks: PurgeStep = {
  name: 'clip-chunks',
  async run(ctx) {
    const del = 'DELETE FROM clip_chunks WHERE EXISTS (SELECT 1 FROM clips m WHERE m.device = clip_chunks.device AND m.clip_id = clip_chunks.clip_id AND m.case_ref = ?)';
    for (const ref of await ctx.read(expiredCases(ctx.cutoffs.casesClosedBy))) {
      await ctx.commit(function* () {
        return { rows: yield* run(del, ref) };
      });
    }
  },
};

const clipFiles = purgeCaseFiles({
  name: 'clip-files',
  *listFiles(caseRef) {
    const rows = yield* all<{ file: string; sha256: string; leaf_index: number | null }>('SELECT file, sha256, leaf_index FROM clips WHERE case_ref = ? AND file IS NOT NULL ORDER BY device, clip_id', caseRef);
    return rows.map((r) => ({ name: r.file, sha256: r.sha256, ...(r.leaf_index === null ? {} : { leafIndex: r.leaf_index }) }));
  },
  markRemoved: (caseRef) => run("UPDATE clips SET file = NULL, problem = 'purged under the retention policy' WHERE case_ref = ? AND file IS NOT NULL", caseRef),
  // Stored names are "<sha256>.wav" (store/clip-file.ts), so a remaining row with the same file is a reference.
  *stillReferenced(f) {
    return (yield* get<{ n: number }>('SELECT count(*) AS n FROM clips WHERE sha256 = ? AND file IS NOT NULL', f.sha256))!.n > 0;
  },
});

/**
 * The purge of either store; `bundles` is the step for the exported bundles, which each store keeps its own
 * way (retention/hygiene.ts purgeBundleFiles for the data folder's, storage/postgres/export-jobs.ts
 * purgeExportJobs for PostgreSQL's), or null to leave them.
 */
export function retentionSteps(bundles: PurgeStep | null): PurgeStep[] {
  return [
    purgeCaseContent,
    clipFiles,
    clipChunks,
    // Issue 13: the resident's phone recordings (content-addressed beside the clips).
    purgePhoneRecordings,
    deleteCaseRows({ name: 'events', table: 'events', caseColumn: 'case_ref' }),
    purgeOldTimeSeries({ name: 'levels', table: 'levels', timeColumn: 't', deviceColumn: 'device', sliceMs: DAY_MS }),
    purgeLevelBands,
    purgeQuarantinePayloads,
    purgeQuarantineRows,
    purgeOrphanChunks,
    ...(bundles === null ? [] : [bundles]),
  ];
}
