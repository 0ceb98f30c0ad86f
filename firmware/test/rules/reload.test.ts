/** Hot reload and shutdown: open events of changed or removed rules end with their reason. */
import { describe, expect, it } from 'vitest';
import { EventEnded } from '@earshot/shared';
import { Driver, NOON, config, iso, only } from './harness.ts';

const loud = { type: 'absolute' as const, id: 'loud', windowSeconds: 1, thresholdDb: 50, mergeGapSeconds: 0 };
const slam = { type: 'impulsive' as const, id: 'slam', thresholdDb: 80, mergeGapSeconds: 0 };

describe('reconfigure', () => {
  it('keeps an unchanged rule and its open event', () => {
    const d = new Driver([loud]);
    d.run(5, 55);
    expect(d.keep(d.engine.reconfigure(config([loud, slam], 2)))).toEqual([]);
    expect(d.engine.config.version).toBe(2);
    d.run(5, 55);
    d.run(1, 40);
    const ended = only(d.ended());
    expect(ended.durationSeconds).toBe(10);
    expect(ended.reason).toBeUndefined();
  });

  it('ends the open event of a changed rule with reason "reconfigured", and the new settings apply', () => {
    const d = new Driver([loud, slam]);
    d.run(5, 55);
    const out = d.keep(d.engine.reconfigure(config([{ ...loud, thresholdDb: 60 }, slam], 2)));
    const ended = EventEnded.parse(only(out));
    expect(ended).toMatchObject({ ruleId: 'loud', reason: 'reconfigured', endedAt: iso(NOON + 5_000), durationSeconds: 5 });
    d.run(5, 55);
    expect(d.started()).toHaveLength(1);
    d.run(1, 61);
    expect(d.started()).toHaveLength(2);
    expect(d.started()[1]!.threshold).toBe(60);
  });

  it('ends the open event of a removed rule', () => {
    const d = new Driver([loud, slam]);
    d.run(2, { la: 55, lafMax: 90 });
    const out = d.keep(d.engine.reconfigure(config([loud], 2)));
    expect(only(out)).toMatchObject({ kind: 'ended', ruleId: 'slam', reason: 'reconfigured' });
    expect(d.engine.openEventIds()).toEqual([d.started()[0]!.eventId]);
  });

  it('keeps the history of windows the new config still uses (no new warm-up)', () => {
    const rel = { type: 'background-relative' as const, id: 'rel', windowSeconds: 60, backgroundWindowSeconds: 1_800, deltaDb: 10 };
    const d = new Driver([rel]);
    d.run(1_800, 30);
    d.keep(d.engine.reconfigure(config([rel, slam], 2)));
    d.run(60, 46);
    expect(only(d.started()).threshold).toBe(40);
  });

  it('keeps the suppressed-trigger counts of a rule across a reload', () => {
    const capped = { ...loud, maxEventsPerHour: 1 };
    const d = new Driver([capped]);
    d.run(2, 55);
    d.run(5, 40);
    d.run(2, 55);
    d.keep(d.engine.reconfigure(config([{ ...capped, hysteresisDb: 2 }], 2)));
    expect(d.engine.suppressedTriggers()).toEqual({ loud: { cooldown: 0, hourlyCap: 1 } });
  });
});

describe('shutdown', () => {
  it('ends every open event with reason "shutdown" and drops one not yet started', () => {
    const d = new Driver([loud, { ...slam, minDurationSeconds: 5 }]);
    d.run(3, { la: 55, lafMax: 90 });
    expect(d.started().map((s) => s.ruleId)).toEqual(['loud']);
    const out = d.keep(d.engine.shutdown());
    expect(only(out)).toMatchObject({ kind: 'ended', ruleId: 'loud', reason: 'shutdown', durationSeconds: 3, endedAt: iso(NOON + 3_000) });
    expect(d.engine.openEventIds()).toEqual([]);
    expect(d.engine.shutdown()).toEqual([]);
  });
});
