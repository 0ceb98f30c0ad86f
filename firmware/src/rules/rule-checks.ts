/** The check for each rule type (one file per type). */
import type { Rule } from '@earshot/shared';
import { absoluteCheck } from './absolute.ts';
import { backgroundRelativeCheck } from './background-relative.ts';
import type { RuleCheck } from './evaluation.ts';
import { impulsiveCheck } from './impulsive.ts';
import { lowFrequencyCheck } from './low-frequency.ts';
import { noiseActNightCheck } from './noise-act-night.ts';

export function ruleCheck(rule: Rule): RuleCheck {
  switch (rule.type) {
    case 'absolute': return absoluteCheck(rule);
    case 'background-relative': return backgroundRelativeCheck(rule);
    case 'noise-act-night': return noiseActNightCheck(rule);
    case 'impulsive': return impulsiveCheck(rule);
    case 'low-frequency': return lowFrequencyCheck(rule);
  }
}
