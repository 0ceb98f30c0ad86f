// The case page's levels: period picker, chart, events by night with their clips and a filter by rule,
// and the court bundle export.
import { api } from './api.js';
import { drawChart } from './chart.js';
import { showError } from './errors.js';
import { el, fmtDb, fmtDuration, fmtTime, fromLocalInput, toLocalInput } from './format.js';
import { groupByNight } from './nights.js';
import { eventSpectrum } from './event-spectrum.js';
import { spectrogram } from './spectrogram.js';

const GAP_REASON = { 'storage-full': 'monitor storage full', 'write-error': 'monitor could not write its records' };
const hm = (iso) => new Date(iso).toLocaleTimeString('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** The monitor's gap records in words: " No data: monitor storage full 02:10–02:40." */
function gapNote(tl) {
  const gaps = tl.gaps ?? [];
  if (gaps.length === 0) return '';
  return ' ' + gaps.map((g) => `${g.what === 'levels' ? 'No data' : 'No audio kept'}: ${GAP_REASON[g.reason] ?? g.reason} ${hm(g.from)}–${hm(g.to)} (${g.deviceId}).`).join(' ');
}

function thresholdLabel(e) {
  if (e.threshold === null) return '—';
  // Difference rules (LCeq − LAeq) compare a difference, not a level.
  if (e.ruleType === 'low-frequency') return `LCeq − LAeq ≥ ${e.threshold.toFixed(1)} dB (${e.ruleId})`;
  return `${fmtDb(e.threshold)} (${e.ruleId ?? 'rule'})`;
}

const INCIDENT = 'incident-button';
const dayTime = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const ruleOf = (e) => (e.kind === 'incident' ? INCIDENT : e.ruleId ?? 'rule');
const ruleText = (id) => (id === INCIDENT ? 'Incident button' : `Rule ${id}`);

/** One night's (or day's) events; `played` is shared so each clip has one player in the whole list. */
function groupTable(group, clips, played, head) {
  return el('table', { class: 'stack events' },
    el('caption', { class: 'visually-hidden' }, group.label),
    el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, group.items.map((e) => el('tr', {},
      el('td', { 'data-label': head[0] }, dayTime.format(new Date(e.start))),
      el('td', { 'data-label': head[1] }, ruleText(ruleOf(e))),
      el('td', { 'data-label': head[2], class: 'num' }, fmtDuration(e.durationSeconds)),
      el('td', { 'data-label': head[3], class: 'num' }, fmtDb(e.LAeq)),
      el('td', { 'data-label': head[4], class: 'num' }, fmtDb(e.LAFmax)),
      el('td', { 'data-label': head[5], class: 'num' }, thresholdLabel(e)),
      el('td', { 'data-label': head[6] }, e.clipIds.length === 0 ? '—' : e.clipIds.map((id) => {
        const key = `${e.deviceId}/${id}`;
        const c = clips.get(key);
        // One player per clip, not one per event it covers.
        if (played.has(key)) return el('span', { class: 'muted' }, 'same clip as above');
        if (c === undefined) return el('span', { class: 'muted' }, 'uploading');
        if (c.url === null) return el('span', { class: 'muted' }, c.state === 'incomplete' ? 'uploading' : c.state);
        played.add(key);
        return el('audio', { controls: true, preload: 'metadata', src: c.url, 'aria-label': `Clip ${id} from ${fmtTime(c.start)}` });
      }))))));
}

