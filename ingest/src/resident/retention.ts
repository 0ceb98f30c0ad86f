/**
 * Phone recordings under the retention policy (retention/, issue 4): when a
 * case's evidence period has expired, the recordings sent with its diary entries
 * go with the rest of its content. A recording file is content-addressed, so it
 * is kept while another entry still names it; the leaf keeps its hash.
 */
import { join } from 'node:path';
import { type PurgeStep, purgeCaseFiles } from '../retention/index.ts';

export function purgePhoneRecordings(clipsDir: string): PurgeStep {
  return purgeCaseFiles({
    name: 'phone-recordings',
    listFiles: (db, caseRef) =>
      db.prepare<[string], { file: string; sha256: string; leaf_index: number }>(
        'SELECT recording_file AS file, recording_sha256 AS sha256, leaf_index FROM diary_entries WHERE case_ref = ? AND recording_file IS NOT NULL',
      ).all(caseRef).map((r) => ({ path: join(clipsDir, r.file), sha256: r.sha256, leafIndex: r.leaf_index })),
    markRemoved: (db, caseRef) => {
      db.prepare('UPDATE diary_entries SET recording_file = NULL WHERE case_ref = ? AND recording_file IS NOT NULL').run(caseRef);
    },
    stillReferenced: (db, f) => db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM diary_entries WHERE recording_sha256 = ? AND recording_file IS NOT NULL').get(f.sha256)!.n > 0,
  });
}
