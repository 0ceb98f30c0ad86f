/** Impulsive rule: the interval's LAFmax ≥ X dB (door slams, shouting). */
import type { ImpulsiveRule } from '@earshot/shared';
import { DEFAULT_BACKGROUND_SECONDS, compare, type RuleCheck } from './evaluation.ts';

export function impulsiveCheck(rule: ImpulsiveRule): RuleCheck {
  const threshold = rule.thresholdDb;
  return {
    windows: [DEFAULT_BACKGROUND_SECONDS],
    backgroundWindow: DEFAULT_BACKGROUND_SECONDS,
    strict: false,
    evaluate(r, _bank, _background, out) {
      compare(out, r.silent ? null : r.LAFmax, threshold);
    },
  };
}