/** The events grouped by night (23:00–07:00 UK time) and by day, with a filter by rule. */
function eventList(tl) {
  const clips = new Map(tl.clips.map((c) => [`${c.deviceId}/${c.clipId}`, c]));
  if (tl.events.length === 0) return el('p', { class: 'muted' }, 'No events or incident marks in this period.');
  const head = ['Start (UK time)', 'What', 'Duration', 'LAeq', 'LAFmax', 'Threshold', 'Clips'];
  const counts = new Map();
  for (const e of tl.events) counts.set(ruleOf(e), (counts.get(ruleOf(e)) ?? 0) + 1);
  const rules = [...counts.keys()].sort((a, b) => (a === INCIDENT) - (b === INCIDENT) || a.localeCompare(b));
  const select = el('select', { id: 'rule-filter', 'aria-describedby': 'rule-filter-count' },
    el('option', { value: '' }, `All events and incident marks (${tl.events.length})`),
    rules.map((r) => el('option', { value: r }, `${ruleText(r)} (${counts.get(r)})`)));
  const count = el('p', { id: 'rule-filter-count', class: 'legend-note', role: 'status' });
  const list = el('div', { id: 'events' });
  function render() {
    const shown = select.value === '' ? tl.events : tl.events.filter((e) => ruleOf(e) === select.value);
    const groups = groupByNight(shown, (e) => e.start);
    const played = new Set();
    list.replaceChildren(...groups.map((g) => el('section', { class: 'night-group', 'aria-label': g.label, 'data-group': g.key },
      el('h3', { class: g.night ? 'night' : 'day' }, g.label, el('span', { class: 'muted' }, ` · ${g.items.length === 1 ? '1 item' : `${g.items.length} items`}`)),
      groupTable(g, clips, played, head))));
    const nights = groups.filter((g) => g.night).length;
    count.textContent = `Showing ${shown.length} of ${tl.events.length}: ${nights} night${nights === 1 ? '' : 's'}, ${groups.length - nights} day${groups.length - nights === 1 ? '' : 's'}.`;
  }
  select.addEventListener('change', render);
  render();
  return el('div', {},
    el('div', { class: 'row filter' }, el('div', { class: 'field' }, el('label', { for: 'rule-filter' }, 'Show'), select)),
    count, list);
}

function exportPanel(c, period, me) {
  const prog = el('progress', { max: 1, value: 0, id: 'export-progress', 'aria-label': 'Export progress', hidden: true });
  const msg = el('p', { id: 'export-status', 'aria-live': 'polite' });
  const initials = el('input', { type: 'text', id: 'initials', size: 4, maxlength: 4, placeholder: me?.initials ?? 'JS', 'aria-describedby': 'initials-hint', autocomplete: 'off' });
  const complainant = el('input', { type: 'checkbox', id: 'include-complainant' });
  const button = el('button', { type: 'button', id: 'export' }, 'Export court bundle');
  button.addEventListener('click', async () => {
    msg.className = '';
    const init = initials.value.trim().toUpperCase();
    if (init !== '' && !/^[A-Z]{2,4}$/.test(init)) { msg.className = 'error'; msg.textContent = 'Exhibit initials are 2 to 4 letters, for example JS.'; initials.focus(); return; }
    button.disabled = true; prog.hidden = false; prog.value = 0; msg.textContent = 'Preparing the bundle…';
    try {
      const body = { from: period().from, to: period().to, includeComplainant: complainant.checked };
      if (init !== '') body.initials = init;
      let job = await api('POST', `/api/cases/${encodeURIComponent(c.ref)}/bundle`, body);
      while (job.state === 'running') {
        await new Promise((r) => setTimeout(r, 400));
        job = await api('GET', `/api/jobs/${job.id}`);
        prog.value = job.progress;
        msg.textContent = `Preparing the bundle… ${Math.round(job.progress * 100)} %${job.stage ? ` (${job.stage})` : ''}`;
      }
      if (job.state === 'failed') { msg.className = 'error'; msg.replaceChildren('The bundle could not be made. Please try again; if it keeps failing, tell your administrator.', el('small', {}, `Code ${job.error?.code ?? 'EARSHOT_E_INTERNAL'}`)); return; }
      prog.value = 1;
      msg.replaceChildren('Bundle ready: ', el('a', { href: job.downloadUrl, id: 'download', class: 'button', download: '' }, 'Download court bundle (ZIP)'));
    } catch (e) { msg.className = 'error'; showError(msg, e); } finally { button.disabled = false; }
  });
  return el('section', { class: 'card', 'aria-labelledby': 'export-title' },
    el('h2', { id: 'export-title' }, 'Court bundle'),
    el('p', { class: 'muted' }, 'For the period shown above. The bundle holds the PDF, the audio exhibits, the data and the proofs anyone can check with earshot verify.'),
    el('div', { class: 'row' },
      el('div', { class: 'field' }, el('label', { for: 'initials' }, 'Exhibit initials'), initials, el('p', { id: 'initials-hint', class: 'hint' }, 'Yours if left empty')),
      el('div', { class: 'field' }, el('label', { class: 'inline', for: 'include-complainant' }, complainant, 'Name the complainant')),
      button),
    prog, msg);
}

