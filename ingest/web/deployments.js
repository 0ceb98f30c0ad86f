// Deployments on the case page: start one with a free monitor (audio mode, position), end it.
// The calibration is the monitor's own signed check, shown as it arrives; nothing typed here stands for it.
import { api } from './api.js';
import { el, fmtTime, optionalInstant } from './format.js';
import { formCard, stackTable } from './ui.js';

const AUDIO = [['on-event', 'Clips when a rule fires (default)'], ['button-only', 'Clips only when the resident presses the button'], ['off', 'No audio at all']];
const AUDIO_TEXT = { 'on-event': 'clips on events', 'button-only': 'clips on button only', off: 'no audio' };

function position(p) {
  if (p === null) return 'not stated';
  const parts = [];
  if (p.room) parts.push(p.room);
  if (p.heightM !== undefined) parts.push(`${p.heightM} m high`);
  if (p.partyWallM !== undefined) parts.push(`${p.partyWallM} m from the party wall`);
  if (p.windows) parts.push(`windows ${p.windows}`);
  if (p.positionNote) parts.push(p.positionNote);
  return parts.length === 0 ? 'not stated' : parts.join(', ');
}

function calibration(d) {
  const k = d.calibrationAtInstall;
  if (k === null) return el('span', { class: 'muted' }, 'waiting for the monitor’s calibration record');
  return `${k.measuredDb.toFixed(1)} dB read of a ${k.referenceDb.toFixed(1)} dB calibrator (${fmtTime(k.at)})`;
}

export async function deploymentsSection(c, refresh) {
  const ref = encodeURIComponent(c.ref);
  const rows = c.deployments.map((d) => {
    const end = d.to === null && c.status !== 'closed' ? el('button', { type: 'button', class: 'secondary', 'data-deployment': d.deploymentId }, `End deployment of ${d.deviceId}`) : (d.to === null ? 'running' : fmtTime(d.to));
    if (end instanceof HTMLButtonElement) {
      end.addEventListener('click', async () => {
        end.disabled = true;
        try { await api('POST', `/api/cases/${ref}/deployments/${d.deploymentId}/end`, {}); await refresh(`The deployment of ${d.deviceId} has ended.`); }
        catch (e) { end.disabled = false; const box = document.getElementById('deploy-error'); if (box) { const { showError } = await import('./errors.js'); showError(box, e); } }
      });
    }
    return [d.deviceId, fmtTime(d.from), end, AUDIO_TEXT[d.audioMode] ?? d.audioMode, position(d.position), calibration(d), d.driftDb === null ? '—' : `${d.driftDb.toFixed(2)} dB`];
  });
  const table = rows.length === 0 ? el('p', { class: 'muted' }, 'No monitor has been deployed on this case yet.') :
    stackTable({ id: 'deployments', caption: 'Deployments', head: ['Monitor', 'Installed', 'Removed', 'Audio', 'Position', 'Calibration', 'Drift'], rows });
  const nodes = [el('h2', { id: 'deploy-title' }, 'Deployments'), table, el('div', { class: 'error', role: 'alert', id: 'deploy-error', hidden: true })];
  if (c.status !== 'closed') {
    const { monitors } = await api('GET', '/api/monitors');
    const free = monitors.filter((m) => !m.inUse && m.enabled);
    if (free.length === 0) nodes.push(el('p', { class: 'muted' }, 'No free monitor to deploy: end a deployment elsewhere or ask an administrator to add one.'));
    else {
      nodes.push(formCard({
        title: 'Start a deployment', id: 'deploy-form', collapsed: c.deployments.some((d) => d.to === null),
        intro: 'Calibrate the monitor first: its own signed calibration record is what the bundle states.',
        fields: [
          { name: 'deviceId', label: 'Monitor', type: 'select', options: free.map((m) => [m.deviceId, `${m.deviceId}${m.online ? ' (online)' : ' (offline)'}`]), required: true },
          { name: 'audioMode', label: 'Audio', type: 'select', options: AUDIO, required: true },
          { name: 'installedAt', label: 'Installed at (your local time)', type: 'datetime-local', hint: 'Now, if left empty.' },
          { name: 'room', label: 'Room', hint: 'For example: Bedroom' },
          { name: 'heightM', label: 'Height above the floor (m)', type: 'number', min: 0, max: 10, step: 0.1, inputmode: 'decimal' },
          { name: 'partyWallM', label: 'Distance from the party wall (m)', type: 'number', min: 0, max: 50, step: 0.1, inputmode: 'decimal' },
          { name: 'windows', label: 'Windows', type: 'select', options: [['', 'Not stated'], ['closed', 'Closed'], ['open', 'Open'], ['varied', 'Varied']] },
          { name: 'positionNote', label: 'Position note', type: 'textarea', rows: 2 },
        ],
        submit: 'Start deployment',
        onSubmit: async (v) => {
          const equipment = {};
          if (v.room !== '') equipment.room = v.room;
          if (v.heightM !== '') equipment.heightM = Number(v.heightM);
          if (v.partyWallM !== '') equipment.partyWallM = Number(v.partyWallM);
          if (v.windows !== '') equipment.windows = v.windows;
          if (v.positionNote !== '') equipment.positionNote = v.positionNote;
          await api('POST', `/api/cases/${ref}/deployments`, {
            deviceId: v.deviceId, audioMode: v.audioMode, ...(v.installedAt === '' ? {} : { installedAt: optionalInstant(v.installedAt) }),
            ...(Object.keys(equipment).length === 0 ? {} : { equipment }),
          });
          await refresh(`Deployment of ${v.deviceId} started. The monitor receives its rules within seconds.`);
        },
      }));
    }
  }
  return el('section', { 'aria-labelledby': 'deploy-title' }, ...nodes);
}
