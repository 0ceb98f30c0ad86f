import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIP_CHUNK_BYTES, CLIP_ID_PATTERN, ClipManifest, type ErrorInfo } from '@earshot/shared';
import { describe, expect, it } from 'vitest';
import { encodeWav, readWavChannel, WavFileReader } from '../../src/audio/index.ts';
import type { PcmFormat } from '../../src/audio/index.ts';
import type { PcmBlock } from '../../src/capture/types.ts';
import { WavReplaySource } from '../../src/capture/wav-replay.ts';
import { ClipRecorder, defaultClipId } from '../../src/clips/recorder.ts';
import { LevelEngine, type IntervalLevels } from '../../src/measure/index.ts';
import { tempDir, until } from '../capture/helpers.ts';
import { noise, sine } from '../measure/signals.ts';

const FS = 48_000;
const START = Date.parse('2026-02-14T23:30:00.000Z');

/** 30 s: noise whose level changes every second, plus a 1 kHz tone from 14 s. */
function testSignal(): Float64Array {
  const n = noise(30 * FS, 1, 777);
  const tone = sine(FS, 1000, 30, 0.2);
  for (let i = 0; i < n.length; i++) n[i] = n[i]! * (0.02 + 0.01 * (Math.floor(i / FS) % 7)) + (i >= 14 * FS ? tone[i]! : 0);
  return n;
}

interface Captured {
  manifests: { manifest: ClipManifest; path: string }[];
  errors: { clipId: string; error: ErrorInfo }[];
}

function recorder(dir: string, format: PcmFormat, extra: Partial<ConstructorParameters<typeof ClipRecorder>[0]> = {}): { rec: ClipRecorder; got: Captured } {
  const got: Captured = { manifests: [], errors: [] };
  let n = 0;
  const rec = new ClipRecorder({
    format, dir, fullScaleDb: () => 118.5, newClipId: () => `clip-test-${++n}`,
    onClip: (manifest, path) => got.manifests.push({ manifest, path }),
    onError: (clipId, error) => got.errors.push({ clipId, error }),
    ...extra,
  });
  return { rec, got };
}

function block(samples: Float64Array, frames: number, format: PcmFormat, startedAtMs: number, startFrame: number, discontinuity = false): PcmBlock {
  return { samples, frames, format, startedAtMs, startFrame, discontinuity };
}

const copy = (l: IntervalLevels): IntervalLevels => ({ ...l });

