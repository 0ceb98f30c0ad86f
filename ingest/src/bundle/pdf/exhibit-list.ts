/** Section 7: each audio exhibit — reference, file, when recorded, length, SHA-256 and its event. */
import { londonMinute } from '../london-clock.ts';
import { type SectionContext, duration, nothingToShow, paragraph } from './layout.ts';
import { drawTable } from './table.ts';

export function renderExhibitList(ctx: SectionContext): void {
  const { doc, exhibits, clock } = ctx;
  if (exhibits.length === 0) {
    nothingToShow(doc, 'No audio clips were recorded in this period.');
    return;
  }
  paragraph(doc, 'Each clip is in the exhibits folder of this bundle under the file name shown. Its SHA-256 fingerprint was recorded by the monitor when the clip was made; any change to the file changes the fingerprint.', { muted: true });
  drawTable(
    doc,
    [
      { header: 'Exhibit', width: 40 },
      { header: 'File', width: 74 },
      { header: 'Recorded', width: 66 },
      { header: 'Length', width: 44 },
      { header: 'Event', width: 78 },
      { header: 'SHA-256', width: 194, mono: true },
    ],
    exhibits.map((e) => [e.ref, e.file, londonMinute(e.clip.start, clock), duration(e.clip.durationSeconds), e.clip.eventId ?? 'Incident button', e.clip.sha256]),
  );
}
