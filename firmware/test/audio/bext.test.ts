/**
 * Clips carry their start time and calibration in a Broadcast Wave `bext`
 * chunk (EBU Tech 3285), covered by the SHA-256 the monitor signs, and every
 * reader here (the header walk, the block reader, `earshot-device analyze`)
 * still reads them.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BEXT_FIXED_BYTES, WavFileReader, encodeBext, encodeWav, readBextFile, readWavChannel } from '../../src/audio/index.ts';
import type { PcmFormat } from '../../src/audio/index.ts';
import type { PcmBlock } from '../../src/capture/types.ts';
import { writeClipFile } from '../../src/clips/index.ts';
import { ClipRecorder } from '../../src/clips/recorder.ts';
import { tempDir } from '../capture/helpers.ts';

const bin = join(dirname(fileURLToPath(import.meta.url)), '../../bin/earshot-device.js');
const START = Date.parse('2026-02-14T23:30:03.250Z');

function tone(seconds: number, rate: number, peak: number): Float64Array {
  const s = new Float64Array(Math.round(seconds * rate));
  for (let i = 0; i < s.length; i++) s[i] = peak * Math.sin((2 * Math.PI * 1000 * i) / rate);
  return s;
}

/** The RIFF chunk ids of a file in order. */
function chunks(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let p = 12; p + 8 <= bytes.length; ) {
    const size = bytes.readUInt32LE(p + 4);
    out.push(bytes.toString('latin1', p, p + 4));
    p += 8 + size + (size & 1);
  }
  return out;
}

describe('BWF bext chunk in clips', () => {
  it('writes fmt, bext, data, with the start time and fullScaleDb, covered by the clip’s SHA-256', async () => {
    const dir = tempDir('bext');
    const format: PcmFormat = { encoding: 'int', bitsPerSample: 16, channels: 1, sampleRate: 48_000 };
    const samples = tone(1, 48_000, 0.5);
    const data = encodeWav(samples, format).subarray(44);
    const written = await writeClipFile(dir, 'clip-bext-1', format, Buffer.from(data), data.length, { eventId: 'ev-42', fullScaleDb: 118.95, startedAtMs: START });
    const bytes = readFileSync(written.path);
    expect(chunks(bytes)).toEqual(['fmt ', 'bext', 'data']);
    expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8);
    expect(written.bytes).toBe(bytes.length);
    expect(written.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));

    const bext = readBextFile(written.path)!;
    expect(bext).not.toBeNull();
    expect(bext.originator).toBe('Earshot');
    expect(bext.originatorReference).toBe('clip-bext-1');
    expect(bext.originationDate).toBe('2026-02-14');
    expect(bext.originationTime).toBe('23:30:03');
    // EBU Tech 3285: samples since midnight; 23:30:03.25 UTC at 48 kHz.
    expect(bext.timeReference).toBe(BigInt((23 * 3600 + 30 * 60 + 3.25) * 48_000));
    expect(bext.version).toBe(1);
    expect(bext.fullScaleDb).toBe(118.95);
    expect(bext.start).toBe('2026-02-14T23:30:03.250Z');
    expect(bext.description).toBe('Earshot clip; fullScaleDb=118.95; start=2026-02-14T23:30:03.250Z; clip=clip-bext-1; event=ev-42');
    expect(bext.codingHistory).toBe('A=PCM,F=48000,W=16,M=mono,T=Earshot monitor clip\r\n');

    // The samples read back exactly, past the bext chunk.
    const back = readWavChannel(written.path).samples;
    expect(back.length).toBe(samples.length);
    const reader = WavFileReader.open(written.path);
    expect(reader.format.dataOffset).toBe(44 + 8 + encodeBext({ eventId: 'ev-42', fullScaleDb: 118.95, startedAtMs: START, clipId: 'clip-bext-1', sampleRate: 48_000, bitsPerSample: 16, encoding: 'int' }).length);
    reader.close();
    expect(Math.max(...back.map((v, i) => Math.abs(v - Math.round(samples[i]! * 32768) / 32768)))).toBe(0);
  });

  it('keeps the chunk even-sized whatever the coding history’s length', () => {
    for (const bits of [16, 24, 32]) {
      const b = encodeBext({ eventId: 'e', fullScaleDb: 120, startedAtMs: START, clipId: 'c', sampleRate: 8000, bitsPerSample: bits, encoding: 'int' });
      expect(b.length % 2).toBe(0);
      expect(b.length).toBeGreaterThan(BEXT_FIXED_BYTES);
    }
  });

  it('is read by earshot-device analyze, which measures the same levels as without it', async () => {
    const dir = tempDir('bext-analyze');
    const format: PcmFormat = { encoding: 'int', bitsPerSample: 24, channels: 1, sampleRate: 48_000 };
    const data = encodeWav(tone(2, 48_000, 0.5), format).subarray(44);
    const plain = await writeClipFile(dir, 'clip-plain', format, Buffer.from(data), data.length);
    const stamped = await writeClipFile(dir, 'clip-stamped', format, Buffer.from(data), data.length, { eventId: 'ev-1', fullScaleDb: 120, startedAtMs: START });
    expect(statSync(stamped.path).size).toBeGreaterThan(statSync(plain.path).size);
    const run = (p: string): string => {
      const r = spawnSync(process.execPath, [bin, 'analyze', p, '--full-scale-db', '120'], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return r.stdout;
    };
    const out = run(stamped.path);
    expect(out).toBe(run(plain.path));
    const summary = JSON.parse(out.trim().split('\n').at(-1)!) as { LAeq: number; duration: number };
    // DESIGN §2: a 1 kHz sine of peak 0.5 reads fullScaleDb − 6.02.
    expect(summary.duration).toBe(2);
    expect(Math.abs(summary.LAeq - (120 - 6.02))).toBeLessThanOrEqual(0.02);
  });

  it('is written into every clip the monitor records', async () => {
    const dir = tempDir('bext-recorder');
    const format: PcmFormat = { encoding: 'int', bitsPerSample: 16, channels: 1, sampleRate: 8000 };
    const paths: string[] = [];
    const rec = new ClipRecorder({ format, dir, fullScaleDb: () => 119.4, newClipId: () => 'clip-rec-1', preSeconds: 1, postSeconds: 1, onClip: (_m, p) => paths.push(p) });
    const b = new Float64Array(800);
    const t0 = Date.parse('2026-06-01T22:10:00.000Z');
    let frame = 0;
    const feed = (blocks: number): void => {
      for (let k = 0; k < blocks; k++) {
        for (let i = 0; i < 800; i++) b[i] = 0.25 * Math.sin((frame + i) / 3);
        const block: PcmBlock = { samples: b, frames: 800, format, startedAtMs: t0 + (frame / 8000) * 1000, startFrame: frame, discontinuity: false };
        rec.push(block);
        frame += 800;
      }
    };
    feed(20);
    rec.trigger('ev-9', 'rule');
    feed(10);
    rec.end('ev-9');
    feed(20);
    await rec.idle();
    expect(paths).toHaveLength(1);
    const bext = readBextFile(paths[0]!)!;
    expect(bext.fullScaleDb).toBe(119.4);
    // The clip starts one pre-trigger second before the trigger at t0 + 2 s.
    expect(bext.start).toBe('2026-06-01T22:10:01.000Z');
    expect(bext.description).toContain('event=ev-9');
  });
});
