/**
 * The rules in force for the case's monitors, in plain English for the method
 * section (issue 10): from the history of configs published to each monitor
 * (config-history.ts), each rule's settings with the periods they were in force
 * on each monitor; a rule whose settings changed is listed once per setting and
 * flagged. A rule named by an event but absent from every config is listed from
 * what its events say, so no event's rule goes unexplained.
 */
import type { Rule as DeviceRule, Schedule } from '@earshot/shared';
import type { Rule } from '../bundle/model.ts';
import type { ConfigPeriod } from './config-history.ts';

const NAMES: Readonly<Record<DeviceRule['type'], string>> = {
  absolute: 'Loud noise',
  'background-relative': 'Noise above the background',
  'noise-act-night': 'Noise Act night',
  impulsive: 'Impulsive noise',
  'low-frequency': 'Low-frequency (bass) noise',
};

function span(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

function when(s: Schedule | undefined): string {
  if (s === undefined) return ' At any time of day.';
  const days = s.days.length === 7 ? 'every day' : s.days.join(', ');
  return ` Active ${days}, ${s.start}–${s.end} UK time.`;
}

/** Plain English for one rule, and the level line it draws on the charts (A-weighted rules only). */
export function describeRule(r: DeviceRule, name: string = NAMES[r.type]): Rule {
  switch (r.type) {
    case 'absolute':
      return { id: r.id, name, description: `LAeq over ${span(r.windowSeconds)} at or above ${r.thresholdDb} dB.${when(r.schedule)}`, thresholdDb: r.thresholdDb };
    case 'background-relative':
      return { id: r.id, name, description: `LAeq over ${span(r.windowSeconds)} ${r.deltaDb} dB or more above the background (LAF90 over the ${span(r.backgroundWindowSeconds)} before).${when(r.schedule)}`, thresholdDb: null };
    case 'noise-act-night':
      // Noise Act 1996 ss.4–5; Permitted Level of Noise (England) Directions 2008.
      return {
        id: r.id,
        name,
        description: `LAeq over ${span(r.windowSeconds)} above the permitted level: ${r.permittedLevelDb} dB where the underlying level (LAF90 over the ${span(r.underlyingWindowSeconds)} before) is ${r.underlyingLimitDb} dB or less, otherwise ${r.excessDb} dB above the underlying level (Noise Act 1996 ss.4–5).${when(r.schedule)}`,
        // No fixed line: the permitted level moves with the underlying level, so the charts draw the level
        // each event was judged against (thresholds.ts), never a line at permittedLevelDb (issue 10 item 7).
        thresholdDb: null,
      };
    case 'impulsive':
      return { id: r.id, name, description: `Any LAFmax at or above ${r.thresholdDb} dB within a second (door slams, shouting).${when(r.schedule)}`, thresholdDb: r.thresholdDb };
    case 'low-frequency':
      return { id: r.id, name, description: `Bass: LCeq over ${span(r.windowSeconds)} at or above ${r.lcThresholdDb} dB and ${r.deltaDb} dB or more above LAeq.${when(r.schedule)}`, thresholdDb: null };
  }
}

export interface EventRuleRef {
  readonly ruleId: string | null;
  readonly ruleType: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Rules, one entry per rule id and settings, with the periods each was in force on each monitor. */
export function activeRules(periods: readonly ConfigPeriod[], events: readonly EventRuleRef[]): Rule[] {
  const entries = new Map<string, { rule: DeviceRule; inForce: NonNullable<Rule['inForce']> }>();
  for (const p of periods) {
    for (const r of p.rules) {
      const key = `${r.id}\u0000${JSON.stringify(r)}`;
      let e = entries.get(key);
      if (e === undefined) entries.set(key, (e = { rule: r, inForce: [] }));
      const last = e.inForce.at(-1);
      // Consecutive versions with the same settings are one period.
      if (last !== undefined && last.deviceId === p.deviceId && last.to === iso(p.from)) last.to = iso(p.to);
      else e.inForce.push({ deviceId: p.deviceId, from: iso(p.from), to: iso(p.to), configVersion: p.version, confirmed: p.confirmed });
    }
  }
  const list = [...entries.values()];
  const idsOfType = new Map<string, Set<string>>();
  for (const e of list) idsOfType.set(e.rule.type, (idsOfType.get(e.rule.type) ?? new Set()).add(e.rule.id));
  const settingsOfId = new Map<string, number>();
  for (const e of list) settingsOfId.set(e.rule.id, (settingsOfId.get(e.rule.id) ?? 0) + 1);
  const out: Rule[] = list.map((e) => {
    // The plain name once; the rule's own id only to tell two rules of one type apart.
    const name = idsOfType.get(e.rule.type)!.size > 1 ? `${NAMES[e.rule.type]} ("${e.rule.id}")` : NAMES[e.rule.type];
    const rule = { ...describeRule(e.rule, name), inForce: e.inForce };
    return (settingsOfId.get(e.rule.id) ?? 0) > 1 ? { ...rule, changed: 'The settings of this rule changed during the period: each setting is listed with the times it was in force.' } : rule;
  });
  const known = new Set(list.map((e) => e.rule.id));
  for (const e of events) {
    // Incident marks (no rule type) are the resident's, not a rule's.
    if (e.ruleId === null || e.ruleType === null || known.has(e.ruleId)) continue;
    known.add(e.ruleId);
    out.push({ id: e.ruleId, name: NAMES[e.ruleType as DeviceRule['type']] ?? 'A rule no longer on record', description: `A rule of type "${e.ruleType ?? 'unknown'}" whose settings are no longer on record; its events carry the threshold they crossed.`, thresholdDb: null });
  }
  return out;
}
