/**
 * The monitor core without sockets or timers: synthetic audio at known levels in,
 * cut into blocks that do not line up with the 1 s intervals; level batches,
 * events, incident marks and clips out, every body checked against its shared schema.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ClipManifest, EventBody, type EventEnded, type EventStarted, type IncidentPressed, type LevelRecord, LevelsBody,
  RemoteConfig, type RemoteConfigInput,
} from '@earshot/shared';
import { ClipRecorder } from '../../src/clips/index.ts';
import { Monitor } from '../../src/daemon/monitor.ts';
import { FS_DB, RATE, blocks, scene } from './signals.ts';

const DEVICE = 'flat-7-monitor';
/** 2026-06-01 12:00:00.250 UTC: records start off the whole second, as a capture does. */
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0, 250);
/** 1 100 frames (68.75 ms): interval boundaries fall inside blocks. */
const BLOCK = 1_100;
const iso = (ms: number): string => new Date(ms).toISOString();

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const SLAM = { type: 'impulsive', id: 'slam', thresholdDb: 80, mergeGapSeconds: 2 } as const;
const BASS = { type: 'low-frequency', id: 'bass', windowSeconds: 2, deltaDb: 15, lcThresholdDb: 60, mergeGapSeconds: 2 } as const;
/** Quiet 1 kHz floor at 40 dB; 4 s of 40 Hz bass at 80 dB (LCeq − LAeq ≈ 30 dB); a 0.2 s 95 dB slam at 25 s. */
const NIGHT = scene([{ seconds: 10 }, { seconds: 4, hz: 40, db: 80 }, { seconds: 11 }, { seconds: 0.2, db: 95 }, { seconds: 9.8 }]);

interface Harness {
  monitor: Monitor;
  levels: LevelsBody[];
  events: EventBody[];
  manifests: ClipManifest[];
  dir: string;
  feed(samples: Float64Array, startMs: number): void;
  finish(): Promise<void>;
}

function harness(rules: RemoteConfigInput['rules'], mode: 'off' | 'button-only' | 'on-event' = 'on-event', withAudio = true): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-monitor-'));
  dirs.push(dir);
  const levels: LevelsBody[] = [];
  const events: EventBody[] = [];
  const manifests: ClipManifest[] = [];
  const config = RemoteConfig.parse({ version: 1, rules, audio: { mode, preTriggerSeconds: 2, maxSeconds: 10, postRollSeconds: 1 }, levelsBatch: 10 });
  // The wall clock, mocked: each block arrives as its last sample is taken (capture clock = wall clock).
  let wall = 0;
  const monitor = new Monitor({
    deviceId: DEVICE,
    config,
    fullScaleDb: FS_DB,
    wallNow: () => wall,
    emit: (kind: 'levels' | 'event', body: LevelsBody | EventBody) => {
      if (kind === 'levels') levels.push(LevelsBody.parse(body));
      else events.push(EventBody.parse(body));
    },
    makeClipRecorder: withAudio
      ? (format, audio) => new ClipRecorder({
        format, dir, mode: audio.mode, preSeconds: audio.preTriggerSeconds, maxSeconds: audio.maxSeconds, postSeconds: audio.postRollSeconds,
        fullScaleDb: () => FS_DB, onClip: (m) => manifests.push(m),
      })
      : null,
  });
  return {
    monitor, levels, events, manifests, dir,
    feed(samples, startMs) {
      for (const b of blocks(samples, startMs, BLOCK)) {
        wall = b.startedAtMs + (b.frames * 1000) / RATE;
        monitor.pcmBlock(b);
      }
    },
    async finish() {
      monitor.shutdown();
      await Promise.all(monitor.clipRecorders.map((r) => r.close()));
    },
  };
}

const started = (events: EventBody[]): EventStarted[] => events.filter((e): e is EventStarted => e.kind === 'started');
const ended = (events: EventBody[]): EventEnded[] => events.filter((e): e is EventEnded => e.kind === 'ended');
const records = (levels: LevelsBody[]): LevelRecord[] => levels.flatMap((b) => b.records);

