/**
 * The retained config the ingest publishes on earshot/v1/<id>/config (DESIGN §4):
 * the nuisance rules, the audio mode and the uplink cadence. The device validates
 * it and reports accept/reject in its next status; a rejected config leaves the
 * previous one in force. Objects are strict: a misspelt field is an error naming
 * its path, never a silently ignored setting.
 */
import { z } from 'zod';
import { describeIssues } from '../envelope.ts';
import type { ErrorInfo } from '../errors.ts';
import { MAX_RECORDS_PER_BATCH } from './levels.ts';

/** A level threshold in dB re 20 µPa; 0–200 covers any room a monitor can sit in. */
const ThresholdDb = z.number().min(0).max(200);
/** A level difference in dB. */
const DeltaDb = z.number().min(0).max(100);
/** A sliding window T, as RollingLevels keeps them (1 s to 24 h). */
const WindowSeconds = z.number().int().min(1).max(86_400);

/**
 * Rule ids end up in event ids `<deviceId>-<epoch ms>-<ruleId>`: 64 + 1 + 13 + 1 + 40 ≤ 128,
 * the EventId bound (schemas/common.ts), in EventId's alphabet.
 */
export const RULE_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;

/** Local wall-clock time "HH:MM"; "24:00" is allowed as an end (the end of the day). */
const TimeOfDay = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a local time "HH:MM" (00:00–24:00)');

/**
 * When a rule is armed, in Europe/London local time. `end` ≤ `start` crosses midnight;
 * such a window belongs to the day it starts on (sat 23:00–07:00 runs into Sunday).
 */
export const Schedule = z.strictObject({
  days: z.array(Weekday).min(1).max(7).default([...WEEKDAYS]),
  start: TimeOfDay,
  end: TimeOfDay,
})
  .refine((s) => s.start !== '24:00', { message: 'a window cannot start at 24:00', path: ['start'] })
  .refine((s) => s.start !== s.end, { message: 'start and end must differ (use 00:00–24:00 for the whole day)', path: ['end'] });
export type Schedule = z.infer<typeof Schedule>;

/** Noise Act 1996 s.2(6): "night hours" are 11 p.m. to the following 7 a.m. */
export const NOISE_ACT_NIGHT: Schedule = { days: [...WEEKDAYS], start: '23:00', end: '07:00' };

/** Fields every rule has: identity, when it is armed, and its event lifecycle. */
function lifecycle(defaults: { minDurationSeconds: number; mergeGapSeconds: number }) {
  return {
    id: z.string().regex(RULE_ID_PATTERN, 'a rule id: a–z, 0–9, _ and - (≤ 40, starting with a letter or digit)'),
    schedule: Schedule.optional(),
    /** Once started, the event holds until the level falls this far below the threshold. */
    hysteresisDb: z.number().min(0).max(30).default(3),
    /** The condition must hold this long before the event is started. */
    minDurationSeconds: z.number().min(0).max(3_600).default(defaults.minDurationSeconds),
    /** A new trigger this soon after the level fell continues the same event. */
    mergeGapSeconds: z.number().min(0).max(3_600).default(defaults.mergeGapSeconds),
    /** No new event of this rule for this long after one ends. */
    cooldownSeconds: z.number().min(0).max(86_400).default(0),
    /** Events of this rule started in any sliding hour; further triggers are counted, not raised. */
    maxEventsPerHour: z.number().int().min(1).max(3_600).default(12),
  };
}

/** LAeq,T ≥ thresholdDb (e.g. LAeq,5min ≥ 35 dB). */
export const AbsoluteRule = z.strictObject({
  type: z.literal('absolute'),
  ...lifecycle({ minDurationSeconds: 0, mergeGapSeconds: 60 }),
  windowSeconds: WindowSeconds.default(300),
  thresholdDb: ThresholdDb,
});

/** LAeq,T ≥ LAF90 of the background window before the event + deltaDb. */
export const BackgroundRelativeRule = z.strictObject({
  type: z.literal('background-relative'),
  ...lifecycle({ minDurationSeconds: 0, mergeGapSeconds: 60 }),
  windowSeconds: WindowSeconds.default(300),
  backgroundWindowSeconds: WindowSeconds.default(1_800),
  deltaDb: DeltaDb.default(10),
});

/**
 * Noise Act 1996 s.4 night offence: noise exceeding the permitted level, which
 * s.5 leaves to directions. The Permitted Level of Noise (England) Directions 2008
 * set it, as LAeq over 5 minutes, at 34 dB where the underlying level of noise does
 * not exceed 24 dB, and otherwise at 10 dB above the underlying level.
 * The underlying level is taken as the LAF90 of `underlyingWindowSeconds` before.
 */
export const NoiseActNightRule = z.strictObject({
  type: z.literal('noise-act-night'),
  ...lifecycle({ minDurationSeconds: 0, mergeGapSeconds: 60 }),
  schedule: Schedule.default(NOISE_ACT_NIGHT),
  // Permitted Level of Noise (England) Directions 2008: LAeq,5min.
  windowSeconds: WindowSeconds.default(300),
  underlyingWindowSeconds: WindowSeconds.default(1_800),
  // Permitted Level of Noise (England) Directions 2008: 34 dB where the underlying level ≤ 24 dB …
  permittedLevelDb: ThresholdDb.default(34),
  underlyingLimitDb: ThresholdDb.default(24),
  // … otherwise 10 dB above the underlying level.
  excessDb: DeltaDb.default(10),
});

