/**
 * The audio exhibits: reference and the file in this bundle that is that
 * exhibit (the same name, "-" for "/"), when and by which monitor it was
 * recorded, its length, the events it covers, its SHA-256, and a flag where two
 * exhibits are byte for byte the same audio (the same SHA-256).
 */
import { PHONE_RECORDING_LABEL, identicalExhibits } from '../exhibits.ts';
import { londonMinute } from '../london-clock.ts';
import { type SectionContext, duration, nothingToShow, paragraph, subheading } from './layout.ts';
import { drawTable } from './table.ts';
import { eventNumbers, eventsOfExhibits } from './exhibit-text.ts';

export function renderExhibitList(ctx: SectionContext): void {
  const { doc, exhibits, clock } = ctx;
  if (exhibits.length === 0) {
    nothingToShow(doc, 'No audio clips were recorded in this period.');
    renderPhoneRecordings(ctx);
    return;
  }
  const first = exhibits[0]!;
  paragraph(
    doc,
    `Each exhibit is a file in the exhibits folder of this bundle named by its reference, with "-" in place of "/" (a file name cannot hold "/"): exhibit ${first.ref} is the file ${first.file}, and so on for each row below. Its SHA-256 fingerprint was recorded and signed by the monitor when the clip was made; any change to the file changes the fingerprint.`,
    { muted: true },
  );
  const same = identicalExhibits(exhibits);
  const covered = eventsOfExhibits(ctx);
  const manyDevices = new Set(exhibits.map((e) => e.clip.deviceId)).size > 1;
  drawTable(
    doc,
    [
      { header: 'Exhibit', width: 38 },
      { header: 'File in this bundle', width: 70 },
      { header: 'Recorded (UK time)', width: 60 },
      { header: 'Length', width: 40 },
      { header: 'Covers', width: 62 },
      // 32 of the 64 hex digits a line (DejaVu Sans Mono at 8 pt is 4.8 pt a digit).
      { header: 'SHA-256', width: 162, mono: true },
      { header: 'Note', width: 56 },
    ],
    exhibits.map((e) => {
      const twins = same.get(e.ref);
      const covers = eventNumbers(covered.get(e.ref)).replace(/^no event in the schedule$/, 'No event');
      return [
        e.ref,
        e.file,
        londonMinute(e.clip.start, clock),
        duration(e.clip.durationSeconds),
        manyDevices ? `${covers} (monitor ${e.clip.deviceId})` : covers.charAt(0).toUpperCase() + covers.slice(1),
        e.clip.sha256,
        twins === undefined ? '' : `Identical to ${twins.join(', ')} (same SHA-256)`,
      ];
    }),
  );
  if (same.size > 0) {
    paragraph(
      doc,
      'Exhibits marked "Identical" hold exactly the same bytes as the exhibit named: the same audio was stored more than once (for example a clip sent again after a monitor restarted). They are one recording, not separate occurrences.',
      { muted: true },
    );
  }
  renderPhoneRecordings(ctx);
}

/** Issue 13: the resident's phone recordings, exhibits of their own, each marked not calibrated. */
function renderPhoneRecordings(ctx: SectionContext): void {
  const { doc, recordings, clock, model } = ctx;
  if (recordings.length === 0) return;
  subheading(doc, `Phone recordings sent by the resident (${PHONE_RECORDING_LABEL})`);
  paragraph(
    doc,
    "The resident made these on their own phone and sent them with a diary entry. A phone is not a sound level meter: these recordings are not calibrated and say nothing about how loud the noise was; they support the entry they came with. Each file's SHA-256 was sealed in the evidence log with its diary entry when the service received it, and is kept in the format the phone recorded.",
    { muted: true },
  );
  const entryNo = new Map([...model.diary].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).map((d, i) => [d.id, `D${i + 1}`]));
  drawTable(
    doc,
    [
      { header: 'Exhibit', width: 38 },
      { header: 'File in this bundle', width: 80 },
      { header: 'Made (UK time)', width: 60 },
      { header: 'Diary entry', width: 40 },
      { header: 'Kind', width: 110 },
      { header: 'SHA-256', width: 162, mono: true },
    ],
    recordings.map((r) => [
      r.ref, r.file, londonMinute(r.recording.at, clock), entryNo.get(r.recording.diaryId) ?? '–',
      `Phone recording (${r.recording.mediaType}), ${PHONE_RECORDING_LABEL}`, r.recording.sha256,
    ]),
  );
}
