/**
 * Real synthetic audio through the measurement engine into the rule engine: a
 * 1 kHz tone burst at a known level (DESIGN §2: a sine of peak p reads
 * fullScaleDb + 20·log10 p; A weighting is 0 dB at 1 kHz) over white noise.
 */
import { describe, expect, it } from 'vitest';
import { EventEnded, EventStarted } from '@earshot/shared';
import { LevelEngine } from '../../src/measure/index.ts';
import { RuleEngine, type RuleOutput } from '../../src/rules/index.ts';
import { concat, noise, sine } from '../measure/signals.ts';
import { FS_DB, NOON, config, iso } from './harness.ts';

const RATE = 16_000;
const TONE_DB = 60;

describe('tone burst over background noise, through LevelEngine', () => {
  it('raises one event per rule with the burst\'s LAeq, LAFmax and duration', () => {
    const quiet = (seconds: number, seed: number): Float64Array => noise(seconds * RATE, 1e-4, seed);
    const burst = sine(RATE, 1_000, 20, 10 ** ((TONE_DB - FS_DB) / 20));
    const withNoise = quiet(20, 2);
    for (let i = 0; i < burst.length; i++) burst[i]! += withNoise[i]!;
    const signal = concat(quiet(90, 1), burst, quiet(30, 3));

    const rules = new RuleEngine({
      deviceId: 'flat-12a',
      fullScaleDb: FS_DB,
      config: config([
        { type: 'absolute', id: 'loud', windowSeconds: 1, thresholdDb: 50, mergeGapSeconds: 0 },
        { type: 'background-relative', id: 'rel', windowSeconds: 1, backgroundWindowSeconds: 60, deltaDb: 15, mergeGapSeconds: 0 },
      ]),
    });
    const outputs: RuleOutput[] = [];
    const quietLAeq: number[] = [];
    const engine = new LevelEngine({
      sampleRate: RATE,
      fullScaleDb: FS_DB,
      onTick: (laf) => rules.pushTick(laf),
      onInterval: (r) => {
        if (r.startSeconds < 90 && r.LAeq !== null) quietLAeq.push(r.LAeq);
        outputs.push(...rules.pushInterval(NOON + r.startSeconds * 1_000, r));
      },
    });
    for (let i = 0; i < signal.length; i += 4_096) engine.process(signal, i, Math.min(signal.length, i + 4_096));
    outputs.push(...rules.shutdown());

    const noiseDb = 10 * Math.log10(quietLAeq.reduce((s, l) => s + 10 ** (l / 10), 0) / quietLAeq.length);
    expect(noiseDb).toBeLessThan(TONE_DB - 20);
    const expectedLAeq = 10 * Math.log10(10 ** (TONE_DB / 10) + 10 ** (noiseDb / 10));

    const started = outputs.filter((o) => o.kind === 'started').map((o) => EventStarted.parse(o));
    const ended = outputs.filter((o) => o.kind === 'ended').map((o) => EventEnded.parse(o));
    expect(started.map((s) => s.ruleId)).toEqual(['loud', 'rel']);
    expect(ended.map((e) => e.ruleId)).toEqual(['loud', 'rel']);
    for (const e of ended) {
      expect(e.startedAt).toBe(iso(NOON + 90_000));
      expect(e.endedAt).toBe(iso(NOON + 110_000));
      expect(e.durationSeconds).toBe(20);
      expect(e.reason).toBeUndefined();
      expect(Math.abs(e.LAeq! - expectedLAeq)).toBeLessThan(0.05);
      expect(Math.abs(e.LAFmax! - TONE_DB)).toBeLessThan(0.2);
      // A 1 kHz tone has as much C as A energy.
      expect(Math.abs(e.LCminusLA!)).toBeLessThan(0.1);
    }
    // The relative rule's background is the noise's LAF90 over the minute before the burst.
    const rel = ended[1]!;
    expect(rel.backgroundLAF90).not.toBeNull();
    expect(Math.abs(rel.backgroundLAF90! - noiseDb)).toBeLessThan(0.5);
    expect(rel.threshold).toBeCloseTo(rel.backgroundLAF90! + 15, 2);
  });
});
