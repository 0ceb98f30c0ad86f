/**
 * Phone recordings under the retention policy (retention/, issue 4): when a
 * case's evidence period has expired, the recordings sent with its diary entries
 * go with the rest of its content. A recording file is content-addressed, so it
 * is kept while another entry still names it; the leaf keeps its hash.
 */
import { purgeCaseFiles } from '../retention/index.ts';
import { all, get, run } from '../storage/record/steps.ts';

export const purgePhoneRecordings = purgeCaseFiles({
  name: 'phone-recordings',
  *listFiles(caseRef) {
    const rows = yield* all<{ file: string; sha256: string; leaf_index: number }>(
      'SELECT recording_file AS file, recording_sha256 AS sha256, leaf_index FROM diary_entries WHERE case_ref = ? AND recording_file IS NOT NULL ORDER BY id',
      caseRef,
    );
    return rows.map((r) => ({ name: r.file, sha256: r.sha256, leafIndex: r.leaf_index }));
  },
  markRemoved: (caseRef) => run('UPDATE diary_entries SET recording_file = NULL WHERE case_ref = ? AND recording_file IS NOT NULL', caseRef),
  *stillReferenced(f) {
    return (yield* get<{ n: number }>('SELECT count(*) AS n FROM diary_entries WHERE recording_sha256 = ? AND recording_file IS NOT NULL', f.sha256))!.n > 0;
  },
});
