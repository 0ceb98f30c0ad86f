/**
 * 1/3-octave bands through the monitor (issue 16, DESIGN §9 "Bands on the wire"): the
 * remote config's `bands` switches the band filter bank, every 1 s record then carries
 * `Z3`, a silent second carries none; switching happens at a second's boundary. First the
 * monitor core on synthetic audio, then the daemon against a real broker with configs
 * accepted and rejected.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  type LevelRecord, LevelsBody, NOMINAL_THIRD_OCTAVES, RemoteConfig, type RemoteConfigInput, type StatusBody,
} from '@earshot/shared';
import { Daemon } from '../../src/daemon/daemon.ts';
import { Monitor } from '../../src/daemon/monitor.ts';
import { bandsForSampleRate } from '../../src/measure/bands/index.ts';
import { type Cleanups, Ingest, brokerAndDevice, waitFor } from './peers.ts';
import { FS_DB, blocks, scene } from './signals.ts';

const T0 = Date.UTC(2026, 5, 1, 23, 0, 0, 250);
const RATE = 48_000;
/** 4 096 frames (85.3 ms): interval boundaries fall inside blocks. */
const BLOCK = 4_096;

function monitor(bands: 'third-octave' | 'off'): { monitor: Monitor; records: LevelRecord[]; feed(samples: Float64Array, startMs: number, first?: boolean): void } {
  const records: LevelRecord[] = [];
  const config = RemoteConfig.parse({ version: 1, rules: [], audio: { mode: 'off' }, bands });
  let wall = 0;
  const m = new Monitor({
    deviceId: 'flat-2-monitor',
    config,
    fullScaleDb: FS_DB,
    wallNow: () => wall,
    emit: (kind: 'levels' | 'event', body: unknown) => {
      if (kind === 'levels') records.push(...LevelsBody.parse(body).records);
    },
    makeClipRecorder: null,
  });
  return {
    monitor: m,
    records,
    feed(samples, startMs, first = true) {
      for (const b of blocks(samples, startMs, BLOCK, RATE, first)) {
        wall = b.startedAtMs + (b.frames * 1000) / RATE;
        m.pcmBlock(b);
      }
    },
  };
}

const band = (r: LevelRecord, nominal: string): number | null => r.Z3!.dB10[NOMINAL_THIRD_OCTAVES.indexOf(nominal as never) - NOMINAL_THIRD_OCTAVES.indexOf(r.Z3!.f0)]!;
/** Energy sum of the bands, in dB. */
const bandTotal = (r: LevelRecord): number => 10 * Math.log10(r.Z3!.dB10.reduce<number>((a, v) => a + (v === null ? 0 : 10 ** (v / 100)), 0));

describe('the monitor with bands', () => {
  it('puts Z3 in every 1 s record: 33 bands from 10 Hz at 48 kHz, the tone in its band, none for digital silence', () => {
    const h = monitor('third-octave');
    // 3 s of 1 kHz at 70 dB, 2 s of digital silence, 3 s of 63 Hz at 60 dB (no floor).
    h.feed(scene([{ seconds: 3, hz: 1000, db: 70 }, { seconds: 2 }, { seconds: 3, hz: 63, db: 60 }], null, RATE), T0);
    h.monitor.shutdown();
    expect(h.records.map((r) => r.d)).toEqual(Array(8).fill(1));
    const expected = bandsForSampleRate(RATE).map((b) => b.nominal);
    expect(expected).toHaveLength(33);
    for (const i of [0, 1, 2, 5, 6, 7]) {
      const r = h.records[i]!;
      expect(r.silent).toBeUndefined();
      expect(r.Z3!.f0).toBe('10');
      expect(r.Z3!.dB10).toHaveLength(33);
      expect(r.Z3!.dB10.every((v) => Number.isInteger(v))).toBe(true);
    }
    for (const i of [3, 4]) {
      expect(h.records[i]!.silent).toBe(true);
      expect(h.records[i]!.Z3).toBeUndefined();
    }
    // Past the first second (the filters starting from rest), the tone reads its level in its own band,
    // and the bands together hold the record's LZeq.
    for (const [i, nominal, db] of [[1, '1000', 70], [2, '1000', 70], [6, '63', 60], [7, '63', 60]] as const) {
      const r = h.records[i]!;
      expect(Math.abs(band(r, nominal)! / 10 - db)).toBeLessThanOrEqual(0.2);
      expect(Math.abs(bandTotal(r) - r.LZeq!)).toBeLessThan(0.3);
      for (const other of expected) if (other !== nominal) expect(band(r, other) ?? -Infinity).toBeLessThan(10 * (db - 5));
    }
  });

  it('sends no bands with the config off', () => {
    const h = monitor('off');
    h.feed(scene([{ seconds: 3, hz: 1000, db: 70 }], 40, RATE), T0);
    h.monitor.shutdown();
    expect(h.records).toHaveLength(3);
    expect(h.records.every((r) => r.Z3 === undefined)).toBe(true);
  });

  it('switches bands on and off at the next second, never splitting a record', () => {
    const h = monitor('off');
    const audio = scene([{ seconds: 8, hz: 125, db: 65 }], 40, RATE);
    const on = RemoteConfig.parse({ version: 2, rules: [], audio: { mode: 'off' }, bands: 'third-octave' });
    const off = RemoteConfig.parse({ version: 3, rules: [], audio: { mode: 'off' }, bands: 'off' });
    // 2.5 s, then bands on (inside the third second); 3.25 s more, then off (inside the sixth).
    const cut1 = 2.5 * RATE;
    const cut2 = 5.75 * RATE;
    h.feed(audio.subarray(0, cut1), T0);
    h.monitor.reconfigure(on);
    h.feed(audio.subarray(cut1, cut2), T0 + (cut1 * 1000) / RATE, false);
    h.monitor.reconfigure(off);
    h.feed(audio.subarray(cut2), T0 + (cut2 * 1000) / RATE, false);
    h.monitor.shutdown();
    expect(h.records.map((r) => r.d)).toEqual(Array(8).fill(1));
    expect(h.records.map((r) => r.Z3 !== undefined)).toEqual([false, false, false, true, true, true, false, false]);
    // A bank switched on starts from rest; by its second record the 125 Hz tone reads 65 dB in its band.
    expect(Math.abs(band(h.records[4]!, '125')! / 10 - 65)).toBeLessThanOrEqual(0.2);
  });
});

