/**
 * "Last night" for the demo: the most recent night 22:00–07:00 UK time that
 * has ended, whatever the time of day it is asked (at 03:00 it is the night
 * before the current one). Europe/London's offset is 0 or +1 hour (Summer
 * Time Act 1972 as amended), so a night across a clock change is 8 or 10 hours.
 */
const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

interface LocalParts { y: number; m: number; d: number; h: number; min: number }

function localParts(ms: number): LocalParts {
  const p: Record<string, number> = {};
  for (const part of LONDON.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p['year']!, m: p['month']!, d: p['day']!, h: p['hour']!, min: p['minute']! };
}

/** The UTC instant of a London wall-clock time (on a date given as y, m 1–12, d; days may overflow). */
export function londonToUtc(y: number, m: number, d: number, h: number, min = 0): number {
  const asUtc = Date.UTC(y, m - 1, d, h, min);
  // Two rounds: the offset at the guess, then at the corrected instant (either side of a change).
  let t = asUtc;
  for (let i = 0; i < 2; i++) {
    const p = localParts(t);
    const offset = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min) - t;
    t = asUtc - offset;
  }
  return t;
}

/** The night 22:00–07:00 UK time that ended most recently before `nowMs`. */
export function lastNight(nowMs: number): { startMs: number; endMs: number } {
  const today = localParts(nowMs);
  let endMs = londonToUtc(today.y, today.m, today.d, 7);
  let endDay = today.d;
  if (endMs > nowMs) {
    endDay -= 1;
    endMs = londonToUtc(today.y, today.m, endDay, 7);
  }
  return { startMs: londonToUtc(today.y, today.m, endDay - 1, 22), endMs };
}
