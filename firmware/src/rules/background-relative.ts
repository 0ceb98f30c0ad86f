/** Background-relative rule: LAeq,T ≥ LAF90 of the background window before the event + Δ. */
import type { BackgroundRelativeRule } from '@earshot/shared';
import { backgroundThresholdCheck, type RuleCheck } from './evaluation.ts';

export function backgroundRelativeCheck(rule: BackgroundRelativeRule): RuleCheck {
  const delta = rule.deltaDb;
  return backgroundThresholdCheck(rule.windowSeconds, rule.backgroundWindowSeconds, false, (background) => background + delta);
}
