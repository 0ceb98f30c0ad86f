/**
 * A full disk on the monitor (issue 18): the state folder is a small tmpfs,
 * filled by a big file while `earshot-device run` measures. Nothing measured
 * is lost silently: afterwards every second is at the broker or covered by a
 * signed gap record, no event names a clip that never came, and the
 * heartbeats reported EARSHOT_E_STORAGE_FULL while the disk was full.
 *
 * Mounting needs root, as CI runs; elsewhere this fails, it does not skip.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DataGap, EventBody, EventEnded, LevelRecord, RemoteConfigInput, StatusBody } from '@earshot/shared';
import { encodeWav } from '../../src/audio/index.ts';
import type { DeviceConfigInput } from '../../src/daemon/config.ts';
import { generateIdentity } from '../../src/identity/index.ts';
import { type Child, device } from './child.ts';
import { Broker, DEVICE, Ingest, SECRET, waitFor } from './peers.ts';
import { RATE, scene } from './signals.ts';

const mounts: string[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('the full-disk tests mount a tmpfs and must run as root (as CI does)');
});
afterAll(() => {
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m]);
    } catch {
      // already gone
    }
  }
});

/** A device folder whose state folder is a fresh tmpfs of `sizeMb`. */
function tmpfsDevice(url: string, wav: Float64Array, remote: RemoteConfigInput, pace: 'realtime' | 'fast', outbox: DeviceConfigInput['outbox']) {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-full-disk-'));
  const state = join(dir, 'state');
  mkdirSync(state);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', state]);
  mounts.push(state);
  cleanups.push(() => {
    execFileSync('umount', ['-l', state]);
    rmSync(dir, { recursive: true, force: true });
  });
  const id = generateIdentity(join(state, 'keys'));
  writeFileSync(join(dir, 'capture.wav'), encodeWav(wav, { encoding: 'int', bitsPerSample: 16, sampleRate: RATE }));
  const config: DeviceConfigInput = {
    deviceId: DEVICE, secret: SECRET, server: { url }, stateDir: 'state',
    capture: { type: 'wav', files: ['capture.wav'], loop: true, pace }, io: { type: 'none' }, remote, outbox,
  };
  const configFile = join(dir, 'earshot-device.json');
  writeFileSync(configFile, JSON.stringify(config));
  return { dir, state, configFile, publicKey: id.publicKey };
}

/** Writes a file until the disk refuses more (ENOSPC). */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(256 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}

function run(configFile: string): Child {
  const c = device('run', '--config', configFile);
  cleanups.push(async () => {
    if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    await c.exited;
  });
  return c;
}

async function setup(wav: Float64Array, remote: RemoteConfigInput, pace: 'realtime' | 'fast', outbox: DeviceConfigInput['outbox']) {
  const broker = new Broker();
  await broker.start();
  cleanups.push(() => broker.stop());
  const dev = tmpfsDevice(broker.url, wav, remote, pace, outbox);
  const ingest = new Ingest(dev.publicKey);
  broker.store = (topic, payload) => ingest.receive(topic, payload);
  return { dev, ingest };
}

/** The spans neither a level record nor a levels gap record covers, between the first and the last second heard. */
function uncovered(recs: LevelRecord[], gaps: DataGap[]): { from: string; to: string }[] {
  const spans = [
    ...recs.map((r) => ({ from: Date.parse(r.t), to: Date.parse(r.t) + Math.round(r.d * 1000) })),
    ...gaps.filter((g) => g.what === 'levels').map((g) => ({ from: Date.parse(g.from), to: Date.parse(g.to) })),
  ].sort((a, b) => a.from - b.from);
  const holes: { from: string; to: string }[] = [];
  let end = spans[0]!.to;
  for (const s of spans.slice(1)) {
    // 2 ms: the rounding of record times to whole ms.
    if (s.from > end + 2) holes.push({ from: new Date(end).toISOString(), to: new Date(s.from).toISOString() });
    end = Math.max(end, s.to);
  }
  return holes;
}

/**
 * A slam at the start of every 4 s. Its event starts at the end of that first second, and its clip (1 s before
 * the trigger on) records until the loop restarts (a discontinuity ends a clip: audio/wav-replay.ts), 3 s of every 4.
 */
const SLAM_EVERY_4S = scene([{ seconds: 0.2, db: 95 }, { seconds: 3.8 }]);
const LOOP_SECONDS = 4;

const storageFull = (s: StatusBody): boolean => (s.outbox.errors ?? []).some((e) => e.code === 'EARSHOT_E_STORAGE_FULL') && (s.outbox.held?.records ?? 0) > 0;

