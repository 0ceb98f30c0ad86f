/** provision then calibrate, as an installer runs them: real child processes, real files. */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EventBody } from '@earshot/shared';
import { encodeWav } from '../../src/audio/index.ts';

const bin = join(dirname(fileURLToPath(import.meta.url)), '../../bin/earshot-device.js');
const dir = mkdtempSync(join(tmpdir(), 'earshot-provision-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tone(peak: number, freq = 1000): Buffer {
  const fs = 48_000;
  const x = new Float64Array(6 * fs);
  for (let i = 0; i < x.length; i++) x[i] = peak * Math.sin((2 * Math.PI * freq * i) / fs);
  return encodeWav(x, { encoding: 'int', bitsPerSample: 24, sampleRate: fs });
}

const serverKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
const details = { v: 1, deviceId: 'flat-12-monitor', secret: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', server: 'mqtt://127.0.0.1:1883', serverPublicKeyPem: serverKey };

describe('earshot-device provision and calibrate', () => {
  it('provisions from the printed details: key pair (0600) and a config that loads', () => {
    writeFileSync(join(dir, 'details.txt'), `Device flat-12-monitor added.\n${JSON.stringify(details)}\n`);
    const r = run('provision', '--details', 'details.txt', '--capture', 'wav:demo.wav');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/BEGIN PUBLIC KEY/);
    expect(statSync(join(dir, 'state/keys/device-key.pem')).mode & 0o777).toBe(0o600);
    const config = JSON.parse(readFileSync(join(dir, 'earshot-device.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ deviceId: 'flat-12-monitor', server: { url: 'mqtt://127.0.0.1:1883' }, stateDir: 'state' });
    // Again without --force: refused, nothing replaced.
    const again = run('provision', '--details', 'details.txt');
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/^earshot-device: EARSHOT_E_USAGE: .*exists/);
  });

  it('refuses details that are not the ingest\'s', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...details, server: 'http://example' }));
    const r = run('provision', '--details', 'bad.json', '--config', 'other.json');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/EARSHOT_E_CONFIG_INVALID: .*server/);
  });

  it('calibrates from the calibrator tone and reports the drift from the last calibration', () => {
    // The mic reads 2 dB high at the default fullScaleDb: the tone is at −24 dBFS (sine), not −26.
    writeFileSync(join(dir, 'cal1.wav'), tone(10 ** (-24 / 20)));
    const first = run('calibrate', '--config', 'earshot-device.json', '--wav', 'cal1.wav');
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const r1 = JSON.parse(first.out) as Record<string, number | null>;
    expect(r1['measuredDb']).toBeCloseTo(96, 1);
    expect(r1['fullScaleDb']).toBeCloseTo(118, 1);
    expect(r1['driftFromLastCalibrationDb']).toBeNull();
    // Weeks later the same calibrator reads 0.5 dB lower.
    writeFileSync(join(dir, 'cal2.wav'), tone(10 ** (-24.5 / 20)));
    const r2 = JSON.parse(run('calibrate', '--config', 'earshot-device.json', '--wav', 'cal2.wav').out) as Record<string, number>;
    expect(r2['measuredDb']).toBeCloseTo(93.5, 1);
    expect(r2['driftFromLastCalibrationDb']).toBeCloseTo(0.5, 1);
    const state = JSON.parse(readFileSync(join(dir, 'state/calibration.json'), 'utf8')) as { history: unknown[] };
    expect(state.history).toHaveLength(2);
  });

  it('keeps each check as an unsent calibration record, with the calibrator named, for the daemon to sign and send', () => {
    writeFileSync(join(dir, 'cal3.wav'), tone(10 ** (-24 / 20)));
    const r = run('calibrate', '--config', 'earshot-device.json', '--wav', 'cal3.wav', '--calibrator-make', 'Cirrus', '--calibrator-model', 'CR:515', '--calibrator-serial', 'A1234');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { recordId: string; fullScaleDb: number; sent: boolean };
    expect(out.sent).toBe(false);
    const files = readdirSync(join(dir, 'state/calibration-unsent'));
    expect(files).toContain(`${out.recordId}.json`);
    const record = JSON.parse(readFileSync(join(dir, 'state/calibration-unsent', `${out.recordId}.json`), 'utf8')) as Record<string, unknown>;
    expect(EventBody.safeParse(record).success).toBe(true);
    expect(record).toMatchObject({ kind: 'calibration', eventId: out.recordId, referenceDb: 94, calibrator: { make: 'Cirrus', model: 'CR:515', serial: 'A1234' } });
    expect(record['fullScaleDb']).toBeCloseTo(out.fullScaleDb, 2);
    const state = JSON.parse(readFileSync(join(dir, 'state/calibration.json'), 'utf8')) as { fullScaleDb: number };
    expect(state.fullScaleDb).toBe(record['fullScaleDb']);
  });

  it('refuses a tone that is not the calibrator, with exit 1', () => {
    writeFileSync(join(dir, 'wrong.wav'), tone(0.05, 440));
    const r = run('calibrate', '--config', 'earshot-device.json', '--wav', 'wrong.wav');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^earshot-device: EARSHOT_E_CALIBRATION_TONE: .*440 Hz/);
  });
});
