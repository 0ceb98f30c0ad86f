import { afterEach, describe, expect, it } from 'vitest';
import { CLIP_ID, DEVICE, EVENT_AT, type HttpFixture, NOW, OTHER_REF, PASSWORD, REF, T0, makeHttpFixture } from './fixture.ts';

let f: HttpFixture;
afterEach(async () => f.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function get(url: string, token: string | null, headers: Record<string, string> = {}) {
  return f.http.app.inject({ method: 'GET', url, headers: { ...(token === null ? {} : auth(token)), ...headers } });
}

function accessRows() {
  return f.db.prepare<[], { username: string; action: string; case_ref: string | null; target: string; leaf_index: number }>('SELECT * FROM access_log ORDER BY id').all();
}

describe('sessions', () => {
  it('logs in, knows who is asking, and logs out', async () => {
    f = await makeHttpFixture();
    const token = await f.login('jsmith');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await get('/api/me', token)).json()).toEqual({ username: 'jsmith', displayName: 'Jo Smith', initials: 'JS', role: 'officer' });
    expect((await f.http.app.inject({ method: 'POST', url: '/api/logout', headers: auth(token) })).statusCode).toBe(204);
    const after = await get('/api/me', token);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ code: 'EARSHOT_E_HTTP_UNAUTHENTICATED' });
  });

  it('refuses a wrong password and locks the username after 5 failures, even for the right one', async () => {
    f = await makeHttpFixture();
    const attempt = (password: string) => f.http.app.inject({ method: 'POST', url: '/api/login', payload: { username: 'jsmith', password } });
    for (let i = 0; i < 5; i++) {
      const r = await attempt('wrong password!');
      expect(r.statusCode).toBe(401);
      expect(r.json()).toEqual({ code: 'EARSHOT_E_HTTP_LOGIN_FAILED', message: 'wrong username or password: jsmith' });
    }
    const locked = await attempt(PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ code: 'EARSHOT_E_HTTP_LOGIN_LOCKED' });
    f.clock = NOW + 16 * 60_000;
    expect((await attempt(PASSWORD)).statusCode).toBe(200);
  });

  it('expires a token after the 8 h shift', async () => {
    f = await makeHttpFixture();
    const token = await f.login('jsmith');
    f.clock = NOW + 8 * 3_600_000 + 1;
    expect((await get('/api/me', token)).statusCode).toBe(401);
  });

  it('answers a malformed body and an unknown route with { code, message }', async () => {
    f = await makeHttpFixture();
    const bad = await f.http.app.inject({ method: 'POST', url: '/api/login', payload: { username: 'jsmith' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'EARSHOT_E_HTTP_BAD_REQUEST', message: expect.stringContaining('password') });
    const none = await get('/api/nothing', null);
    expect(none.statusCode).toBe(404);
    expect(none.json()).toMatchObject({ code: 'EARSHOT_E_HTTP_NOT_FOUND' });
  });
});

