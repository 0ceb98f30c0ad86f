/**
 * Diary corroboration: this case's diary entries in the period, each beside what
 * each monitor measured over the time the resident described (issue 10): from
 * the start they gave to the end they gave, or, for a single time, the 10
 * minutes centred on it; each monitor's figures separately, named. Events within ±10 minutes are summarised beside it
 * (bundle/pdf/diary.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { listDiary } from '../cases/diary.ts';
import type { Db } from '../db/open.ts';
import { type DiaryEntry, PhoneRecording } from '../bundle/index.ts';
import { createWindowMeasurer } from './measure-window.ts';
import type { Period } from './period.ts';
import type { DeploymentSpan } from './spans.ts';

/** Shown for an entry whose text the retention purge removed (its leaf still commits to it). */
export const PURGED_DIARY_TEXT = 'The text of this entry has been removed under the retention policy; its record remains in the evidence log.';

/** An entry with one time is measured over the 10 minutes centred on it. */
const POINT_HALF_WINDOW_MS = 5 * 60_000;

export function caseDiary(db: Db, caseRef: string, period: Period, spans: readonly DeploymentSpan[]): DiaryEntry[] {
  const measure = createWindowMeasurer(db, spans);
  const devices = [...new Set(spans.map((s) => s.deviceId))].sort();
  const iso = (ms: number): string => new Date(ms).toISOString();
  return listDiary(db, caseRef).flatMap((e): DiaryEntry[] => {
    const at = Date.parse(e.startedAt);
    if (at < period.from || at >= period.to) return [];
    const c = e.content;
    const text = c === null
      ? PURGED_DIARY_TEXT
      : [c.heard, c.effect === null ? null : `Effect: ${c.effect}`, c.recordedBy === null ? null : `(Recorded by ${c.recordedBy}.)`].filter((s) => s !== null).join('\n');
    const end = e.endedAt === null ? null : Date.parse(e.endedAt);
    const window = end !== null && end > at ? { from: at, to: end } : { from: at - POINT_HALF_WINDOW_MS, to: at + POINT_HALF_WINDOW_MS };
    // Each monitor on its own (issue 10 item 6): two rooms' levels are never pooled.
    const measured = devices.flatMap((deviceId) => {
      const m = measure(window.from, window.to, deviceId);
      return m === null ? [] : [{ deviceId, window: { from: iso(window.from), to: iso(window.to) }, LAeq: m.LAeq, LAFmax: m.LAFmax, LA90: m.LA90 }];
    });
    // Issue 13: who wrote it and when it was written and received; a phone recording is its own exhibit.
    const provenance = {
      source: e.source, receivedAt: e.receivedAt, ...(e.writtenAt === null ? {} : { writtenAt: e.writtenAt, delayed: e.delayed }),
      ...(e.recording === null ? {} : { recordingSha256: e.recording.sha256 }),
    };
    return [{ id: String(e.id), at: e.startedAt, ...(end === null ? {} : { end: e.endedAt! }), text, measured, ...provenance }];
  });
}

/** The phone recordings of the case's diary entries in the period (issue 13) whose files are in the clips folder. */
export function casePhoneRecordings(db: Db, clipsDir: string, caseRef: string, period: Period): PhoneRecording[] {
  return listDiary(db, caseRef).flatMap((e): PhoneRecording[] => {
    const at = Date.parse(e.startedAt);
    if (at < period.from || at >= period.to || e.recording === null || e.recording.file === null) return [];
    const path = join(clipsDir, e.recording.file);
    if (!existsSync(path)) return [];
    const mediaType = PhoneRecording.shape.mediaType.safeParse(e.recording.mediaType);
    if (!mediaType.success) return [];
    return [{ diaryId: String(e.id), path, sha256: e.recording.sha256, mediaType: mediaType.data, bytes: e.recording.bytes, at: e.writtenAt ?? e.receivedAt }];
  });
}
