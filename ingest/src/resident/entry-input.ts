/**
 * An entry as the resident's phone sends it (issue 13), checked with zod. Times
 * are ISO 8601 instants the page makes from the phone's clock; `writtenAt` is
 * when the resident pressed Send (an entry queued offline keeps it). The
 * recording, if any, is the browser recorder's bytes as base64.
 */
import { z } from 'zod';
import { RESIDENT_LIMITS } from './limits.ts';

const Instant = z.iso.datetime({ offset: true, error: 'must be a date and time' }).transform((s) => Date.parse(s));

export const ResidentEntryInput = z.strictObject({
  /** The phone's own id for the entry: a resend of it is stored once. */
  clientId: z.string().regex(/^[A-Za-z0-9-]{8,64}$/, 'must be 8–64 letters, digits or hyphens'),
  writtenAt: Instant,
  startedAt: Instant,
  endedAt: Instant.nullable().optional(),
  heard: z.string({ error: 'say what you can hear' }).trim().min(1, 'say what you can hear').max(4000, 'at most 4000 characters'),
  effect: z.string().trim().max(4000, 'at most 4000 characters').optional(),
  recording: z.strictObject({
    // Its size is checked once decoded (intake.ts, EARSHOT_E_RESIDENT_RECORDING_TOO_LARGE); the request's own limit bounds the text.
    data: z.base64({ error: 'must be base64' }),
    seconds: z.number().min(0).max(RESIDENT_LIMITS.recordingSeconds + 1, `at most ${RESIDENT_LIMITS.recordingSeconds} seconds`).optional(),
  }).optional(),
});
export type ResidentEntryInput = z.input<typeof ResidentEntryInput>;
export type ResidentEntry = z.output<typeof ResidentEntryInput>;

/** Clocks disagree: a phone may run a few minutes fast. */
export const CLOCK_SLACK_MS = 5 * 60_000;
/** An entry about more than this long ago belongs with the officer, not the link. */
export const OLDEST_ENTRY_MS = 30 * 86_400_000;
/** A phone whose clock is a day or more ahead is wrong, not early. */
export const WRITTEN_AHEAD_MAX_MS = 86_400_000;

/** The rules between the times, against the time of receipt; a problem as one sentence, or null. */
export function timeProblem(e: ResidentEntry, receivedMs: number): string | null {
  if (e.writtenAt > receivedMs + WRITTEN_AHEAD_MAX_MS) return 'writtenAt: the phone clock is more than a day ahead';
  if (e.startedAt > Math.max(receivedMs, e.writtenAt) + CLOCK_SLACK_MS) return 'startedAt: is in the future';
  if (e.startedAt < receivedMs - OLDEST_ENTRY_MS) return 'startedAt: is more than 30 days ago';
  if (e.endedAt !== undefined && e.endedAt !== null) {
    if (e.endedAt < e.startedAt) return 'endedAt: is before it started';
    if (e.endedAt > Math.max(receivedMs, e.writtenAt) + CLOCK_SLACK_MS) return 'endedAt: is in the future';
  }
  return null;
}
