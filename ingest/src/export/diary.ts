/**
 * Diary corroboration: this case's diary entries in the period, each beside what
 * the monitor measured from 10 minutes before it to 10 minutes after (issue 5:
 * the same ±10 min within which events corroborate it, bundle/pdf/diary.ts).
 */
import { listDiary } from '../cases/diary.ts';
import type { Db } from '../db/open.ts';
import { CORROBORATION_WINDOW_MS, type DiaryEntry } from '../bundle/index.ts';
import { createWindowMeasurer } from './measure-window.ts';
import type { Period } from './period.ts';
import type { DeploymentSpan } from './spans.ts';

/** Shown for an entry whose text the retention purge removed (its leaf still commits to it). */
export const PURGED_DIARY_TEXT = 'The text of this entry has been removed under the retention policy; its record remains in the evidence log.';

export function caseDiary(db: Db, caseRef: string, period: Period, spans: readonly DeploymentSpan[]): DiaryEntry[] {
  const measure = createWindowMeasurer(db, spans);
  const iso = (ms: number): string => new Date(ms).toISOString();
  return listDiary(db, caseRef).flatMap((e): DiaryEntry[] => {
    const at = Date.parse(e.startedAt);
    if (at < period.from || at >= period.to) return [];
    const c = e.content;
    const text = c === null
      ? PURGED_DIARY_TEXT
      : [c.heard, c.effect === null ? null : `Effect: ${c.effect}`, c.recordedBy === null ? null : `(Recorded by ${c.recordedBy}.)`].filter((s) => s !== null).join('\n');
    const window = { from: at - CORROBORATION_WINDOW_MS, to: (e.endedAt === null ? at : Date.parse(e.endedAt)) + CORROBORATION_WINDOW_MS };
    const m = measure(window.from, window.to);
    return [{ id: String(e.id), at: e.startedAt, text, measured: m === null ? null : { window: { from: iso(window.from), to: iso(window.to) }, ...m } }];
  });
}