/** LAFmax ≥ thresholdDb within a 1 s interval (door slams, shouting). */
export const ImpulsiveRule = z.strictObject({
  type: z.literal('impulsive'),
  ...lifecycle({ minDurationSeconds: 0, mergeGapSeconds: 10 }),
  thresholdDb: ThresholdDb,
});

/** Bass: LCeq,T − LAeq,T ≥ deltaDb with LCeq,T ≥ lcThresholdDb. */
export const LowFrequencyRule = z.strictObject({
  type: z.literal('low-frequency'),
  ...lifecycle({ minDurationSeconds: 0, mergeGapSeconds: 60 }),
  windowSeconds: WindowSeconds.default(60),
  deltaDb: DeltaDb.default(15),
  lcThresholdDb: ThresholdDb,
});

export const Rule = z.discriminatedUnion('type', [AbsoluteRule, BackgroundRelativeRule, NoiseActNightRule, ImpulsiveRule, LowFrequencyRule]);
export type Rule = z.infer<typeof Rule>;
export type RuleType = Rule['type'];
export type AbsoluteRule = z.infer<typeof AbsoluteRule>;
export type BackgroundRelativeRule = z.infer<typeof BackgroundRelativeRule>;
export type NoiseActNightRule = z.infer<typeof NoiseActNightRule>;
export type ImpulsiveRule = z.infer<typeof ImpulsiveRule>;
export type LowFrequencyRule = z.infer<typeof LowFrequencyRule>;

export const RULE_TYPES: readonly RuleType[] = ['absolute', 'background-relative', 'noise-act-night', 'impulsive', 'low-frequency'];

/** Issue #3: per-deployment audio mode; clips are the only audio ever kept. */
export const AudioMode = z.enum(['off', 'button-only', 'on-event']);
export type AudioMode = z.infer<typeof AudioMode>;

/**
 * Issue #16: whether the monitor measures 1/3-octave bands and sends them with its 1 s
 * records (`Z3`, DESIGN §3 "Bands"). A config without the field asks for none.
 */
export const BandsMode = z.enum(['third-octave', 'off']);
export type BandsMode = z.infer<typeof BandsMode>;

/** A device runs a handful of rules; 32 bounds the per-second work. */
export const MAX_RULES = 32;

export const RemoteConfig = z.strictObject({
  version: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  rules: z.array(Rule).max(MAX_RULES).superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', message: `duplicate rule id "${r.id}"`, path: [i, 'id'] });
      seen.add(r.id);
    });
  }),
  audio: z.strictObject({
    mode: AudioMode.default('on-event'),
    // Issue #3: a 10 s pre-trigger ring, up to 60 s of event, 5 s post-roll.
    preTriggerSeconds: z.number().min(0).max(60).default(10),
    maxSeconds: z.number().min(1).max(600).default(60),
    postRollSeconds: z.number().min(0).max(60).default(5),
  }).prefault({}),
  // Issue #3: 1 s level records batched 10 per message by default.
  levelsBatch: z.number().int().min(1).max(MAX_RECORDS_PER_BATCH).default(10),
  // Issue #3: a heartbeat every 60 s by default.
  heartbeatSeconds: z.number().int().min(10).max(3_600).default(60),
  // Issue #16: deployments' configs ask for bands (ingest/src/service/device-config.ts); a bare config does not.
  bands: BandsMode.default('off'),
});
export type RemoteConfig = z.infer<typeof RemoteConfig>;
export type RemoteConfigInput = z.input<typeof RemoteConfig>;

export type ConfigParse = { ok: true; config: RemoteConfig } | { ok: false; error: ErrorInfo };

/**
 * Validates a config value. An unknown rule type is EARSHOT_E_RULE_UNKNOWN, anything
 * else EARSHOT_E_CONFIG_INVALID; the detail names the path (e.g. "rules.1.thresholdDb: …").
 */
export function parseRemoteConfig(value: unknown): ConfigParse {
  const unknownType = findUnknownRuleType(value);
  if (unknownType !== null) return { ok: false, error: { code: 'EARSHOT_E_RULE_UNKNOWN', detail: unknownType } };
  const parsed = RemoteConfig.safeParse(value);
  if (!parsed.success) return { ok: false, error: { code: 'EARSHOT_E_CONFIG_INVALID', detail: describeIssues(parsed.error) } };
  return { ok: true, config: parsed.data };
}

/** Validates the raw payload of the retained config topic (UTF-8 JSON). */
export function parseRemoteConfigPayload(payload: Uint8Array | string): ConfigParse {
  const text = typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: 'EARSHOT_E_CONFIG_INVALID', detail: '(root): not JSON' } };
  }
  return parseRemoteConfig(value);
}

/** "rules.N.type: \"name\"" for the first rule whose type is a string we do not know. */
function findUnknownRuleType(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || !('rules' in value) || !Array.isArray(value.rules)) return null;
  const rules: unknown[] = value.rules;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (typeof r !== 'object' || r === null || !('type' in r) || typeof r.type !== 'string') continue;
    if (!(RULE_TYPES as readonly string[]).includes(r.type)) return `rules.${i}.type: "${r.type.slice(0, 64)}" (known: ${RULE_TYPES.join(', ')})`;
  }
  return null;
}
