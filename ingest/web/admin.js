// Administration (admins only): accounts (add, disable/enable, reset password) and monitors
// (add with provisioning details as a download and a QR code; disable/enable).
import { api } from './api.js';
import { showError } from './errors.js';
import { el, fmtAgo } from './format.js';
import { badge, formCard, stackTable } from './ui.js';

const ROLES = [['officer', 'Officer'], ['supervisor', 'Supervisor'], ['admin', 'Administrator']];

function toggle(label, onClick) {
  const b = el('button', { type: 'button', class: 'secondary' }, label);
  b.addEventListener('click', async () => { b.disabled = true; try { await onClick(); } catch (e) { b.disabled = false; const box = document.getElementById('admin-error'); showError(box, e); box.focus(); } });
  return b;
}

/** Copies the secret to the clipboard; says so, or says to select it by hand where the browser refuses. */
function copyButton(secret) {
  const said = el('span', { class: 'hint', role: 'status', id: 'copy-status' });
  const b = el('button', { type: 'button', class: 'secondary', id: 'copy-secret' }, 'Copy the secret');
  b.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(secret); said.textContent = ' Copied.'; } catch {
      const input = document.getElementById('device-secret'); input.focus(); input.select();
      said.textContent = ' Selected: press Ctrl+C (or long-press and Copy) to copy it.';
    }
  });
  return el('p', {}, b, said);
}

