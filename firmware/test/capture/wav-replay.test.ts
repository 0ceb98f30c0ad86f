import { StatusBody } from '@earshot/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WavReplaySource } from '../../src/capture/wav-replay.ts';
import { pcmCollector, tempDir, until, writeRampWav } from './helpers.ts';

const rampA = (i: number): number => ((i % 1000) - 500) / 32768;
const rampB = (i: number): number => (2000 + (i % 500)) / 32768;

describe('WAV replay source', () => {
  afterEach(() => vi.useRealTimers());

  it('is paced in real time by timers', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-03-29T00:59:59.000Z') });
    const dir = tempDir('replay');
    const file = writeRampWav(dir, 'a.wav', 8000, 8000, rampA);
    const src = new WavReplaySource({ files: [file], blockFrames: 800 });
    const c = pcmCollector();
    await src.start(c);
    vi.advanceTimersByTime(99);
    expect(c.blocks.length).toBe(0);
    vi.advanceTimersByTime(1);
    expect(c.blocks.length).toBe(1);
    vi.advanceTimersByTime(400);
    expect(c.blocks.length).toBe(5);
    vi.advanceTimersByTime(500);
    expect(c.blocks.length).toBe(10);
    expect(c.events.map((e) => e.type)).toEqual(['started']);
    vi.advanceTimersByTime(100);
    expect(c.events.map((e) => e.type)).toEqual(['started', 'ended']);
    expect(c.samples).toEqual(Array.from({ length: 8000 }, (_, i) => rampA(i)));
    // Sample times run from the start, 100 ms a block.
    expect(c.blocks.map((b) => b.startedAtMs - Date.parse('2026-03-29T00:59:59.000Z'))).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    await src.stop();
  });

  it('loops a list, marking each jump to another file as a discontinuity', async () => {
    vi.useFakeTimers({ now: 0 });
    const dir = tempDir('replay');
    const a = writeRampWav(dir, 'a.wav', 1600, 8000, rampA);
    const b = writeRampWav(dir, 'b.wav', 800, 8000, rampB);
    const src = new WavReplaySource({ files: [a, b], loop: true, blockFrames: 800, startAtMs: Date.parse('2026-01-01T00:00:00.000Z') });
    const c = pcmCollector();
    await src.start(c);
    vi.advanceTimersByTime(1000);
    expect(c.blocks.length).toBe(10);
    expect(c.blocks.map((x) => x.discontinuity)).toEqual([true, false, true, true, false, true, true, false, true, true]);
    expect(c.samples.slice(1600, 2400)).toEqual(Array.from({ length: 800 }, (_, i) => rampB(i)));
    expect(c.samples.slice(2400, 4000)).toEqual(Array.from({ length: 1600 }, (_, i) => rampA(i)));
    expect(c.blocks[5]!.startedAtMs).toBe(Date.parse('2026-01-01T00:00:00.500Z'));
    expect(c.events.some((e) => e.type === 'ended')).toBe(false);
    await src.stop();
    vi.advanceTimersByTime(1000);
    expect(c.blocks.length).toBe(10);
  });

  it('runs as fast as possible and ends', async () => {
    const dir = tempDir('replay');
    const a = writeRampWav(dir, 'a.wav', 48_000 * 5, 48_000, rampA);
    const src = new WavReplaySource({ files: [a], pace: 'fast' });
    const c = pcmCollector();
    const t0 = Date.now();
    await src.start(c);
    await until(() => c.events.some((e) => e.type === 'ended'));
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(c.samples.length).toBe(48_000 * 5);
    expect(c.blocks[0]!.frames).toBe(4800);
    expect(c.samples[123_456]).toBe(rampA(123_456));
    await src.stop();
  });

  it('refuses a list with mixed sample rates', () => {
    const dir = tempDir('replay');
    const a = writeRampWav(dir, 'a.wav', 100, 48_000, rampA);
    const b = writeRampWav(dir, 'b.wav', 100, 44_100, rampA);
    expect(() => new WavReplaySource({ files: [a, b] })).toThrow(expect.objectContaining({ code: 'EARSHOT_E_CAPTURE_FORMAT' }));
    expect(() => new WavReplaySource({ files: [`${dir}/missing.wav`] })).toThrow(expect.objectContaining({ code: 'EARSHOT_E_FILE_UNREADABLE' }));
  });
});

describe('WAV replay health', () => {
  it('fits the heartbeat even with a long path', async () => {
    const dir = tempDir('replay-with-a-rather-long-folder-name-to-exceed-the-limit');
    const src = new WavReplaySource({ files: [writeRampWav(dir, 'a-long-recording-name-2026-11-24.wav', 10, 8000, rampA)] });
    expect(src.name.length).toBeGreaterThan(64);
    expect(StatusBody.shape.capture.safeParse(src.health()).success).toBe(true);
    await src.stop();
  });
});
