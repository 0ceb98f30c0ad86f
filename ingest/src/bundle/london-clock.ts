/**
 * Fast Europe/London local time for millions of rows (data/levels.csv): the UTC
 * offset is looked up once per UTC hour (UK clocks change on the hour, at 01:00
 * UTC — The Summer Time Order 2002) and cached, then the local time is plain
 * arithmetic. Output is ISO 8601 with the offset, e.g. 2026-03-29T02:00:00+01:00,
 * so the repeated autumn hour stays unambiguous.
 */
import { londonParts } from '../cases/london-time.ts';

const HOUR_MS = 3_600_000;

export class LondonClock {
  #hour = Number.NaN;
  #offsetMs = 0;

  /** Local offset from UTC in ms (0 or 3 600 000) at instant `ms`. */
  offsetMs(ms: number): number {
    const hour = Math.floor(ms / HOUR_MS);
    if (hour !== this.#hour) {
      this.#hour = hour;
      const t = hour * HOUR_MS;
      const p = londonParts(t);
      this.#offsetMs = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - t;
    }
    return this.#offsetMs;
  }

  /** ISO 8601 local time with offset, whole seconds. */
  iso(ms: number): string {
    const off = this.offsetMs(ms);
    const local = new Date(ms + off).toISOString();
    return `${local.slice(0, 19)}${off === 0 ? '+00:00' : '+01:00'}`;
  }
}

/** "2026-03-01 22:00" local, for people (PDF). */
export function londonMinute(iso: string | number, clock = new LondonClock()): string {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  return new Date(ms + clock.offsetMs(ms)).toISOString().slice(0, 16).replace('T', ' ');
}

/** "22:00:05" local. */
export function londonTimeOfDay(iso: string | number, clock = new LondonClock()): string {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  return new Date(ms + clock.offsetMs(ms)).toISOString().slice(11, 19);
}
