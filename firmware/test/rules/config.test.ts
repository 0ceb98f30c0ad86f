/** The retained config schema: defaults, bounds, and errors that name the path. */
import { describe, expect, it } from 'vitest';
import { formatError, parseRemoteConfig, parseRemoteConfigPayload } from '@earshot/shared';

function rejected(value: unknown): { code: string; detail: string } {
  const r = parseRemoteConfig(value);
  if (r.ok) throw new Error('expected a rejection');
  return r.error;
}

describe('RemoteConfig', () => {
  it('fills in the documented defaults', () => {
    const r = parseRemoteConfig({ version: 3, rules: [{ type: 'noise-act-night', id: 'night' }, { type: 'impulsive', id: 'slam', thresholdDb: 80 }] });
    if (!r.ok) throw new Error(r.error.detail);
    expect(r.config.audio).toEqual({ mode: 'on-event', preTriggerSeconds: 10, maxSeconds: 60, postRollSeconds: 5 });
    expect(r.config.levelsBatch).toBe(10);
    expect(r.config.heartbeatSeconds).toBe(60);
    const night = r.config.rules[0]!;
    expect(night).toMatchObject({ windowSeconds: 300, permittedLevelDb: 34, underlyingLimitDb: 24, excessDb: 10, hysteresisDb: 3, maxEventsPerHour: 12 });
    expect(night.schedule).toEqual({ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '23:00', end: '07:00' });
    expect(r.config.rules[1]!.schedule).toBeUndefined();
  });

  it('rejects an unknown rule type with EARSHOT_E_RULE_UNKNOWN naming the rule', () => {
    const e = rejected({ version: 1, rules: [{ type: 'absolute', id: 'a', thresholdDb: 35 }, { type: 'tonal', id: 'b' }] });
    expect(e.code).toBe('EARSHOT_E_RULE_UNKNOWN');
    expect(e.detail).toContain('rules.1.type');
    expect(e.detail).toContain('"tonal"');
    expect(formatError('EARSHOT_E_RULE_UNKNOWN', e.detail)).toMatch(/^unknown nuisance rule type: rules\.1\.type/);
  });

  it.each([
    ['a threshold out of range', { version: 1, rules: [{ type: 'absolute', id: 'a', thresholdDb: 500 }] }, 'rules.0.thresholdDb'],
    ['a missing threshold', { version: 1, rules: [{ type: 'impulsive', id: 'a' }] }, 'rules.0.thresholdDb'],
    ['a misspelt field', { version: 1, rules: [{ type: 'absolute', id: 'a', thresholdDB: 35 }] }, 'rules.0'],
    ['a duplicate rule id', { version: 1, rules: [{ type: 'impulsive', id: 'a', thresholdDb: 80 }, { type: 'impulsive', id: 'a', thresholdDb: 90 }] }, 'rules.1.id'],
    ['a rule id outside the event-id alphabet', { version: 1, rules: [{ type: 'impulsive', id: 'Door Slam', thresholdDb: 80 }] }, 'rules.0.id'],
    ['a bad local time', { version: 1, rules: [{ type: 'impulsive', id: 'a', thresholdDb: 80, schedule: { start: '25:00', end: '07:00' } }] }, 'rules.0.schedule.start'],
    ['an empty schedule window', { version: 1, rules: [{ type: 'impulsive', id: 'a', thresholdDb: 80, schedule: { start: '07:00', end: '07:00' } }] }, 'rules.0.schedule.end'],
    ['an unknown weekday', { version: 1, rules: [{ type: 'impulsive', id: 'a', thresholdDb: 80, schedule: { days: ['fri', 'caturday'], start: '22:00', end: '02:00' } }] }, 'rules.0.schedule.days.1'],
    ['a negative version', { version: -1, rules: [] }, 'version'],
    ['no rules array', { version: 1 }, 'rules'],
    ['a bad audio mode', { version: 1, rules: [], audio: { mode: 'always' } }, 'audio.mode'],
    ['a zero batch', { version: 1, rules: [], levelsBatch: 0 }, 'levelsBatch'],
    ['a per-hour cap of zero', { version: 1, rules: [{ type: 'impulsive', id: 'a', thresholdDb: 80, maxEventsPerHour: 0 }] }, 'rules.0.maxEventsPerHour'],
  ])('rejects %s with EARSHOT_E_CONFIG_INVALID naming the path', (_name, value, path) => {
    const e = rejected(value);
    expect(e.code).toBe('EARSHOT_E_CONFIG_INVALID');
    expect(e.detail.startsWith(`${path}:`) || e.detail.includes(`; ${path}:`)).toBe(true);
  });

  it('reads the retained topic payload, and names a payload that is not JSON', () => {
    const ok = parseRemoteConfigPayload(Buffer.from('{"version":2,"rules":[],"audio":{"mode":"off"}}'));
    expect(ok.ok && ok.config.audio.mode).toBe('off');
    const bad = parseRemoteConfigPayload(Buffer.from('{"version":2,'));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toEqual({ code: 'EARSHOT_E_CONFIG_INVALID', detail: '(root): not JSON' });
  });
});
