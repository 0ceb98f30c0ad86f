/**
 * The analyze command as a user runs it: a real child process of the installed
 * bin, its NDJSON on stdout, and for bad input exit 2 with one line on stderr.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/audio/index.ts';

const bin = join(dirname(fileURLToPath(import.meta.url)), '../../bin/earshot-device.js');
const dir = mkdtempSync(join(tmpdir(), 'earshot-analyze-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function sine(seconds: number, rate: number, peak: number, freq = 1000): Float64Array {
  const s = new Float64Array(Math.round(seconds * rate));
  for (let i = 0; i < s.length; i++) s[i] = peak * Math.sin((2 * Math.PI * freq * i) / rate);
  return s;
}

function wavFile(name: string, bytes: Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe('earshot-device analyze', () => {
  it('prints one line per interval (the last shorter) then the summary, per DESIGN §3', () => {
    const p = wavFile('tone.wav', encodeWav(sine(2.5, 48_000, 0.5), { encoding: 'float', bitsPerSample: 32, sampleRate: 48_000 }));
    const r = run('analyze', p);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    expect(Object.keys(lines[0]!)).toEqual(['start', 'duration', 'LAeq', 'LCeq', 'LZeq', 'LAFmax', 'LAFmin', 'LASmax', 'LCpeak']);
    expect(lines.map((l) => [l['start'], l['duration']]).slice(0, 3)).toEqual([[0, 1], [1, 1], [2, 0.5]]);
    // DESIGN §2: peak 0.5 reads fullScaleDb − 6.02.
    for (const l of lines.slice(0, 3)) expect(l['LAeq']).toBeCloseTo(120 - 6.02, 1);
    const summary = lines[3]!;
    expect(Object.keys(summary)).toEqual(['summary', 'duration', 'LAeq', 'LCeq', 'LAE', 'LAFmax', 'LAF10', 'LAF90', 'LCpeak']);
    expect(summary['summary']).toBe(true);
    expect(summary['duration']).toBe(2.5);
    // LAE = LAeq + 10·log10(T / 1 s).
    expect(summary['LAE']).toBeCloseTo((summary['LAeq'] as number) + 10 * Math.log10(2.5), 1);
  });

  it('applies --full-scale-db, --interval and --channel', () => {
    const p = wavFile('t16.wav', encodeWav(sine(2, 16_000, 1 - 2 ** -15), { encoding: 'int', bitsPerSample: 16, sampleRate: 16_000 }));
    const r = run('analyze', p, '--full-scale-db', '100', '--interval', '0.5', '--channel', '0');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    expect(lines).toHaveLength(5);
    expect(lines[1]!['LAeq']).toBeCloseTo(100, 1);
  });

  it('prints null, never -Infinity or NaN, for digital silence, and says so on stderr', () => {
    const p = wavFile('silence.wav', encodeWav(new Float64Array(8000), { encoding: 'int', bitsPerSample: 16, sampleRate: 8_000 }));
    const r = run('analyze', p);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/Infinity|NaN/);
    expect(JSON.parse(r.out.split('\n')[0]!)).toMatchObject({ LAeq: null, LCpeak: null });
    expect(r.err).toMatch(/digital silence/);
  });

  it('warns about clipping on stderr', () => {
    const p = wavFile('clip.wav', encodeWav(sine(1, 8_000, 1.5, 100), { encoding: 'int', bitsPerSample: 16, sampleRate: 8_000 }));
    const r = run('analyze', p);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/full scale in 1 interval/);
  });

  const bad: [string, string[], string][] = [
    ['a file that does not exist', ['analyze', 'nope.wav'], 'EARSHOT_E_FILE_UNREADABLE'],
    ['a non-WAV', ['analyze', 'text.wav'], 'EARSHOT_E_WAV_NOT_RIFF'],
    ['an MP3 renamed .wav', ['analyze', 'song.wav'], 'EARSHOT_E_WAV_NOT_RIFF'],
    ['a truncated WAV', ['analyze', 'cut.wav'], 'EARSHOT_E_WAV_TRUNCATED'],
    ['μ-law', ['analyze', 'mulaw.wav'], 'EARSHOT_E_WAV_UNSUPPORTED'],
    ['zero-length data', ['analyze', 'empty.wav'], 'EARSHOT_E_WAV_NO_DATA'],
    ['a sample rate outside 8–192 kHz', ['analyze', 'slow.wav'], 'EARSHOT_E_SAMPLE_RATE'],
    ['no file', ['analyze'], 'EARSHOT_E_USAGE'],
    ['a bad option value', ['analyze', 'cut.wav', '--interval', 'soon'], 'EARSHOT_E_USAGE'],
    ['an unknown option', ['analyze', 'cut.wav', '--loud'], 'EARSHOT_E_USAGE'],
    ['an unknown command', ['analyse'], 'EARSHOT_E_USAGE'],
  ];
  it.each(bad)('%s: exit 2, one line naming the problem, no stack trace', (_what, args, code) => {
    const tone = encodeWav(sine(0.5, 8_000, 0.5), { encoding: 'int', bitsPerSample: 16, sampleRate: 8_000 });
    wavFile('text.wav', Buffer.from('Date,Time,What happened\n'));
    wavFile('song.wav', Buffer.concat([Buffer.from('ID3\x03\x00'), Buffer.alloc(2000, 0xfb)]));
    wavFile('cut.wav', tone.subarray(0, tone.length - 1001));
    const mulaw = Buffer.from(encodeWav(sine(0.1, 8_000, 0.5), { encoding: 'int', bitsPerSample: 16, sampleRate: 8_000 }));
    mulaw.writeUInt16LE(7, 20);
    mulaw.writeUInt16LE(8, 34);
    mulaw.writeUInt16LE(2, 32); // block align of 16-bit data read as 8-bit μ-law: the tag check comes first
    wavFile('mulaw.wav', mulaw);
    wavFile('empty.wav', encodeWav(new Float64Array(0), { encoding: 'int', bitsPerSample: 16, sampleRate: 8_000 }));
    wavFile('slow.wav', encodeWav(sine(0.5, 4_000, 0.5, 100), { encoding: 'int', bitsPerSample: 16, sampleRate: 4_000 }));
    const r = run(...args);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    const lines = r.err.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^earshot-device: ${code}: `));
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
