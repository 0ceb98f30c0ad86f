/**
 * Plans the compaction of queued, unsigned level batches (issue 3: when the
 * quota is reached, 1 s levels are compacted to coarser records). Walks the
 * batches oldest first, groups neighbours with the same calibration up to
 * `maxGroupRecords` records, and halves each group's resolution
 * (level-merge.ts). Each group becomes one batch that replaces the group, so
 * repeated compaction makes the oldest data coarsest first. Pure: bodies are
 * read through the given function, nothing is written.
 */
import type { LevelsBody } from '@earshot/shared';
import { halveRecords } from './level-merge.ts';

export interface CompactionCandidate {
  readonly id: number;
  /** Journal bytes the batch occupies now. */
  readonly bytes: number;
}

export interface CompactionGroup {
  /** Ids replaced, oldest first; the merged batch takes the first one's place. */
  readonly ids: number[];
  readonly body: LevelsBody;
  /** 1 s records merged into coarser ones. */
  readonly merged1s: number;
  readonly oldBytes: number;
}

export function* compactionGroups(
  candidates: readonly CompactionCandidate[],
  bodyOf: (c: CompactionCandidate) => LevelsBody,
  maxGroupRecords: number,
  maxRecordSeconds: number,
): Generator<CompactionGroup> {
  let i = 0;
  let ahead: LevelsBody | null = null;
  while (i < candidates.length) {
    const ids: number[] = [];
    const records: LevelsBody['records'] = [];
    let fullScaleDb = 0;
    let oldBytes = 0;
    while (i < candidates.length) {
      const c = candidates[i]!;
      const body: LevelsBody = ahead ?? bodyOf(c);
      ahead = null;
      if (ids.length > 0 && (body.fullScaleDb !== fullScaleDb || records.length + body.records.length > maxGroupRecords)) {
        ahead = body;
        break;
      }
      ids.push(c.id);
      for (const r of body.records) records.push(r);
      fullScaleDb = body.fullScaleDb;
      oldBytes += c.bytes;
      i++;
    }
    const halved = halveRecords(records, maxRecordSeconds);
    if (halved.records.length === records.length && ids.length === 1) continue; // nothing to gain
    yield { ids, body: { fullScaleDb, records: halved.records }, merged1s: halved.merged1s, oldBytes };
  }
}
