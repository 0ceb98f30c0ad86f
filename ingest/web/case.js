// The case page: facts and clocks, actions (re-categorise, reassign, status, action plan), contact log,
// deployments, monitor health, diary, then the levels, events and the court bundle.
import { api } from './api.js';
import { showError } from './errors.js';
import { el, fmtDate, fmtTime, optionalInstant, toLocalInput } from './format.js';
import { deploymentsSection } from './deployments.js';
import { diarySection } from './diary.js';
import { levelsSection } from './levels.js';
import { monitorTable } from './monitors.js';
import { badge, formCard } from './ui.js';

const METHODS = [['visit', 'Visit'], ['phone', 'Phone call'], ['email', 'Email'], ['letter', 'Letter'], ['text', 'Text message']];
const METHOD_TEXT = Object.fromEntries(METHODS);
const TARGET = { met: ['met', 'met'], missed: ['missed', 'missed'], pending: ['pending', 'not yet met'] };
const ACTION = {
  opened: 'Opened', categorised: 'Re-categorised', reassigned: 'Reassigned', closed: 'Closed', reopened: 'Reopened', 'made-inactive': 'Marked inactive',
  contacted: 'Contact with the complainant', 'plan-note': 'Action plan note',
};

function facts(c) {
  return el('dl', { class: 'facts', id: 'case-facts' },
    el('dt', {}, 'Address'), el('dd', {}, c.address ?? 'removed under the retention policy'),
    el('dt', {}, 'Status'), el('dd', { id: 'case-status' }, c.status),
    el('dt', {}, 'Category'), el('dd', {}, badge(c.category, c.category)),
    el('dt', {}, 'Officer'), el('dd', { id: 'case-officer' }, c.officerName),
    el('dt', {}, 'Opened'), el('dd', {}, fmtTime(c.openedAt)),
    el('dt', {}, 'Response target'), el('dd', { id: 'response-target' }, `first contact by ${fmtTime(c.responseDueAt)}: `, badge(TARGET[c.responseTarget][0], TARGET[c.responseTarget][1]),
      c.firstContactAt === null ? '' : ` (first contact ${fmtTime(c.firstContactAt)})`),
    el('dt', {}, 'Next contact due'), el('dd', { id: 'next-contact', class: c.contactOverdue ? 'overdue' : '' },
      c.nextContactDueAt === null ? 'not while the case is not open' : `${fmtDate(c.nextContactDueAt)}${c.contactOverdue ? ' (overdue)' : ''}`),
    el('dt', {}, 'Last evidence'), el('dd', {}, c.lastEvidenceAt === null ? 'none yet' : fmtTime(c.lastEvidenceAt)));
}

function complainantBox(c) {
  const out = el('div', { id: 'complainant' });
  const b = el('button', { type: 'button', class: 'secondary' }, 'Show the complainant’s details');
  b.addEventListener('click', async () => {
    try {
      const { complainant } = await api('GET', `/api/cases/${encodeURIComponent(c.ref)}/complainant`);
      out.replaceChildren(complainant === null ? el('p', { class: 'muted' }, 'No complainant details are recorded.') :
        el('p', {}, el('strong', {}, complainant.name), ` · ${complainant.contact}`), el('p', { class: 'hint' }, 'Confidential. Your viewing is recorded in the access log.'));
    } catch (e) { const box = el('div', { class: 'error', role: 'alert' }); showError(box, e); out.replaceChildren(box); }
  });
  out.append(b);
  return out;
}

function contactsSection(c, refresh) {
  const list = c.contacts.length === 0 ? el('p', { class: 'muted' }, 'No contact recorded yet. The first contact stops the response-target clock.') :
    el('ul', { class: 'list', id: 'contacts' }, [...c.contacts].reverse().map((k) => el('li', {},
      el('strong', {}, `${fmtTime(k.at)} · ${METHOD_TEXT[k.method] ?? k.method}`), ` by ${k.byName}`,
      el('div', {}, k.summary ?? el('em', {}, 'summary removed under the retention policy')))));
  const form = formCard({
    title: 'Record a contact', id: 'contact-form', collapsed: c.status === 'closed',
    fields: [
      { name: 'method', label: 'How', type: 'select', options: METHODS, required: true },
      { name: 'at', label: 'When (your local time)', type: 'datetime-local', hint: 'Now, if left empty.', value: '' },
      { name: 'summary', label: 'Summary', type: 'textarea', required: true, minLength: 3, what: 'a short summary of the contact' },
    ],
    submit: 'Record contact',
    onSubmit: async (v) => {
      await api('POST', `/api/cases/${encodeURIComponent(c.ref)}/contacts`, { method: v.method, summary: v.summary, ...(v.at === '' ? {} : { at: optionalInstant(v.at) }) });
      await refresh('Contact recorded. The next contact is due in a week.');
    },
  });
  return el('section', { 'aria-labelledby': 'contacts-title' }, el('h2', { id: 'contacts-title' }, 'Contact with the complainant'),
    el('div', { class: 'grid' }, el('div', { class: 'card' }, list), form));
}

