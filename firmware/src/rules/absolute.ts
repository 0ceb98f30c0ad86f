/** Absolute rule: LAeq,T ≥ X dB (e.g. LAeq,5min ≥ 35 dB). */
import type { AbsoluteRule } from '@earshot/shared';
import { DEFAULT_BACKGROUND_SECONDS, compare, type RuleCheck } from './evaluation.ts';

export function absoluteCheck(rule: AbsoluteRule): RuleCheck {
  const t = rule.windowSeconds;
  const threshold = rule.thresholdDb;
  return {
    windows: [t, DEFAULT_BACKGROUND_SECONDS],
    backgroundWindow: DEFAULT_BACKGROUND_SECONDS,
    strict: false,
    evaluate(_r, bank, _background, out) {
      compare(out, bank.LAeq(t), threshold);
    },
  };
}