export async function adminView(me, say, rerender) {
  const [{ users }, { devices }] = await Promise.all([api('GET', '/api/admin/users'), api('GET', '/api/admin/devices')]);
  const done = async (msg) => { await rerender(); say(msg); const f = document.getElementById('flash'); if (f) f.textContent = msg; };
  const userRows = users.map((u) => [
    u.username, u.displayName, u.initials, ROLES.find(([r]) => r === u.role)?.[1] ?? u.role,
    u.enabled ? badge('good', 'enabled') : badge('bad', 'disabled'),
    u.username === me.username ? el('span', { class: 'muted' }, 'you') : toggle(`${u.enabled ? 'Disable' : 'Enable'} ${u.username}`, async () => {
      await api('POST', `/api/admin/users/${encodeURIComponent(u.username)}/enabled`, { enabled: !u.enabled });
      await done(`${u.displayName} is now ${u.enabled ? 'disabled' : 'enabled'}.`);
    }),
  ]);
  const deviceRows = (list) => list.map((d) => [
    d.deviceId, d.enabled ? badge('good', 'enabled') : badge('bad', 'disabled'), d.keyPinned ? 'pinned' : 'not yet pinned',
    d.health?.lastHeardAt ? fmtAgo(d.health.lastHeardAt) : 'never',
    toggle(`${d.enabled ? 'Disable' : 'Enable'} ${d.deviceId}`, async () => {
      await api('POST', `/api/admin/devices/${encodeURIComponent(d.deviceId)}/enabled`, { enabled: !d.enabled });
      await done(`Monitor ${d.deviceId} is now ${d.enabled ? 'disabled' : 'enabled'}.`);
    }),
  ]);
  const provisioned = el('div', { id: 'provisioned', 'aria-live': 'polite' });
  const deviceTable = (list) => (list.length === 0 ? el('p', { class: 'muted' }, 'No monitors registered yet.') :
    stackTable({ id: 'devices', caption: 'Monitors', head: ['Monitor', 'State', 'Key', 'Last heard', 'Change'], rows: deviceRows(list) }));
  const devicesBox = el('div', { id: 'devices-box' }, deviceTable(devices));
  return [
    el('h1', {}, 'Administration'),
    el('p', { class: 'ok', id: 'flash', role: 'status' }),
    el('div', { class: 'error', role: 'alert', id: 'admin-error', tabindex: '-1', hidden: true }),
    el('section', { 'aria-labelledby': 'users-title' }, el('h2', { id: 'users-title' }, 'Accounts'),
      stackTable({ id: 'users', caption: 'Accounts', head: ['Username', 'Name', 'Initials', 'Role', 'State', 'Change'], rows: userRows }),
      el('div', { class: 'grid' },
        formCard({
          title: 'Add an account', id: 'add-user', collapsed: true,
          fields: [
            { name: 'username', label: 'Username', required: true, hint: 'Lower-case letters, digits, dot, dash or underscore; for example jsmith.', check: (v) => (/^[a-z0-9][a-z0-9._-]{1,63}$/.test(v) ? null : 'A username uses lower-case letters, digits, dot, dash or underscore (2 to 64).') },
            { name: 'displayName', label: 'Full name', required: true, what: 'the full name' },
            { name: 'initials', label: 'Exhibit initials', required: true, hint: '2 to 4 capital letters, for example JS.', check: (v) => (/^[A-Z]{2,4}$/.test(v) ? null : 'Exhibit initials are 2 to 4 capital letters, for example JS.') },
            { name: 'role', label: 'Role', type: 'select', options: ROLES, required: true },
            { name: 'password', label: 'First password', type: 'password', required: true, minLength: 12, autocomplete: 'new-password', hint: 'At least 12 characters. Give it to the person privately.' },
          ],
          submit: 'Add account',
          onSubmit: async (v) => { await api('POST', '/api/admin/users', v); await done(`Account ${v.username} added.`); },
        }),
        formCard({
          title: 'Reset a password', id: 'reset-password', collapsed: true,
          intro: 'Ends the account’s sessions at once.',
          fields: [
            { name: 'username', label: 'Account', type: 'select', options: users.map((u) => [u.username, `${u.displayName} (${u.username})`]), required: true },
            { name: 'password', label: 'New password', type: 'password', required: true, minLength: 12, autocomplete: 'new-password', hint: 'At least 12 characters.' },
          ],
          submit: 'Reset password',
          onSubmit: async (v) => { await api('POST', `/api/admin/users/${encodeURIComponent(v.username)}/password`, { password: v.password }); return `The password of ${v.username} has been reset.`; },
        }))),
    el('section', { 'aria-labelledby': 'devices-title' }, el('h2', { id: 'devices-title' }, 'Monitors'),
      devicesBox,
      formCard({
        title: 'Add a monitor', id: 'add-device',
        intro: 'Gives the provisioning details once: download them (or scan the QR code) for earshot-device provision. The secret is not shown again.',
        fields: [{ name: 'deviceId', label: 'Monitor id', required: true, hint: 'Lower-case letters, digits and dashes; for example flat-12-monitor.', check: (v) => (/^[a-z0-9-]{3,64}$/.test(v) ? null : 'A monitor id uses lower-case letters, digits and dashes, 3 to 64 characters.') }],
        submit: 'Add monitor',
        onSubmit: async (v) => {
          const r = await api('POST', '/api/admin/devices', { deviceId: v.deviceId });
          const href = URL.createObjectURL(new Blob([`${r.details}\n`], { type: 'application/json' }));
          const { secret } = JSON.parse(r.details);
          provisioned.replaceChildren(el('div', { class: 'card', id: 'provisioned-card' },
            el('h3', {}, `Provisioning details for ${r.deviceId}`),
            el('p', { class: 'notice', id: 'copy-now' }, el('strong', {}, 'Copy or download these now.'), ' The secret is shown only this once: the server keeps only a hash of it. If it is lost, disable this monitor and add it again.'),
            el('div', { class: 'field' }, el('label', { for: 'device-secret' }, 'Secret'),
              el('textarea', { id: 'device-secret', readonly: true, rows: 2, autocomplete: 'off', spellcheck: 'false', class: 'secret' }, secret)),
            copyButton(secret),
            el('p', {}, el('a', { href, download: `${r.deviceId}.details`, class: 'button', id: 'download-details' }, `Download ${r.deviceId}.details`)),
            el('div', { class: 'qr' }, el('img', { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(r.qrSvg)}`, alt: `QR code of the provisioning details for ${r.deviceId}`, id: 'device-qr' })),
            el('p', { class: 'hint' }, 'On the monitor: earshot-device provision --details FILE. Keep the file safe: it holds the monitor’s secret.')));
          // The list above shows the new monitor at once (the provisioning details stay below it).
          const fresh = await api('GET', '/api/admin/devices');
          devicesBox.replaceChildren(deviceTable(fresh.devices));
          return `Monitor ${r.deviceId} added.`;
        },
      }),
      provisioned),
  ];
}
