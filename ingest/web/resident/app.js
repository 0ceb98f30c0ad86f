// The resident's noise diary (issue 13): one page, no framework, nothing from elsewhere. The link's token is the URL's
// fragment (/r/#<token>): it is sent only to this service's API, in the Authorization header.
import cy from './i18n/cy.js';
import en from './i18n/en.js';
import { base64ToBlob, canRecord, startRecording } from './recorder.js';
import { createStore, getLanguage, setLanguage } from './store.js';

const LANGS = { en, cy };
const $ = (id) => document.getElementById(id);
const token = decodeURIComponent(location.hash.replace(/^#/, ''));
const store = createStore(token);

let t = LANGS[getLanguage()];
let view = null; // { nextContactDueAt, entries, recordingSeconds }
let recording = null; // { data, type, seconds }
let recorder = null;
let recordingUrl = null;
let startTouched = false;
let sendWhenRecorded = false;
let flushing = false;
let retryTimer = null;
let gone = null; // the code of a link that no longer works

const fill = (s, vars) => s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
const two = (n) => String(n).padStart(2, '0');
/** "Tue 1 Dec, 23:40" / "Maw 1 Rhag, 23:40", in the phone's own time zone, 24-hour as UK timetables print it. */
function fmtTime(iso) {
  const d = new Date(iso);
  return `${t.daysShort[d.getDay()]} ${d.getDate()} ${t.monthsShort[d.getMonth()]}, ${two(d.getHours())}:${two(d.getMinutes())}`;
}
/** "Wednesday 9 December" / "Dydd Mercher 9 Rhagfyr". */
function fmtDay(iso) {
  const d = new Date(iso);
  return `${t.days[d.getDay()]} ${d.getDate()} ${t.months[d.getMonth()]}`;
}

function localInputValue(d) {
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}
const inputToIso = (v) => (v === '' ? null : new Date(v).toISOString());

function newId() {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function setStatus(text, kind = '') {
  const s = $('status');
  s.textContent = text;
  s.className = `status ${kind}`;
}

// ——— language ———
function applyLanguage() {
  document.documentElement.lang = t.lang;
  document.title = t.title;
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t[el.dataset.t];
  const b = $('lang');
  b.textContent = t.switchTo;
  b.lang = t.switchToLang;
  b.setAttribute('aria-label', t.switchLabel);
  if (gone !== null) showGone(gone);
  renderContact();
  renderEntries();
  renderRecording();
}

$('lang').addEventListener('click', () => {
  t = LANGS[t.switchToLang];
  setLanguage(t.lang);
  applyLanguage();
});

// ——— the link no longer works ———
const GONE_TEXT = { EARSHOT_E_RESIDENT_LINK_REVOKED: 'linkRevoked', EARSHOT_E_RESIDENT_LINK_EXPIRED: 'linkExpired', EARSHOT_E_RESIDENT_LINK_UNKNOWN: 'linkUnknown', none: 'noLink' };

function showGone(code) {
  gone = code;
  $('loading').hidden = true;
  $('diary').hidden = true;
  $('gone').hidden = false;
  $('gone-why').textContent = t[GONE_TEXT[code] ?? 'linkUnknown'];
}

// ——— the API ———
async function api(method, path, body) {
  // Relative to the page (…/r/), so the service may sit under a path behind its proxy.
  const res = await fetch(`api/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    cache: 'no-store',
    credentials: 'omit',
  });
  let json = null;
  try {
    json = await res.json();
  } catch {
    json = null;
  }
  return { status: res.status, json, retryAfter: Number(res.headers.get('retry-after') ?? '0') };
}

async function load() {
  try {
    const r = await api('GET', 'diary');
    if (r.status === 200) {
      view = r.json;
      $('loading').hidden = true;
      $('diary').hidden = false;
      renderContact();
      renderEntries();
      return true;
    }
    if (r.json !== null && GONE_TEXT[r.json.code] !== undefined) showGone(r.json.code);
    else {
      $('loading').hidden = true;
      $('diary').hidden = false;
      setStatus(r.status === 429 ? t.rateLimited : t.serverError, 'bad');
    }
  } catch {
    // Offline when the page opened (from the browser's cache): the form still works and the outbox waits.
    $('loading').hidden = true;
    $('diary').hidden = false;
    renderEntries();
  }
  return false;
}

// ——— rendering ———
function renderContact() {
  const p = $('next-contact');
  if (view === null || view.nextContactDueAt === null) {
    p.hidden = true;
    return;
  }
  p.hidden = false;
  p.textContent = fill(t.nextContact, { date: fmtDay(view.nextContactDueAt) });
}

function entryItem(e, pending) {
  const li = document.createElement('li');
  const when = document.createElement('span');
  when.className = 'when';
  when.textContent = e.endedAt ? `${fmtTime(e.startedAt)} – ${fmtTime(e.endedAt)}` : `${fmtTime(e.startedAt)} (${t.stillGoing})`;
  li.append(when);
  const heard = document.createElement('p');
  heard.className = 'text';
  heard.textContent = e.heard ?? t.removed;
  li.append(heard);
  if (e.effect) {
    const effect = document.createElement('p');
    effect.className = 'text';
    effect.textContent = e.effect;
    li.append(effect);
  }
  if (e.hasRecording) {
    const rec = document.createElement('p');
    rec.className = 'meta';
    rec.textContent = t.withRecording;
    li.append(rec);
  }
  const meta = document.createElement('p');
  meta.className = pending ? 'pending' : 'meta';
  const written = e.writtenAt ?? e.receivedAt;
  const sameMinute = !pending && Math.abs(Date.parse(e.receivedAt) - Date.parse(written)) < 60_000;
  meta.textContent = pending
    ? `${t.waiting}. ${fill(t.written, { t: fmtTime(e.writtenAt) })}.`
    : sameMinute ? `${fill(t.sentAt, { t: fmtTime(e.receivedAt) })}.` : `${fill(t.written, { t: fmtTime(written) })}, ${fill(t.received, { t: fmtTime(e.receivedAt) })}.`;
  li.append(meta);
  if (!pending && e.delayed) {
    const flag = document.createElement('p');
    flag.className = 'flag';
    flag.textContent = t.sentLater;
    li.append(flag);
  }
  return li;
}

function renderEntries() {
  const ul = $('entries');
  const pending = store.outbox().map((e) => ({ ...e, hasRecording: e.recording !== undefined }));
  const sent = view === null ? [] : view.entries;
  ul.replaceChildren(...pending.map((e) => entryItem(e, true)), ...sent.map((e) => entryItem(e, false)));
  // Until the diary has loaded, say nothing about what was sent (not "no entries").
  if (pending.length === 0 && sent.length === 0 && view !== null) {
    const li = document.createElement('li');
    li.textContent = t.noEntries;
    ul.append(li);
  }
}

function renderRecording() {
  const ready = recording !== null;
  $('rec-ready').hidden = !ready;
  $('rec-start').hidden = ready || recorder !== null;
  $('rec-stop').hidden = recorder === null;
  if (ready) $('rec-ready-text').textContent = `${fill(t.recorded, { s: recording.seconds })} ${t.notCalibrated}.`;
}

// ——— the draft, kept as it is typed ———
function readForm() {
  return {
    heard: $('heard').value,
    effect: $('effect').value,
    started: $('started').value,
    stopped: $('stopped').value,
    startTouched,
    ...(recording === null ? {} : { recording }),
  };
}

function saveDraft() {
  const d = readForm();
  if (d.heard === '' && d.effect === '' && d.stopped === '' && recording === null && !startTouched) store.clearDraft();
  else store.saveDraft(d);
}

function setRecording(r) {
  if (recordingUrl !== null) URL.revokeObjectURL(recordingUrl);
  recording = r;
  recordingUrl = null;
  const audio = $('rec-audio');
  if (r !== null) {
    recordingUrl = URL.createObjectURL(base64ToBlob(r.data, r.type));
    audio.src = recordingUrl;
  } else {
    audio.removeAttribute('src');
  }
  renderRecording();
}

function fillForm(d) {
  $('heard').value = d?.heard ?? '';
  $('effect').value = d?.effect ?? '';
  startTouched = d?.startTouched === true;
  $('started').value = startTouched && d?.started ? d.started : localInputValue(new Date());
  $('stopped').value = d?.stopped ?? '';
  setRecording(d?.recording ?? null);
}

for (const id of ['heard', 'effect', 'stopped']) $(id).addEventListener('input', saveDraft);
$('started').addEventListener('input', () => {
  startTouched = true;
  saveDraft();
});
// "When did it start?" defaults to now (issue 13), and stays now while the resident has not changed it.
setInterval(() => {
  if (!startTouched) $('started').value = localInputValue(new Date());
}, 30_000);

// ——— the recorder ———
$('rec-start').addEventListener('click', async () => {
  if (!canRecord()) {
    setStatus(t.noRecorder, 'warn');
    return;
  }
  try {
    recorder = await startRecording(view?.recordingSeconds ?? 30, (left) => {
      $('rec-timer').textContent = fill(t.secondsLeft, { s: left });
    }, (r) => {
      recorder = null;
      $('rec-timer').textContent = '';
      setRecording(r);
      saveDraft();
      setStatus(`${fill(t.recorded, { s: r.seconds })} ${t.notCalibrated}.`, 'ok');
      if (sendWhenRecorded) {
        sendWhenRecorded = false;
        $('entry').requestSubmit();
      } else {
        $('rec-remove').focus();
      }
    });
    renderRecording();
    setStatus(t.recordingStarted, 'warn');
    $('rec-stop').focus();
  } catch {
    recorder = null;
    renderRecording();
    setStatus(t.micRefused, 'warn');
  }
});
$('rec-stop').addEventListener('click', () => recorder?.stop());
$('rec-remove').addEventListener('click', () => {
  setRecording(null);
  saveDraft();
  setStatus(t.recordingRemoved);
  $('rec-start').focus();
});

// ——— sending, and the outbox ———
$('entry').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const heard = $('heard');
  if (heard.value.trim() === '') {
    $('heard-error').textContent = t.heardMissing;
    $('heard-error').hidden = false;
    heard.setAttribute('aria-invalid', 'true');
    heard.focus();
    return;
  }
  $('heard-error').hidden = true;
  heard.removeAttribute('aria-invalid');
  if (recorder !== null) {
    // Send once the recording in progress is finished, so it goes with the entry.
    sendWhenRecorded = true;
    recorder.stop();
    return;
  }
  const f = readForm();
  const entry = {
    clientId: newId(),
    writtenAt: new Date().toISOString(),
    startedAt: inputToIso(f.started) ?? new Date().toISOString(),
    endedAt: inputToIso(f.stopped),
    heard: f.heard.trim(),
    ...(f.effect.trim() === '' ? {} : { effect: f.effect.trim() }),
    ...(recording === null ? {} : { recording: { data: recording.data, seconds: recording.seconds }, recordingType: recording.type }),
  };
  // The entry is on the phone before anything is sent: a lost connection loses nothing.
  store.saveOutbox([...store.outbox(), entry]);
  store.clearDraft();
  fillForm(null);
  renderEntries();
  void flush(true);
});

const PROBLEM_TEXT = { EARSHOT_E_RESIDENT_ENTRY_INVALID: 'invalid', EARSHOT_E_RESIDENT_RECORDING_TOO_LARGE: 'tooLarge', EARSHOT_E_RESIDENT_RECORDING_TYPE: 'badType' };

function backToForm(entry, code) {
  // A refused entry comes back into the form (if it is empty) for the resident to fix; otherwise it waits.
  const formEmpty = $('heard').value.trim() === '' && recording === null;
  if (formEmpty) {
    store.saveOutbox(store.outbox().filter((e) => e.clientId !== entry.clientId));
    const rec = entry.recording === undefined ? undefined : { data: entry.recording.data, type: entry.recordingType ?? 'audio/webm', seconds: entry.recording.seconds ?? 0 };
    fillForm({ heard: entry.heard, effect: entry.effect ?? '', started: localInputValue(new Date(entry.startedAt)), stopped: entry.endedAt ? localInputValue(new Date(entry.endedAt)) : '', startTouched: true, ...(rec === undefined ? {} : { recording: rec }) });
    saveDraft();
  }
  setStatus(t[PROBLEM_TEXT[code]], 'bad');
}

function retryIn(ms) {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => void flush(false), ms);
}

async function flush(justWritten) {
  if (flushing || gone !== null) return;
  const queue = store.outbox();
  if (queue.length === 0) return;
  if (!navigator.onLine) {
    setStatus(t.queued, 'warn');
    return;
  }
  flushing = true;
  $('send').disabled = true;
  setStatus(t.sending);
  let sent = 0;
  try {
    for (const entry of queue) {
      let r;
      try {
        // recordingType is the phone's note for replaying it here; the service judges the type from the bytes.
        const { recordingType: _kept, ...body } = entry;
        r = await api('POST', 'entries', body);
      } catch {
        setStatus(t.queued, 'warn');
        return;
      }
      if (r.status === 200 || r.status === 201) {
        store.saveOutbox(store.outbox().filter((e) => e.clientId !== entry.clientId));
        if (view !== null) view = { ...view, entries: [r.json.entry, ...view.entries.filter((e) => e.id !== r.json.entry.id)] };
        sent++;
        continue;
      }
      const code = r.json?.code;
      if (GONE_TEXT[code] !== undefined) {
        showGone(code);
        return;
      }
      if (r.status === 429) {
        setStatus(t.rateLimited, 'bad');
        retryIn(Math.max(5, r.retryAfter) * 1000);
        return;
      }
      if (PROBLEM_TEXT[code] !== undefined) {
        backToForm(entry, code);
        return;
      }
      setStatus(t.serverError, 'bad');
      retryIn(60_000);
      return;
    }
    if (sent > 0) setStatus(justWritten && sent === 1 ? t.sent : t.queuedSent, 'ok');
  } finally {
    flushing = false;
    $('send').disabled = false;
    renderEntries();
  }
}

window.addEventListener('online', () => void flush(false));
window.addEventListener('offline', () => {
  if (store.outbox().length > 0) setStatus(t.queued, 'warn');
});

// ——— start ———
applyLanguage();
if (token === '') {
  showGone('none');
} else {
  const d = store.draft();
  fillForm(d);
  if (d !== null) setStatus(t.draftKept);
  void load().then((ok) => {
    if (ok) void flush(false);
  });
  setInterval(() => void flush(false), 60_000);
}
