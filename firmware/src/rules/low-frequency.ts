/**
 * Low-frequency (bass) rule: LCeq,T − LAeq,T ≥ Δ with LCeq,T ≥ X. The reported
 * level is the difference and the threshold Δ; the condition's margin is the
 * smaller of the two margins, so hysteresis applies to both.
 */
import type { LowFrequencyRule } from '@earshot/shared';
import { DEFAULT_BACKGROUND_SECONDS, marginOf, noReading, type RuleCheck } from './evaluation.ts';

export function lowFrequencyCheck(rule: LowFrequencyRule): RuleCheck {
  const t = rule.windowSeconds;
  const delta = rule.deltaDb;
  const lcMin = rule.lcThresholdDb;
  return {
    windows: [t, DEFAULT_BACKGROUND_SECONDS],
    backgroundWindow: DEFAULT_BACKGROUND_SECONDS,
    strict: false,
    evaluate(_r, bank, _background, out) {
      const lc = bank.LCeq(t);
      const la = bank.LAeq(t);
      if (lc === null || la === null) {
        noReading(out, delta);
        return;
      }
      const difference = lc - la;
      out.level = difference;
      out.threshold = delta;
      out.margin = Math.min(marginOf(difference, delta), marginOf(lc, lcMin));
    },
  };
}
