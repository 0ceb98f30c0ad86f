// The officer web view: log in, caseload dashboard, case page with every action, monitors,
// administration. Plain ES modules, no build step; the page's CSP forbids inline script and style.
import { ApiError, api, setToken, token } from './api.js';
import { adminView } from './admin.js';
import { caseView } from './case.js';
import { dashboardView } from './dashboard.js';
import { showError } from './errors.js';
import { el } from './format.js';
import { monitorsView } from './monitors.js';
import { newCaseView } from './new-case.js';

const main = document.getElementById('main');
const status = document.getElementById('status');
const say = (text) => { status.textContent = ''; setTimeout(() => { status.textContent = text; }, 50); };

function show(nodes, title) {
  main.replaceChildren(...nodes);
  document.title = `${title} — Earshot`;
  main.focus({ preventScroll: false });
}

function loginView(message) {
  const err = el('div', { class: 'error', role: 'alert', id: 'login-error', hidden: message === undefined }, message ?? '');
  const form = el('form', { class: 'card login', 'aria-labelledby': 'login-title', novalidate: true },
    el('h1', { id: 'login-title' }, 'Log in'),
    el('div', { class: 'field' }, el('label', { for: 'username' }, 'Username'), el('input', { type: 'text', id: 'username', name: 'username', autocomplete: 'username', autocapitalize: 'none', 'aria-required': 'true' })),
    el('div', { class: 'field' }, el('label', { for: 'password' }, 'Password'), el('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', 'aria-required': 'true' })),
    err,
    el('button', { type: 'submit' }, 'Log in'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    if (form.username.value.trim() === '' || form.password.value === '') {
      err.textContent = 'Please enter your username and password.'; err.hidden = false;
      (form.username.value.trim() === '' ? form.username : form.password).focus();
      return;
    }
    try {
      const s = await api('POST', '/api/login', { username: form.username.value.trim(), password: form.password.value });
      setToken(s.token);
      await route();
    } catch (e) { showError(err, e); }
  });
  show([form], 'Log in');
}

async function header() {
  const who = document.getElementById('who');
  const out = document.getElementById('logout');
  const nav = document.getElementById('nav');
  if (token() === null) { who.textContent = ''; out.hidden = true; nav.hidden = true; return null; }
  const me = await api('GET', '/api/me');
  who.textContent = `${me.displayName} (${me.role})`;
  out.hidden = false; nav.hidden = false;
  document.getElementById('nav-admin').hidden = me.role !== 'admin';
  for (const a of nav.querySelectorAll('a')) {
    const here = a.getAttribute('href') === (location.hash === '' ? '#/' : location.hash.split('?')[0]);
    if (here) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  return me;
}

let routing = 0;
async function route() {
  const mine = ++routing;
  try {
    if (token() === null) return loginView();
    const me = await header();
    const hash = location.hash;
    const m = /^#\/case\/(.+)$/.exec(hash);
    let view;
    if (m !== null) {
      const ref = decodeURIComponent(m[1]);
      const v = await caseView(ref, me, say, route);
      if (mine !== routing) return;
      show(v.nodes, `Case ${ref}`);
      await v.after();
      return;
    }
    if (hash === '#/new-case') view = [await newCaseView(me), 'Open a case'];
    else if (hash === '#/monitors') view = [await monitorsView(), 'Monitors'];
    else if (hash === '#/admin') view = [await adminView(me, say, route), 'Administration'];
    else view = [await dashboardView(me, /scope=mine/.test(hash) ? 'mine' : undefined), 'Caseload'];
    if (mine !== routing) return;
    show(view[0], view[1]);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { setToken(null); await header(); return loginView('Your session has ended. Please log in again.'); }
    const box = el('div', { class: 'error', role: 'alert' });
    showError(box, e);
    show([el('h1', {}, 'Something is not right'), box, el('p', {}, el('a', { href: '#/' }, 'Back to the caseload'))], 'Error');
  }
}

document.getElementById('logout').addEventListener('click', async () => {
  try { await api('POST', '/api/logout'); } catch { /* logged out either way */ }
  setToken(null);
  await header();
  history.replaceState(null, '', '/');
  loginView();
});
window.addEventListener('hashchange', () => void route());
void route();
