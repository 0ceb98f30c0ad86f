/**
 * The daemon in process against a real aedes broker on loopback and a real
 * mqtt.js subscriber that verifies every signed envelope with the device's key:
 * a looped WAV paced in real time, levels, heartbeats, events and clips, the
 * retained config accepted and rejected, and a clean stop.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventEnded, EventStarted, IncidentPressed, RemoteConfigInput, StatusBody } from '@earshot/shared';
import { Daemon } from '../../src/daemon/daemon.ts';
import type { FirmataBoard } from '../../src/io/firmata-board.ts';
import { mockBoard } from '../io/mock-board.ts';
import { type Cleanups, DEVICE, Ingest, brokerAndDevice, waitFor } from './peers.ts';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const RULES: RemoteConfigInput['rules'] = [
  { type: 'impulsive', id: 'slam', thresholdDb: 80, mergeGapSeconds: 1 },
  // Always on over the 40 dB floor: open when the daemon stops.
  { type: 'absolute', id: 'loud', windowSeconds: 1, thresholdDb: 35 },
];
const AUDIO = { mode: 'on-event', preTriggerSeconds: 1, maxSeconds: 2, postRollSeconds: 0.5 } as const;
const REMOTE: RemoteConfigInput = { version: 1, rules: RULES, audio: AUDIO, levelsBatch: 2, heartbeatSeconds: 10 };

function quietLog(lines: string[]): { info(m: string, f?: Record<string, unknown>): void; warn(m: string, f?: Record<string, unknown>): void } {
  return {
    info: (m, f) => void lines.push(`info ${m} ${JSON.stringify(f ?? {})}`),
    warn: (m, f) => void lines.push(`warn ${m} ${JSON.stringify(f ?? {})}`),
  };
}

describe('Daemon', () => {
  it('sends levels, heartbeats, events and clips; applies a good retained config, rejects bad ones keeping the old; stops cleanly', async () => {
    const { broker, dev } = await brokerAndDevice(cleanups, REMOTE, { loop: true, pace: 'realtime' });
    const ingest = new Ingest(dev.publicKey);
    await ingest.connect(broker.url);
    cleanups.push(() => ingest.close());
    const logs: string[] = [];
    const daemon = await Daemon.start({ configFile: dev.configFile, log: quietLog(logs) });
    cleanups.push(() => daemon.stop());

    // At once: a heartbeat carrying the key the ingest pins; then levels and a whole slam event.
    await waitFor('first status and a whole slam event', () => ingest.statuses().length >= 1 && ingest.events().some((e) => e.kind === 'ended' && e.ruleId === 'slam'));
    const first = ingest.statuses()[0]!;
    expect(first.publicKeyPem).toBe(dev.publicKeyPem);
    expect(first.config).toEqual({ version: 1, lastReceived: null });
    expect(first.fullScaleDb).toBe(120);
    // The software version, from firmware/package.json (read once at start).
    expect(first.firmwareVersion).toBe((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version);

    const statusAfter = (pred: (s: StatusBody) => boolean): StatusBody | undefined => ingest.statuses().find(pred);
    // A valid config: applied, reported accepted, and in force (batches of 3).
    await broker.publishConfig(JSON.stringify({ ...REMOTE, version: 2, levelsBatch: 3 }));
    await waitFor('status reporting version 2', () => statusAfter((s) => s.config.lastReceived?.version === 2) !== undefined, 3_000);
    expect(statusAfter((s) => s.config.lastReceived?.version === 2)!.config).toEqual({ version: 2, lastReceived: { version: 2, accepted: true } });
    expect(JSON.parse(readFileSync(join(dev.dir, 'state', 'remote-config.json'), 'utf8'))).toMatchObject({ version: 2, levelsBatch: 3 });
    await waitFor('a batch of 3', () => ingest.levels().some((b) => b.records.length === 3));

    // Not JSON: rejected with the reason in the next status (sent at once), version 2 stays in force.
    await broker.publishConfig('{"version": 3, "rules": [');
    await waitFor('status reporting a rejection', () => statusAfter((s) => s.config.lastReceived?.accepted === false) !== undefined, 3_000);
    const notJson = statusAfter((s) => s.config.lastReceived?.accepted === false)!;
    expect(notJson.config.version).toBe(2);
    expect(notJson.config.lastReceived).toMatchObject({ version: null, accepted: false, error: expect.stringMatching(/^EARSHOT_E_CONFIG_INVALID: .*not JSON/) });

    // An unknown rule type: rejected naming the rule, version 2 still in force.
    const unknown = { ...REMOTE, version: 4, rules: [...RULES, { type: 'karaoke', id: 'k', thresholdDb: 50 }] };
    await broker.publishConfig(JSON.stringify(unknown));
    await waitFor('status reporting version 4', () => statusAfter((s) => s.config.lastReceived?.version === 4) !== undefined, 3_000);
    expect(statusAfter((s) => s.config.lastReceived?.version === 4)!.config).toEqual({
      version: 2, lastReceived: { version: 4, accepted: false, error: expect.stringMatching(/^EARSHOT_E_RULE_UNKNOWN: rules\.2\.type: "karaoke"/) },
    });
    // A version beyond what JSON numbers hold exactly: rejected, reported with no version (and heartbeats stay valid).
    await broker.publishConfig(JSON.stringify({ ...REMOTE, version: 1e20 }));
    await waitFor('status reporting the unsafe version', () => statusAfter((s) => s.config.lastReceived?.accepted === false && /version/.test(s.config.lastReceived.error ?? '')) !== undefined, 3_000);
    expect(ingest.statuses().at(-1)!.config).toMatchObject({ version: 2, lastReceived: { version: null, accepted: false } });
    const batchesBefore = ingest.levels().length;
    await waitFor('two more batches', () => ingest.levels().length > batchesBefore + 1);
    expect(ingest.levels().slice(batchesBefore).some((b) => b.records.length === 3)).toBe(true);
    expect(JSON.parse(readFileSync(join(dev.dir, 'state', 'remote-config.json'), 'utf8'))).toMatchObject({ version: 2 });

    await daemon.stop();
    // The ingest's subscription receives what the broker acknowledged just before the stop.
    await waitFor('the shutdown end of the open event', () => ingest.events().some((e) => e.kind === 'ended' && e.ruleId === 'loud'), 3_000);

    // Every seq from 0, once each (after dedupe), none missing.
    const seqs = ingest.unique().map((s) => s.seq);
    expect(ingest.bad).toEqual([]);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    // The open event was ended for the shutdown, with its clip.
    const events = ingest.events();
    const loud = events.filter((e): e is EventEnded => e.kind === 'ended' && e.ruleId === 'loud');
    expect(loud).toHaveLength(1);
    expect(loud[0]!.reason).toBe('shutdown');
    // Level records cover the run without a gap or an overlap, and were all sent (held-back ones flushed).
    const recs = ingest.levels().flatMap((b) => b.records);
    for (let i = 1; i < recs.length; i++) expect(Date.parse(recs[i]!.t)).toBe(Date.parse(recs[i - 1]!.t) + Math.round(recs[i - 1]!.d * 1000));
    // Every whole second with the slam raised an event (the part-second flushed at the stop is stored, not judged).
    expect(recs.filter((r) => r.d === 1 && (r.LAFmax ?? 0) > 90).length).toBe(events.filter((e) => e.kind === 'started' && e.ruleId === 'slam').length);
    // Every clip an event names arrived whole: manifest signed, chunks matching its sha256.
    const manifests = ingest.manifests();
    const named = new Set(events.flatMap((e) => ('clipIds' in e ? e.clipIds : [])));
    expect(named.size).toBeGreaterThan(0);
    for (const clipId of named) {
      const m = manifests.find((x) => x.clipId === clipId);
      expect(m, `manifest of ${clipId}`).toBeDefined();
      const bytes = Buffer.concat(Array.from({ length: m!.chunks }, (_, n) => ingest.chunks.get(`${clipId}/${n}`) ?? Buffer.alloc(0)));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(m!.sha256);
    }
    // The three rejections are the only warnings (no clip lost, no message refused by the outbox).
    expect(logs.filter((l) => l.startsWith('warn')).map((l) => l.replace(/ \{.*/, ''))).toEqual(Array(3).fill('warn config rejected; the previous one stays in force'));
    expect(daemon.loaded.config.deviceId).toBe(DEVICE);
  });

  it('runs on a Firmata sound module with the button and LED on the same board (opened once): levels, a rule event, an incident', async () => {
    const { broker, dev } = await brokerAndDevice(cleanups, { version: 1, rules: [{ type: 'impulsive', id: 'slam', thresholdDb: 80, mergeGapSeconds: 1 }], levelsBatch: 2, heartbeatSeconds: 10 });
    const config = JSON.parse(readFileSync(dev.configFile, 'utf8')) as Record<string, unknown>;
    config['capture'] = { type: 'firmata', port: '/dev/ttyACM7', pin: 'A0', sampleHz: 10 };
    config['io'] = { type: 'firmata', port: '/dev/ttyACM7', buttonPin: 2, ledPin: 13 };
    writeFileSync(dev.configFile, JSON.stringify(config));
    const ingest = new Ingest(dev.publicKey);
    await ingest.connect(broker.url);
    cleanups.push(() => ingest.close());
    const m = await mockBoard();
    const opened: string[] = [];
    const firmataBoard = async (port: string): Promise<FirmataBoard> => {
      opened.push(port);
      return m.board;
    };
    // The module reports 184 of 1024 (0.90 V, 44.9 dB at 50 dB/V), with a 0.3 s burst at 350 (85.4 dB).
    let adc = 184;
    const logs: string[] = [];
    const daemon = await Daemon.start({ configFile: dev.configFile, log: quietLog(logs), capture: { firmataBoard } });
    cleanups.push(() => daemon.stop());
    // The board reports only while the daemon reads it (from start to stop).
    const reporting = setInterval(() => m.analog(0, adc), 20);
    cleanups.push(() => clearInterval(reporting));
    expect(opened).toEqual(['/dev/ttyACM7']);

    await waitFor('a batch of analog levels', () => ingest.levels().length >= 1);
    adc = 350;
    await new Promise((r) => setTimeout(r, 300));
    adc = 184;
    await waitFor('the slam event', () => ingest.events().some((e) => e.kind === 'started'));
    m.digital(2, 0); // pressed: the pull-up input reads LOW
    await new Promise((r) => setTimeout(r, 150));
    m.digital(2, 1);
    await waitFor('the incident', () => ingest.events().some((e) => e.kind === 'incident'));
    clearInterval(reporting);
    await daemon.stop();
    await waitFor('the slam event ended', () => ingest.events().some((e) => e.kind === 'ended'), 3_000);

    expect(ingest.bad).toEqual([]);
    const recs = ingest.levels().flatMap((b) => b.records);
    expect(recs[0]!.LAeq).toBeCloseTo(44.9, 0);
    const slam = ingest.events().find((e): e is EventStarted => e.kind === 'started')!;
    expect(slam.ruleId).toBe('slam');
    expect(recs.find((r) => r.t === slam.startedAt)?.LAFmax).toBeGreaterThan(85);
    const incident = ingest.events().find((e): e is IncidentPressed => e.kind === 'incident')!;
    // A level source has no audio: the mark carries no clip, but the level of the last second.
    expect(incident).toMatchObject({ source: 'button', clipIds: [] });
    const before = recs.filter((r) => Date.parse(r.t) + r.d * 1000 <= Date.parse(incident.at)).at(-1)!;
    expect(incident.LAeq).toBe(before.LAeq);
    expect(ingest.statuses()[0]!.capture.source).toBe('firmata:A0');
    // The LED (pin 13) was lit for "recording" while connected, and turned off at the stop.
    expect(m.writes.filter(([pin]) => pin === 13).map(([, v]) => v)).toContain(1);
    expect(m.writes.filter(([pin]) => pin === 13).at(-1)).toEqual([13, 0]);
  });
});
