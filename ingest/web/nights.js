// Events grouped as the court bundle's schedule groups them (bundle/schedule-groups.ts): night hours are
// 23:00 to the following 07:00 UK time (Noise Act 1996 s.2(6)), so an event at 02:00 on Tuesday is in the
// "Night of Mon 2 Nov 2026"; 07:00–23:00 is the day's. UK time from Intl (Europe/London), so the groups
// follow the clock changes. Pure: no DOM.

/** Noise Act 1996 s.2(6). */
const NIGHT_START_HOUR = 23;
const NIGHT_END_HOUR = 7;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });

/** "Mon 2 Nov 2026" for a date YYYY-MM-DD. */
export function dayName(date) {
  const [y, m, d] = date.split('-').map(Number);
  return `${WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]} ${d} ${MONTHS[m - 1]} ${y}`;
}

const ymd = (ms) => new Date(ms).toISOString().slice(0, 10);

/** { date, night, label } for an instant (ISO text or epoch ms): the same as the bundle's scheduleGroup. */
export function nightGroup(at) {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  const p = Object.fromEntries(parts.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const hour = Number(p.hour);
  const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day));
  if (hour >= NIGHT_END_HOUR && hour < NIGHT_START_HOUR) {
    const date = ymd(local);
    return { date, night: false, label: `${dayName(date)}, daytime (07:00–23:00)` };
  }
  // Before 07:00 belongs to the night that began the evening before.
  const date = ymd(hour < NIGHT_END_HOUR ? local - 86_400_000 : local);
  return { date, night: true, label: `Night of ${dayName(date)} (23:00–07:00)` };
}

/** Items in time order, grouped: [{ key, label, night, items }] in the order first met. */
export function groupByNight(items, startOf) {
  const groups = new Map();
  for (const it of [...items].sort((a, b) => Date.parse(startOf(a)) - Date.parse(startOf(b)))) {
    const g = nightGroup(startOf(it));
    const key = `${g.date}/${g.night ? 'night' : 'day'}`;
    if (!groups.has(key)) groups.set(key, { key, label: g.label, night: g.night, items: [] });
    groups.get(key).items.push(it);
  }
  return [...groups.values()];
}
