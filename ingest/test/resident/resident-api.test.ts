/**
 * The resident's diary link and API (issue 13) against a real data folder: links
 * issued, revoked and expired; entries received as evidence leaves with the time
 * written and received; phone recordings judged by content and size; resends
 * stored once; limits per address and per link; nothing of another case.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addDiaryEntry, endDeployment, recordContact } from '../../src/cases/index.ts';
import { RESIDENT_CSP, findLink, sniffAudio } from '../../src/resident/index.ts';
import { tokenSha256 } from '../../src/resident/token.ts';
import { mp4Bytes, oggBytes, wavBytes, webmBytes } from './audio-samples.ts';
import { REF, type ResidentFixture, makeResidentFixture } from './fixture.ts';

let f: ResidentFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

interface Leaf { kind: string; caseRef: string | null; recordedAt: string; data: Record<string, unknown> }
const leaves = (fx: ResidentFixture): Leaf[] =>
  fx.ingest.db.prepare<[], { leaf: Buffer }>('SELECT leaf FROM evidence_leaves ORDER BY leaf_index').all().map((r) => JSON.parse(Buffer.from(r.leaf).toString('utf8')) as Leaf);

let n = 0;
function entry(over: Record<string, unknown> = {}): Record<string, unknown> {
  const t = new Date().toISOString();
  return { clientId: `client-${++n}-${Date.now()}`, writtenAt: t, startedAt: t, heard: 'Bass music through the wall', effect: 'Could not sleep', ...over };
}

async function post(fx: ResidentFixture, token: string, body: unknown) {
  return fx.http.app.inject({ method: 'POST', url: '/r/api/entries', headers: { authorization: `Bearer ${token}` }, payload: body as Record<string, unknown> });
}

describe('diary links', () => {
  it('issues a long random link, stored only as its hash; a new one revokes the old; both are in the access log', async () => {
    f = await makeResidentFixture();
    const first = f.issue();
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = f.ingest.db.prepare<[], { token_sha256: string }>('SELECT token_sha256 FROM resident_links').all().map((r) => r.token_sha256);
    expect(stored).toEqual([tokenSha256(first.token)]);
    expect(JSON.stringify(f.ingest.db.prepare('SELECT * FROM resident_links').all())).not.toContain(first.token);
    const second = f.issue();
    expect(second.revoked).toEqual([first.link.id]);
    expect(findLink(f.ingest.db, first.token, f.now())).toMatchObject({ ok: false, code: 'EARSHOT_E_RESIDENT_LINK_REVOKED' });
    expect(findLink(f.ingest.db, second.token, f.now())).toMatchObject({ ok: true });
    const actions = f.accessLog.list({ caseRef: REF }).map((a) => a.action);
    expect(actions).toEqual(['resident-link-issued', 'resident-link-revoked', 'resident-link-issued']);
    expect(leaves(f).filter((l) => l.kind === 'access').map((l) => l.data['action'])).toEqual(actions);
  });

  it('expires when the deployment ends, and no new one can be issued then', async () => {
    f = await makeResidentFixture();
    const { token } = f.issue();
    endDeployment(f.ingest.cases, { deploymentId: f.deploymentId, removedBy: 'T. Tech' });
    const r = await f.http.app.inject({ method: 'GET', url: '/r/api/diary', headers: { authorization: `Bearer ${token}` } });
    expect(r.statusCode).toBe(410);
    expect(r.json()).toMatchObject({ code: 'EARSHOT_E_RESIDENT_LINK_EXPIRED' });
    expect(() => f!.issue()).toThrow(expect.objectContaining({ code: 'EARSHOT_E_RESIDENT_LINK_UNAVAILABLE' }));
  });
});

describe('entries through the link', () => {
  it('stores an entry as a diary leaf at receipt, with the time written and received, and logs it', async () => {
    f = await makeResidentFixture();
    const { token } = f.issue();
    const written = new Date(f.now() - 20 * 60_000).toISOString();
    const r = await post(f, token, entry({ writtenAt: written, startedAt: written }));
    expect(r.statusCode).toBe(201);
    const body = r.json() as { entry: { id: number; writtenAt: string; receivedAt: string; delayed: boolean; hasRecording: boolean } };
    expect(body.entry).toMatchObject({ writtenAt: written, delayed: true, hasRecording: false });
    const leaf = leaves(f).find((l) => l.kind === 'diary' && l.data['diaryId'] === body.entry.id)!;
    expect(leaf).toMatchObject({ caseRef: REF, data: { source: 'resident', writtenAt: written, receivedAt: body.entry.receivedAt, delayed: true } });
    expect(Math.abs(Date.parse(leaf.recordedAt) - Date.parse(body.entry.receivedAt))).toBeLessThan(1_000);
    expect(JSON.stringify(leaf)).not.toContain('Bass music');
    expect(f.accessLog.list({ caseRef: REF }).at(-1)).toMatchObject({ action: 'resident-entry', username: expect.stringMatching(/^resident \(diary link \d+\)$/) });
  });

  it('stores a resend of the same entry once', async () => {
    f = await makeResidentFixture();
    const { token } = f.issue();
    const e = entry();
    const a = await post(f, token, e);
    const b = await post(f, token, e);
    expect([a.statusCode, b.statusCode]).toEqual([201, 200]);
    expect((b.json() as { duplicate: boolean; entry: { id: number } })).toMatchObject({ duplicate: true, entry: { id: (a.json() as { entry: { id: number } }).entry.id } });
    expect(f.ingest.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM diary_entries WHERE source = 'resident'").get()!.n).toBe(1);
  });

  it('refuses bad entries with a code and a sentence naming the field', async () => {
    f = await makeResidentFixture();
    const { token } = f.issue();
    const future = new Date(f.now() + 3_600_000).toISOString();
    for (const [bad, field] of [[{ heard: '   ' }, 'heard'], [{ startedAt: future }, 'startedAt'], [{ endedAt: new Date(f.now() - 86_400_000).toISOString() }, 'endedAt'], [{ extra: 1 }, 'extra']] as const) {
      const r = await post(f, token, entry(bad));
      expect(r.statusCode).toBe(400);
      const e = r.json() as { code: string; message: string };
      expect(e.code).toBe('EARSHOT_E_RESIDENT_ENTRY_INVALID');
      expect(e.message).toContain(field);
      expect(e.message).not.toMatch(/\n|at \w+ \(/);
    }
  });

  it('keeps a recording judged by its content, content-addressed beside the clips, sealed in the leaf', async () => {
    f = await makeResidentFixture();
    const { token } = f.issue();
    const bytes = webmBytes();
    const r = await post(f, token, entry({ recording: { data: bytes.toString('base64'), seconds: 4 } }));
    expect(r.statusCode).toBe(201);
    const row = f.ingest.db.prepare<[], { recording_sha256: string; recording_type: string; recording_file: string }>("SELECT * FROM diary_entries WHERE source = 'resident'").get()!;
    expect(row.recording_type).toBe('audio/webm');
    expect(row.recording_file).toBe(`${row.recording_sha256}.webm`);
    expect(readFileSync(join(f.ingest.dir.clips, row.recording_file)).equals(bytes)).toBe(true);
    const leaf = leaves(f).find((l) => l.kind === 'diary' && l.data['source'] === 'resident')!;
    expect(leaf.data['recording']).toEqual({ sha256: row.recording_sha256, mediaType: 'audio/webm', bytes: bytes.length, calibrated: false });
  });

  it('refuses what is not audio by its bytes, whatever it claims, and recordings over the size limit', async () => {
    f = await makeResidentFixture();
    const { token } = f.issue();
    const mp3 = Buffer.concat([Buffer.from('ID3', 'ascii'), Buffer.alloc(300, 1)]);
    for (const b of [mp3, Buffer.from('<html>not audio</html>'), webmBytes('V_VP8'), mp4Bytes('vide')]) {
      const r = await post(f, token, entry({ recording: { data: b.toString('base64') } }));
      expect(r.statusCode).toBe(415);
      expect(r.json()).toMatchObject({ code: 'EARSHOT_E_RESIDENT_RECORDING_TYPE' });
    }
    const big = Buffer.concat([wavBytes(1), Buffer.alloc(1024 * 1024)]);
    const r = await post(f, token, entry({ recording: { data: big.toString('base64') } }));
    expect(r.statusCode).toBe(413);
    expect(r.json()).toMatchObject({ code: 'EARSHOT_E_RESIDENT_RECORDING_TOO_LARGE', message: expect.stringContaining('at most 1048576') });
    const huge = await post(f, token, entry({ recording: { data: Buffer.alloc(2 * 1024 * 1024).toString('base64') } }));
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ code: 'EARSHOT_E_RESIDENT_RECORDING_TOO_LARGE' });
    expect(f.ingest.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM diary_entries').get()!.n).toBe(0);
  });

  it('a revoked or unknown link takes nothing', async () => {
    f = await makeResidentFixture();
    const old = f.issue();
    f.issue();
    const r = await post(f, old.token, entry());
    expect(r.statusCode).toBe(410);
    expect(r.json()).toMatchObject({ code: 'EARSHOT_E_RESIDENT_LINK_REVOKED' });
    const u = await post(f, 'x'.repeat(43), entry());
    expect(u.statusCode).toBe(404);
    expect(u.json()).toMatchObject({ code: 'EARSHOT_E_RESIDENT_LINK_UNKNOWN' });
    expect(f.ingest.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM diary_entries').get()!.n).toBe(0);
  });
});

describe('what the resident sees', () => {
  it('their own entries and the next contact date, nothing of the officer or another case', async () => {
    f = await makeResidentFixture();
    const { token } = f.issue();
    const other = f.issue(f.otherDeploymentId);
    await post(f, token, entry({ heard: 'Mine' }));
    await post(f, other.token, entry({ heard: 'Next door' }));
    addDiaryEntry(f.ingest.cases, REF, { startedAt: new Date(f.now() - 60_000).toISOString(), heard: 'Officer typed this' });
    recordContact(f.ingest.cases, { caseRef: REF, method: 'phone', summary: 'Spoke to the resident', by: 'jsmith' });
    const r = await f.http.app.inject({ method: 'GET', url: '/r/api/diary', headers: { authorization: `Bearer ${token}` } });
    expect(r.statusCode).toBe(200);
    const v = r.json() as { entries: { heard: string }[]; nextContactDueAt: string };
    expect(v.entries.map((e) => e.heard)).toEqual(['Mine']);
    expect(Date.parse(v.nextContactDueAt) - f.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(JSON.stringify(v)).not.toMatch(/Acacia|Officer typed|Next door|LAeq|jsmith|Spoke/);
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('serves the page at /r/ with a strict policy: own origin only, the microphone for itself', async () => {
    f = await makeResidentFixture();
    const r = await f.http.app.inject({ method: 'GET', url: '/r/' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<script type="module" src="app.js">');
    expect(r.headers['content-security-policy']).toBe(RESIDENT_CSP);
    expect(RESIDENT_CSP).toContain("default-src 'none'");
    expect(RESIDENT_CSP).not.toMatch(/https?:|unsafe/);
    expect(r.headers['permissions-policy']).toContain('microphone=(self)');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('limits', () => {
  it('a flood from one address gets 429 with a sentence and Retry-After, and nothing more is stored', async () => {
    f = await makeResidentFixture({ limits: { perAddress: { max: 8, windowMs: 60_000 } } });
    const { token } = f.issue();
    const codes: number[] = [];
    let last: { code: string; message: string } | null = null;
    for (let i = 0; i < 12; i++) {
      const r = await f.http.app.inject({ method: 'GET', url: '/r/api/diary', headers: { authorization: `Bearer ${token}` } });
      codes.push(r.statusCode);
      if (r.statusCode === 429) {
        last = r.json();
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(codes.filter((c) => c === 200)).toHaveLength(8);
    expect(codes.slice(8)).toEqual([429, 429, 429, 429]);
    expect(last).toEqual({ code: 'EARSHOT_E_RESIDENT_RATE_LIMITED', message: expect.stringMatching(/^too many requests, wait a little and try again: more than 8 requests from this address/) });
    expect((await post(f, token, entry())).statusCode).toBe(429);
  });

  it('limits entries per link, and guessing links from one address', async () => {
    f = await makeResidentFixture({ limits: { entriesPerLink: { max: 2, windowMs: 3_600_000 }, badLinkPerAddress: { max: 3, windowMs: 600_000 } } });
    const { token } = f.issue();
    expect((await post(f, token, entry())).statusCode).toBe(201);
    expect((await post(f, token, entry())).statusCode).toBe(201);
    expect((await post(f, token, entry())).statusCode).toBe(429);
    const guesses: number[] = [];
    for (let i = 0; i < 5; i++) guesses.push((await f.http.app.inject({ method: 'GET', url: '/r/api/diary', headers: { authorization: `Bearer ${'a'.repeat(42)}${i}` } })).statusCode);
    expect(guesses).toEqual([404, 404, 404, 429, 429]);
    // A withdrawn link is not a guess: it keeps its clear answer.
    const other = await makeResidentFixture({ limits: { badLinkPerAddress: { max: 2, windowMs: 600_000 } } });
    try {
      const old = other.issue();
      other.issue();
      const answers: number[] = [];
      for (let i = 0; i < 4; i++) answers.push((await other.http.app.inject({ method: 'GET', url: '/r/api/diary', headers: { authorization: `Bearer ${old.token}` } })).statusCode);
      expect(answers).toEqual([410, 410, 410, 410]);
    } finally {
      await other.close();
    }
  });
});

describe('audio by content', () => {
  it('knows WebM, Ogg, MP4 and WAV by their first bytes', () => {
    expect(sniffAudio(webmBytes())?.mediaType).toBe('audio/webm');
    expect(sniffAudio(oggBytes())?.mediaType).toBe('audio/ogg');
    expect(sniffAudio(mp4Bytes())?.mediaType).toBe('audio/mp4');
    expect(sniffAudio(wavBytes(0.1))?.mediaType).toBe('audio/wav');
    expect(sniffAudio(Buffer.from('RIFF....AVI LIST'))).toBeNull();
    expect(sniffAudio(Buffer.alloc(0))).toBeNull();
  });
});
