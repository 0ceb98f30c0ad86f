// The officer web view: log in, case list, case page. Plain ES modules, no build step.
import { ApiError, api, setToken, token } from './api.js';
import { drawChart } from './chart.js';
import { el, fmtDate, fmtDb, fmtDuration, fmtTime, fromLocalInput, toLocalInput } from './format.js';

const main = document.getElementById('main');
const status = document.getElementById('status');
const say = (text) => { status.textContent = text; };

function show(...nodes) {
  main.replaceChildren(...nodes);
  main.focus();
}

function errorText(e) { return e instanceof ApiError ? `${e.message} (${e.code})` : String(e); }

function loginView(message) {
  const err = el('p', { class: 'error', role: 'alert', id: 'login-error' }, message ?? '');
  const form = el('form', { class: 'card login', 'aria-labelledby': 'login-title' },
    el('h1', { id: 'login-title' }, 'Log in'),
    el('div', { class: 'field' }, el('label', { for: 'username' }, 'Username'), el('input', { type: 'text', id: 'username', name: 'username', autocomplete: 'username', required: true })),
    el('div', { class: 'field' }, el('label', { for: 'password' }, 'Password'), el('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', required: true })),
    err,
    el('button', { type: 'submit' }, 'Log in'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    try {
      const s = await api('POST', '/api/login', { username: form.username.value, password: form.password.value });
      setToken(s.token);
      location.hash = '#/cases';
      await route();
    } catch (e) { err.textContent = errorText(e); }
  });
  show(form);
}

async function header() {
  const who = document.getElementById('who');
  const out = document.getElementById('logout');
  const nav = document.getElementById('nav-cases');
  if (token() === null) { who.textContent = ''; out.hidden = true; nav.hidden = true; return null; }
  const me = await api('GET', '/api/me');
  who.textContent = `${me.displayName} (${me.role})`;
  out.hidden = false; nav.hidden = false;
  return me;
}

