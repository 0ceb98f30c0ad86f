// Times as officers and residents speak of them: Europe/London wall clock.
const dateTime = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const date = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'short', year: 'numeric' });

export const fmtTime = (iso) => (iso === null ? '—' : dateTime.format(new Date(iso)));
export const fmtDate = (iso) => (iso === null ? '—' : date.format(new Date(iso)));
export const fmtDb = (x) => (x === null || x === undefined ? '—' : `${x.toFixed(1)} dB`);
export function fmtDuration(s) {
  if (s === null || s === undefined) return '—';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;
}

/** ISO instant → value for <input type=datetime-local> in the browser's zone. */
export function toLocalInput(iso) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export const fromLocalInput = (v) => new Date(v).toISOString();

/** Builds an element: el('td', { class: 'num' }, 'text', child). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

export function fmtBytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0; let x = n;
  while (x >= 1000 && i < units.length - 1) { x /= 1000; i++; }
  return `${x < 10 && i > 0 ? x.toFixed(1) : Math.round(x)} ${units[i]}`;
}

/** "5 min ago", "3 h ago", "2 days ago". */
export function fmtAgo(iso, now = Date.now()) {
  if (iso === null || iso === undefined) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

/** A local datetime-local value → ISO with offset, or undefined when empty. */
export const optionalInstant = (v) => (v === '' || v === undefined ? undefined : new Date(v).toISOString());
