/**
 * `earshot-device analyze --bands third-octave` as a user runs it (DESIGN §3 "Bands"): a real child
 * process of the installed bin; any other --bands value exits 2 with one line and a code.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../src/audio/index.ts';
import { concat, sine } from '../signals.ts';

const bin = join(dirname(fileURLToPath(import.meta.url)), '../../../bin/earshot-device.js');
const dir = mkdtempSync(join(tmpdir(), 'earshot-bands-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const wav = join(dir, 'tone.wav');
// 1.5 s of a 1 kHz sine at peak 0.5 then 1 s of digital silence, at 8 kHz.
writeFileSync(wav, encodeWav(concat(sine(8_000, 1000, 1.5, 0.5), new Float64Array(8_000)), { encoding: 'float', bitsPerSample: 32, sampleRate: 8_000 }));

describe('analyze --bands third-octave', () => {
  it('adds LZeq_3oct, bands in frequency order to 0.01 dB, to every interval and to the summary', () => {
    const r = run('analyze', wav, '--bands', 'third-octave');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(4);
    // The member is written in frequency order ("12.5" between "10" and "16"), which a JS object would not keep.
    expect(lines[0]).toMatch(/"LZeq_3oct":\{"10":[-\d.]+,"12\.5":[-\d.]+,"16":/);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const p of parsed) expect(Object.keys(p).at(-1)).toBe('LZeq_3oct');
    const first = parsed[0]!['LZeq_3oct'] as Record<string, number | null>;
    expect(Object.keys(first)).toHaveLength(26); // 10 Hz – 3150 Hz at 8 kHz
    // DESIGN §2: peak 0.5 reads 120 − 6.02 in its band.
    expect(first['1000']).toBeCloseTo(113.98, 1);
    for (const v of Object.values(first)) expect(Math.round((v as number) * 100) / 100).toBe(v);
    // The silent interval: every band null.
    const silent = parsed[2]!['LZeq_3oct'] as Record<string, number | null>;
    expect(Object.values(silent).every((v) => v === null)).toBe(true);
    const summary = parsed[3]!;
    expect(summary['summary']).toBe(true);
    // In energy over the 2 s not silent (1 s of tone, then 0.5 s of tone in the second interval): 10·lg(0.75) below.
    expect((summary['LZeq_3oct'] as Record<string, number>)['1000']).toBeCloseTo(113.98 + 10 * Math.log10(0.75), 1);
  });

  it('leaves the output as it was without --bands', () => {
    const r = run('analyze', wav);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('LZeq_3oct');
  });

  for (const bad of ['octave', 'Third-Octave', '']) {
    it(`refuses --bands "${bad}" with exit 2, one line and EARSHOT_E_USAGE`, () => {
      const r = run('analyze', wav, '--bands', bad);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      const lines = r.err.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('EARSHOT_E_USAGE');
      expect(lines[0]).toContain('third-octave');
    });
  }
});
