import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EarshotError } from '@earshot/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { WavFileReader, encodeWav, readWavChannel } from '../../src/audio/index.ts';
import { buildWav, pcm } from './wav-builder.ts';

const dir = mkdtempSync(join(tmpdir(), 'earshot-wav-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(bytes: Buffer): string {
  const p = join(dir, `f${n++}.wav`);
  writeFileSync(p, bytes);
  return p;
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof EarshotError) return e.code;
    throw e;
  }
  return 'no error';
}

// Values exactly representable at every depth, including the extremes.
const left = [0, 0.5, -0.5, -1, 0.25, -0.125];
const right = [0.75, -0.75, 0, 0.5, -1, 0.0078125];

describe('WAV reading', () => {
  const kinds = [
    { kind: 'u8', tag: 1, bits: 8 },
    { kind: 's16', tag: 1, bits: 16 },
    { kind: 's24', tag: 1, bits: 24 },
    { kind: 's32', tag: 1, bits: 32 },
    { kind: 'f32', tag: 3, bits: 32 },
    { kind: 'f64', tag: 3, bits: 64 },
  ] as const;
  for (const k of kinds) {
    for (const extensible of [false, true]) {
      it(`decodes ${k.kind}${extensible ? ' (WAVE_FORMAT_EXTENSIBLE)' : ''}, either channel of a stereo file`, () => {
        const data = pcm([left, right], k.kind);
        const base = { formatTag: k.tag, channels: 2, sampleRate: 44_100, bitsPerSample: k.bits, data };
        const p = file(buildWav(extensible ? { ...base, extensibleSubFormat: k.tag } : base));
        const l = readWavChannel(p, 0);
        const r = readWavChannel(p, 1);
        expect(l.format).toMatchObject({ sampleRate: 44_100, channels: 2, frames: 6, encoding: k.tag === 1 ? 'int' : 'float', bitsPerSample: k.bits });
        expect(Array.from(l.samples)).toEqual(left);
        expect(Array.from(r.samples)).toEqual(right);
      });
    }
  }

  it('skips unknown chunks before and after fmt, with odd-size padding', () => {
    const data = pcm([left], 's16');
    const p = file(buildWav({
      formatTag: 1, channels: 1, sampleRate: 8_000, bitsPerSample: 16, data,
      before: [{ id: 'JUNK', body: Buffer.alloc(3) }],
      between: [{ id: 'LIST', body: Buffer.from('INFOISFT\x05\x00\x00\x00sox\x00\x00') }, { id: 'fact', body: Buffer.alloc(5) }],
    }));
    expect(Array.from(readWavChannel(p).samples)).toEqual(left);
  });

  it('reads a data chunk of unknown size (0xFFFFFFFF, as streaming writers leave it) to the end of the file', () => {
    const p = file(buildWav({ formatTag: 1, channels: 1, sampleRate: 16_000, bitsPerSample: 16, data: pcm([left], 's16'), declaredDataBytes: 0xffffffff }));
    expect(Array.from(readWavChannel(p).samples)).toEqual(left);
  });

  it('reads in blocks that end anywhere, the same as whole', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => Math.round(Math.sin(i / 7) * 30000) / 32768);
    const p = file(encodeWav(samples, { encoding: 'int', bitsPerSample: 16, sampleRate: 48_000 }));
    const reader = WavFileReader.open(p, { blockFrames: 7 });
    const got: number[] = [];
    const block = new Float64Array(7);
    for (let k = reader.read(block); k > 0; k = reader.read(block)) got.push(...block.subarray(0, k));
    reader.close();
    expect(got).toEqual(samples);
  });

  it('round-trips the writer at 16, 24 and 32 bits and float32', () => {
    const samples = [0, 0.5, -0.5, -1, 0.999969482421875];
    for (const [encoding, bits] of [['int', 16], ['int', 24], ['int', 32], ['float', 32]] as const) {
      const p = file(encodeWav(samples, { encoding, bitsPerSample: bits, sampleRate: 32_000 }));
      expect(Array.from(readWavChannel(p).samples)).toEqual(samples);
    }
  });

  describe('refuses bad input with a stable code', () => {
    const good = buildWav({ formatTag: 1, channels: 1, sampleRate: 48_000, bitsPerSample: 16, data: pcm([left], 's16') });
    const cases: [string, Buffer, string][] = [
      ['an empty file', Buffer.alloc(0), 'EARSHOT_E_WAV_NOT_RIFF'],
      ['text', Buffer.from('hello, this is not audio at all'), 'EARSHOT_E_WAV_NOT_RIFF'],
      ['an MP3 renamed .wav', Buffer.concat([Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00'), Buffer.alloc(100, 0xff)]), 'EARSHOT_E_WAV_NOT_RIFF'],
      ['a header cut short', good.subarray(0, 20), 'EARSHOT_E_WAV_TRUNCATED'],
      ['audio cut short', good.subarray(0, good.length - 3), 'EARSHOT_E_WAV_TRUNCATED'],
      ['μ-law', buildWav({ formatTag: 7, channels: 1, sampleRate: 8_000, bitsPerSample: 8, data: Buffer.alloc(8) }), 'EARSHOT_E_WAV_UNSUPPORTED'],
      ['MP3 inside RIFF', buildWav({ formatTag: 0x55, channels: 1, sampleRate: 44_100, bitsPerSample: 0, data: Buffer.alloc(8) }), 'EARSHOT_E_WAV_UNSUPPORTED'],
      ['12-bit integer', buildWav({ formatTag: 1, channels: 1, sampleRate: 8_000, bitsPerSample: 12, data: Buffer.alloc(8) }), 'EARSHOT_E_WAV_UNSUPPORTED'],
      ['zero-length data', buildWav({ formatTag: 1, channels: 1, sampleRate: 48_000, bitsPerSample: 16, data: Buffer.alloc(0) }), 'EARSHOT_E_WAV_NO_DATA'],
      ['no data chunk', good.subarray(0, 36), 'EARSHOT_E_WAV_NO_DATA'],
    ];
    for (const [what, bytes, code] of cases) {
      it(what, () => {
        expect(codeOf(() => readWavChannel(file(bytes)))).toBe(code);
      });
    }
    it('a missing file', () => {
      expect(codeOf(() => readWavChannel(join(dir, 'missing.wav')))).toBe('EARSHOT_E_FILE_UNREADABLE');
    });
    it('a channel the file does not have', () => {
      expect(codeOf(() => readWavChannel(file(good), 1))).toBe('EARSHOT_E_CHANNEL_RANGE');
    });
  });
});
