/** What a lock file says about its holder, so a second starter can name it and tell whether it still runs. */
import { z } from 'zod';

export const LockRecord = z.object({
  v: z.literal(1),
  pid: z.number().int().positive(),
  /** /proc/<pid>/stat field 22 of the holder (null where there is no /proc). */
  startTicks: z.string().nullable(),
  host: z.string(),
  /** When the holder took the lock (ISO 8601 UTC). */
  since: z.string(),
  /** The holder's command line, as a person would type it. */
  command: z.string(),
  /** Random: tells this holder's file from a later one with the same pid. */
  token: z.string(),
  /** What the holder wants a second starter to be told (e.g. the demo's web address). */
  info: z.record(z.string(), z.string()).optional(),
});
export type LockRecord = z.infer<typeof LockRecord>;

/** The record in a lock file's text; null when it is not one (an empty or foreign file). */
export function parseLockRecord(text: string): LockRecord | null {
  try {
    const r = LockRecord.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** "pid 4242 (earshot serve --data-dir data), running since 2026-12-01T19:52:11Z" */
export function describeHolder(r: LockRecord, ownHost: string): string {
  return `pid ${r.pid}${r.host === ownHost ? '' : ` on ${r.host}`} (${r.command}), running since ${r.since.replace(/\.\d{3}Z$/, 'Z')}`;
}
