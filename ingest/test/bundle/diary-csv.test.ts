/**
 * data/diary.csv says who made each entry (issue 13): the resident on their
 * phone at the time, an officer later, or an import; when the resident wrote it
 * and when it arrived; whether those are far apart; and the exhibit of the
 * phone recording sent with it.
 */
import { describe, expect, it } from 'vitest';
import { DIARY_HEADER, diaryCsv } from '../../src/bundle/csv.ts';
import { assignRecordingExhibits } from '../../src/bundle/exhibits.ts';
import type { DiaryEntry } from '../../src/bundle/model.ts';
import { smallCase } from './helpers.ts';

const SHA = 'a'.repeat(64);

function rows(csv: string): Record<string, string>[] {
  const [head, ...lines] = csv.trimEnd().split('\r\n');
  const names = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, v])));
}

describe('data/diary.csv provenance', () => {
  it('names the source, both times, a delay and the phone recording exhibit of each entry', () => {
    const { model } = smallCase().source;
    const resident: DiaryEntry = {
      id: '41', at: '2026-03-28T23:10:00.000Z', text: 'Bass through the wall', measured: [], source: 'resident',
      writtenAt: '2026-03-28T23:12:00.000Z', receivedAt: '2026-03-28T23:40:00.000Z', delayed: true, recordingSha256: SHA,
    };
    const officer: DiaryEntry = { id: '42', at: '2026-03-28T23:30:00.000Z', text: 'Door slams', measured: [], source: 'officer', receivedAt: '2026-03-29T09:00:00.000Z' };
    const old: DiaryEntry = { id: '43', at: '2026-03-28T23:50:00.000Z', text: 'Shouting', measured: [] };
    const recordings = assignRecordingExhibits([{ diaryId: '41', path: '/nowhere.webm', sha256: SHA, mediaType: 'audio/webm', bytes: 10, at: resident.writtenAt! }], 'JS', 3);
    const csv = diaryCsv({ ...model, diary: [resident, officer, old] }, recordings);
    expect(csv.split('\r\n')[0]).toBe(DIARY_HEADER.join(','));
    const [r, o, x] = rows(csv);
    expect(r).toMatchObject({ entry_id: '41', source: 'resident', written_utc: '2026-03-28T23:12:00.000Z', received_utc: '2026-03-28T23:40:00.000Z', delayed: 'yes', phone_recording_exhibit: 'JS/4' });
    expect(o).toMatchObject({ entry_id: '42', source: 'officer', written_utc: '', received_utc: '2026-03-29T09:00:00.000Z', delayed: '', phone_recording_exhibit: '' });
    // An entry from before sources were recorded is an officer's.
    expect(x).toMatchObject({ entry_id: '43', source: 'officer', received_utc: '' });
  });
});
