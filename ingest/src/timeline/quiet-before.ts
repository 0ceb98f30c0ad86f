/**
 * The background of an event (issue 16): the quiet time just before it — the
 * last BACKGROUND_MS of time before the event's start that lies inside the
 * monitor's deployment and outside every event of that monitor, looking back no
 * further than LOOKBACK_MS. Usually that is simply the 5 minutes before the
 * start; when another event ran then, the background reaches back past it.
 * Pure: the intervals in, the intervals out, latest last.
 */
export interface Span {
  readonly from: number;
  readonly to: number;
}

/** 5 minutes: the background window the web view and the bundle's low-frequency section use. */
export const BACKGROUND_MS = 300_000;
/** How far back the quiet time is looked for before the comparison is given up (the background is then shorter, and says so). */
export const LOOKBACK_MS = 3_600_000;

/** In words, for the bundle and the web view. */
export const BACKGROUND_RULE = 'the 5 minutes of measured time just before the event started in which no other event of that monitor was running (looked for up to 1 hour back)';

/**
 * The quiet intervals before `start`, in time order: inside `available` (the
 * deployment ranges), outside `busy` (other events), at most `wantMs` in all and
 * no earlier than `start − lookbackMs`.
 */
export function quietBefore(start: number, available: readonly Span[], busy: readonly Span[], wantMs = BACKGROUND_MS, lookbackMs = LOOKBACK_MS): Span[] {
  const floor = start - lookbackMs;
  // Free = available ∩ [floor, start) minus busy, walked from the start backwards.
  const edges = busy.filter((b) => b.to > floor && b.from < start).map((b) => ({ from: Math.max(b.from, floor), to: Math.min(b.to, start) })).sort((a, b) => b.to - a.to);
  const out: Span[] = [];
  let left = wantMs;
  const avail = available.filter((a) => a.to > floor && a.from < start).map((a) => ({ from: Math.max(a.from, floor), to: Math.min(a.to, start) })).sort((a, b) => b.to - a.to);
  for (const a of avail) {
    let hi = a.to;
    while (hi > a.from && left > 0) {
      // The latest busy span reaching into [a.from, hi).
      const blocker = edges.find((b) => b.from < hi && b.to > a.from);
      if (blocker !== undefined && blocker.to >= hi) {
        hi = Math.min(hi, blocker.from);
        continue;
      }
      const lo = Math.max(a.from, blocker === undefined ? a.from : blocker.to, hi - left);
      if (hi > lo) {
        out.push({ from: lo, to: hi });
        left -= hi - lo;
      }
      hi = blocker === undefined ? a.from : Math.min(lo, blocker.from);
    }
    if (left <= 0) break;
  }
  return out.reverse();
}