describe('Monitor', () => {
  it('makes one level record per second at the block time plus the sample offset, each emitted (journaled) as it is made', async () => {
    const h = harness([]);
    h.feed(scene([{ seconds: 25 }]), T0);
    // Batching is the outbox's, on the wire: the monitor hands over every record at once (issue 18).
    expect(h.levels.map((b) => b.records.length)).toEqual(Array(25).fill(1));
    await h.finish();
    expect(h.levels.map((b) => b.records.length)).toEqual(Array(25).fill(1));
    const recs = records(h.levels);
    recs.forEach((r, i) => {
      expect(r.t).toBe(iso(T0 + i * 1000));
      expect(r.d).toBe(1);
    });
    // The 1 kHz floor at 40 dB reads 40 dB(A) (A-weighting is 0 dB at 1 kHz), once the filters settle.
    for (const r of recs.slice(1)) expect(r.LAeq).toBeCloseTo(40, 1);
    expect(h.levels.every((b) => b.fullScaleDb === FS_DB)).toBe(true);
  });

  it('raises impulsive and low-frequency events; each ended event names the clip its started event got', async () => {
    const h = harness([SLAM, BASS]);
    h.feed(NIGHT, T0);
    await h.finish();
    const s = started(h.events);
    const e = ended(h.events);
    expect(s.map((x) => x.ruleId)).toEqual(['bass', 'slam']);
    expect(e.map((x) => x.ruleId)).toEqual(['bass', 'slam']);
    // The slam is in the interval starting 25 s in; the bass begins 10 s in.
    expect(s[1]!.startedAt).toBe(iso(T0 + 25_000));
    expect([iso(T0 + 10_000), iso(T0 + 11_000)]).toContain(s[0]!.startedAt);
    expect(e[1]!.LAFmax).toBeGreaterThan(90);
    expect(e[0]!.LCminusLA).toBeGreaterThan(20);
    expect(e.every((x) => x.reason === undefined)).toBe(true);
    // Two separate clips, one per event, each on disk with a manifest naming its event.
    expect(h.manifests).toHaveLength(2);
    for (const end of e) {
      const m = h.manifests.find((x) => x.eventId === end.eventId);
      expect(m).toBeDefined();
      expect(end.clipIds).toEqual([m!.clipId]);
      expect(m!.preTriggerSeconds).toBe(2);
      expect(m!.sampleRate).toBe(RATE);
    }
    expect(new Set(e.map((x) => x.clipIds[0])).size).toBe(2);
    expect(readdirSync(h.dir).filter((f) => f.endsWith('.wav'))).toHaveLength(2);
    expect(records(h.levels)).toHaveLength(35);
  });

  it('keeps no audio at all in audio mode off: no ring buffer, no clip, events without clip ids', async () => {
    const h = harness([SLAM, BASS], 'off');
    h.feed(NIGHT.subarray(0, 12 * RATE), T0);
    expect(h.monitor.clipRecorder?.bufferedFrames).toBe(0);
    h.feed(NIGHT.subarray(12 * RATE), T0 + 12_000);
    await h.finish();
    expect(ended(h.events)).toHaveLength(2);
    expect(ended(h.events).every((x) => x.clipIds.length === 0)).toBe(true);
    expect(h.manifests).toEqual([]);
    expect(readdirSync(h.dir)).toEqual([]);
  });

  it('marks an incident with a clip in button-only mode, where rule events get none', async () => {
    const h = harness([SLAM], 'button-only');
    h.feed(scene([{ seconds: 1 }, { seconds: 0.2, db: 95 }, { seconds: 4.8 }]), T0);
    const incident = h.monitor.incident(T0 + 6_000, 'button') as IncidentPressed;
    h.feed(scene([{ seconds: 4 }]), T0 + 6_000);
    await h.finish();
    expect(incident.kind).toBe('incident');
    expect(h.events).toContainEqual(incident);
    expect(incident.at).toBe(iso(T0 + 6_000));
    expect(incident.clipIds).toHaveLength(1);
    expect(incident.LAeq).toBeCloseTo(40, 0);
    expect(h.manifests).toHaveLength(1);
    expect(h.manifests[0]).toMatchObject({ clipId: incident.clipIds[0], eventId: incident.eventId, preTriggerSeconds: 2 });
    const slam = ended(h.events);
    expect(slam).toHaveLength(1);
    expect(slam[0]!.clipIds).toEqual([]);
  });

  it('ends the open events of changed rules on reconfigure, keeps the others open, and carries the clip ids', async () => {
    const h = harness([SLAM, { ...SLAM, id: 'slam-85', thresholdDb: 85 }]);
    h.feed(scene([{ seconds: 2 }, { seconds: 4, db: 90 }]), T0);
    expect(h.monitor.openEventIds).toHaveLength(2);
    const [slamStart, slam85Start] = started(h.events);
    h.monitor.reconfigure(RemoteConfig.parse({
      version: 2, rules: [{ ...SLAM, thresholdDb: 82 }, { ...SLAM, id: 'slam-85', thresholdDb: 85 }],
      audio: { mode: 'on-event', preTriggerSeconds: 2, maxSeconds: 10, postRollSeconds: 1 }, levelsBatch: 10,
    }));
    const endedNow = ended(h.events);
    expect(endedNow).toHaveLength(1);
    expect(endedNow[0]).toMatchObject({ eventId: slamStart!.eventId, reason: 'reconfigured' });
    expect(endedNow[0]!.clipIds).toHaveLength(1);
    expect(h.monitor.openEventIds).toEqual([slam85Start!.eventId]);
    await h.finish();
    const atShutdown = ended(h.events).find((x) => x.eventId === slam85Start!.eventId);
    expect(atShutdown).toMatchObject({ reason: 'shutdown', clipIds: endedNow[0]!.clipIds });
    expect(h.manifests.map((m) => m.clipId)).toEqual(endedNow[0]!.clipIds);
  });

  it('drops the clip id from open events when a new config turns audio off mid-clip (that clip is never written)', async () => {
    const h = harness([SLAM]);
    h.feed(scene([{ seconds: 2 }, { seconds: 3, db: 90 }]), T0);
    expect(h.monitor.clipRecorder?.recordingClipId).not.toBeNull();
    h.monitor.reconfigure(RemoteConfig.parse({ version: 2, rules: [SLAM], audio: { mode: 'off' }, levelsBatch: 10 }));
    expect(h.monitor.openEventIds).toHaveLength(1);
    h.feed(scene([{ seconds: 1, db: 90 }, { seconds: 4 }]), T0 + 5_000);
    await h.finish();
    const end = ended(h.events);
    expect(end).toHaveLength(1);
    expect(end[0]!.clipIds).toEqual([]);
    expect(h.manifests).toEqual([]);
    expect(h.monitor.clipRecorder?.bufferedFrames).toBe(0);
  });

  it('applies new clip timing from a new config to the next clip, without cutting one being recorded', async () => {
    const h = harness([SLAM]);
    h.feed(NIGHT, T0);
    await Promise.all(h.monitor.clipRecorders.map((r) => r.idle()));
    expect(h.manifests.map((m) => m.preTriggerSeconds)).toEqual([2]);
    h.monitor.reconfigure(RemoteConfig.parse({ version: 2, rules: [SLAM], audio: { mode: 'on-event', preTriggerSeconds: 5, maxSeconds: 10, postRollSeconds: 1 }, levelsBatch: 10 }));
    h.feed(NIGHT, T0 + 60_000);
    await h.finish();
    expect(h.manifests.map((m) => m.preTriggerSeconds)).toEqual([2, 5]);
  });

  it('does not smear an interval across a capture gap: the interval before is cut short, the one after starts afresh', async () => {
    const h = harness([]);
    h.feed(scene([{ seconds: 2.5, db: 80 }], null), T0);
    // A capture restart a minute later: the next block is a discontinuity.
    h.feed(scene([{ seconds: 3 }]), T0 + 60_000);
    await h.finish();
    const recs = records(h.levels);
    expect(recs.map((r) => [r.t, r.d])).toEqual([
      [iso(T0), 1], [iso(T0 + 1000), 1], [iso(T0 + 2000), 0.5],
      [iso(T0 + 60_000), 1], [iso(T0 + 61_000), 1], [iso(T0 + 62_000), 1],
    ]);
    expect(recs[2]!.LAeq).toBeCloseTo(80, 1);
    // Fresh filters and detectors: the 80 dB before the gap leaves nothing in the first second after it.
    expect(recs[3]!.LAFmax!).toBeLessThan(41);
    expect(recs[3]!.LCpeak!).toBeLessThan(45);
  });

  it('feeds the rules from a level source without DSP or clips, passing the records through', async () => {
    const h = harness([SLAM], 'on-event', false);
    const recs: LevelRecord[] = [];
    for (let i = 0; i < 15; i++) {
      const max = i === 5 ? 90 : 42;
      recs.push({ t: iso(T0 + i * 1000), d: 1, LAeq: 40, LCeq: 45, LZeq: 47, LAFmax: max, LAFmin: 38, LASmax: 41, LCpeak: 60 });
    }
    for (const r of recs) h.monitor.levelRecord(r);
    await h.finish();
    expect(records(h.levels)).toEqual(recs);
    expect(h.monitor.clipRecorder).toBeNull();
    expect(started(h.events).map((x) => x.startedAt)).toEqual([iso(T0 + 5_000)]);
    const end = ended(h.events);
    expect(end).toHaveLength(1);
    expect(end[0]).toMatchObject({ startedAt: iso(T0 + 5_000), endedAt: iso(T0 + 6_000), LAFmax: 90, clipIds: [] });
  });
});
