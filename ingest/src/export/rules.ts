/**
 * The rules active for the case's monitors, in plain English for the method
 * section: the config last published to each deployed device (device_configs;
 * only the latest version is kept, so a rule edited during the period shows as it
 * is now), else the service's rules. A rule named by an event but absent from
 * both is listed from what its events say, so no event's rule goes unexplained.
 */
import { Rule as RuleSchema, type Rule as DeviceRule, type Schedule } from '@earshot/shared';
import { z } from 'zod';
import type { Db } from '../db/open.ts';
import type { Rule } from '../bundle/model.ts';

const StoredConfig = z.object({ rules: z.array(RuleSchema) });

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
export function describeRule(r: DeviceRule): Rule {
  const name = `${NAMES[r.type]} (${r.id})`;
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
        thresholdDb: r.permittedLevelDb,
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

export function activeRules(db: Db, deviceIds: readonly string[], serviceRules: readonly DeviceRule[], events: readonly EventRuleRef[]): Rule[] {
  if (deviceIds.length === 0) return [];
  const stored = db.prepare<[string], { config: string }>('SELECT config FROM device_configs WHERE device = ?');
  const byId = new Map<string, Rule>();
  for (const id of deviceIds) {
    const row = stored.get(id);
    const parsed = row === undefined ? null : StoredConfig.safeParse(JSON.parse(row.config));
    for (const r of parsed?.success === true ? parsed.data.rules : []) if (!byId.has(r.id)) byId.set(r.id, describeRule(r));
  }
  if (byId.size === 0) for (const r of serviceRules) byId.set(r.id, describeRule(r));
  for (const e of events) {
    if (e.ruleId === null || byId.has(e.ruleId)) continue;
    byId.set(e.ruleId, { id: e.ruleId, name: e.ruleId, description: `A rule of type "${e.ruleType ?? 'unknown'}" whose settings are no longer on record; its events carry the threshold they crossed.`, thresholdDb: null });
  }
  return [...byId.values()];
}