function fromInputSafe(v) { try { return fromLocalInput(v); } catch { return ''; } }

/** The levels section and the export panel; returns the nodes and a loader to call once they are in the page. */
export function levelsSection(c, me) {
  let current = { ...c.suggestedPeriod };
  const fromIn = el('input', { type: 'datetime-local', id: 'from', value: toLocalInput(current.from) });
  const toIn = el('input', { type: 'datetime-local', id: 'to', value: toLocalInput(current.to) });
  const chartBox = el('div', { id: 'chart', class: 'chart-wrap', role: 'img', 'aria-label': 'Sound levels over the period' });
  const note = el('p', { class: 'legend-note', id: 'chart-note' });
  const eventsBox = el('div');
  const spectro = spectrogram(c);
  const evSpectrum = eventSpectrum(c);
  const errorBox = el('div', { class: 'error', role: 'alert', hidden: true });
  async function load(period) {
    errorBox.hidden = true;
    try {
      const width = Math.max(200, Math.min(2000, chartBox.clientWidth || 1000));
      const q = new URLSearchParams({ from: period.from, to: period.to, width: String(width) });
      const tl = await api('GET', `/api/cases/${encodeURIComponent(c.ref)}/timeline?${q}`);
      current = period;
      fromIn.value = toLocalInput(period.from); toIn.value = toLocalInput(period.to);
      const chart = drawChart(chartBox, tl, (from, to) => void load({ from, to }));
      void spectro.load(period, width, chart);
      chartBox.setAttribute('aria-label', `Sound levels ${fmtTime(tl.from)} to ${fmtTime(tl.to)}: ${tl.events.length} events, ${tl.diary.length} diary entries`);
      note.textContent = `Each point covers ${fmtDuration(tl.bucket.stepSeconds)}. LAeq is the energy mean; LAFmax the highest fast level. ${tl.la90Basis}. Shaded: night hours 23:00–07:00.${gapNote(tl)}`;
      eventsBox.replaceChildren(eventList(tl));
      evSpectrum.show(tl);
    } catch (e) { showError(errorBox, e); }
  }
  const periodForm = el('form', { class: 'row', 'aria-label': 'Period' },
    el('div', { class: 'field' }, el('label', { for: 'from' }, 'From (your local time)'), fromIn),
    el('div', { class: 'field' }, el('label', { for: 'to' }, 'To (your local time)'), toIn),
    el('div', { class: 'field' }, el('button', { type: 'submit' }, 'Show')));
  periodForm.addEventListener('submit', (ev) => { ev.preventDefault(); void load({ from: fromInputSafe(fromIn.value), to: fromInputSafe(toIn.value) }); });
  const nodes = [
    el('section', { class: 'card', 'aria-labelledby': 'levels-title' },
      el('h2', { id: 'levels-title' }, 'Levels'),
      periodForm,
      el('p', { class: 'key legend-note' },
        el('span', {}, el('i', { class: 'swatch sw-laeq' }), 'LAeq'),
        el('span', {}, el('i', { class: 'swatch sw-lafmax' }), 'LAFmax'),
        el('span', {}, el('i', { class: 'swatch sw-event' }), 'event'),
        el('span', {}, el('i', { class: 'swatch sw-diary' }), 'diary entry (dashed)'),
        el('span', {}, el('i', { class: 'swatch sw-threshold' }), 'rule threshold (dashed)'),
        el('span', {}, el('i', { class: 'swatch sw-night' }), 'night'),
        el('span', {}, el('i', { class: 'swatch sw-gap' }), 'no data (monitor\'s own record)'),
        ' To zoom, drag across the chart or change the period above; double-click or tap Show to reset.'),
      chartBox, note, spectro.node, errorBox),
    el('section', { 'aria-labelledby': 'events-title' }, el('h2', { id: 'events-title' }, 'Events and clips'), eventsBox, evSpectrum.node),
    exportPanel(c, () => current, me),
  ];
  return { nodes, start: () => load(current) };
}
