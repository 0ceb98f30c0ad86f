/**
 * Issue 11 items 4, 10, 11 and 15 (HTTP side), on a listening server with real
 * sockets: slow headers are cut, signed links stay out of the log and die at
 * logout, every range served is in the access log, CSP and HSTS are sent.
 */
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLIP_ID, DEVICE, type HttpFixture, PASSWORD, REF, makeHttpFixture } from './fixture.ts';

let f: HttpFixture | null = null;
afterEach(async () => {
  await f?.close();
  f = null;
});

async function listening(fx: HttpFixture): Promise<string> {
  await fx.http.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(fx.http.app.server.address() as { port: number }).port}`;
}

async function login(base: string, username = 'jsmith'): Promise<string> {
  const r = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  return ((await r.json()) as { token: string }).token;
}

async function clipUrl(base: string, token: string): Promise<string> {
  const r = await fetch(`${base}/api/cases/${REF}/timeline?from=2026-11-24T22:00:00Z&to=2026-11-25T01:00:00Z`, { headers: { authorization: `Bearer ${token}` } });
  return ((await r.json()) as { clips: { url: string }[] }).clips[0]!.url;
}

const clipRows = (fx: HttpFixture): { target: string }[] => fx.db.prepare<[], { target: string }>(`SELECT target FROM access_log WHERE action = 'clip' ORDER BY id`).all();

describe('HTTP under attack', () => {
  it('closes a connection that never finishes its headers (item 4)', async () => {
    f = await makeHttpFixture(undefined, { limits: { headersTimeoutMs: 400, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 500, checkIntervalMs: 100 } });
    const base = await listening(f);
    const port = Number(new URL(base).port);
    const s = connect(port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    s.write('GET /app.js HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    s.resume(); // read whatever the server answers, so its close is seen
    const t0 = performance.now();
    const closed = await Promise.race([
      new Promise<boolean>((r) => s.once('close', () => r(true))),
      new Promise<boolean>((r) => setTimeout(() => r(false), 3_000)),
    ]);
    s.destroy();
    expect(closed).toBe(true);
    expect(performance.now() - t0).toBeLessThan(2_500);
  });

  it('sets the server\'s timeouts by default', async () => {
    f = await makeHttpFixture();
    const server = f.http.app.server;
    expect(server.headersTimeout).toBeLessThanOrEqual(20_000);
    expect(server.requestTimeout).toBeGreaterThan(0);
    expect(server.requestTimeout).toBeLessThanOrEqual(60_000);
    expect(server.keepAliveTimeout).toBeLessThanOrEqual(10_000);
    expect(server.maxConnections).toBeGreaterThan(0);
  });

  it('keeps the credentials of signed links out of the request log (item 10)', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString());
      cb();
    } });
    f = await makeHttpFixture(undefined, { logger: pino({ level: 'info' }, sink) });
    const base = await listening(f);
    const token = await login(base);
    const url = await clipUrl(base, token);
    const sig = new URL(url, base).searchParams.get('sig')!;
    const res = await fetch(`${base}${url}`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    // The request line is logged once the response has finished: wait for it rather than race it.
    await vi.waitFor(() => expect(lines.join('')).toContain(`/api/clips/${DEVICE}/${CLIP_ID}`), { timeout: 5_000, interval: 20 });
    const log = lines.join('');
    expect(log).not.toContain(sig);
    expect(log).not.toContain(encodeURIComponent(sig));
    expect(log).not.toContain(token);
  });

  it('lets signed links die at logout (item 10)', async () => {
    f = await makeHttpFixture();
    const base = await listening(f);
    const token = await login(base);
    const url = await clipUrl(base, token);
    expect((await fetch(`${base}${url}`)).status).toBe(200);
    // Another session of the same officer does not keep this one's links alive.
    await login(base);
    expect((await fetch(`${base}/api/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(204);
    const after = await fetch(`${base}${url}`);
    expect(after.status).toBe(401);
    expect(((await after.json()) as { code: string }).code).toBe('EARSHOT_E_HTTP_UNAUTHENTICATED');
  });

  it('logs every range served, not only one from byte 0 (item 11)', async () => {
    f = await makeHttpFixture();
    const base = await listening(f);
    const token = await login(base);
    const get = (range: string) => fetch(`${base}/api/clips/${DEVICE}/${CLIP_ID}`, { headers: { authorization: `Bearer ${token}`, range } });
    const r = await get('bytes=1-');
    expect(r.status).toBe(206);
    expect((await r.arrayBuffer()).byteLength).toBe(f.clipBytes.length - 1);
    expect(clipRows(f)).toEqual([{ target: `${DEVICE}/${CLIP_ID} bytes 1-${f.clipBytes.length - 1}` }]);
    await (await get('bytes=-100')).arrayBuffer();
    expect(clipRows(f)).toHaveLength(2);
  });

  it('sends a Content-Security-Policy and HSTS with every answer (item 15)', async () => {
    f = await makeHttpFixture();
    const base = await listening(f);
    for (const path of ['/', '/app.js', '/api/me']) {
      const r = await fetch(`${base}${path}`);
      await r.arrayBuffer();
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(r.headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);
    }
  });
});
