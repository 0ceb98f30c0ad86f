/**
 * `earshot-device selftest` as the installer runs it, a real child process
 * against the in-test broker: all checks pass; a wrong secret fails the ingest
 * check; a dead (digitally silent) microphone, or one reading below any
 * microphone's self-noise, fails the microphone check.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { device } from './child.ts';
import { Broker, type DeviceFolder, deviceFolder } from './peers.ts';
import { RATE, scene } from './signals.ts';

const broker = new Broker();
const folders: DeviceFolder[] = [];
beforeAll(() => broker.start());
afterAll(async () => {
  await broker.stop();
  for (const f of folders) f.cleanup();
});

const REMOTE = { version: 1, rules: [] };

function folder(wav: Float64Array, edit: (config: Record<string, unknown>) => void = () => undefined): DeviceFolder {
  const f = deviceFolder(broker.url, wav, REMOTE, { pace: 'fast' });
  folders.push(f);
  const config = JSON.parse(readFileSync(f.configFile, 'utf8')) as Record<string, unknown>;
  edit(config);
  writeFileSync(f.configFile, JSON.stringify(config));
  return f;
}

async function selftest(f: DeviceFolder): Promise<{ code: number | null; lines: string[]; err: string }> {
  const c = device('selftest', '--config', f.configFile, '--seconds', '1');
  const { code } = await c.exited;
  return { code, lines: c.out.join('').trim().split('\n'), err: c.err.join('') };
}

const line = (lines: string[], verdict: 'PASS' | 'FAIL', check: string): string | undefined => lines.find((l) => l.startsWith(`${verdict}  ${check}`));

describe('earshot-device selftest', () => {
  it('passes with a working microphone and the ingest accepting the device', async () => {
    const r = await selftest(folder(scene([{ seconds: 2, db: 60 }], null)));
    expect(r.err).toBe('');
    expect(r.lines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
    for (const check of ['device key', 'state folder', 'calibration', 'microphone', 'clock', 'ingest']) expect(line(r.lines, 'PASS', check), check).toBeDefined();
    // The 60 dB tone (1 kHz: A-weighting 0 dB) is what the microphone check reads.
    const mic = /(\d+) Hz, LAeq ([\d.]+) dB/.exec(line(r.lines, 'PASS', 'microphone') ?? '');
    expect(Number(mic?.[1])).toBe(RATE);
    expect(Number(mic?.[2])).toBeCloseTo(60, 0);
    expect(r.lines.at(-1)).toBe('selftest passed');
    expect(r.code).toBe(0);
  });

  it('fails the ingest check with a wrong secret (exit 1)', async () => {
    const r = await selftest(folder(scene([{ seconds: 2 }]), (c) => {
      c['secret'] = 'not-the-device-secret';
    }));
    expect(line(r.lines, 'FAIL', 'ingest')).toBeDefined();
    expect(r.lines.filter((l) => l.startsWith('FAIL'))).toHaveLength(1);
    expect(r.lines.at(-1)).toBe('selftest: 1 check(s) failed');
    expect(r.code).toBe(1);
  });

  it('fails the microphone check on digital silence (exit 1)', async () => {
    const r = await selftest(folder(scene([{ seconds: 2 }], null)));
    expect(line(r.lines, 'FAIL', 'microphone')).toMatch(/digital silence/);
    expect(line(r.lines, 'PASS', 'ingest')).toBeDefined();
    expect(r.code).toBe(1);
  });

  it('fails the microphone check on an implausibly low reading (a wrong fullScaleDb), exit 1', async () => {
    // The 60 dB tone read with fullScaleDb 60 instead of 120: 0 dB, below any microphone's self-noise.
    const r = await selftest(folder(scene([{ seconds: 2, db: 60 }], null), (c) => {
      c['fullScaleDb'] = 60;
    }));
    expect(line(r.lines, 'FAIL', 'microphone')).toMatch(/LAeq -?0\.\d dB is below any microphone's self-noise — check fullScaleDb \(60\)/);
    expect(r.code).toBe(1);
  });
});
