/**
 * Europe/London wall-clock dates and times. Residents and officers speak in local
 * time; the database keeps UTC instants. UK clocks change at 01:00 UTC
 * (The Summer Time Order 2002), so local midnight always exists and is unique.
 */

const formatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

export interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

export function londonParts(ms: number): LocalParts {
  const p: Record<string, number> = {};
  for (const part of formatter.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p.year ?? 0, month: p.month ?? 0, day: p.day ?? 0, hour: p.hour ?? 0, minute: p.minute ?? 0, second: p.second ?? 0 };
}

/** The local date (YYYY-MM-DD) in Europe/London of an instant. */
export function londonDate(ms: number): string {
  const p = londonParts(ms);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/**
 * The UTC instants that show this wall-clock time in London: none in the spring
 * gap, two in the repeated autumn hour, otherwise one. Local offset is 0 or +1 h.
 */
export function londonLocalToUtc(year: number, month: number, day: number, hour: number, minute: number, second = 0): number[] {
  const naive = Date.UTC(year, month - 1, day, hour, minute, second);
  const out: number[] = [];
  for (const offsetMs of [3_600_000, 0]) {
    const t = naive - offsetMs;
    const p = londonParts(t);
    if (p.year === year && p.month === month && p.day === day && p.hour === hour && p.minute === minute && p.second === second) out.push(t);
  }
  return out;
}

/** The instant of 00:00 Europe/London on a local date (YYYY-MM-DD). */
export function londonMidnight(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const t = londonLocalToUtc(y ?? 0, m ?? 0, d ?? 0, 0, 0)[0];
  if (t === undefined) throw new RangeError(`no local midnight on ${date}`);
  return t;
}

/** The next calendar date after a local date (YYYY-MM-DD). */
export function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, (d ?? 0) + 1)).toISOString().slice(0, 10);
}
