/**
 * `earshot-device run` as a real child process on a looped WAV paced in real
 * time: SIGKILLed while the broker is down, started again once it is back, and
 * finally stopped with SIGTERM. Every seq arrives once after dedupe, the level
 * records have no hole but the time the process was dead, and no event is lost.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
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
  rules: [
    { type: 'impulsive', id: 'slam', thresholdDb: 80, mergeGapSeconds: 1 },
    { type: 'absolute', id: 'loud', windowSeconds: 1, thresholdDb: 35 },
  ],
  audio: { mode: 'off' },
  // One record per message: a kill loses at most the second in progress.
  levelsBatch: 1,
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

describe('earshot-device run', () => {
  it('loses nothing when SIGKILLed with the broker down, and stops cleanly on SIGTERM', async () => {
    const { broker, dev } = await brokerAndDevice(cleanups, REMOTE, { loop: true, pace: 'realtime' });
    // The broker hands every device publish to the test's ingest before acknowledging it (stored, then PUBACK).
    const ingest = new Ingest(dev.publicKey);
    broker.store = (topic, payload) => ingest.receive(topic, payload);

    const first = run(dev.configFile);
    await waitFor('three level records from the first run', () => ingest.levels().length >= 3, 20_000);
    await broker.stop();
    const downAt = Date.now();
    // Still measuring, into the journal only.
    await sleep(2_500);
    first.proc.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const killedAt = Date.now();
    const heardBeforeRestart = ingest.levels().flatMap((b) => b.records).length;

    await broker.start();
    const second = run(dev.configFile);
    const restartedAt = Date.now();
    await waitFor('levels from the second run', () => ingest.levels().some((b) => Date.parse(b.records[0]!.t) > killedAt), 20_000);
    // The backlog journaled while the broker was down has been delivered too.
    expect(ingest.levels().flatMap((b) => b.records).length).toBeGreaterThan(heardBeforeRestart + 2);
    await sleep(1_500);
    second.proc.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });

    const unique = ingest.unique();
    expect(ingest.bad).toEqual([]);
    expect(unique.map((s) => s.seq)).toEqual(unique.map((_, i) => i));

    // Level records: back to back, except one hole from (at most the second in progress before) the kill to the restart.
    const recs = ingest.levels().flatMap((b) => b.records).sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
    const holes: { from: number; to: number }[] = [];
    for (let i = 1; i < recs.length; i++) {
      const end = Date.parse(recs[i - 1]!.t) + Math.round(recs[i - 1]!.d * 1000);
      const next = Date.parse(recs[i]!.t);
      expect(next).toBeGreaterThanOrEqual(end);
      if (next > end) holes.push({ from: end, to: next });
    }
    expect(holes).toHaveLength(1);
    expect(holes[0]!.from).toBeGreaterThan(killedAt - 2_000);
    expect(holes[0]!.from).toBeGreaterThan(downAt);
    expect(holes[0]!.to).toBeGreaterThanOrEqual(killedAt);
    expect(holes[0]!.to).toBeLessThan(restartedAt + 10_000);

    // Events: every slam in the levels was announced, and each ended names a started one.
    const events = ingest.events();
    const starts = events.filter((e): e is EventStarted => e.kind === 'started');
    // Whole seconds only: the part-second flushed at the SIGTERM is stored but not judged by the rules.
    const slams = recs.filter((r) => r.d === 1 && (r.LAFmax ?? 0) > 90).map((r) => r.t);
    expect(slams.length).toBeGreaterThanOrEqual(3);
    expect(starts.filter((e) => e.ruleId === 'slam').map((e) => e.startedAt)).toEqual(slams);
    const ends = events.filter((e): e is EventEnded => e.kind === 'ended');
    for (const e of ends) expect(starts.map((s) => s.eventId)).toContain(e.eventId);
    // SIGTERM ended the open event of the second run, reason "shutdown"; the first run's died with it open.
    const shutdownEnds = ends.filter((e) => e.reason === 'shutdown');
    expect(shutdownEnds.map((e) => e.ruleId)).toContain('loud');
    for (const e of shutdownEnds) expect(Date.parse(e.startedAt)).toBeGreaterThan(killedAt);
    // Every event the second run started was ended before it exited.
    const secondRun = starts.filter((e) => Date.parse(e.startedAt) > killedAt).map((e) => e.eventId);
    expect(ends.filter((e) => secondRun.includes(e.eventId)).map((e) => e.eventId).sort()).toEqual([...secondRun].sort());
    expect(second.out.join('')).toMatch(/"msg":"monitor stopped"/);
  });

  it('finishes its shutdown when a second signal follows the first (Ctrl-C reaches the group, then a supervisor\'s SIGTERM)', async () => {
    const { broker, dev } = await brokerAndDevice(cleanups, REMOTE, { loop: true, pace: 'realtime' });
    const ingest = new Ingest(dev.publicKey);
    broker.store = (topic, payload) => ingest.receive(topic, payload);
    const c = run(dev.configFile);
    await waitFor('an open "loud" event', () => ingest.events().some((e) => e.kind === 'started' && e.ruleId === 'loud'), 20_000);
    c.proc.kill('SIGINT');
    await sleep(20);
    c.proc.kill('SIGTERM');
    expect(await c.exited).toEqual({ code: 0, signal: null });
    const log = c.out.join('');
    expect(log).toMatch(/"msg":"already stopping"/);
    expect(log).toMatch(/"msg":"monitor stopped"/);
    expect(ingest.events().some((e): e is EventEnded => e.kind === 'ended' && e.ruleId === 'loud' && e.reason === 'shutdown')).toBe(true);
  }, 40_000);

  it('exits 2 naming the problem when the capture cannot start, rather than hanging on its open connection', async () => {
    const { dev } = await brokerAndDevice(cleanups, REMOTE);
    rmSync(join(dev.dir, 'capture.wav'));
    const c = run(dev.configFile);
    const exit = await Promise.race([c.exited, sleep(10_000, 'hung' as const)]);
    expect(exit).toEqual({ code: 2, signal: null });
    expect(c.err.join('')).toMatch(/^earshot-device: EARSHOT_E_FILE_UNREADABLE: .*capture\.wav/);
  });
});