async function casesView() {
  const { cases } = await api('GET', '/api/cases');
  const rows = cases.map((c) => el('tr', {},
    el('td', {}, el('a', { href: `#/case/${encodeURIComponent(c.ref)}` }, c.ref)),
    el('td', {}, c.address ?? '—'),
    el('td', {}, c.status),
    el('td', {}, el('span', { class: `badge ${c.category}` }, c.category)),
    el('td', { class: 'num' }, c.daysSinceLastEvidence === null ? 'none yet' : `${c.daysSinceLastEvidence} d`),
    el('td', { class: c.responseOverdue ? 'overdue' : '' }, `${fmtDate(c.responseDueAt)}${c.responseOverdue ? ' (overdue)' : ''}`)));
  show(
    el('h1', {}, 'Cases'),
    cases.length === 0 ? el('p', { class: 'muted' }, 'No cases are assigned to you.') :
      el('table', { id: 'case-list' },
        el('caption', { class: 'visually-hidden' }, 'Your cases'),
        el('thead', {}, el('tr', {}, ...['Reference', 'Address', 'Status', 'Category', 'Since last evidence', 'Response target due'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, rows)));
}

function eventTable(tl) {
  const clips = new Map(tl.clips.map((c) => [`${c.deviceId}/${c.clipId}`, c]));
  if (tl.events.length === 0) return el('p', { class: 'muted' }, 'No events or incident marks in this period.');
  return el('table', { id: 'events' },
    el('thead', {}, el('tr', {}, ...['Start (UK time)', 'What', 'Duration', 'LAeq', 'LAFmax', 'Threshold', 'Clips'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, tl.events.map((e) => el('tr', {},
      el('td', {}, fmtTime(e.start)),
      el('td', {}, e.kind === 'incident' ? 'Incident button' : `Rule ${e.ruleId}`),
      el('td', { class: 'num' }, fmtDuration(e.durationSeconds)),
      el('td', { class: 'num' }, fmtDb(e.LAeq)),
      el('td', { class: 'num' }, fmtDb(e.LAFmax)),
      el('td', { class: 'num' }, fmtDb(e.threshold)),
      el('td', {}, e.clipIds.map((id) => {
        const c = clips.get(`${e.deviceId}/${id}`);
        if (c === undefined || c.url === null) return el('span', { class: 'muted' }, c === undefined ? 'not received' : c.state);
        return el('audio', { controls: true, preload: 'metadata', src: c.url, 'aria-label': `Clip ${id} from ${fmtTime(c.start)}` });
      }))))));
}

function diaryList(tl) {
  if (tl.diary.length === 0) return el('p', { class: 'muted' }, 'No diary entries in this period.');
  return el('ul', { id: 'diary' }, tl.diary.map((d) => el('li', {}, el('strong', {}, fmtTime(d.start)), ' — ', d.heard ?? el('em', {}, 'text removed under the retention policy'))));
}

function exportPanel(c, period, me) {
  const prog = el('progress', { max: 1, value: 0, id: 'export-progress', 'aria-label': 'Export progress', hidden: true });
  const msg = el('p', { id: 'export-status', 'aria-live': 'polite' });
  const initials = el('input', { type: 'text', id: 'initials', size: 4, maxlength: 4, pattern: '[A-Z]{2,4}', placeholder: me?.initials ?? 'JS', 'aria-describedby': 'initials-hint' });
  const complainant = el('input', { type: 'checkbox', id: 'include-complainant' });
  const button = el('button', { type: 'button', id: 'export' }, 'Export court bundle');
  button.addEventListener('click', async () => {
    button.disabled = true; prog.hidden = false; prog.value = 0; msg.textContent = 'Preparing the bundle…';
    try {
      const body = { from: period().from, to: period().to, includeComplainant: complainant.checked };
      if (initials.value.trim() !== '') body.initials = initials.value.trim();
      let job = await api('POST', `/api/cases/${encodeURIComponent(c.ref)}/bundle`, body);
      while (job.state === 'running') {
        await new Promise((r) => setTimeout(r, 400));
        job = await api('GET', `/api/jobs/${job.id}`);
        prog.value = job.progress;
        msg.textContent = `Preparing the bundle… ${Math.round(job.progress * 100)} %${job.stage ? ` (${job.stage})` : ''}`;
      }
      if (job.state === 'failed') { msg.textContent = `Export failed: ${job.error?.message ?? 'unknown error'}`; msg.className = 'error'; return; }
      prog.value = 1;
      msg.replaceChildren('Bundle ready: ', el('a', { href: job.downloadUrl, id: 'download', class: 'button', download: '' }, 'Download court bundle (ZIP)'));
      say('Court bundle ready to download');
    } catch (e) { msg.textContent = errorText(e); msg.className = 'error'; } finally { button.disabled = false; }
  });
  return el('section', { class: 'card', 'aria-labelledby': 'export-title' },
    el('h2', { id: 'export-title' }, 'Court bundle'),
    el('p', { class: 'muted' }, 'For the period shown above. The bundle holds the PDF, the audio exhibits, the data and the proofs anyone can check with earshot verify.'),
    el('div', { class: 'row' },
      el('div', {}, el('label', { for: 'initials' }, 'Exhibit initials'), initials, el('div', { id: 'initials-hint', class: 'legend-note' }, 'Yours if left empty')),
      el('div', {}, el('label', { for: 'include-complainant' }, complainant, ' Name the complainant')),
      button),
    prog, msg);
}

async function caseView(ref, me) {
  const c = await api('GET', `/api/cases/${encodeURIComponent(ref)}`);
  let current = { ...c.suggestedPeriod };
  const fromIn = el('input', { type: 'datetime-local', id: 'from', value: toLocalInput(current.from) });
  const toIn = el('input', { type: 'datetime-local', id: 'to', value: toLocalInput(current.to) });
  const chartBox = el('div', { id: 'chart', class: 'chart-wrap', role: 'img', 'aria-label': 'Sound levels over the period' });
  const note = el('p', { class: 'legend-note', id: 'chart-note' });
  const eventsBox = el('div');
  const diaryBox = el('div');
  const errorBox = el('p', { class: 'error', role: 'alert' });
  async function load(period) {
    errorBox.textContent = '';
    try {
      const width = Math.max(200, Math.min(2000, chartBox.clientWidth || 1000));
      const q = new URLSearchParams({ from: period.from, to: period.to, width: String(width) });
      const tl = await api('GET', `/api/cases/${encodeURIComponent(ref)}/timeline?${q}`);
      current = period;
      fromIn.value = toLocalInput(period.from); toIn.value = toLocalInput(period.to);
      drawChart(chartBox, tl, (from, to) => void load({ from, to }));
      chartBox.setAttribute('aria-label', `Sound levels ${fmtTime(tl.from)} to ${fmtTime(tl.to)}: ${tl.events.length} events, ${tl.diary.length} diary entries`);
      note.textContent = `Each point covers ${fmtDuration(tl.bucket.stepSeconds)}. LAeq is the energy mean; LAFmax the highest fast level. ${tl.la90Basis}. Shaded: night hours 23:00–07:00.`;
      eventsBox.replaceChildren(eventTable(tl));
      diaryBox.replaceChildren(diaryList(tl));
      say(`Showing ${tl.events.length} events`);
    } catch (e) { errorBox.textContent = errorText(e); }
  }
  const periodForm = el('form', { class: 'row', 'aria-label': 'Period' },
    el('div', {}, el('label', { for: 'from' }, 'From (your local time)'), fromIn),
    el('div', {}, el('label', { for: 'to' }, 'To (your local time)'), toIn),
    el('button', { type: 'submit' }, 'Show'));
  periodForm.addEventListener('submit', (ev) => { ev.preventDefault(); void load({ from: fromInputSafe(fromIn.value), to: fromInputSafe(toIn.value) }); });
  show(
    el('h1', {}, `Case ${c.ref}`),
    el('p', { class: 'muted' }, `${c.address ?? 'address removed'} · ${c.status} · `, el('span', { class: `badge ${c.category}` }, c.category),
      ` · officer ${c.officer} · response due ${fmtDate(c.responseDueAt)}`),
    el('section', { class: 'card', 'aria-labelledby': 'levels-title' },
      el('h2', { id: 'levels-title' }, 'Levels'),
      periodForm,
      el('p', { class: 'key legend-note' },
        el('span', {}, el('i', { class: 'swatch', style: 'background:#1d4e89' }), 'LAeq'),
        el('span', {}, el('i', { class: 'swatch', style: 'background:#9aa5b1' }), 'LAFmax'),
        el('span', {}, el('i', { class: 'swatch', style: 'background:rgba(192,86,33,.5)' }), 'event'),
        el('span', {}, el('i', { class: 'swatch', style: 'background:#2b6cb0' }), 'diary entry (dashed)'),
        el('span', {}, el('i', { class: 'swatch', style: 'background:#9b2c2c' }), 'rule threshold (dashed)'),
        el('span', {}, el('i', { class: 'swatch', style: 'background:rgba(29,78,137,.15)' }), 'night'),
        ' Drag across the chart to zoom in; double-click to zoom out.'),
      chartBox, note, errorBox),
    el('section', { 'aria-labelledby': 'events-title' }, el('h2', { id: 'events-title' }, 'Events and clips'), eventsBox),
    el('section', { 'aria-labelledby': 'diary-title' }, el('h2', { id: 'diary-title' }, 'Diary'), diaryBox),
    exportPanel(c, () => current, me));
  await load(current);
}

function fromInputSafe(v) { try { return fromLocalInput(v); } catch { return ''; } }

async function route() {
  try {
    if (token() === null) return loginView();
    const me = await header();
    const m = /^#\/case\/(.+)$/.exec(location.hash);
    if (m !== null) return await caseView(decodeURIComponent(m[1]), me);
    return await casesView();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { setToken(null); await header(); return loginView('Your session has ended: please log in again.'); }
    show(el('p', { class: 'error', role: 'alert' }, errorText(e)), el('p', {}, el('a', { href: '#/cases' }, 'Back to cases')));
  }
}

document.getElementById('logout').addEventListener('click', async () => {
  try { await api('POST', '/api/logout'); } catch { /* logged out either way */ }
  setToken(null);
  await header();
  location.hash = '';
  loginView();
});
window.addEventListener('hashchange', () => void route());
void route();
