// Form building blocks: every input labelled, hints and errors tied to it (aria-describedby),
// checked in the browser with sentences before anything is sent.
import { el } from './format.js';
import { showError } from './errors.js';

let seq = 0;
const uid = (p) => `${p}-${++seq}`;

/**
 * A field: { name, label, type: text|textarea|select|number|datetime-local|password|checkbox|file,
 * options: [[value, text]], required, hint, min, max, step, minLength, value, autocomplete, check(value) → sentence|null }.
 */
export function field(spec) {
  const id = spec.id ?? uid(spec.name);
  const hintId = `${id}-hint`;
  const errId = `${id}-error`;
  let input;
  if (spec.type === 'textarea') input = el('textarea', { id, name: spec.name, rows: spec.rows ?? 3 });
  else if (spec.type === 'select') input = el('select', { id, name: spec.name }, (spec.options ?? []).map(([v, t]) => el('option', { value: v }, t)));
  else input = el('input', { id, name: spec.name, type: spec.type ?? 'text', min: spec.min, max: spec.max, step: spec.step, autocomplete: spec.autocomplete ?? 'off', inputmode: spec.inputmode, accept: spec.accept });
  if (spec.value !== undefined) { if (spec.type === 'checkbox') input.checked = Boolean(spec.value); else input.value = spec.value; }
  const err = el('p', { class: 'field-error', id: errId, hidden: true });
  const described = [spec.hint ? hintId : null, errId].filter(Boolean).join(' ');
  input.setAttribute('aria-describedby', described);
  if (spec.required) input.setAttribute('aria-required', 'true');
  const box = spec.type === 'checkbox'
    ? el('div', { class: 'field' }, el('label', { class: 'inline', for: id }, input, spec.label), spec.hint ? el('p', { class: 'hint', id: hintId }, spec.hint) : null, err)
    : el('div', { class: 'field' }, el('label', { for: id }, spec.label, spec.required ? '' : el('span', { class: 'muted' }, ' (optional)')), spec.hint ? el('p', { class: 'hint', id: hintId }, spec.hint) : null, input, err);
  return { spec, input, box, err };
}

function valueOf(f) {
  if (f.spec.type === 'checkbox') return f.input.checked;
  if (f.spec.type === 'file') return f.input.files?.[0] ?? null;
  return f.input.value.trim();
}

/** The sentence for a field's first problem, or null. */
function problem(f) {
  const v = valueOf(f);
  if (f.spec.required && (v === '' || v === null)) return `Please enter ${f.spec.what ?? f.spec.label.toLowerCase()}.`;
  if (v === '' || v === null) return null;
  if (f.spec.minLength !== undefined && v.length < f.spec.minLength) return `${f.spec.label} needs at least ${f.spec.minLength} characters.`;
  if (f.spec.type === 'number') {
    const n = Number(v);
    if (!Number.isFinite(n)) return `${f.spec.label} must be a number.`;
    if (f.spec.min !== undefined && n < f.spec.min) return `${f.spec.label} must be at least ${f.spec.min}.`;
    if (f.spec.max !== undefined && n > f.spec.max) return `${f.spec.label} must be at most ${f.spec.max}.`;
  }
  if (f.spec.type === 'datetime-local' && Number.isNaN(new Date(v).getTime())) return `${f.spec.label} must be a date and time.`;
  return f.spec.check?.(v) ?? null;
}

/**
 * A form card: fields, a submit button, an alert for errors, a status line. `onSubmit(values)`
 * may throw an ApiError (shown as a sentence with its code) or return a message to announce.
 */
export function formCard({ title, intro, fields, submit, onSubmit, id, collapsed }) {
  const fs = fields.map(field);
  const alert = el('div', { class: 'error', role: 'alert', hidden: true });
  const done = el('p', { class: 'ok', role: 'status' });
  const button = el('button', { type: 'submit' }, submit);
  const form = el('form', { novalidate: true, id }, intro ? el('p', { class: 'muted' }, intro) : null, fs.map((f) => f.box), alert, el('div', { class: 'actions' }, button), done);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    alert.hidden = true; done.textContent = '';
    let first = null;
    for (const f of fs) {
      const p = problem(f);
      f.box.setAttribute('aria-invalid', p === null ? 'false' : 'true');
      f.input.setAttribute('aria-invalid', p === null ? 'false' : 'true');
      f.err.hidden = p === null; f.err.textContent = p ?? '';
      if (p !== null && first === null) first = f;
    }
    if (first !== null) { first.input.focus(); return; }
    const values = Object.fromEntries(fs.map((f) => [f.spec.name, valueOf(f)]));
    button.disabled = true;
    try {
      const msg = await onSubmit(values, form);
      if (typeof msg === 'string') done.textContent = msg;
    } catch (e) {
      showError(alert, e, e.extra);
    } finally { button.disabled = false; }
  });
  const body = [el('h2', {}, title), form];
  if (collapsed) return el('details', { class: 'card' }, el('summary', {}, title), form);
  return el('section', { class: 'card' }, ...body);
}

/**
 * A table that stacks into labelled rows on a phone. Wider screens get the table in a box that scrolls
 * sideways when its columns, each at least as wide as its longest word, do not fit (the page never does).
 */
export function stackTable({ id, caption, head, rows }) {
  return el('div', { class: 'table-scroll' }, el('table', { id, class: 'stack' },
    caption ? el('caption', { class: 'visually-hidden' }, caption) : null,
    el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c, i) => el('td', { 'data-label': head[i] }, c)))))));
}

export const badge = (cls, text) => el('span', { class: `badge ${cls}` }, text);
