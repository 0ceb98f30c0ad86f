/**
 * Issue 11 item 16 (HTTP side), on a listening server with real sockets: a case
 * an officer may not see answers exactly as a case that does not exist, and the
 * case list (with every address on it) is in the access log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CLIP_ID, DEVICE, type HttpFixture, OTHER_REF, PASSWORD, REF, makeHttpFixture } from './fixture.ts';

let f: HttpFixture | null = null;
afterEach(async () => {
  await f?.close();
  f = null;
});

async function listening(fx: HttpFixture): Promise<string> {
  await fx.http.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(fx.http.app.server.address() as { port: number }).port}`;
}

async function login(base: string, username: string): Promise<string> {
  const r = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  return ((await r.json()) as { token: string }).token;
}

describe('case existence and the case list (item 16)', () => {
  it('answers 404 with the same body for a case not assigned to the officer as for one that does not exist', async () => {
    f = await makeHttpFixture();
    const base = await listening(f);
    const token = await login(base, 'jsmith'); // OTHER_REF is bjones's
    const auth = { authorization: `Bearer ${token}` };
    const paths = (ref: string): [string, RequestInit][] => [
      [`/api/cases/${ref}`, { headers: auth }],
      [`/api/cases/${ref}/timeline?from=2026-11-24T22:00:00Z&to=2026-11-25T01:00:00Z`, { headers: auth }],
      [`/api/cases/${ref}/bundle`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ from: '2026-11-24T22:00:00Z', to: '2026-11-25T01:00:00Z' }) }],
    ];
    const missing = 'ASB-2026-0999';
    for (const [[hidden, init], [absent, init2]] of paths(OTHER_REF).map((p, i) => [p, paths(missing)[i]!] as const)) {
      const a = await fetch(`${base}${hidden}`, init);
      const b = await fetch(`${base}${absent}`, init2);
      expect(a.status, hidden).toBe(404);
      expect(b.status, absent).toBe(404);
      const ja = (await a.json()) as { code: string; message: string };
      const jb = (await b.json()) as { code: string; message: string };
      expect(ja.code).toBe(jb.code);
      expect(ja.message.replace(OTHER_REF, '<ref>')).toBe(jb.message.replace(missing, '<ref>'));
    }
    // The officer's own case is still there.
    expect((await fetch(`${base}/api/cases/${REF}`, { headers: auth })).status).toBe(200);
  });

  it('answers a clip of a case the officer may not see as a clip that does not exist', async () => {
    f = await makeHttpFixture();
    const base = await listening(f);
    const auth = { authorization: `Bearer ${await login(base, 'bjones')}` }; // the clip is on jsmith's case
    const hidden = await fetch(`${base}/api/clips/${DEVICE}/${CLIP_ID}`, { headers: auth });
    const absent = await fetch(`${base}/api/clips/${DEVICE}/clip-404`, { headers: auth });
    expect([hidden.status, absent.status]).toEqual([404, 404]);
    const [jh, ja] = [(await hidden.json()) as { code: string; message: string }, (await absent.json()) as { code: string; message: string }];
    expect(jh.code).toBe(ja.code);
    expect(jh.message.replace(CLIP_ID, '<id>')).toBe(ja.message.replace('clip-404', '<id>'));
    expect(jh.message).not.toContain(REF);
  });

  it('writes every case list read to the access log, naming the cases whose addresses it showed', async () => {
    f = await makeHttpFixture();
    const base = await listening(f);
    const officer = await login(base, 'jsmith');
    const sup = await login(base, 'sup');
    expect((await fetch(`${base}/api/cases`, { headers: { authorization: `Bearer ${officer}` } })).status).toBe(200);
    expect((await fetch(`${base}/api/cases`, { headers: { authorization: `Bearer ${sup}` } })).status).toBe(200);
    const rows = f.db.prepare<[], { username: string; action: string; case_ref: string | null; target: string; leaf_index: number }>(
      "SELECT username, action, case_ref, target, leaf_index FROM access_log WHERE action = 'case-list' ORDER BY id",
    ).all();
    expect(rows).toEqual([
      { username: 'jsmith', action: 'case-list', case_ref: null, target: REF, leaf_index: expect.any(Number) },
      { username: 'sup', action: 'case-list', case_ref: null, target: `${REF} ${OTHER_REF}`, leaf_index: expect.any(Number) },
    ]);
    // Each read is a leaf of the evidence log too.
    const leaves = f.leaves().filter((l) => l.kind === 'access' && l.data['action'] === 'case-list');
    expect(leaves).toHaveLength(2);
  });
});
