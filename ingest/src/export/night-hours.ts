/**
 * The nights a bundle's period touches, as instants: night hours are 11 p.m. to
 * the following 7 a.m. UK time (Noise Act 1996 s.2(6)), so a night is 8 hours
 * long, 7 on the night the clocks go forward (last Sunday of March) and 9 on the
 * night they go back (last Sunday of October): Summer Time Order 2002.
 */
import { londonDate, londonLocalToUtc, nextDate } from '../cases/london-time.ts';

/** Noise Act 1996 s.2(6). */
export const NIGHT_START_HOUR = 23;
export const NIGHT_END_HOUR = 7;

export interface Night {
  /** The UK date the night starts on (YYYY-MM-DD). */
  readonly nightOf: string;
  /** 23:00 that evening and 07:00 the next morning, UK time, as epoch ms. */
  readonly start: number;
  readonly end: number;
}

function at(date: string, hour: number): number {
  const [y, m, d] = date.split('-').map(Number);
  // 23:00 and 07:00 are never skipped or repeated by the UK clock changes (01:00 / 02:00).
  const t = londonLocalToUtc(y ?? 0, m ?? 0, d ?? 0, hour, 0)[0];
  if (t === undefined) throw new Error(`no ${hour}:00 on ${date} in UK time`);
  return t;
}

/** The whole nights overlapping [from, to), in order (not clipped). */
export function nightsTouching(from: number, to: number): Night[] {
  const out: Night[] = [];
  let date = londonDate(from - 24 * 3_600_000);
  const last = londonDate(to);
  for (let guard = 0; guard < 100_000 && date <= last; guard++) {
    const next = nextDate(date);
    const start = at(date, NIGHT_START_HOUR);
    const end = at(next, NIGHT_END_HOUR);
    if (end > from && start < to) out.push({ nightOf: date, start, end });
    date = next;
  }
  return out;
}
