/**
 * Which exhibits cover each event (issue 10 item 5): every clip of the same
 * monitor whose audio [start, start + duration) overlaps the event's time
 * [start, end) — for an instant (a button press), holds it — and the clip the
 * monitor recorded for the event itself, in exhibit order. One clip can cover
 * several events and one event several clips.
 */
import type { Exhibit } from './exhibits.ts';
import type { BundleEvent } from './model.ts';

export function exhibitsCovering(events: readonly BundleEvent[], exhibits: readonly Exhibit[]): Map<BundleEvent, string[]> {
  const clips = exhibits.map((x) => {
    const from = Date.parse(x.clip.start);
    return { x, from, to: from + x.clip.durationSeconds * 1000 };
  });
  const out = new Map<BundleEvent, string[]>();
  for (const e of events) {
    const s = Date.parse(e.start);
    const end = Date.parse(e.end);
    const refs: string[] = [];
    for (const c of clips) {
      if (c.x.clip.deviceId !== e.deviceId) continue;
      const own = c.x.clip.eventId === e.id;
      const covers = end > s ? c.from < end && c.to > s : c.from <= s && s < c.to;
      if (own || covers) refs.push(c.x.ref);
    }
    out.set(e, refs);
  }
  return out;
}