function planSection(c, refresh) {
  const list = c.plan.length === 0 ? el('p', { class: 'muted' }, 'No action plan yet.') :
    el('ol', { id: 'plan' }, c.plan.map((p) => el('li', {}, p.text ?? el('em', {}, 'removed under the retention policy'), el('span', { class: 'hint' }, ` — ${p.byName}, ${fmtDate(p.at)}`))));
  return el('section', { 'aria-labelledby': 'plan-title' }, el('h2', { id: 'plan-title' }, 'Action plan'),
    el('div', { class: 'grid' }, el('div', { class: 'card' }, list),
      formCard({
        title: 'Add to the action plan', id: 'plan-form', collapsed: true,
        fields: [{ name: 'text', label: 'What was agreed or what happens next', type: 'textarea', required: true, minLength: 3, what: 'the action' }],
        submit: 'Add note',
        onSubmit: async (v) => { await api('POST', `/api/cases/${encodeURIComponent(c.ref)}/plan`, { text: v.text }); await refresh('Added to the action plan.'); },
      })));
}

async function actionsSection(c, me, refresh) {
  const ref = encodeURIComponent(c.ref);
  const reason = { name: 'reason', label: 'Reason', type: 'textarea', required: true, minLength: 3, what: 'the reason', rows: 2 };
  const forms = [];
  if (c.status !== 'closed') {
    forms.push(formCard({
      title: 'Re-categorise', id: 'category-form', collapsed: true,
      fields: [{ name: 'category', label: 'New category', type: 'select', options: [['high-risk', 'High-risk (first contact within 24 hours)'], ['general', 'General (first contact within 5 working days)']].filter(([v]) => v !== c.category), required: true }, reason],
      submit: 'Re-categorise',
      onSubmit: async (v) => { await api('POST', `/api/cases/${ref}/category`, { category: v.category, reason: v.reason }); await refresh(`The case is now ${v.category}.`); },
    }));
    const { officers } = await api('GET', '/api/officers');
    const others = officers.filter((o) => o.username !== c.officer);
    if (others.length > 0) {
      forms.push(formCard({
        title: 'Reassign', id: 'reassign-form', collapsed: true,
        fields: [{ name: 'officer', label: 'New officer', type: 'select', options: others.map((o) => [o.username, `${o.displayName} (${o.role})`]), required: true }, reason],
        submit: 'Reassign',
        onSubmit: async (v) => {
          await api('POST', `/api/cases/${ref}/officer`, { officer: v.officer, reason: v.reason });
          // An officer no longer sees a case reassigned to someone else: back to the caseload.
          if (me.role === 'officer') { location.hash = '#/'; return; }
          await refresh('The case has been reassigned.');
        },
      }));
    }
  }
  const moves = c.status === 'open' ? [['inactive', 'Mark inactive'], ['closed', 'Close the case']] : c.status === 'inactive' ? [['open', 'Reopen'], ['closed', 'Close the case']] : [['open', 'Reopen the case']];
  forms.push(formCard({
    title: c.status === 'closed' ? 'Reopen the case' : 'Change status', id: 'status-form', collapsed: true,
    intro: c.status === 'open' ? 'End any deployment first. Close with the closing letter sent.' : undefined,
    fields: [{ name: 'status', label: 'Status', type: 'select', options: moves, required: true }, reason],
    submit: 'Change status',
    onSubmit: async (v) => { await api('POST', `/api/cases/${ref}/status`, { status: v.status, reason: v.reason }); await refresh(`The case is now ${v.status}.`); },
  }));
  return el('section', { 'aria-labelledby': 'actions-title' }, el('h2', { id: 'actions-title' }, 'Case actions'), el('div', { class: 'grid' }, forms));
}

function historySection(c) {
  return el('details', { class: 'card', id: 'history' }, el('summary', {}, `History (${c.history.length})`),
    el('ul', { class: 'list' }, [...c.history].reverse().map((h) => el('li', {}, el('strong', {}, ACTION[h.action] ?? h.action), ` · ${fmtTime(h.at)} · ${h.by}`,
      h.reason === null ? '' : el('div', {}, `Reason: ${h.reason}`), el('span', { class: 'hint' }, ` Evidence log leaf ${h.leafIndex}`)))));
}

export async function caseView(ref, me, say, rerender) {
  const c = await api('GET', `/api/cases/${encodeURIComponent(ref)}`);
  const refresh = async (message) => { await rerender(); say(message); const s = document.getElementById('flash'); if (s) s.textContent = message; };
  const levels = levelsSection(c, me);
  const nodes = [
    el('p', {}, el('a', { href: '#/' }, '← Caseload')),
    el('h1', {}, `Case ${c.ref}`),
    el('p', { class: 'ok', id: 'flash', role: 'status' }),
    el('div', { class: 'grid' }, el('section', { class: 'card', 'aria-label': 'Case details' }, facts(c), complainantBox(c))),
    contactsSection(c, refresh),
    planSection(c, refresh),
    await actionsSection(c, me, refresh),
    await deploymentsSection(c, refresh),
    el('section', { 'aria-labelledby': 'case-mon-title' }, el('h2', { id: 'case-mon-title' }, 'Monitor health'),
      c.monitors.length === 0 ? el('p', { class: 'muted' }, 'No monitor has been deployed on this case.') : monitorTable(c.monitors, { id: 'case-monitors', withCase: false })),
    diarySection(c, refresh),
    ...levels.nodes,
    historySection(c),
  ];
  return { nodes, after: levels.start };
}

export { toLocalInput };
