/**
 * What the retention job purges (retention/, issue 4): the confidential content
 * of cases whose evidence period has expired (7 years after closing by default),
 * their clip files and event rows, and 1 s levels past their own limit. The
 * evidence log's leaves are never deleted, so the log still verifies; the audit
 * tables list what went, with the hashes the leaves committed to.
 */
import { join } from 'node:path';
import { deleteCaseRows, purgeCaseContent, purgeCaseFiles, purgeOldTimeSeries, type PurgeStep } from '../retention/index.ts';

const DAY_MS = 86_400_000;

export function retentionSteps(clipsDir: string): PurgeStep[] {
  return [
    purgeCaseContent,
    purgeCaseFiles({
      name: 'clip-files',
      listFiles: (db, caseRef) =>
        db.prepare<[string], { file: string; sha256: string; leaf_index: number | null }>('SELECT file, sha256, leaf_index FROM clips WHERE case_ref = ? AND file IS NOT NULL').all(caseRef)
          .map((r) => ({ path: join(clipsDir, r.file), sha256: r.sha256, ...(r.leaf_index === null ? {} : { leafIndex: r.leaf_index }) })),
      markRemoved: (db, caseRef) => {
        db.prepare("UPDATE clips SET file = NULL, problem = 'purged under the retention policy' WHERE case_ref = ?").run(caseRef);
      },
    }),
    deleteCaseRows({ name: 'clip-chunks', table: 'clip_chunks', caseColumn: 'clip_id' }),
    deleteCaseRows({ name: 'events', table: 'events', caseColumn: 'case_ref' }),
    purgeOldTimeSeries({ name: 'levels', table: 'levels', timeColumn: 't', deviceColumn: 'device', timeUnit: 'ms', sliceMs: DAY_MS }),
  ];
}
