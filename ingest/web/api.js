// The officer API from the browser: bearer token in sessionStorage (gone when the tab closes).
const KEY = 'earshot.token';

export function token() { return sessionStorage.getItem(KEY); }
export function setToken(t) { if (t === null) sessionStorage.removeItem(KEY); else sessionStorage.setItem(KEY, t); }

export class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  const t = token();
  if (t !== null) headers.authorization = `Bearer ${t}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({ code: 'EARSHOT_E_INTERNAL', message: `HTTP ${res.status}` }));
  if (!res.ok) throw new ApiError(res.status, data.code, data.message);
  return data;
}