describe('a full disk on the monitor', () => {
  it('filled for 30 s: holds the levels in memory, sends them all when space returns, clips give way with a gap record', async () => {
    const remote: RemoteConfigInput = {
      version: 1,
      rules: [{ type: 'impulsive', id: 'slam', thresholdDb: 80, mergeGapSeconds: 1, maxEventsPerHour: 3_600 }],
      // A clip is being recorded when the disk fills: the fill follows a slam's started message (SLAM_EVERY_4S).
      audio: { mode: 'on-event', preTriggerSeconds: 1, maxSeconds: 8, postRollSeconds: 4 },
      levelsBatch: 5,
      heartbeatSeconds: 10,
    };
    const { dev, ingest } = await setup(SLAM_EVERY_4S, remote, 'realtime', { quotaBytes: 8 * 1024 * 1024, clipReserveBytes: 2 * 1024 * 1024 });
    const c = run(dev.configFile);
    await waitFor('levels and a clip before the fill', () => ingest.levels().length >= 2 && ingest.manifests().length >= 1, 30_000);
    // Just after a slam has started a clip, with some 2.9 s of it still to record: the monitor's free-space check
    // (every second) finds the disk full while that clip is open, so the clip gives way, whatever the timers' phase.
    const startedSoFar = (): number => ingest.events().filter((e) => e.kind === 'started').length;
    const before = startedSoFar();
    await waitFor('a slam whose clip is being recorded', () => startedSoFar() > before, 10_000);
    const filler = join(dev.state, 'filler.bin');
    fill(filler);
    const filledAt = Date.now();
    await sleep(30_000);
    rmSync(filler);
    const freedAt = Date.now();
    await waitFor('levels measured after the disk was freed', () => ingest.levels().some((b) => b.records.some((r) => Date.parse(r.t) > freedAt + 3_000)), 30_000);
    await waitFor('a heartbeat with nothing held', () => ingest.statuses().some((s) => s.uptimeSeconds > 0 && s.outbox.held === undefined && ingest.statuses().indexOf(s) > ingest.statuses().findIndex(storageFull)), 30_000);
    c.proc.kill('SIGTERM');
    expect(await c.exited).toEqual({ code: 0, signal: null });
    expect(ingest.bad).toEqual([]);

    const recs = ingest.levels().flatMap((b) => b.records);
    const events = ingest.events();
    const gaps = events.filter((e): e is DataGap => e.kind === 'gap');
    // Every second present, from before the fill to after it; 30 s fit in memory, so no levels gap.
    expect(uncovered(recs, gaps)).toEqual([]);
    expect(gaps.filter((g) => g.what === 'levels')).toEqual([]);
    expect(recs.some((r) => Date.parse(r.t) < filledAt - 2_000)).toBe(true);
    expect(recs.filter((r) => Date.parse(r.t) >= filledAt && Date.parse(r.t) < freedAt).length).toBeGreaterThanOrEqual(29);
    // The heartbeats said so while it lasted.
    const during = ingest.statuses().filter(storageFull);
    expect(during.length).toBeGreaterThanOrEqual(2);
    // Events during the fill reached the journal's reserve: every slam's ended message arrived.
    const ended = events.filter((e): e is EventEnded => e.kind === 'ended');
    // A slam every LOOP_SECONDS: some 6 start in the 25 s from the fill to 5 s before it ends; one may fall on an edge.
    expect(ended.filter((e) => Date.parse(e.startedAt) > filledAt && Date.parse(e.startedAt) < freedAt - 5_000).length).toBeGreaterThanOrEqual(Math.floor(25 / LOOP_SECONDS) - 1);
    // No event names a clip that neither came nor was given up; each clip given up has its gap record naming its
    // event. (An impulsive event can end while its clip still records its post-roll: its ended message names the
    // clip, and a clip given up after that is accounted for by its gap record alone.)
    const manifests = new Set(ingest.manifests().map((m) => m.clipId));
    const clipGaps = gaps.filter((g) => g.what === 'clip');
    const givenUp = new Set(clipGaps.flatMap((g) => g.clipIds));
    for (const e of ended) for (const id of e.clipIds) expect(manifests.has(id) || givenUp.has(id), id).toBe(true);
    expect(clipGaps.length).toBeGreaterThanOrEqual(1);
    for (const g of clipGaps) {
      expect(g.reason).toBe('storage-full');
      expect(g.clipIds).toHaveLength(1);
      expect(manifests).not.toContain(g.clipIds[0]);
      expect(events.some((e: EventBody) => e.kind === 'started' && e.eventId === g.relatedEventId)).toBe(true);
    }
  }, 150_000);

  it('filled for 10 minutes of (fast-replayed) audio: past the memory bound, a gap record covers what was not kept', async () => {
    const remote: RemoteConfigInput = { version: 1, rules: [], audio: { mode: 'off' }, levelsBatch: 10, heartbeatSeconds: 10 };
    // 100 records of at most 2 s in memory: 200 s held, the rest of the 10 minutes given up to a gap record.
    const { dev, ingest } = await setup(scene([{ seconds: 30 }]), remote, 'fast', { quotaBytes: 8 * 1024 * 1024, holdRecords: 100, holdMaxRecordSeconds: 2 });
    const c = run(dev.configFile);
    await waitFor('levels before the fill', () => ingest.levels().length >= 2, 30_000);
    const filler = join(dev.state, 'filler.bin');
    fill(filler);
    await waitFor('a heartbeat reporting 10 minutes held or given up', () => ingest.statuses().some((s) => storageFull(s) && s.outbox.held!.seconds + s.outbox.held!.gapSeconds >= 600), 60_000);
    rmSync(filler);
    await waitFor('the gap record', () => ingest.events().some((e) => e.kind === 'gap'), 30_000);
    await waitFor('a heartbeat with nothing held after the fill', () => {
      const st = ingest.statuses();
      return st.findLastIndex((s) => s.outbox.held === undefined) > st.findLastIndex(storageFull);
    }, 30_000);
    await sleep(1_000);
    c.proc.kill('SIGTERM');
    expect(await c.exited).toEqual({ code: 0, signal: null });
    expect(ingest.bad).toEqual([]);
    const recs = ingest.levels().flatMap((b) => b.records);
    const gaps = ingest.events().filter((e): e is DataGap => e.kind === 'gap');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({ what: 'levels', reason: 'storage-full' });
    expect((Date.parse(gaps[0]!.to) - Date.parse(gaps[0]!.from)) / 1000).toBeGreaterThanOrEqual(300);
    expect(uncovered(recs, gaps)).toEqual([]);
  }, 150_000);
});
