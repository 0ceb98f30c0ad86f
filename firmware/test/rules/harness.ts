/** Synthetic interval levels and a driver that feeds them, one per second, to a RuleEngine. */
import { RemoteConfig, type EventEnded, type EventStarted, type RemoteConfigInput, meanSquareOfLevel } from '@earshot/shared';
import type { IntervalLevels } from '../../src/measure/index.ts';
import { RuleEngine, type RuleOutput } from '../../src/rules/index.ts';

export const FS_DB = 120;
export const DEVICE = 'dev-001';
/** 2026-06-01 12:00:00 UTC, a Monday (13:00 BST). */
export const NOON = Date.UTC(2026, 5, 1, 12, 0, 0);

/** One interval's levels: LAeq `la`; LCeq defaults to LAeq, LAFmax to LAeq. */
export interface Spec {
  la: number;
  lc?: number;
  lafMax?: number;
}

/** A 1 s interval whose levels are steady at `spec`, energies consistent with the dB values. */
export function interval(spec: number | Spec | 'silent', index = 0): IntervalLevels {
  const base = { index, startSample: index * 48_000, samples: 48_000, startSeconds: index, durationSeconds: 1, clippedSamples: 0 };
  if (spec === 'silent') {
    return { ...base, LAeq: null, LCeq: null, LZeq: null, LAFmax: null, LAFmin: null, LASmax: null, LCpeak: null, msA: 0, msC: 0, msZ: 0, silent: true };
  }
  const s = typeof spec === 'number' ? { la: spec } : spec;
  const lc = s.lc ?? s.la;
  return {
    ...base,
    LAeq: s.la, LCeq: lc, LZeq: lc, LAFmax: s.lafMax ?? s.la, LAFmin: s.la, LASmax: s.la, LCpeak: lc + 3,
    msA: meanSquareOfLevel(s.la, FS_DB), msC: meanSquareOfLevel(lc, FS_DB), msZ: meanSquareOfLevel(lc, FS_DB), silent: false,
  };
}

export function config(rules: RemoteConfigInput['rules'], version = 1): RemoteConfig {
  return RemoteConfig.parse({ version, rules });
}

/** Feeds intervals at successive seconds from `startMs`, keeping every output. */
export class Driver {
  readonly engine: RuleEngine;
  readonly outputs: RuleOutput[] = [];
  t: number;
  private index = 0;

  constructor(rules: RemoteConfigInput['rules'], startMs = NOON) {
    this.engine = new RuleEngine({ deviceId: DEVICE, config: config(rules), fullScaleDb: FS_DB });
    this.t = startMs;
  }

  /** `seconds` intervals of `spec`; returns what they produced. */
  run(seconds: number, spec: number | Spec | 'silent'): RuleOutput[] {
    const produced: RuleOutput[] = [];
    const r = interval(spec);
    for (let i = 0; i < seconds; i++) {
      r.index = this.index++;
      produced.push(...this.engine.pushInterval(this.t, r));
      this.t += 1_000;
    }
    this.outputs.push(...produced);
    return produced;
  }

  /** Runs until `untilMs` (exclusive). */
  runUntil(untilMs: number, spec: number | Spec | 'silent'): RuleOutput[] {
    return this.run(Math.round((untilMs - this.t) / 1_000), spec);
  }

  keep(outputs: readonly RuleOutput[]): readonly RuleOutput[] {
    this.outputs.push(...outputs);
    return outputs;
  }

  started(): EventStarted[] {
    return this.outputs.filter((o): o is EventStarted => o.kind === 'started');
  }

  ended(): EventEnded[] {
    return this.outputs.filter((o): o is EventEnded => o.kind === 'ended');
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Energy mean of levels (dB): the brute-force reference for LAeq over equal intervals. */
export function energyMeanDb(levels: readonly number[]): number {
  return 10 * Math.log10(levels.reduce((s, l) => s + 10 ** (l / 10), 0) / levels.length);
}

export function only<T>(xs: readonly T[]): T {
  if (xs.length !== 1) throw new Error(`expected exactly one, got ${xs.length}`);
  return xs[0]!;
}
