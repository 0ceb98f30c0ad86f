/** Test helpers for capture sources: a sink that keeps copies, WAV files in a temp dir. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LevelRecord } from '@earshot/shared';
import { encodeWav } from '../../src/audio/index.ts';
import type { CaptureEvent, LevelSink, PcmSink } from '../../src/capture/types.ts';

export interface PcmCollector extends PcmSink {
  samples: number[];
  blocks: { frames: number; startFrame: number; discontinuity: boolean; startedAtMs: number }[];
  events: CaptureEvent[];
}

export function pcmCollector(): PcmCollector {
  const c: PcmCollector = {
    samples: [],
    blocks: [],
    events: [],
    block: (b) => {
      c.blocks.push({ frames: b.frames, startFrame: b.startFrame, discontinuity: b.discontinuity, startedAtMs: b.startedAtMs });
      for (let i = 0; i < b.frames; i++) c.samples.push(b.samples[i]!);
    },
    event: (e) => c.events.push(e),
  };
  return c;
}

export interface LevelCollector extends LevelSink {
  records: LevelRecord[];
  events: CaptureEvent[];
}

export function levelCollector(): LevelCollector {
  const c: LevelCollector = { records: [], events: [], record: (r) => c.records.push(r), event: (e) => c.events.push(e) };
  return c;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `earshot-${prefix}-`));
}

/** Writes a 16-bit mono WAV whose sample i is `value(i)` (exact in int16). */
export function writeRampWav(dir: string, name: string, frames: number, sampleRate: number, value: (i: number) => number): string {
  const s = new Float64Array(frames);
  for (let i = 0; i < frames; i++) s[i] = value(i);
  const path = join(dir, name);
  writeFileSync(path, encodeWav(s, { encoding: 'int', bitsPerSample: 16, sampleRate }));
  return path;
}

export async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
