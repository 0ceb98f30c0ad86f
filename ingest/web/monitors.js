// Monitor health: online or not, last heard, microphone, clock, disk, outbox backlog, firmware, config.
import { api } from './api.js';
import { el, fmtAgo, fmtBytes } from './format.js';
import { badge, stackTable } from './ui.js';

const MIC = { ok: ['good', 'working'], silent: ['bad', 'silent'], clipping: ['bad', 'clipping'], 'no-signal': ['bad', 'no signal'], unknown: ['warn', 'not measured yet'] };

// What waits to be sent, and the size of the monitor's journal on its disk (outbox bytes, from its heartbeat).
function backlog(m) {
  if (m.outboxDepth === null) return '—';
  const journal = m.outboxBytes === null || m.outboxBytes === undefined ? '' : ` (journal ${fmtBytes(m.outboxBytes)})`;
  return m.outboxDepth === 0 ? `nothing waiting${journal}` : `${m.outboxDepth} message${m.outboxDepth === 1 ? '' : 's'} waiting${journal}`;
}

function clock(m) {
  if (m.clockSynced === null) {
    if (m.clockSource === null || m.clockSource === undefined) return '—';
    // The monitor found neither chrony nor timedatectl to ask (status/clock-sync.ts): its clock may be right, but it was not checked.
    if (m.clockSource === 'unknown') return el('span', {}, badge('warn', 'not checked'), el('span', { class: 'hint' }, ' no chrony or timedatectl on the monitor to ask'));
    return badge('warn', `not known (${m.clockSource})`);
  }
  if (!m.clockSynced) return badge('bad', 'not synchronised');
  return m.clockOffsetMs === null ? 'synchronised' : `synchronised (${Math.round(m.clockOffsetMs)} ms)`;
}

function disk(m) {
  if (m.diskFreeBytes === null || m.diskTotalBytes === null) return '—';
  const low = m.diskTotalBytes > 0 && m.diskFreeBytes / m.diskTotalBytes < 0.1;
  return el('span', { class: low ? 'overdue' : '' }, `${fmtBytes(m.diskFreeBytes)} free of ${fmtBytes(m.diskTotalBytes)}`);
}

function config(m) {
  if (m.configAccepted === null) return m.configVersion === null ? '—' : `version ${m.configVersion}`;
  return m.configAccepted ? `version ${m.configVersion ?? '?'} accepted` : el('span', { class: 'overdue' }, `rejected: ${m.configError ?? 'no reason given'}`);
}

export function monitorTable(monitors, { id, withCase = true } = {}) {
  const head = ['Monitor', 'State', 'Last heard', 'Microphone', 'Clock', 'Disk', 'Outbox backlog', 'Firmware', 'Config', ...(withCase ? ['Case'] : [])];
  return stackTable({
    id, caption: 'Monitor health', head,
    rows: monitors.map((m) => [
      el('span', { class: 'ref' }, m.deviceId),
      !m.enabled ? badge('bad', 'disabled') : m.online ? badge('online', 'online') : badge('offline', 'offline'),
      m.lastHeardAt === null ? 'never' : fmtAgo(m.lastHeardAt),
      m.mic === null ? '—' : badge(MIC[m.mic][0], MIC[m.mic][1]),
      clock(m),
      disk(m),
      backlog(m),
      m.firmwareVersion ?? 'not reported',
      config(m),
      ...(withCase ? [m.caseRef !== null && m.caseRef !== undefined ? el('a', { href: `#/case/${encodeURIComponent(m.caseRef)}`, class: 'ref' }, m.caseRef) : m.inUse ? 'in use' : 'free'] : []),
    ]),
  });
}

export async function monitorsView() {
  const { monitors } = await api('GET', '/api/monitors');
  return [
    el('h1', {}, 'Monitors'),
    monitors.length === 0 ? el('p', { class: 'muted' }, 'No monitors are registered yet.') : monitorTable(monitors, { id: 'monitors' }),
    el('p', { class: 'legend-note' }, 'As each monitor last reported in its heartbeat (every minute). Offline: not heard for 3 minutes.'),
  ];
}
