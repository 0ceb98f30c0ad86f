/**
 * The calibration as evidence, across real processes (issue 10 item 3): the
 * installer runs `earshot-device calibrate` on a calibrator tone; the running
 * monitor signs and sends the record at its next heartbeat and measures with
 * the new fullScaleDb at once; the ingest stores it and logs it; the deployment
 * and the court bundle state the monitor's figure, not the typed one.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../firmware/src/audio/index.ts';
import { DEVICE, EARSHOT, OFFICER, type RunningIngest, type Sandbox, cliOk, ensureOfficer, provisionDevice, query, sandbox, slamWav, startDevice, startIngest, stop, waitFor } from './harness.ts';

let box: Sandbox;
let ingest: RunningIngest;
let device: ChildProcess;
let config: string;

function toneWav(path: string, dbfs: number): void {
  const fs = 48_000;
  const x = new Float64Array(6 * fs);
  const peak = 10 ** (dbfs / 20);
  for (let i = 0; i < x.length; i++) x[i] = peak * Math.sin((2 * Math.PI * 1000 * i) / fs);
  writeFileSync(path, encodeWav(x, { encoding: 'int', bitsPerSample: 24, sampleRate: fs }));
}

beforeAll(async () => {
  box = sandbox();
  ingest = await startIngest(box);
  slamWav(join(box.dir, 'room.wav'), 12, 6);
  config = provisionDevice(box, 'flat-12', ingest.mqttPort, join(box.dir, 'room.wav'));
  device = startDevice(config, box.dir);
}, 60_000);

afterAll(async () => {
  await stop(device);
  await stop(ingest.child);
  box.cleanup();
});

describe('calibration from the monitor to the bundle', () => {
  it('sends the calibrate record through the daemon into the events table and the evidence log, applies it live, and the bundle states it', async () => {
    // A microphone 1.05 dB more sensitive than the default 120 dB assumes: the tone reads 95.05 dB, fullScaleDb becomes 118.95.
    toneWav(join(box.dir, 'tone.wav'), -24.95);
    const out = JSON.parse(cliOk(DEVICE, ['calibrate', '--config', config, '--wav', 'tone.wav', '--calibrator-make', 'Cirrus', '--calibrator-model', 'CR:515', '--calibrator-serial', 'C99'], { cwd: box.dir })) as { fullScaleDb: number; recordId: string };
    expect(out.fullScaleDb).toBeCloseTo(118.95, 2);

    const stored = await waitFor('the calibration record stored', () =>
      query<{ body: string; leaf_index: number | null }>(box, "SELECT body, leaf_index FROM events WHERE kind = 'calibration' AND event_id = ?", out.recordId)[0], 40_000);
    const body = JSON.parse(stored.body) as { fullScaleDb: number; measuredDb: number; calibrator: { serial: string } };
    expect(body.fullScaleDb).toBeCloseTo(118.95, 2);
    expect(body.calibrator.serial).toBe('C99');
    expect(stored.leaf_index).not.toBeNull();
    const leaf = query<{ leaf: Buffer }>(box, 'SELECT leaf FROM evidence_leaves WHERE leaf_index = ?', stored.leaf_index)[0]!;
    expect((JSON.parse(leaf.leaf.toString('utf8')) as { kind: string }).kind).toBe('calibration-check');
    // The record is no longer waiting in the state folder.
    expect(readdirSync(join(box.dir, 'flat-12-state', 'calibration-unsent'))).toEqual([]);
    // Applied live: heartbeats and level batches after it state the new calibration.
    await waitFor('a heartbeat stating 118.95', () => query<{ body: string }>(box, 'SELECT body FROM status ORDER BY sent_at DESC LIMIT 1').some((r) => Math.abs((JSON.parse(r.body) as { fullScaleDb: number }).fullScaleDb - 118.95) < 0.01), 30_000);
    await waitFor('levels measured at 118.95', () => query<{ n: number }>(box, 'SELECT count(*) AS n FROM levels WHERE abs(full_scale_db - 118.95) < 0.006')[0]!.n > 0, 30_000);

    // The installer types other numbers at deploy start: a note only.
    ensureOfficer(box);
    const opened = cliOk(EARSHOT, ['case', 'open', '--data-dir', box.dataDir, '--category', 'general', '--officer', OFFICER, '--address', '1 Test Road, Leeds'], { cwd: box.dir });
    const ref = /Case (\S+) opened/.exec(opened)![1]!;
    const started = cliOk(EARSHOT, [
      'deploy', 'start', '--data-dir', box.dataDir, '--case', ref, '--device', 'flat-12', '--installed-by', 'Jo Smith', '--reading', '94.0', '--full-scale-db', '119.4',
      '--monitor-model', 'Earshot Pi 4', '--monitor-serial', 'ES-0012', '--mic-make', 'TDK', '--mic-model', 'ICS-43434', '--mic-class', '1', '--mic-tolerance-db', '1.0',
      '--calibrator-make', 'Cirrus', '--calibrator-model', 'CR:515', '--calibrator-serial', 'C99', '--calibrator-class', '1', '--calibrator-certificate', 'UKAS-1234', '--calibrator-lab-date', '2026-01-15',
      '--room', 'Bedroom', '--height-m', '1.2', '--party-wall-m', '1.5', '--windows', 'closed',
    ], { cwd: box.dir });
    expect(started).toMatch(/fullScaleDb 118\.95/);
    const deployments = JSON.parse(cliOk(EARSHOT, ['deploy', 'list', '--data-dir', box.dataDir, '--case', ref, '--json'], { cwd: box.dir })) as { calibration: { atInstall: { fullScaleDb: number } | null } }[];
    expect(deployments[0]!.calibration.atInstall!.fullScaleDb).toBeCloseTo(118.95, 2);

    await new Promise((r) => setTimeout(r, 3_000));
    const file = cliOk(EARSHOT, ['bundle', 'export', ref, '--data-dir', box.dataDir, '--config', box.settings, '--out', box.dir], { cwd: box.dir }).trim();
    const unzip = spawnSync('unzip', ['-p', file, 'bundle.pdf'], { maxBuffer: 64 * 1024 * 1024 });
    writeFileSync(join(box.dir, 'bundle.pdf'), unzip.stdout);
    const text = spawnSync('pdftotext', ['-layout', join(box.dir, 'bundle.pdf'), '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
    expect(text).toMatch(/full-scale calibration of 118\.95 dB from then on/);
    expect(text).toMatch(/installer noted a calibrator reading of 94\.00 dB and a full-scale setting of 119\.40 dB \(a typed note/);
    expect(text).not.toMatch(/full-scale setting 119\.40 dB\)/);
    expect(text).toMatch(/Calibrator: Cirrus CR:515 serial C99/);
    expect(text).toMatch(/ICS-43434/);
    expect(text).toMatch(/certificate UKAS-1234; last laboratory calibration 2026-01-15/);
    expect(text).toMatch(/Bedroom; 1\.20 m above the floor; 1\.50 m from the party wall; windows closed/);
    expect(text).toMatch(/expanded uncertainty with coverage factor k = 2/);
    // No local file path of the capture source.
    expect(text).not.toContain('room.wav');
    expect(text).not.toContain(box.dir);
  }, 150_000);
});