describe('cases', () => {
  it('shows an officer only the cases assigned to them, a supervisor all', async () => {
    f = await makeHttpFixture();
    const mine = (await get('/api/cases', await f.login('jsmith'))).json() as { cases: { ref: string; daysSinceLastEvidence: number | null; status: string; category: string; responseDueDate: string }[] };
    expect(mine.cases.map((c) => c.ref)).toEqual([REF]);
    expect(mine.cases[0]).toMatchObject({ status: 'open', category: 'general', daysSinceLastEvidence: 0, responseDueDate: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) });
    const all = (await get('/api/cases', await f.login('sup'))).json() as { cases: { ref: string; daysSinceLastEvidence: number | null }[] };
    expect(all.cases.map((c) => c.ref)).toEqual([REF, OTHER_REF]);
    expect(all.cases[1]?.daysSinceLastEvidence).toBeNull();
  });

  it('refuses another officer\'s case and names an unknown one', async () => {
    f = await makeHttpFixture();
    const token = await f.login('bjones');
    // Answered as a missing case (issue 11 item 16: its existence is not told).
    const forbidden = await get(`/api/cases/${REF}`, token);
    expect(forbidden.statusCode).toBe(404);
    expect(forbidden.json()).toEqual({ code: 'EARSHOT_E_CASE_NOT_FOUND', message: `no such case: ${REF}` });
    expect((await get(`/api/cases/${REF}/timeline?from=2026-11-24T22:00:00Z&to=2026-11-25T01:00:00Z`, token)).statusCode).toBe(404);
    const unknown = await get('/api/cases/ASB-2026-9999', token);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ code: 'EARSHOT_E_CASE_NOT_FOUND', message: 'no such case: ASB-2026-9999' });
    expect(accessRows()).toEqual([]);
  });

  it('gives the case page without the complainant and logs the read as a row and a leaf', async () => {
    f = await makeHttpFixture();
    const r = await get(`/api/cases/${REF}`, await f.login('jsmith'));
    expect(r.statusCode).toBe(200);
    const c = r.json() as Record<string, unknown>;
    expect(c).toMatchObject({ ref: REF, address: '1 Acacia Avenue', deployments: [{ deviceId: DEVICE }], suggestedPeriod: { from: '2026-11-24T21:00:00.000Z', to: '2026-11-25T04:00:00.000Z' } });
    expect(JSON.stringify(c)).not.toContain('A. Resident');
    const rows = accessRows();
    expect(rows).toMatchObject([{ username: 'jsmith', action: 'case', case_ref: REF, target: REF }]);
    const leaf = f.leaves()[rows[0]!.leaf_index];
    expect(leaf).toMatchObject({ kind: 'access', caseRef: REF, data: { username: 'jsmith', action: 'case', target: REF } });
  });
});

describe('timeline', () => {
  const url = (from: string, to: string, width = 1000) => `/api/cases/${REF}/timeline?from=${from}&to=${to}&width=${width}`;

  it('returns levels on a bucket grid with the event, clip, diary entry, thresholds and nights', async () => {
    f = await makeHttpFixture();
    const r = await get(url('2026-11-24T22:00:00.000Z', '2026-11-25T01:00:00.000Z', 180), await f.login('jsmith'));
    expect(r.statusCode).toBe(200);
    const tl = r.json() as {
      bucket: { stepSeconds: number; t: number[] }; levels: { deviceId: string; LAeq: (number | null)[]; LAFmax: (number | null)[]; LA90: (number | null)[] }[];
      events: { eventId: string; LAFmax: number; end: string }[]; clips: { clipId: string; url: string }[]; diary: { heard: string }[];
      thresholds: { thresholdDb: number }[]; nights: { from: string; to: string }[]; la90Basis: string;
    };
    expect(tl.bucket.stepSeconds).toBe(60);
    expect(tl.bucket.t).toHaveLength(180);
    const s = tl.levels[0]!;
    expect(s.deviceId).toBe(DEVICE);
    const b = (EVENT_AT - T0) / 60_000;
    expect(s.LAeq[b]).toBeCloseTo(68, 2);
    expect(s.LAFmax[b]).toBe(72);
    expect(s.LA90[b]).toBe(68.5);
    // A quiet minute: 35…39 dB in turn, energy mean 37.3 dB; LA90 in the 35 dB bin.
    expect(s.LAeq[0]).toBeCloseTo(10 * Math.log10([35, 36, 37, 38, 39].reduce((a, l) => a + 10 ** (l / 10), 0) / 5), 2);
    expect(s.LA90[0]).toBe(35.5);
    expect(tl.la90Basis).toContain('not LAF90');
    expect(tl.events).toMatchObject([{ eventId: expect.stringContaining('loud'), LAFmax: 72, end: new Date(EVENT_AT + 120_000).toISOString() }]);
    expect(tl.clips).toMatchObject([{ clipId: CLIP_ID, url: expect.stringMatching(/^\/api\/clips\/mon-001\/clip-1\?u=jsmith&exp=\d+&sig=/) }]);
    expect(tl.diary).toMatchObject([{ heard: 'Loud music through the wall' }]);
    expect(tl.thresholds).toEqual([{ ruleId: 'loud', ruleType: 'absolute', thresholdDb: 55 }]);
    expect(tl.nights).toEqual([{ from: '2026-11-24T23:00:00.000Z', to: '2026-11-25T01:00:00.000Z' }]);
    expect(accessRows()).toMatchObject([{ action: 'timeline', case_ref: REF, target: '2026-11-24T22:00:00.000Z/2026-11-25T01:00:00.000Z' }]);
  });

  it('gives exact 1 s values at full resolution', async () => {
    f = await makeHttpFixture();
    const from = new Date(EVENT_AT - 10_000).toISOString();
    const to = new Date(EVENT_AT + 10_000).toISOString();
    const tl = (await get(url(from, to, 20), await f.login('jsmith'))).json() as { bucket: { stepSeconds: number }; levels: { LAeq: number[]; LA90: number[] }[] };
    expect(tl.bucket.stepSeconds).toBe(1);
    expect(tl.levels[0]!.LAeq.slice(8, 12)).toEqual([38, 39, 68, 68]);
    expect(tl.levels[0]!.LA90.slice(8, 12)).toEqual([38, 39, 68, 68]);
  });

  it('names an empty or reversed period and a malformed instant', async () => {
    f = await makeHttpFixture();
    const token = await f.login('jsmith');
    const empty = await get(url('2026-11-25T01:00:00Z', '2026-11-25T01:00:00Z'), token);
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'EARSHOT_E_HTTP_PERIOD_INVALID', message: expect.stringContaining('empty period') });
    expect((await get(url('2026-11-25T02:00:00Z', '2026-11-25T01:00:00Z'), token)).json()).toMatchObject({ code: 'EARSHOT_E_HTTP_PERIOD_INVALID' });
    const bad = await get(url('yesterday', '2026-11-25T01:00:00Z'), token);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'EARSHOT_E_HTTP_BAD_REQUEST', message: expect.stringContaining('from') });
    expect((await get(`/api/cases/ASB-2026-9999/timeline?from=2026-11-24T22:00:00Z&to=2026-11-25T01:00:00Z`, await f.login('sup'))).statusCode).toBe(404);
  });
});