describe('clip recorder', () => {
  it('makes clip ids that can travel in topics', () => {
    expect(defaultClipId(Date.parse('2026-11-24T23:57:01.123Z'))).toMatch(/^clip-20261124-235701-[0-9a-f]{8}$/);
    expect(defaultClipId()).toMatch(CLIP_ID_PATTERN);
    expect(defaultClipId(0)).not.toBe(defaultClipId(0));
  });

  it('writes a clip from which the levels of the live stream can be recomputed', async () => {
    const dir = tempDir('clips');
    const wav = join(dir, 'source.wav');
    writeFileSync(wav, encodeWav(testSignal(), { encoding: 'int', bitsPerSample: 16, sampleRate: FS }));
    const source = readWavChannel(wav).samples;

    const live: IntervalLevels[] = [];
    const engine = new LevelEngine({ sampleRate: FS, fullScaleDb: 118.5, onInterval: (l) => live.push(copy(l)) });
    const src = new WavReplaySource({ files: [wav], pace: 'fast', startAtMs: START });
    const { rec, got } = recorder(join(dir, 'clips'), src.format, { incidentSeconds: 2 });
    const triggers: unknown[] = [];
    let ended = false;
    await src.start({
      block: (b) => {
        engine.process(b.samples, 0, b.frames);
        rec.push(b);
        const at = b.startFrame + b.frames;
        if (at === 12 * FS) triggers.push(rec.trigger('rule-ev-1', 'rule'));
        if (at === 16 * FS) triggers.push(rec.trigger('inc-1', 'button'));
        if (at === 20 * FS) rec.end('rule-ev-1');
      },
      event: (e) => { if (e.type === 'ended') ended = true; },
    });
    await until(() => ended);
    await rec.idle();
    expect(triggers).toEqual([{ clipId: 'clip-test-1', joined: false }, { clipId: 'clip-test-1', joined: true }]);
    expect(got.errors).toEqual([]);
    expect(got.manifests.length).toBe(1);
    const { manifest, path } = got.manifests[0]!;

    // 10 s of pre-trigger before 12 s, the rule event to 20 s (the incident at 16 s joins it and is over
    // by 18 s), then 5 s of post-roll: 2 s … 25 s of the stream.
    expect(existsSync(path)).toBe(true);
    expect(manifest).toMatchObject({ clipId: 'clip-test-1', eventId: 'rule-ev-1', sampleRate: FS, channels: 1, bitsPerSample: 16, fullScaleDb: 118.5, preTriggerSeconds: 10, postTriggerSeconds: 5, durationSeconds: 23 });
    expect(ClipManifest.safeParse(manifest).success).toBe(true);
    expect(manifest.startedAt).toBe('2026-02-14T23:30:02.000Z');

    // The file is what the manifest says.
    const bytes = readFileSync(path);
    expect(manifest.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(manifest.bytes).toBe(bytes.length);
    expect(manifest.chunks).toBe(Math.ceil(bytes.length / CLIP_CHUNK_BYTES));

    // The clip holds exactly the captured samples from 2 s on.
    const clip = readWavChannel(path).samples;
    expect(clip.length).toBe(manifest.durationSeconds * FS);
    for (let i = 0; i < clip.length; i++) if (clip[i] !== source[2 * FS + i]) throw new Error(`clip sample ${i} differs`);

    // Levels recomputed from the clip (WavFileReader → LevelEngine) match the live stream's, second by second
    // (after the first, where the fresh engine's filters settle).
    const fromClip: IntervalLevels[] = [];
    const e2 = new LevelEngine({ sampleRate: manifest.sampleRate, fullScaleDb: manifest.fullScaleDb, onInterval: (l) => fromClip.push(copy(l)) });
    const reader = WavFileReader.open(path, { blockFrames: 4096 });
    const buf = new Float64Array(reader.maxBlockFrames);
    for (let n = reader.read(buf); n > 0; n = reader.read(buf)) e2.process(buf, 0, n);
    reader.close();
    expect(fromClip.length).toBe(manifest.durationSeconds);
    for (let s = 1; s < fromClip.length; s++) {
      expect(Math.abs(fromClip[s]!.LAeq! - live[s + 2]!.LAeq!), `second ${s}`).toBeLessThanOrEqual(0.01);
      expect(Math.abs(fromClip[s]!.LCeq! - live[s + 2]!.LCeq!)).toBeLessThanOrEqual(0.01);
    }
    const laeq = (ls: IntervalLevels[]): number => 10 * Math.log10(ls.reduce((a, l) => a + l.msA, 0) / ls.length / 0.5) + 118.5;
    expect(Math.abs(laeq(fromClip.slice(1)) - laeq(live.slice(3, 2 + fromClip.length)))).toBeLessThanOrEqual(0.01);
    await src.stop();
  });

  it('makes pre-trigger + event + post-roll, at the capture depth', async () => {
    const dir = tempDir('clips');
    const format: PcmFormat = { encoding: 'int', bitsPerSample: 32, channels: 2, sampleRate: 8000 };
    const { rec, got } = recorder(dir, format, { preSeconds: 2, postSeconds: 1 });
    const b = new Float64Array(800);
    let frame = 0;
    const feed = (blocks: number): void => {
      for (let k = 0; k < blocks; k++) {
        for (let i = 0; i < 800; i++) b[i] = Math.sin(frame + i) * 0.5;
        rec.push(block(b, 800, format, START + (frame / 8000) * 1000, frame));
        frame += 800;
      }
    };
    feed(50);
    expect(rec.bufferedFrames).toBe(16_000);
    rec.trigger('ev-2', 'rule');
    feed(30);
    rec.end('ev-2');
    feed(5);
    expect(rec.recordingClipId).toBe('clip-test-1');
    feed(5);
    expect(rec.recordingClipId).toBeNull();
    await rec.idle();
    const m = got.manifests[0]!.manifest;
    expect(m).toMatchObject({ bitsPerSample: 32, preTriggerSeconds: 2, postTriggerSeconds: 1, durationSeconds: 6, startedAt: '2026-02-14T23:30:03.000Z' });
    // 6 s of 32-bit audio after the header and its bext chunk (audio/bext.ts).
    expect(statSync(got.manifests[0]!.path).size).toBe(m.bytes);
    expect(readWavChannel(got.manifests[0]!.path).samples.length).toBe(6 * 8000);
    // The manifest waits beside the clip until the outbox has journaled it (a power cut loses neither).
    expect(readdirSync(dir).sort()).toEqual(['clip-test-1.manifest.json', 'clip-test-1.wav']);
    expect(JSON.parse(readFileSync(join(dir, 'clip-test-1.manifest.json'), 'utf8'))).toEqual(m);
  });

  it('keeps no audio when audio is off, and only button clips in button-only', () => {
    const dir = tempDir('clips');
    const format: PcmFormat = { encoding: 'int', bitsPerSample: 16, channels: 1, sampleRate: 8000 };
    const off = recorder(dir, format, { mode: 'off' }).rec;
    off.push(block(new Float64Array(800).fill(0.1), 800, format, START, 0));
    expect(off.bufferedFrames).toBe(0);
    expect(off.trigger('inc-1', 'button')).toEqual({ clipId: null, refused: 'audio is off for this deployment' });
    const bo = recorder(dir, format, { mode: 'button-only' }).rec;
    bo.push(block(new Float64Array(800).fill(0.1), 800, format, START, 0));
    expect(bo.trigger('ev-1', 'rule')).toMatchObject({ clipId: null });
    expect(bo.trigger('inc-1', 'button')).toMatchObject({ clipId: 'clip-test-1' });
    // Switching audio off abandons the clip in progress and drops the buffer.
    expect(bo.setMode('off')).toBe('clip-test-1');
    expect(bo.bufferedFrames).toBe(0);
    expect(bo.recordingClipId).toBeNull();
  });

  it('ends a clip at a capture discontinuity and starts the pre-trigger buffer afresh', async () => {
    const dir = tempDir('clips');
    const format: PcmFormat = { encoding: 'int', bitsPerSample: 16, channels: 1, sampleRate: 8000 };
    const { rec, got } = recorder(dir, format, { preSeconds: 1 });
    const b = new Float64Array(800).fill(0.25);
    for (let k = 0; k < 20; k++) rec.push(block(b, 800, format, START + k * 100, k * 800, k === 0));
    rec.trigger('ev-1', 'rule');
    rec.push(block(b, 800, format, START + 2000, 16_000));
    rec.push(block(b, 800, format, START + 60_000, 16_800, true));
    expect(rec.recordingClipId).toBeNull();
    expect(rec.bufferedFrames).toBe(800);
    await rec.idle();
    expect(got.manifests[0]!.manifest).toMatchObject({ durationSeconds: 1.1, preTriggerSeconds: 1, postTriggerSeconds: 0 });
  });

  it('reports a clip that cannot be written, and removes half-written clips left by a crash', async () => {
    const dir = tempDir('clips');
    writeFileSync(join(dir, '.clip-old.wav.part'), 'partial');
    const format: PcmFormat = { encoding: 'int', bitsPerSample: 16, channels: 1, sampleRate: 8000 };
    const { rec, got } = recorder(dir, format, { preSeconds: 0.1, postSeconds: 0 });
    expect(readdirSync(dir)).toEqual([]);
    // A folder where the clip file should go makes the rename fail.
    mkdirSync(join(dir, 'clip-test-1.wav', 'x'), { recursive: true });
    const b = new Float64Array(800).fill(0.1);
    rec.push(block(b, 800, format, START, 0));
    rec.trigger('ev-1', 'rule');
    rec.end('ev-1');
    rec.push(block(b, 800, format, START + 100, 800));
    await rec.idle();
    expect(got.manifests).toEqual([]);
    expect(got.errors[0]).toMatchObject({ clipId: 'clip-test-1', error: { code: 'EARSHOT_E_CLIP_WRITE' } });
    expect(readdirSync(dir)).toEqual(['clip-test-1.wav']);
  });
});
