/**
 * Golden recordings: the engine's per-second levels of real recorded sound against
 * an independent reference (reference_levels.py: frequency-domain Annex E
 * weighting with numpy/scipy; its output is expected.json). Issue bar: LAeq
 * within 0.05 dB, LAFmax within 0.1 dB.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readWavChannel } from '../../src/audio/index.ts';
import { type IntervalLevels, LevelEngine } from '../../src/measure/index.ts';

const here = dirname(fileURLToPath(import.meta.url));

interface Expected {
  fullScaleDb: number;
  recordings: {
    file: string;
    channel: number;
    sampleRate: number;
    intervals: { start: number; LAeq: number; LCeq: number; LZeq: number; LAFmax: number }[];
  }[];
}

const expected = JSON.parse(readFileSync(join(here, 'expected.json'), 'utf8')) as Expected;

describe('golden recordings against the independent reference', () => {
  for (const rec of expected.recordings) {
    it(`${rec.file} channel ${rec.channel}: per-second LAeq/LCeq within 0.05 dB, LAFmax within 0.1 dB`, () => {
      const { format, samples } = readWavChannel(join(here, 'recordings', rec.file), rec.channel);
      expect(format.sampleRate).toBe(rec.sampleRate);
      const got: IntervalLevels[] = [];
      const engine = new LevelEngine({ sampleRate: format.sampleRate, fullScaleDb: expected.fullScaleDb, onInterval: (r) => got.push({ ...r }) });
      engine.process(samples);
      engine.flush();
      expect(got).toHaveLength(rec.intervals.length);
      rec.intervals.forEach((want, i) => {
        const r = got[i]!;
        expect(r.startSeconds).toBeCloseTo(want.start, 6);
        expect(Math.abs(r.LAeq! - want.LAeq), `LAeq at ${want.start} s`).toBeLessThanOrEqual(0.05);
        expect(Math.abs(r.LCeq! - want.LCeq), `LCeq at ${want.start} s`).toBeLessThanOrEqual(0.05);
        expect(Math.abs(r.LZeq! - want.LZeq), `LZeq at ${want.start} s`).toBeLessThanOrEqual(0.01);
        expect(Math.abs(r.LAFmax! - want.LAFmax), `LAFmax at ${want.start} s`).toBeLessThanOrEqual(0.1);
      });
    });
  }
});
