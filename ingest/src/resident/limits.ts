/**
 * Limits of the resident's page (issue 13 "Safety"): how much one link and one
 * address may ask in a while, and how big a phone recording may be. Counting is
 * a fixed window per key (pure, the clock injected); each process counts its
 * own requests (behind several `earshot serve` processes each holds its share).
 */

export interface Window {
  readonly max: number;
  readonly windowMs: number;
}

export interface ResidentLimits {
  /** Every request to the resident's API from one address. */
  readonly perAddress: Window;
  /** Requests naming an unknown, revoked or expired link from one address (guessing). */
  readonly badLinkPerAddress: Window;
  /** Every request through one link. */
  readonly perLink: Window;
  /** Entries through one link. */
  readonly entriesPerLink: Window;
  /** Bytes of one phone recording. */
  readonly recordingBytes: number;
  /** Seconds of recording the page allows. */
  readonly recordingSeconds: number;
}

export const RESIDENT_LIMITS: ResidentLimits = {
  // A person writing a diary makes a few requests a minute; 60 leaves room for a household behind one address.
  perAddress: { max: 60, windowMs: 60_000 },
  badLinkPerAddress: { max: 10, windowMs: 10 * 60_000 },
  perLink: { max: 120, windowMs: 10 * 60_000 },
  // Even a night of constant noise is a handful of entries an hour; an offline queue sends its backlog at once.
  entriesPerLink: { max: 30, windowMs: 60 * 60_000 },
  // 30 s (issue 13) of Opus at the page's 64 kbit/s is 240 kB; an old iPhone's AAC in MP4 or a WAV at 16 kHz stays under 1 MiB.
  recordingBytes: 1024 * 1024,
  recordingSeconds: 30,
};

export interface Counter {
  /** Counts one; false (and not counted) when the key has used its window's allowance. */
  take(key: string): boolean;
  /** Milliseconds until the key's window resets (0 when it has room). */
  retryAfterMs(key: string): number;
}

/** A fixed-window counter; old windows are dropped as keys are touched and every `max(1000 keys)` takes. */
export function createCounter(w: Window, now: () => number): Counter {
  const windows = new Map<string, { start: number; n: number }>();
  let takes = 0;
  const current = (key: string, t: number): { start: number; n: number } => {
    let c = windows.get(key);
    if (c === undefined || t - c.start >= w.windowMs) {
      c = { start: t, n: 0 };
      windows.set(key, c);
    }
    return c;
  };
  return {
    take(key) {
      const t = now();
      if (++takes % 1000 === 0) for (const [k, c] of windows) if (t - c.start >= w.windowMs) windows.delete(k);
      const c = current(key, t);
      if (c.n >= w.max) return false;
      c.n++;
      return true;
    },
    retryAfterMs(key) {
      const t = now();
      const c = windows.get(key);
      if (c === undefined || t - c.start >= w.windowMs || c.n < w.max) return 0;
      return c.start + w.windowMs - t;
    },
  };
}