describe('the daemon with bands', () => {
  const cleanups: Cleanups = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('sends Z3 when the retained config asks for bands, stops on "off", and rejects a bad value keeping the config in force', async () => {
    const remote: RemoteConfigInput = { version: 1, rules: [], audio: { mode: 'off' }, levelsBatch: 1, heartbeatSeconds: 10, bands: 'third-octave' };
    const { broker, dev } = await brokerAndDevice(cleanups, remote, { loop: true, pace: 'realtime' });
    const ingest = new Ingest(dev.publicKey);
    await ingest.connect(broker.url);
    cleanups.push(() => ingest.close());
    const daemon = await Daemon.start({ configFile: dev.configFile, log: { info: () => undefined, warn: () => undefined } });
    cleanups.push(() => daemon.stop());
    const records = (): LevelRecord[] => ingest.levels().flatMap((b) => b.records);
    const whole = (): LevelRecord[] => records().filter((r) => r.d === 1);

    await waitFor('three records with bands', () => whole().filter((r) => r.Z3 !== undefined).length >= 3);
    // The test capture is 16 kHz: 29 bands, 10 Hz – 6.3 kHz (upper edges below 7.2 kHz).
    for (const r of whole()) {
      expect(r.Z3).toMatchObject({ f0: '10' });
      expect(r.Z3!.dB10).toHaveLength(29);
      expect(Math.abs(bandTotal(r) - r.LZeq!)).toBeLessThan(0.5);
    }
    // The capture is all 1 kHz (a 40 dB floor, a 95 dB slam every 3 s): its 1 kHz band reads the record's LZeq.
    for (const r of whole()) expect(Math.abs(band(r, '1000')! / 10 - r.LZeq!)).toBeLessThanOrEqual(0.2);
    const statusAfter = (pred: (s: StatusBody) => boolean): StatusBody | undefined => ingest.statuses().find(pred);

    await broker.publishConfig(JSON.stringify({ ...remote, version: 2, bands: 'off' }));
    await waitFor('status reporting version 2', () => statusAfter((s) => s.config.lastReceived?.version === 2) !== undefined, 3_000);
    expect(statusAfter((s) => s.config.lastReceived?.version === 2)!.config).toEqual({ version: 2, lastReceived: { version: 2, accepted: true } });
    await waitFor('two records without bands', () => whole().filter((r) => r.Z3 === undefined).length >= 2);

    await broker.publishConfig(JSON.stringify({ ...remote, version: 3, bands: 'octave' }));
    await waitFor('status reporting version 3', () => statusAfter((s) => s.config.lastReceived?.version === 3) !== undefined, 3_000);
    expect(statusAfter((s) => s.config.lastReceived?.version === 3)!.config).toEqual({
      version: 2, lastReceived: { version: 3, accepted: false, error: expect.stringMatching(/^EARSHOT_E_CONFIG_INVALID: bands: /) },
    });
    const before = records().length;
    await waitFor('two more records', () => records().length >= before + 2);
    await daemon.stop();

    expect(ingest.bad).toEqual([]);
    // One switch, at a second's boundary: bands, then none; every record whole until the stop's last one.
    const all = records();
    const firstWithout = all.findIndex((r) => r.Z3 === undefined);
    expect(firstWithout).toBeGreaterThanOrEqual(3);
    expect(all.slice(0, firstWithout).every((r) => r.Z3 !== undefined)).toBe(true);
    expect(all.slice(firstWithout).every((r) => r.Z3 === undefined)).toBe(true);
    expect(all.slice(0, -1).every((r) => r.d === 1)).toBe(true);
  });
});
