/**
 * `earshot-device run` SIGKILLed (a power cut) with an event open (issue 18):
 * at most the second in progress is lost — every 1 s record is journaled as it
 * is made — and at the next start the open event is ended "interrupted by
 * restart" with the statistics journaled, at the end of the last second measured.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventEnded, EventStarted, RemoteConfigInput } from '@earshot/shared';
import { type Child, device } from './child.ts';
import { type Cleanups, Ingest, brokerAndDevice, waitFor } from './peers.ts';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const REMOTE: RemoteConfigInput = {
  version: 1,
  // Always on over the 40 dB floor (slams of 95 dB every 3 s): open when the monitor dies.
  rules: [{ type: 'absolute', id: 'loud', windowSeconds: 1, thresholdDb: 35 }],
  audio: { mode: 'off' },
  levelsBatch: 10,
  heartbeatSeconds: 10,
};

function run(configFile: string): Child {
  const c = device('run', '--config', configFile);
  cleanups.push(async () => {
    if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    await c.exited;
  });
  return c;
}

describe('earshot-device run, SIGKILLed', () => {
  it('loses at most the second in progress and ends the open event at restart with its statistics', async () => {
    const { broker, dev } = await brokerAndDevice(cleanups, REMOTE, { loop: true, pace: 'realtime' });
    const ingest = new Ingest(dev.publicKey);
    broker.store = (topic, payload) => ingest.receive(topic, payload);

    const first = run(dev.configFile);
    await waitFor('an open "loud" event and a second heartbeat', () => ingest.events().some((e) => e.kind === 'started') && ingest.statuses().length >= 2, 30_000);
    // Half way between heartbeats (each sends the levels waiting): a batch of the wire is in progress.
    await sleep(5_500);
    first.proc.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const killedAt = Date.now();

    const second = run(dev.configFile);
    await waitFor('the interrupted event ended and levels of the second run', () =>
      ingest.events().some((e) => e.kind === 'ended') && ingest.levels().some((b) => Date.parse(b.records[0]!.t) > killedAt), 30_000);
    await sleep(1_000);
    second.proc.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(ingest.bad).toEqual([]);

    const recs = ingest.levels().flatMap((b) => b.records).sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
    const before = recs.filter((r) => Date.parse(r.t) < killedAt);
    const lastBefore = before[before.length - 1]!;
    const lastEnd = Date.parse(lastBefore.t) + lastBefore.d * 1000;
    // At most the second being measured (plus one 100 ms capture block) is lost.
    expect(killedAt - lastEnd).toBeLessThan(1_250);
    // Back to back up to the kill.
    for (let i = 1; i < before.length; i++) expect(Date.parse(before[i]!.t)).toBe(Date.parse(before[i - 1]!.t) + before[i - 1]!.d * 1000);

    const events = ingest.events();
    const started = events.find((e): e is EventStarted => e.kind === 'started' && Date.parse(e.startedAt) < killedAt)!;
    const ended = events.filter((e): e is EventEnded => e.kind === 'ended' && e.eventId === started.eventId);
    expect(ended).toHaveLength(1);
    const e = ended[0]!;
    expect(e.reason).toBe('interrupted-by-restart');
    // Ended at the end of the last second measured (and journaled) before the kill.
    expect(Math.abs(Date.parse(e.endedAt) - lastEnd)).toBeLessThanOrEqual(1);
    expect(e.durationSeconds).toBeCloseTo((Date.parse(e.endedAt) - Date.parse(e.startedAt)) / 1000, 2);
    // Its statistics are those of the seconds it covered: the slams' maxima, the energy mean of the records.
    const covered = before.filter((r) => Date.parse(r.t) >= Date.parse(e.startedAt));
    expect(e.LAFmax).toBe(Math.max(...covered.map((r) => r.LAFmax ?? -1)));
    const laeq = 10 * Math.log10(covered.reduce((s, r) => s + 10 ** ((r.LAeq ?? 0) / 10), 0) / covered.length);
    expect(e.LAeq!).toBeCloseTo(laeq, 1);
  }, 90_000);
});
