/**
 * Exhibit references: exhibits produced by a witness are numbered consecutively
 * after the witness's initials — JS/1, JS/2, … (the practice for exhibits to
 * witness statements and affidavits, Civil Procedure Rules PD 32 paras 11–18;
 * the officer's initials are an export option, issue 5). The clip
 * file takes the same reference with "-" for "/" (a "/" cannot be in a file name).
 * Clips are numbered in the order they were recorded.
 */
import { EarshotError } from '@earshot/shared';
import type { ExhibitClip, PhoneRecording } from './model.ts';

/** Initials as witnesses write them: 2–4 capital letters. */
export const INITIALS_PATTERN = /^[A-Z]{2,4}$/;

export interface Exhibit {
  readonly clip: ExhibitClip;
  /** JS/1 */
  readonly ref: string;
  /** exhibits/JS-1.wav */
  readonly file: string;
}

export function checkInitials(initials: string): string {
  if (!INITIALS_PATTERN.test(initials)) throw new EarshotError('EARSHOT_E_BUNDLE_INITIALS_INVALID', JSON.stringify(initials));
  return initials;
}

/** Numbers the clips consecutively in recording order (ties by clip id). */
export function assignExhibits(clips: readonly ExhibitClip[], initials: string): Exhibit[] {
  checkInitials(initials);
  const ordered = [...clips].sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || (a.clipId < b.clipId ? -1 : a.clipId > b.clipId ? 1 : 0));
  return ordered.map((clip, i) => ({ clip, ref: `${initials}/${i + 1}`, file: `exhibits/${initials}-${i + 1}.wav` }));
}

/**
 * A phone recording the resident sent with a diary entry (issue 13): an exhibit with its own
 * reference, numbered after the monitor's clips, in the file type it arrived in (it is not
 * converted: its SHA-256 is the one the diary entry's leaf sealed at receipt).
 */
export interface RecordingExhibit {
  readonly recording: PhoneRecording;
  /** JS/7 */
  readonly ref: string;
  /** exhibits/JS-7.webm */
  readonly file: string;
}

/** The label every mention of a phone recording carries (issue 13). */
export const PHONE_RECORDING_LABEL = 'not calibrated, supporting only';

const EXTENSION: Record<PhoneRecording['mediaType'], string> = { 'audio/webm': 'webm', 'audio/ogg': 'ogg', 'audio/mp4': 'm4a', 'audio/wav': 'wav' };

/** Numbers the phone recordings after `clipCount` clips, in the order they were made (ties by diary id). */
export function assignRecordingExhibits(recordings: readonly PhoneRecording[], initials: string, clipCount: number): RecordingExhibit[] {
  checkInitials(initials);
  const ordered = [...recordings].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || Number(a.diaryId) - Number(b.diaryId));
  return ordered.map((recording, i) => {
    const n = clipCount + i + 1;
    return { recording, ref: `${initials}/${n}`, file: `exhibits/${initials}-${n}.${EXTENSION[recording.mediaType]}` };
  });
}

/** Exhibit references of each event, in exhibit order. */
export function exhibitsByEvent(exhibits: readonly Exhibit[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of exhibits) {
    if (e.clip.eventId === null) continue;
    const refs = out.get(e.clip.eventId);
    if (refs === undefined) out.set(e.clip.eventId, [e.ref]);
    else refs.push(e.ref);
  }
  return out;
}

/** For each exhibit whose audio is byte for byte another's (the same SHA-256), the other references. */
export function identicalExhibits(exhibits: readonly Exhibit[]): Map<string, string[]> {
  const bySha = new Map<string, string[]>();
  for (const e of exhibits) {
    const refs = bySha.get(e.clip.sha256);
    if (refs === undefined) bySha.set(e.clip.sha256, [e.ref]);
    else refs.push(e.ref);
  }
  const out = new Map<string, string[]>();
  for (const refs of bySha.values()) if (refs.length > 1) for (const r of refs) out.set(r, refs.filter((o) => o !== r));
  return out;
}
