/** An event open for more than 7 days (the EventEnded schema's durationSeconds limit) is split into parts the schema accepts. */
import { describe, expect, it } from 'vitest';
import { EventEnded, EventStarted } from '@earshot/shared';
import { Driver, NOON, iso } from './harness.ts';

const WEEK_S = 7 * 86_400;
const rule = { type: 'absolute' as const, id: 'loud', windowSeconds: 1, thresholdDb: 50, hysteresisDb: 3, minDurationSeconds: 0, mergeGapSeconds: 0, cooldownSeconds: 60 };

describe('events longer than 7 days', () => {
  it('ends at 7 days with reason max-duration and goes on as a continuation, every body valid', { timeout: 180_000 }, () => {
    const d = new Driver([rule]);
    d.run(WEEK_S + 3_600, 55);
    d.run(1, 40);
    const ended = d.ended();
    const started = d.started();
    for (const e of ended) expect(EventEnded.safeParse(e).success, JSON.stringify(e)).toBe(true);
    for (const s of started) expect(EventStarted.safeParse(s).success).toBe(true);
    expect(started).toHaveLength(2);
    expect(ended.map((e) => [e.startedAt, e.endedAt, e.durationSeconds, e.reason])).toEqual([
      [iso(NOON), iso(NOON + WEEK_S * 1_000), WEEK_S, 'max-duration'],
      [iso(NOON + WEEK_S * 1_000), iso(NOON + (WEEK_S + 3_600) * 1_000), 3_600, undefined],
    ]);
    // The continuation starts the moment the first part ends (no cooldown between), names the part it continues, and keeps its threshold.
    expect(started[1]).toMatchObject({ startedAt: iso(NOON + WEEK_S * 1_000), continues: started[0]!.eventId, threshold: 50, level: 55 });
    expect(ended[1]!.eventId).toBe(started[1]!.eventId);
    expect(ended[0]!.LAeq).toBe(55);
  });
});
