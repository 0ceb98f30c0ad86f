// An event's average 1/3-octave spectrum against the background before it (issue 16): pick an event of the
// period, and the server's energy means (GET /api/cases/:ref/events/:device/:eventId/spectrum) are drawn as
// bars — the event — beside the background (the quiet minutes just before it), with the values in a table.
import { api } from './api.js';
import { showError } from './errors.js';
import { el } from './format.js';
import { bandLabel, sizeCanvas } from './spectrogram.js';

const COLOURS = { event: '#c05621', background: '#9aa5b1', grid: '#e4e7eb', ink: '#1f2933' };
const HEIGHT = 220;
const OCTAVES = new Set(['16', '31.5', '63', '125', '250', '500', '1000', '2000', '4000', '8000', '16000']);
const dayTime = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const hm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const db1 = (v) => (v === null ? '—' : v.toFixed(1));

function eventName(e) {
  const what = e.kind === 'incident' ? 'Incident button' : e.ruleType === 'low-frequency' ? `Bass (rule ${e.ruleId})` : `Rule ${e.ruleId}`;
  return `${dayTime.format(new Date(e.start))} · ${what} · ${e.deviceId}`;
}

function drawBars(canvas, s) {
  const width = Math.max(260, canvas.parentElement.clientWidth);
  const ctx = sizeCanvas(canvas, width, HEIGHT);
  const left = 40;
  const right = width - 8;
  const top = 8;
  const bottom = HEIGHT - 34;
  const values = [...s.event.levels, ...s.background.levels].filter((v) => v !== null);
  const lo = Math.floor((Math.min(...values) - 5) / 10) * 10;
  const hi = Math.ceil((Math.max(...values) + 2) / 10) * 10;
  const yOf = (v) => bottom - ((v - lo) / (hi - lo)) * (bottom - top);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = COLOURS.ink;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let v = lo; v <= hi; v += 10) {
    ctx.fillStyle = COLOURS.grid;
    ctx.fillRect(left, Math.round(yOf(v)), right - left, 1);
    ctx.fillStyle = COLOURS.ink;
    ctx.fillText(String(v), left - 5, yOf(v));
  }
  ctx.save();
  ctx.translate(10, (top + bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText('dB(Z)', 0, 0);
  ctx.restore();
  const n = s.bands.length;
  const slot = (right - left) / n;
  const bar = Math.max(1, slot * 0.4);
  // Every label when there is room, else the octave bands' (16, 31.5, 63, 125 …).
  const every = slot >= 26;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'center';
  s.bands.forEach((b, k) => {
    const x = left + k * slot + slot / 2;
    const pairs = [[s.event.levels[k], COLOURS.event, -bar], [s.background.levels[k], COLOURS.background, 0]];
    for (const [v, colour, dx] of pairs) {
      if (v === null) continue;
      ctx.fillStyle = colour;
      const y = Math.max(top, yOf(v));
      ctx.fillRect(x + dx, y, bar, bottom - y);
    }
    if (every || OCTAVES.has(b)) {
      ctx.fillStyle = COLOURS.ink;
      ctx.fillText(bandLabel(b), x, bottom + 4);
    }
  });
  ctx.fillStyle = COLOURS.ink;
  ctx.fillText('Hz (1/3-octave band midfrequency)', (left + right) / 2, bottom + 19);
  ctx.fillRect(left, bottom, right - left, 1);
}

function valuesTable(s) {
  return el('details', { class: 'spectrum-values' }, el('summary', {}, 'The values'),
    el('table', { class: 'spectrum-table' },
      el('thead', {}, el('tr', {}, ['Band (Hz)', 'Event dB(Z)', 'Background dB(Z)', 'Difference dB'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, s.bands.map((b, k) => {
        const e = s.event.levels[k];
        const g = s.background.levels[k];
        return el('tr', {}, el('td', {}, b), el('td', { class: 'num' }, db1(e)), el('td', { class: 'num' }, db1(g)), el('td', { class: 'num' }, e === null || g === null ? '—' : (e - g).toFixed(1)));
      }))));
}

/** The event spectrum panel; `show(tl)` after each timeline load lists its events. */
export function eventSpectrum(c) {
  const select = el('select', { id: 'spectrum-event' });
  const canvas = el('canvas', { id: 'spectrum-canvas', role: 'img', class: 'spectrum-canvas' });
  const chartBox = el('div', { class: 'spectrum-chart', hidden: true }, canvas);
  const key = el('p', { class: 'key legend-note', hidden: true },
    el('span', {}, el('i', { class: 'swatch sw-spectrum-event' }), 'event (average over its duration)'),
    el('span', {}, el('i', { class: 'swatch sw-spectrum-background' }), 'background before it'));
  const note = el('p', { class: 'legend-note', id: 'spectrum-note', 'aria-live': 'polite' });
  const values = el('div');
  const errorBox = el('div', { class: 'error', role: 'alert', hidden: true });
  const node = el('section', { class: 'card event-spectrum', id: 'event-spectrum', 'aria-labelledby': 'event-spectrum-title', hidden: true },
    el('h3', { id: 'event-spectrum-title' }, 'Spectrum of an event against the background'),
    el('div', { class: 'field' }, el('label', { for: 'spectrum-event' }, 'Event'), select),
    chartBox, key, note, values, errorBox);
  let events = [];
  let latest = 0;
  let shown = null;

  async function pick() {
    const e = events[Number(select.value)];
    if (e === undefined) return;
    const mine = ++latest;
    errorBox.hidden = true;
    note.textContent = 'Reading the band levels…';
    try {
      const s = await api('GET', `/api/cases/${encodeURIComponent(c.ref)}/events/${encodeURIComponent(e.deviceId)}/${encodeURIComponent(e.eventId)}/spectrum`);
      if (mine !== latest) return;
      shown = s;
      node.dataset.bands = String(s.bands.length);
      const has = s.bands.length > 0 && s.event.levels.some((v) => v !== null);
      chartBox.hidden = !has;
      key.hidden = !has;
      values.replaceChildren(has ? valuesTable(s) : '');
      if (!has) { note.textContent = 'No 1/3-octave band levels were recorded over this event.'; return; }
      drawBars(canvas, s);
      const bg = s.background.seconds > 0
        ? `Background: ${Math.round(s.background.seconds / 60 * 10) / 10} min from ${hm.format(new Date(s.background.from))} to ${hm.format(new Date(s.background.to))} — ${s.backgroundRule}.`
        : 'No quiet time was recorded before this event, so there is no background to compare with.';
      canvas.setAttribute('aria-label', `Bar chart: the event's average level in each 1/3-octave band from ${bandLabel(s.bands[0])} Hz to ${bandLabel(s.bands.at(-1))} Hz against the background before it; the values are in the table below.`);
      note.textContent = `Event: ${Math.round(s.event.seconds)} s from ${hm.format(new Date(s.event.from))} to ${hm.format(new Date(s.event.to))}, energy mean of each band. ${bg}`;
    } catch (err) { if (mine === latest) { note.textContent = ''; showError(errorBox, err); } }
  }
  select.addEventListener('change', () => void pick());
  let resizeTimer;
  window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(() => { if (shown && !chartBox.hidden) drawBars(canvas, shown); }, 150); });

  function show(tl) {
    events = tl.events;
    node.hidden = events.length === 0;
    if (events.length === 0) return;
    select.replaceChildren(...events.map((e, i) => el('option', { value: String(i) }, eventName(e))));
    // A bass event first, if there is one: that is what the spectrum shows best.
    const bass = events.findIndex((e) => e.ruleType === 'low-frequency');
    select.value = String(bass >= 0 ? bass : 0);
    void pick();
  }
  return { node, show };
}
