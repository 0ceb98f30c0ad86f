/**
 * The whole chain as deployed, in separate processes (issue 6): audio in →
 * event → clip → attached to the open case → timeline → bundle → verify.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EARSHOT, OFFICER, OFFICER_PASSWORD, type RunningIngest, type Sandbox, cli, cliOk, openCaseWithDeployment, provisionDevice, query, sandbox, slamWav, startDevice, startIngest, stop, waitFor,
} from './harness.ts';
import type { ChildProcess } from 'node:child_process';

let box: Sandbox;
let ingest: RunningIngest;
let device: ChildProcess;
let caseRef: string;

beforeAll(async () => {
  box = sandbox();
  ingest = await startIngest(box);
  slamWav(join(box.dir, 'room.wav'), 12, 6);
  const config = provisionDevice(box, 'flat-12', ingest.mqttPort, join(box.dir, 'room.wav'));
  caseRef = openCaseWithDeployment(box, 'flat-12');
  device = startDevice(config, box.dir);
}, 60_000);

afterAll(async () => {
  await stop(device);
  await stop(ingest.child);
  box.cleanup();
});

describe('happy path across real processes', () => {
  it('turns a door slam into an event with its clip, attached to the open case', async () => {
    const ended = await waitFor('an ended event attached to the case', () =>
      query<{ event_id: string; case_ref: string; leaf_index: number; body: string }>(box, "SELECT event_id, case_ref, leaf_index, body FROM events WHERE kind = 'ended'")[0]);
    expect(ended.case_ref).toBe(caseRef);
    expect(ended.leaf_index).toBeGreaterThanOrEqual(0);
    const body = JSON.parse(ended.body) as { ruleId: string; LAFmax: number; clipIds: string[] };
    expect(body.ruleId).toBe('impulsive');
    expect(body.LAFmax).toBeGreaterThan(65);
    expect(body.clipIds).toHaveLength(1);
    const clip = await waitFor('the clip reassembled', () =>
      query<{ state: string; case_ref: string }>(box, "SELECT state, case_ref FROM clips WHERE clip_id = ? AND state = 'complete'", body.clipIds[0])[0]);
    expect(clip.case_ref).toBe(caseRef);
    expect(query<{ n: number }>(box, 'SELECT count(*) AS n FROM quarantine')[0]!.n).toBe(0);
  }, 60_000);

  it('shows the event and the clip on the officer timeline', async () => {
    const login = await fetch(`${ingest.httpUrl}api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: OFFICER, password: OFFICER_PASSWORD }) });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const from = new Date(Date.now() - 10 * 60_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const r = await fetch(`${ingest.httpUrl}api/cases/${caseRef}/timeline?from=${from}&to=${to}&width=200`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    const t = (await r.json()) as { events: { ruleId: string | null }[]; clips: { url: string }[] };
    expect(t.events.some((e) => e.ruleId === 'impulsive')).toBe(true);
    expect(t.clips.length).toBeGreaterThanOrEqual(1);
    const audio = await fetch(`${ingest.httpUrl}${t.clips[0]!.url.replace(/^\//, '')}`, { headers: { range: 'bytes=0-43' } });
    expect(audio.status).toBe(206);
    expect(Buffer.from(await audio.arrayBuffer()).subarray(0, 4).toString('latin1')).toBe('RIFF');
  }, 30_000);

  it('exports a court bundle that earshot verify accepts, and catches a flipped byte', async () => {
    const file = cliOk(EARSHOT, ['bundle', 'export', caseRef, '--data-dir', box.dataDir, '--config', box.settings, '--out', box.dir], { cwd: box.dir }).trim();
    expect(file).toMatch(new RegExp(`${caseRef}_\\d{8}T\\d{6}.*\\.zip$`));
    // The export is in the access log, itself evidence.
    expect(query<{ action: string; username: string; leaf_index: number }>(box, "SELECT action, username, leaf_index FROM access_log WHERE action = 'export' AND case_ref = ?", caseRef)).toEqual([
      expect.objectContaining({ action: 'export', username: expect.stringMatching(/^cli:/) as unknown as string }),
    ]);
    const ok = cli(EARSHOT, ['verify', file], { cwd: box.dir });
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^OK: /m);
    const { readFileSync, writeFileSync } = await import('node:fs');
    const bytes = readFileSync(file);
    const at = bytes.indexOf(Buffer.from('data'), bytes.indexOf(Buffer.from('exhibits/'))) + 200;
    bytes[at] = bytes[at]! ^ 0xff;
    writeFileSync(join(box.dir, 'tampered.zip'), bytes);
    const bad = cli(EARSHOT, ['verify', join(box.dir, 'tampered.zip')], { cwd: box.dir });
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/FAIL EARSHOT_E_BUNDLE_FILE_HASH_MISMATCH \(exhibits\/JS-1\.wav/);
  }, 60_000);

  it('keeps the evidence log verifiable', () => {
    const r = cli(EARSHOT, ['log', 'verify', '--data-dir', box.dataDir], { cwd: box.dir });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^OK: \d+ leaves/m);
  });
});
