// The caseload dashboard (landing page): my cases — or everyone's, for a supervisor — and each monitor's health.
import { api } from './api.js';
import { el, fmtAgo, fmtDate, fmtTime } from './format.js';
import { monitorTable } from './monitors.js';
import { badge, stackTable } from './ui.js';

const TARGET = { met: ['met', 'Met'], missed: ['missed', 'Missed'], pending: ['pending', 'Not yet'] };

function newSince(n) {
  const parts = [];
  if (n.events > 0) parts.push(`${n.events} event${n.events === 1 ? '' : 's'}`);
  if (n.incidents > 0) parts.push(`${n.incidents} button press${n.incidents === 1 ? '' : 'es'}`);
  if (n.diary > 0) parts.push(`${n.diary} diary entr${n.diary === 1 ? 'y' : 'ies'}`);
  if (parts.length === 0) return el('span', { class: 'muted' }, 'nothing new');
  return el('strong', {}, parts.join(', '));
}

function caseTable(cases, showOfficer) {
  const head = ['Case', 'Address', 'Status', 'Category', ...(showOfficer ? ['Officer'] : []), 'Since evidence', 'Response target', 'Next contact due', 'New since you looked'];
  return stackTable({
    id: 'case-list', caption: 'Cases', head,
    rows: cases.map((c) => [
      el('a', { href: `#/case/${encodeURIComponent(c.ref)}`, class: 'ref' }, c.ref),
      c.address ?? '—',
      c.status,
      badge(c.category, c.category),
      ...(showOfficer ? [c.officerName] : []),
      c.daysSinceLastEvidence === null ? 'none yet' : `${c.daysSinceLastEvidence} d`,
      el('span', {}, badge(TARGET[c.responseTarget][0], TARGET[c.responseTarget][1]), ` ${fmtDate(c.responseDueAt)}`),
      c.nextContactDueAt === null ? '—' : el('span', { class: c.contactOverdue ? 'overdue' : '' }, `${fmtDate(c.nextContactDueAt)}${c.contactOverdue ? ' (overdue)' : ''}`),
      newSince(c.newSince),
    ]),
  });
}

function teamTable(team) {
  return stackTable({
    id: 'team', caption: `Targets for ${team.month} by officer`,
    head: ['Officer', 'Active cases', 'Overdue contacts', 'Targets met this month', 'Targets missed this month'],
    rows: team.officers.map((o) => [o.officerName, String(o.activeCases), el('span', { class: o.overdueContacts > 0 ? 'overdue' : '' }, String(o.overdueContacts)), String(o.targetsMet), String(o.targetsMissed)]),
  });
}

export async function dashboardView(me, scope) {
  const q = scope === undefined ? '' : `?scope=${scope}`;
  const d = await api('GET', `/api/dashboard${q}`);
  const everyone = d.scope === 'all';
  const overdue = d.cases.filter((c) => c.contactOverdue).length;
  const nodes = [
    el('h1', {}, everyone ? 'Everyone’s caseload' : 'My caseload'),
    el('p', { class: 'muted' }, `${d.cases.length} active case${d.cases.length === 1 ? '' : 's'}`, overdue > 0 ? el('span', { class: 'overdue' }, ` · ${overdue} contact${overdue === 1 ? '' : 's'} overdue`) : '', ` · as of ${fmtTime(d.generatedAt)}`),
  ];
  if (me.role !== 'officer') {
    nodes.push(el('p', {}, everyone ? el('a', { href: '#/?scope=mine' }, 'Show only my cases') : el('a', { href: '#/' }, 'Show everyone’s cases')));
  }
  if (d.team !== null) nodes.push(el('section', { class: 'card', 'aria-labelledby': 'team-title' }, el('h2', { id: 'team-title' }, `This month (${d.team.month})`), d.team.officers.length === 0 ? el('p', { class: 'muted' }, 'No targets fell due this month.') : teamTable(d.team)));
  nodes.push(el('section', { 'aria-labelledby': 'cases-title' }, el('h2', { id: 'cases-title' }, 'Cases'),
    d.cases.length === 0 ? el('p', { class: 'muted' }, everyone ? 'There are no active cases.' : 'No cases are assigned to you.') : caseTable(d.cases, everyone),
    el('p', {}, el('a', { href: '#/new-case', class: 'button' }, 'Open a case'))));
  nodes.push(el('section', { 'aria-labelledby': 'mon-title' }, el('h2', { id: 'mon-title' }, everyone ? 'Monitors' : 'Monitors on my cases'),
    d.monitors.length === 0 ? el('p', { class: 'muted' }, 'No monitors to show.') : monitorTable(d.monitors, { id: 'dash-monitors' })));
  nodes.push(el('p', { class: 'legend-note' }, `Monitor status as last heard; a monitor unheard for 3 minutes counts as offline. Figures refreshed ${fmtAgo(d.generatedAt)}.`));
  return nodes;
}
