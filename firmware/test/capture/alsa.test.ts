import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StatusBody } from '@earshot/shared';
import { describe, expect, it } from 'vitest';
import { AlsaSource, type AlsaOptions } from '../../src/capture/alsa.ts';
import { pcmCollector as collect, until } from './helpers.ts';

const FAKE = fileURLToPath(new URL('./fixtures/fake-arecord.mjs', import.meta.url));
const pattern = (i: number, c: number): number => ((i * 37 + c * 1000) % 20000) - 10000;

function fake(env: Record<string, string>, o: Partial<AlsaOptions> = {}): AlsaSource {
  return new AlsaSource({
    device: 'hw:9,0', sampleRate: 8000, sampleFormat: 'S16_LE', channels: 2, channel: 1, blockFrames: 500,
    command: process.execPath, commandArgs: [FAKE], env: { ...process.env, ...env }, ...o,
  });
}

describe('ALSA source (arecord as a real child process)', () => {
  it('passes the device, format, rate and channels to arecord', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'earshot-alsa-')), 'args.log');
    const c = collect();
    const src = fake({ FAKE_FRAMES: '500', FAKE_ARGS_LOG: log }, { sampleFormat: 'S32_LE', sampleRate: 48000, device: 'plughw:CARD=mic', extraArgs: ['--buffer-time=500000'] });
    await src.start(c);
    await until(() => c.blocks.length === 1);
    await src.stop();
    expect(readFileSync(log, 'utf8').trim()).toBe('-q -D plughw:CARD=mic -t raw -f S32_LE -r 48000 -c 2 --buffer-time=500000');
  });

  it('decodes the selected channel exactly, whatever way the pipe splits frames', async () => {
    const c = collect();
    const src = fake({ FAKE_FRAMES: '4000', FAKE_CHUNK: '7' });
    await src.start(c);
    await until(() => c.samples.length >= 4000);
    await src.stop();
    expect(c.blocks.map((b) => b.frames)).toEqual(Array(8).fill(500));
    expect(c.blocks.map((b) => b.startFrame)).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000, 3500]);
    expect(c.blocks.map((b) => b.discontinuity)).toEqual([true, false, false, false, false, false, false, false]);
    for (let i = 0; i < 4000; i++) {
      if (c.samples[i] !== pattern(i, 1) / 32768) throw new Error(`sample ${i}: ${c.samples[i]} ≠ ${pattern(i, 1) / 32768}`);
    }
    // Block times follow the sample count: 500 frames at 8 kHz = 62.5 ms apart.
    expect(c.blocks[3]!.startedAtMs - c.blocks[2]!.startedAtMs).toBeCloseTo(62.5, 6);
    expect(src.health()).toEqual({ source: 'alsa:hw:9,0', restarts: 0, lastError: null });
  });

  it('reads S32_LE', async () => {
    const c = collect();
    const src = fake({ FAKE_FRAMES: '1000', FAKE_CHUNK: '13' }, { sampleFormat: 'S32_LE', channel: 0 });
    expect(src.format).toEqual({ encoding: 'int', bitsPerSample: 32, channels: 2, sampleRate: 8000 });
    await src.start(c);
    await until(() => c.samples.length >= 1000);
    await src.stop();
    expect(c.samples.slice(0, 1000)).toEqual(Array.from({ length: 1000 }, (_, i) => (pattern(i, 0) * 65536) / 2147483648));
  });

  it('restarts arecord with backoff when it dies, reporting the restart and its last stderr line', async () => {
    const c = collect();
    // 750 frames = one whole block and half a block; the half is dropped at the restart.
    const src = fake({ FAKE_FRAMES: '750', FAKE_EXIT_CODE: '1', FAKE_STDERR: 'arecord: pcm_read:2221: read error: No such device' }, { backoff: { initialMs: 20, maxMs: 40 } });
    await src.start(c);
    await until(() => c.events.filter((e) => e.type === 'restarting').length >= 3);
    await src.stop();
    const restarts = c.events.filter((e) => e.type === 'restarting');
    expect(restarts.map((e) => (e.type === 'restarting' ? e.delayMs : 0)).slice(0, 3)).toEqual([20, 40, 40]);
    const first = restarts[0]!;
    expect(first.type === 'restarting' && first.error.code).toBe('EARSHOT_E_CAPTURE_FAILED');
    expect(first.type === 'restarting' && first.error.detail).toBe('arecord exited with code 1: arecord: pcm_read:2221: read error: No such device');
    expect(c.events.filter((e) => e.type === 'started').length).toBeGreaterThanOrEqual(3);
    const h = src.health();
    expect(h.restarts).toBeGreaterThanOrEqual(3);
    expect(h.lastError).toContain('No such device');
    // The heartbeat carries it as is.
    expect(StatusBody.shape.capture.safeParse(h).success).toBe(true);
    // Each run delivers its whole block, flagged as a discontinuity; the stray half block never leaks out.
    const runs = c.blocks.filter((b) => b.discontinuity);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(c.blocks.every((b) => b.discontinuity)).toBe(true);
    expect(c.samples.slice(500, 1000)).toEqual(c.samples.slice(0, 500));
  });

  it('reports a missing executable as a restart, not a crash', async () => {
    const c = collect();
    const src = new AlsaSource({ device: 'default', sampleRate: 48000, sampleFormat: 'S16_LE', channels: 1, channel: 0, command: '/nonexistent/arecord', backoff: { initialMs: 10_000 } });
    await src.start(c);
    await until(() => c.events.some((e) => e.type === 'restarting'));
    await src.stop();
    expect(src.health().lastError).toMatch(/cannot run \/nonexistent\/arecord: .*ENOENT/);
  });

  it('stop kills arecord and nothing is delivered afterwards', async () => {
    const c = collect();
    const src = fake({ FAKE_FRAMES: '500' });
    await src.start(c);
    await until(() => c.blocks.length === 1);
    await src.stop();
    const n = c.events.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(c.events.length).toBe(n);
    expect(c.events.some((e) => e.type === 'restarting')).toBe(false);
  });
});