describe('clips', () => {
  const path = `/api/clips/${DEVICE}/${CLIP_ID}`;

  it('answers a byte range with 206, Content-Range and exactly those bytes', async () => {
    f = await makeHttpFixture();
    const token = await f.login('jsmith');
    const r = await get(path, token, { range: 'bytes=100-1099' });
    expect(r.statusCode).toBe(206);
    expect(r.headers['content-range']).toBe(`bytes 100-1099/${f.clipBytes.length}`);
    expect(r.headers['accept-ranges']).toBe('bytes');
    expect(r.headers['content-length']).toBe('1000');
    expect(r.rawPayload.equals(f.clipBytes.subarray(100, 1100))).toBe(true);
    const tail = await get(path, token, { range: 'bytes=-10' });
    expect(tail.statusCode).toBe(206);
    expect(tail.rawPayload.equals(f.clipBytes.subarray(f.clipBytes.length - 10))).toBe(true);
    const whole = await get(path, token);
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['content-type']).toBe('audio/wav');
    expect(whole.rawPayload.equals(f.clipBytes)).toBe(true);
    const past = await get(path, token, { range: `bytes=${f.clipBytes.length}-` });
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${f.clipBytes.length}`);
    expect(past.json()).toMatchObject({ code: 'EARSHOT_E_HTTP_RANGE_INVALID' });
    // Every answer that served bytes is logged, with its range (issue 11); the 416 served none.
    expect(accessRows().map((a) => a.target)).toEqual([`${DEVICE}/${CLIP_ID} bytes 100-1099`, `${DEVICE}/${CLIP_ID} bytes ${f.clipBytes.length - 10}-${f.clipBytes.length - 1}`, `${DEVICE}/${CLIP_ID}`]);
  });

  it('accepts the signed URL from the timeline without a token, and nothing else', async () => {
    f = await makeHttpFixture();
    const token = await f.login('jsmith');
    const tl = (await get(`/api/cases/${REF}/timeline?from=2026-11-24T22:00:00Z&to=2026-11-25T01:00:00Z`, token)).json() as { clips: { url: string }[] };
    const signed = tl.clips[0]!.url;
    const ok = await get(signed, null, { range: 'bytes=0-43' });
    expect(ok.statusCode).toBe(206);
    expect(ok.rawPayload.subarray(0, 4).toString()).toBe('RIFF');
    expect((await get(signed.replace(/sig=[^&]+/, 'sig=AAAA'), null)).statusCode).toBe(401);
    expect((await get(signed.replace('u=jsmith', 'u=sup'), null)).statusCode).toBe(401);
    expect((await get(path, null)).statusCode).toBe(401);
    f.clock = NOW + 3_600_001;
    expect((await get(signed, null)).statusCode).toBe(401);
  });

  it('refuses a clip of another officer\'s case and names a missing one', async () => {
    f = await makeHttpFixture();
    const token = await f.login('bjones');
    expect((await get(path, token)).statusCode).toBe(404); // as a missing clip (issue 11 item 16)
    const missing = await get(`/api/clips/${DEVICE}/clip-404`, token);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'EARSHOT_E_HTTP_CLIP_UNAVAILABLE' });
  });
});

describe('bundle export', () => {
  it('runs the export as a job with progress and serves the ZIP to its owner only', async () => {
    const seen: unknown[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => { release = r; });
    f = await makeHttpFixture(async (caseRef, opts, onProgress) => {
      seen.push({ caseRef, ...opts });
      onProgress(0.25, 'levels.csv');
      await gate;
      const { writeFileSync } = await import('node:fs');
      const file = `${f.dir}/${caseRef}.zip`;
      writeFileSync(file, 'PK\u0003\u0004 bundle');
      return { file };
    });
    const token = await f.login('jsmith');
    const start = await f.http.app.inject({ method: 'POST', url: `/api/cases/${REF}/bundle`, headers: auth(token), payload: { from: '2026-11-24T22:00:00Z', to: '2026-11-25T01:00:00Z' } });
    expect(start.statusCode).toBe(202);
    const job = start.json() as { id: string; state: string };
    expect(job.state).toBe('running');
    expect(seen).toEqual([{ caseRef: REF, from: '2026-11-24T22:00:00.000Z', to: '2026-11-25T01:00:00.000Z', initials: 'JS', includeComplainant: false }]);
    expect((await get(`/api/jobs/${job.id}`, token)).json()).toMatchObject({ state: 'running', progress: 0.25, stage: 'levels.csv', downloadUrl: null });
    expect((await get(`/api/jobs/${job.id}/download`, token)).statusCode).toBe(409);
    release();
    await f.http.jobs.idle();
    const done = (await get(`/api/jobs/${job.id}`, token)).json() as { state: string; progress: number; downloadUrl: string };
    expect(done).toMatchObject({ state: 'done', progress: 1 });
    const dl = await get(done.downloadUrl, null);
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-disposition']).toBe(`attachment; filename="${REF}.zip"`);
    expect(dl.body).toBe('PK\u0003\u0004 bundle');
    expect((await get(`/api/jobs/${job.id}`, await f.login('bjones'))).statusCode).toBe(404);
    expect(accessRows().map((a) => a.action)).toEqual(['export', 'download']);
    expect(f.leaves().filter((l) => l.kind === 'access').map((l) => l.data.action)).toEqual(['export', 'download']);
  });

  it('reports a failed export with its code, and refuses an empty period up front', async () => {
    f = await makeHttpFixture(async () => { throw new (await import('@earshot/shared')).EarshotError('EARSHOT_E_BUNDLE_PERIOD_INVALID', 'no deployment'); });
    const token = await f.login('jsmith');
    const empty = await f.http.app.inject({ method: 'POST', url: `/api/cases/${REF}/bundle`, headers: auth(token), payload: { from: '2026-11-25T01:00:00Z', to: '2026-11-25T01:00:00Z' } });
    expect(empty.json()).toMatchObject({ code: 'EARSHOT_E_HTTP_PERIOD_INVALID' });
    const start = await f.http.app.inject({ method: 'POST', url: `/api/cases/${REF}/bundle`, headers: auth(token), payload: { from: '2026-11-24T22:00:00Z', to: '2026-11-25T01:00:00Z' } });
    await f.http.jobs.idle();
    const id = (start.json() as { id: string }).id;
    expect((await get(`/api/jobs/${id}`, token)).json()).toMatchObject({ state: 'failed', error: { code: 'EARSHOT_E_BUNDLE_PERIOD_INVALID' } });
  });
});
