/**
 * Exhibit references: exhibits produced by a witness are numbered consecutively
 * after the witness's initials — JS/1, JS/2, … (the practice for exhibits to
 * witness statements and affidavits, Civil Procedure Rules PD 32 paras 11–18;
 * the officer's initials are an export option, issue 5). The clip
 * file takes the same reference with "-" for "/" (a "/" cannot be in a file name).
 * Clips are numbered in the order they were recorded.
 */
import { EarshotError } from '@earshot/shared';
import type { ExhibitClip } from './model.ts';

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
