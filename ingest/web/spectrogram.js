// The spectrogram under the level chart (issue 16): time across, 1/3-octave band up (10 Hz at the bottom),
// colour the band's Z-weighted Leq over each bucket — the energy mean the server worked out
// (GET /api/cases/:ref/bands) on the same buckets as the chart, drawn on a canvas whose plot area is
// lined up with the chart's, so the two share one time axis and one zoom.
import { api } from './api.js';
import { showError } from './errors.js';
import { el, fmtTime } from './format.js';

// Viridis (matplotlib, van der Walt & Smith 2015): perceptually uniform, readable in grey and with colour-blindness.
const VIRIDIS = ['#440154', '#482878', '#3e4a89', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];
const NO_DATA = '#e4e7eb';
const ROW_HEIGHT = 150;
const AXIS_LABELS = new Set(['16', '31.5', '63', '125', '250', '500', '1000', '2000', '4000', '8000', '16000']);
const hms = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const STOPS = VIRIDIS.map(hex);

/** The colour of a level within [lo, hi] (clamped), as an rgb() string. */
export function colourOf(v, lo, hi) {
  const x = Math.min(1, Math.max(0, (v - lo) / (hi - lo))) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const c = STOPS[i].map((a, k) => Math.round(a + (STOPS[i + 1][k] - a) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** Hz as people write it on an axis: 1000 → 1k, 31.5 → 31.5. */
export const bandLabel = (b) => (Number(b) >= 1000 ? `${Number(b) / 1000}k` : b);

/** The colour scale: whole 5 dB steps from the 2nd percentile of the levels to the loudest (never clipped), at least 20 dB wide. */
function scaleOf(devices) {
  const all = [];
  for (const d of devices) for (const row of d.levels) if (row !== null) for (const v of row) if (v !== null) all.push(v);
  if (all.length === 0) return null;
  all.sort((a, b) => a - b);
  const at = (p) => all[Math.min(all.length - 1, Math.floor(p * all.length))];
  let lo = Math.floor(at(0.02) / 5) * 5;
  let hi = Math.ceil(all[all.length - 1] / 5) * 5;
  if (hi - lo < 20) { const mid = (hi + lo) / 2; lo = Math.floor((mid - 10) / 5) * 5; hi = lo + 20; }
  return { lo, hi };
}

// A canvas of width × height CSS pixels, drawn at the screen's pixel density.
export function sizeCanvas(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

function drawLegend(canvas, scale, width) {
  const h = 34;
  const ctx = sizeCanvas(canvas, width, h);
  const x0 = 8;
  const w = Math.max(60, width - 16);
  const grad = ctx.createLinearGradient(x0, 0, x0 + w, 0);
  VIRIDIS.forEach((c, i) => grad.addColorStop(i / (VIRIDIS.length - 1), c));
  ctx.fillStyle = grad;
  ctx.fillRect(x0, 2, w, 12);
  ctx.fillStyle = '#1f2933';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  const step = (scale.hi - scale.lo) / 10 > 5 ? 10 : 5;
  const room = w / ((scale.hi - scale.lo) / step);
  // Ticks on whole multiples of the step (20, 30 … dB), every other one when they crowd.
  for (let v = Math.ceil(scale.lo / step) * step; v <= scale.hi; v += step) {
    if (room < 28 && (v / step) % 2 !== 0) continue;
    const x = x0 + ((v - scale.lo) / (scale.hi - scale.lo)) * w;
    ctx.fillRect(x, 14, 1, 4);
    ctx.textAlign = v === scale.lo ? 'left' : v === scale.hi ? 'right' : 'center';
    ctx.fillText(String(v), x, 19);
  }
}

/** One device's spectrogram; `plot` is the chart's plot area in CSS px (left, width) within the canvas. */
function drawDevice(canvas, data, dev, scale, plot, width) {
  const ctx = sizeCanvas(canvas, width, ROW_HEIGHT);
  const top = 6;
  const bottom = ROW_HEIGHT - 8;
  const n = data.bands.length;
  const rowH = (bottom - top) / n;
  const from = Date.parse(data.from);
  const to = Date.parse(data.to);
  const xOf = (t) => plot.left + ((t - from) / (to - from)) * plot.width;
  ctx.fillStyle = NO_DATA;
  ctx.fillRect(plot.left, top, plot.width, bottom - top);
  const step = data.bucket.stepSeconds * 1000;
  dev.levels.forEach((row, b) => {
    if (row === null) return;
    const t = data.bucket.t[b];
    const x0 = Math.max(plot.left, xOf(t));
    const x1 = Math.min(plot.left + plot.width, xOf(t + step));
    if (x1 <= x0) return;
    row.forEach((v, k) => {
      if (v === null) return;
      ctx.fillStyle = colourOf(v, scale.lo, scale.hi);
      // Whole pixels and a hair of overlap: no seams between neighbouring cells.
      const y = bottom - (k + 1) * rowH;
      ctx.fillRect(Math.floor(x0), Math.floor(y), Math.max(1, Math.ceil(x1) - Math.floor(x0)), Math.ceil(rowH) + 1);
    });
  });
  ctx.fillStyle = '#1f2933';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  data.bands.forEach((band, k) => {
    if (!AXIS_LABELS.has(band) && n > 12) return;
    const y = bottom - (k + 0.5) * rowH;
    ctx.fillText(bandLabel(band), plot.left - 6, y);
    ctx.fillRect(plot.left - 4, y, 3, 1);
  });
  ctx.save();
  ctx.translate(11, (top + bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText('Hz', 0, 0);
  ctx.restore();
  ctx.strokeStyle = '#9aa5b1';
  ctx.lineWidth = 1;
  ctx.strokeRect(plot.left + 0.5, top + 0.5, plot.width - 1, bottom - top - 1);
}

/** The cell under a pointer, in words. */
function readout(data, dev, plot, x, y) {
  const top = 6;
  const bottom = ROW_HEIGHT - 8;
  if (x < plot.left || x > plot.left + plot.width || y < top || y > bottom) return '';
  const from = Date.parse(data.from);
  const to = Date.parse(data.to);
  const t = from + ((x - plot.left) / plot.width) * (to - from);
  const step = data.bucket.stepSeconds * 1000;
  const b = data.bucket.t.findIndex((s) => t >= s && t < s + step);
  const k = Math.floor(((bottom - y) / (bottom - top)) * data.bands.length);
  if (b < 0 || k < 0 || k >= data.bands.length) return '';
  const v = dev.levels[b]?.[k] ?? null;
  return `${hms.format(new Date(data.bucket.t[b]))} · ${bandLabel(data.bands[k])} Hz · ${v === null ? 'no level' : `${v.toFixed(1)} dB(Z)`} (${dev.deviceId})`;
}

/** The spectrogram panel: `load(period, width, chart)` after each drawing of the level chart (`chart`: its uPlot). */
export function spectrogram(c) {
  const rows = el('div', { class: 'spectro-rows' });
  const legend = el('canvas', { class: 'spectro-legend', 'aria-hidden': 'true' });
  const legendBox = el('div', { class: 'spectro-legend-box', hidden: true },
    el('span', { class: 'spectro-unit' }, 'dB(Z): Leq of each 1/3-octave band'), legend);
  const note = el('p', { class: 'legend-note', id: 'spectrogram-note' });
  const read = el('p', { class: 'legend-note spectro-readout', 'aria-live': 'off' });
  const errorBox = el('div', { class: 'error', role: 'alert', hidden: true });
  const node = el('div', { class: 'spectrogram', id: 'spectrogram' },
    el('h3', { id: 'spectrogram-title' }, 'Frequency content (1/3-octave bands)'), rows, legendBox, read, note, errorBox);
  let latest = 0;
  let last = null;

  function draw() {
    if (last === null) return;
    const { data, chart } = last;
    rows.replaceChildren();
    const scale = scaleOf(data.devices);
    node.dataset.bands = String(data.bands.length);
    node.dataset.cellsDrawn = '0';
    if (scale === null || data.bands.length === 0) {
      legendBox.hidden = true;
      note.textContent = 'No 1/3-octave band levels in this period. A monitor sends them when its configuration asks for bands.';
      return;
    }
    const width = Math.max(240, rows.clientWidth || node.clientWidth);
    // The chart's plot area, in CSS px from the left of its container (which this panel matches).
    const over = chart?.over?.getBoundingClientRect();
    const box = chart?.root?.parentElement?.getBoundingClientRect();
    const rowsBox = rows.getBoundingClientRect();
    const plot = over && box && over.width > 0
      ? { left: Math.max(44, over.left - rowsBox.left), width: Math.min(over.width, width - Math.max(44, over.left - rowsBox.left) - 2) }
      : { left: 50, width: width - 60 };
    let cells = 0;
    for (const dev of data.devices) {
      const canvas = el('canvas', { role: 'img', class: 'spectro-canvas', 'data-device': dev.deviceId });
      const measured = dev.levels.filter((r) => r !== null).length;
      cells += measured;
      canvas.setAttribute('aria-label', `Spectrogram for monitor ${dev.deviceId}: 1/3-octave band levels from ${bandLabel(data.bands[0])} Hz to ${bandLabel(data.bands.at(-1))} Hz, ${fmtTime(data.from)} to ${fmtTime(data.to)}; colour from ${scale.lo} dB(Z) (dark blue) to ${scale.hi} dB(Z) (yellow); ${measured} of ${dev.levels.length} time steps have band levels.`);
      const label = data.devices.length > 1 ? el('p', { class: 'legend-note' }, `Monitor ${dev.deviceId}`) : null;
      rows.append(...(label ? [label] : []), canvas);
      drawDevice(canvas, data, dev, scale, plot, width);
      canvas.addEventListener('pointermove', (ev) => {
        const r = canvas.getBoundingClientRect();
        read.textContent = readout(data, dev, plot, ev.clientX - r.left, ev.clientY - r.top);
      });
      canvas.addEventListener('pointerleave', () => { read.textContent = ''; });
    }
    node.dataset.cellsDrawn = String(cells);
    legendBox.hidden = false;
    drawLegend(legend, scale, Math.min(420, width));
    note.textContent = `Each column covers ${data.bucket.stepSeconds >= 60 ? `${data.bucket.stepSeconds / 60} min` : `${data.bucket.stepSeconds} s`}, each row one 1/3-octave band (IEC 61260-1); the colour is the band's energy-mean level over the column, Z-weighted (no frequency weighting). Grey: no band levels. Bass from music through a wall shows as bright rows at the bottom.`;
  }

  async function load(period, width, chart) {
    const mine = ++latest;
    errorBox.hidden = true;
    try {
      const q = new URLSearchParams({ from: period.from, to: period.to, width: String(width) });
      const data = await api('GET', `/api/cases/${encodeURIComponent(c.ref)}/bands?${q}`);
      if (mine !== latest) return;
      last = { data, chart };
      draw();
    } catch (e) { if (mine === latest) showError(errorBox, e); }
  }

  let resizeTimer;
  window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(draw, 150); });
  return { node, load };
}
