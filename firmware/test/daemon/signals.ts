/** Synthetic audio for the monitor and daemon tests: tones at known levels, cut into capture blocks. */
import { meanSquareOfLevel } from '@earshot/shared';
import type { PcmFormat } from '../../src/audio/index.ts';
import type { PcmBlock } from '../../src/capture/index.ts';

export const FS_DB = 120;
export const RATE = 16_000;
export const FORMAT: PcmFormat = { encoding: 'int', bitsPerSample: 16, channels: 1, sampleRate: RATE };

/** A piece of the scene: `seconds` of a sine at `hz` whose level (Z, unweighted) is `db`, or silence. */
export interface Part {
  seconds: number;
  hz?: number;
  db?: number;
}

/** DESIGN §2: a sine of level L has peak √(2·ms(L)). Each part adds over a quiet 1 kHz floor at `floorDb`. */
export function scene(parts: readonly Part[], floorDb: number | null = 40, rate = RATE): Float64Array {
  const total = parts.reduce((s, p) => s + Math.round(p.seconds * rate), 0);
  const out = new Float64Array(total);
  const floor = floorDb === null ? 0 : Math.sqrt(2 * meanSquareOfLevel(floorDb, FS_DB));
  let at = 0;
  for (const p of parts) {
    const n = Math.round(p.seconds * rate);
    const peak = p.db === undefined ? 0 : Math.sqrt(2 * meanSquareOfLevel(p.db, FS_DB));
    const w = (2 * Math.PI * (p.hz ?? 1000)) / rate;
    for (let i = 0; i < n; i++) {
      const k = at + i;
      out[k] = floor * Math.sin((2 * Math.PI * 1000 * k) / rate) + peak * Math.sin(w * k);
    }
    at += n;
  }
  return out;
}

/**
 * Cuts samples into blocks as a capture source delivers them: one reused block
 * object, `startedAtMs` = start + frame offset, `discontinuity` on the first.
 */
export function* blocks(samples: Float64Array, startMs: number, blockFrames: number, rate = RATE, firstIsDiscontinuity = true): Generator<PcmBlock> {
  const b: PcmBlock = { samples: new Float64Array(blockFrames), frames: 0, format: { ...FORMAT, sampleRate: rate }, startedAtMs: 0, startFrame: 0, discontinuity: false };
  for (let at = 0; at < samples.length; at += blockFrames) {
    const n = Math.min(blockFrames, samples.length - at);
    b.samples.set(samples.subarray(at, at + n));
    b.frames = n;
    b.startFrame = at;
    b.startedAtMs = startMs + (at * 1000) / rate;
    b.discontinuity = firstIsDiscontinuity && at === 0;
    yield b;
  }
}
