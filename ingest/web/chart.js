// The level chart (uPlot): LAeq and LAFmax per device, rule thresholds, night hours
// (Noise Act 1996 s.2(6): 23:00–07:00, Europe/London, computed by the server)
// shaded, events as bands, diary entries as dashed lines, and the monitor's own "no data" records
// (signed gap records: storage full, write error) as grey hatched bands. Drag to zoom, double-click to reset.
import uPlot from '/vendor/uplot/uPlot.esm.js';

const COLOURS = { laeq: '#1d4e89', lafmax: '#9aa5b1', threshold: '#9b2c2c', night: 'rgba(29, 78, 137, 0.08)', event: 'rgba(192, 86, 33, 0.28)', eventEdge: '#c05621', diary: '#2b6cb0', gap: 'rgba(90, 90, 90, 0.22)', gapHatch: 'rgba(90, 90, 90, 0.55)' };
const sec = (iso) => Date.parse(iso) / 1000;
const hm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const hms = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const dm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short', day: 'numeric', month: 'short' });

/** Tick labels in UK style and UK time: 23:00, with the date under the first tick and at each midnight. */
function timeTicks(splits, incrSeconds) {
  let lastDay = '';
  return splits.map((s) => {
    const d = new Date(s * 1000);
    const day = dm.format(d);
    const clock = incrSeconds < 60 ? hms.format(d) : hm.format(d);
    const label = day !== lastDay ? `${clock}\n${day}` : clock;
    lastDay = day;
    return label;
  });
}

export function drawChart(container, tl, onZoom) {
  container.textContent = '';
  const x = tl.bucket.t.map((t) => t / 1000);
  const data = [x];
  const series = [{ label: 'Time (UK)', value: (_u, v) => (v == null ? '—' : `${dm.format(new Date(v * 1000))} ${hms.format(new Date(v * 1000))}`) }];
  for (const s of tl.levels) {
    data.push(s.LAeq, s.LAFmax);
    series.push(
      { label: `LAeq ${s.deviceId}`, stroke: COLOURS.laeq, width: 1.5, spanGaps: false, value: (_u, v) => (v == null ? '—' : `${v.toFixed(1)} dB`) },
      { label: `LAFmax ${s.deviceId}`, stroke: COLOURS.lafmax, width: 1, spanGaps: false, value: (_u, v) => (v == null ? '—' : `${v.toFixed(1)} dB`) },
    );
  }
  if (tl.levels.length === 0) { data.push(x.map(() => null)); series.push({ label: 'no measurements', stroke: COLOURS.laeq }); }

  let eventsDrawn = 0;
  let gapsDrawn = 0;
  let diaryDrawn = 0;
  const band = (u, from, to, fill) => {
    const x0 = Math.max(u.bbox.left, u.valToPos(sec(from), 'x', true));
    const x1 = Math.min(u.bbox.left + u.bbox.width, u.valToPos(sec(to), 'x', true));
    if (x1 <= x0) return false;
    u.ctx.fillStyle = fill;
    u.ctx.fillRect(x0, u.bbox.top, Math.max(2, x1 - x0), u.bbox.height);
    return true;
  };
  const hooks = {
    drawClear: [(u) => {
      for (const n of tl.nights) band(u, n.from, n.to, COLOURS.night);
      // Levels gaps: no data; clip gaps: levels kept, audio not (a lighter band).
      gapsDrawn = 0;
      for (const g of tl.gaps ?? []) {
        if (!band(u, g.from, g.to, g.what === 'levels' ? COLOURS.gap : COLOURS.night)) continue;
        gapsDrawn++;
        const { ctx, bbox } = u;
        const x0 = Math.max(bbox.left, u.valToPos(sec(g.from), 'x', true));
        const x1 = Math.min(bbox.left + bbox.width, u.valToPos(sec(g.to), 'x', true));
        ctx.save();
        ctx.beginPath(); ctx.rect(x0, bbox.top, Math.max(2, x1 - x0), bbox.height); ctx.clip();
        ctx.strokeStyle = COLOURS.gapHatch; ctx.lineWidth = 1;
        for (let x = x0 - bbox.height; x < x1; x += 8) { ctx.beginPath(); ctx.moveTo(x, bbox.top + bbox.height); ctx.lineTo(x + bbox.height, bbox.top); ctx.stroke(); }
        ctx.restore();
      }
      container.dataset.gapsDrawn = String(gapsDrawn);
    }],
    draw: [(u) => {
      const { ctx, bbox } = u;
      ctx.save();
      eventsDrawn = 0;
      for (const e of tl.events) {
        const end = e.end ?? new Date(Date.parse(e.start) + 1000 * Math.max(1, e.durationSeconds ?? 1)).toISOString();
        if (band(u, e.start, end, COLOURS.event)) {
          eventsDrawn++;
          const px = u.valToPos(sec(e.start), 'x', true);
          ctx.fillStyle = COLOURS.eventEdge;
          ctx.beginPath(); ctx.moveTo(px - 5, bbox.top); ctx.lineTo(px + 5, bbox.top); ctx.lineTo(px, bbox.top + 8); ctx.fill();
        }
      }
      diaryDrawn = 0;
      ctx.strokeStyle = COLOURS.diary; ctx.setLineDash([4, 4]); ctx.lineWidth = 1.5;
      for (const d of tl.diary) {
        const px = u.valToPos(sec(d.start), 'x', true);
        if (px < bbox.left || px > bbox.left + bbox.width) continue;
        diaryDrawn++;
        ctx.beginPath(); ctx.moveTo(px, bbox.top); ctx.lineTo(px, bbox.top + bbox.height); ctx.stroke();
      }
      ctx.strokeStyle = COLOURS.threshold; ctx.setLineDash([8, 4]);
      for (const th of tl.thresholds) {
        const py = u.valToPos(th.thresholdDb, 'y', true);
        if (py < bbox.top || py > bbox.top + bbox.height) continue;
        ctx.beginPath(); ctx.moveTo(bbox.left, py); ctx.lineTo(bbox.left + bbox.width, py); ctx.stroke();
      }
      ctx.restore();
      container.dataset.eventsDrawn = String(eventsDrawn);
      container.dataset.diaryDrawn = String(diaryDrawn);
    }],
    setSelect: [(u) => {
      if (u.select.width < 5) return;
      const from = u.posToVal(u.select.left, 'x');
      const to = u.posToVal(u.select.left + u.select.width, 'x');
      u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
      onZoom(new Date(from * 1000).toISOString(), new Date(to * 1000).toISOString());
    }],
  };
  const width = Math.max(240, container.clientWidth - 16);
  const opts = {
    width, height: 320,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Europe/London'),
    cursor: { drag: { x: true, y: false, setScale: false } },
    scales: { x: { time: true, min: sec(tl.from), max: sec(tl.to) }, y: { range: (_u, min, max) => [Math.min(20, min ?? 20), Math.max(80, (max ?? 80) + 5)] } },
    axes: [{ values: (_u, splits, _axis, _space, incr) => timeTicks(splits, incr) }, { label: 'dB(A)', values: (_u, v) => v.map((d) => `${d}`) }],
    series, hooks,
  };
  return new uPlot(opts, data, container);
}
