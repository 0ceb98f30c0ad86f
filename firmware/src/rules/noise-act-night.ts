/**
 * Noise Act 1996 night rule. s.4: an offence where noise emitted from a dwelling
 * during night hours (s.2(6): 11 p.m. to 7 a.m.) exceeds the permitted level; s.5:
 * the permitted level is set by directions. The Permitted Level of Noise (England)
 * Directions 2008: measured as LAeq over 5 minutes, 34 dB where the underlying level
 * of noise does not exceed 24 dB, otherwise 10 dB above the underlying level.
 * Every figure is configurable (other nations' directions differ).
 *
 * Both the offending LAeq,5min and the underlying LAF90 are read from windows that
 * hold only intervals lying wholly inside the rule's schedule (by default the night
 * hours, s.2(6)), so neither ever includes a second from before 23:00 or from 07:00
 * on: the offending and underlying levels are measured over the same night (the
 * Directions). A night's first reading is therefore its first 5 minutes, 23:00–23:05.
 */
import type { NoiseActNightRule } from '@earshot/shared';
import { backgroundThresholdCheck, type RuleCheck } from './evaluation.ts';
import { compileSchedule } from './schedule.ts';
import { scheduledWindowKey } from './windows.ts';

/** The permitted level for an underlying level (Permitted Level of Noise (England) Directions 2008). */
export function permittedLevel(underlying: number, rule: Pick<NoiseActNightRule, 'permittedLevelDb' | 'underlyingLimitDb' | 'excessDb'>): number {
  return underlying <= rule.underlyingLimitDb ? rule.permittedLevelDb : underlying + rule.excessDb;
}

export function noiseActNightCheck(rule: NoiseActNightRule): RuleCheck {
  // Noise Act 1996 s.4(1)(b): the noise "exceeds" the permitted level (strict).
  const night = compileSchedule(rule.schedule);
  const offending = scheduledWindowKey(rule.windowSeconds, night);
  const underlying = scheduledWindowKey(rule.underlyingWindowSeconds, night);
  return backgroundThresholdCheck(offending, underlying, true, (level) => permittedLevel(level, rule));
}
