/**
 * The demonstration night through the monitor's real chain (issue 17): the
 * night scene (night-scene.ts) is measured by the monitor core (engine,
 * nuisance rules, clip recorder) exactly as live capture would be, signed into
 * the durable outbox and sent over the MQTT uplink to the ingest — only faster
 * than real time. The device's clock is mocked: it reads the time of the audio
 * being measured, so every level record, event, clip, heartbeat and envelope
 * carries last night's times, as if the monitor had been there. The
 * installer's calibrator check is made (on a synthesised 94 dB tone) just
 * before the deployment's installation time, as README's steps do.
 *
 * This is the daemon's wiring (daemon/daemon.ts) without its capture, button
 * and timers, which here follow the mocked clock. It holds the state-folder
 * lock, so no `earshot-device run` can share the identity meanwhile.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type ClipManifest, type EventBody, type LevelRecord, type RemoteConfig, type StatusBody, parseRemoteConfigPayload } from '@earshot/shared';
import type { PcmFormat } from '../audio/index.ts';
import { calibrate } from '../calibrate/calibrate.ts';
import { calibrationRecord } from '../calibrate/record.ts';
import type { PcmBlock } from '../capture/types.ts';
import { ClipRecorder, manifestPathOf } from '../clips/index.ts';
import { syncCalibration } from '../daemon/calibration-sync.ts';
import { loadDeviceConfig } from '../daemon/config.ts';
import { readFirmwareVersion } from '../daemon/firmware-version.ts';
import { Monitor } from '../daemon/monitor.ts';
import { lockStateFolder } from '../daemon/state-lock.ts';
import { queueCalibrationRecord, readCalibration, readRemoteConfig, recordCalibration, writeRemoteConfig } from '../daemon/state-files.ts';
import { statusBody } from '../daemon/status-report.ts';
import { loadIdentity } from '../identity/index.ts';
import { DEFAULT_RESERVE_BYTES, Outbox } from '../outbox/index.ts';
import { readClockSync } from '../status/clock-sync.ts';
import { cpuTemperatureC, diskSpace } from '../status/host.ts';
import { Uplink } from '../uplink/index.ts';
import { NIGHT_SCENE, NightScene } from './night-scene.ts';

export interface NightFillLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface NightFillOptions {
  configFile: string;
  /** The night, epoch ms (last-night.ts). */
  startMs: number;
  endMs: number;
  /** When the calibrator check is made (just before the deployment's installation). */
  calibratedAtMs: number;
  calibrator?: { make?: string; model?: string; serial?: string };
  /** Default 16 kHz: the rules and clips need no more, and the night measures three times faster than at 48 kHz. */
  sampleRate?: number;
  seed?: number;
  log: NightFillLog;
  /** How long to wait for the ingest's config and, at the end, its receipts (default 60 s each). */
  timeoutMs?: number;
  /** Stops the fill early (Ctrl-C): what was measured so far is sent; the result says `complete: false`. */
  signal?: AbortSignal;
}

export interface NightFillResult {
  /** False when stopped early by the signal. */
  complete: boolean;
  seconds: number;
  events: number;
  clips: number;
  /** Wall-clock time the fill took, ms. */
  tookMs: number;
}

/** The name of the error thrown when the night could not begin (no config from the ingest): nothing was sent. */
export const NIGHT_NOT_STARTED = 'NightNotStarted';

/** The calibrator's level, IEC 60942 (a 94.0 dB / 1 kHz class 1 calibrator). */
const CALIBRATOR_DB = 94;
/** Level records per journal write (see `send`). */
const LEVELS_PER_JOURNAL_WRITE = 60;
/** Blocks of a tenth of a second, as the capture sources deliver. */
const BLOCKS_PER_SECOND = 10;
/** Yield to the event loop this often (audio seconds), so the uplink, receipts and clip writes keep up. */
const YIELD_EVERY_S = 5;

/** Six seconds of a 1 kHz sine reading 94.0 dB at `fullScaleDb` (DESIGN §2: peak = 10^((L − fullScaleDb) / 20)). */
function calibratorTone(sampleRate: number, fullScaleDb: number): Float64Array {
  const peak = 10 ** ((CALIBRATOR_DB - fullScaleDb) / 20);
  return Float64Array.from({ length: 6 * sampleRate }, (_, n) => peak * Math.sin((2 * Math.PI * 1000 * n) / sampleRate));
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`the demonstration night: ${what} within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function fillNight(o: NightFillOptions): Promise<NightFillResult> {
  const began = Date.now();
  const { config, stateDir } = loadDeviceConfig(o.configFile);
  const lock = lockStateFolder(stateDir, 'npm start (the demonstration night)');
  try {
    return await fill(o, config, stateDir, began);
  } finally {
    lock.release();
  }
}

async function fill(o: NightFillOptions, config: ReturnType<typeof loadDeviceConfig>['config'], stateDir: string, began: number): Promise<NightFillResult> {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const fs = o.sampleRate ?? 16_000;
  /** The mocked device clock: the time of the audio being measured. */
  let deviceNow = o.calibratedAtMs;
  const identity = loadIdentity(join(stateDir, 'keys'));
  let remote: RemoteConfig = readRemoteConfig(stateDir) ?? config.remote;
  let lastConfig: StatusBody['config']['lastReceived'] = null;
  let deployed = false;
  const outbox = Outbox.open({
    dir: join(stateDir, 'outbox'), deviceId: config.deviceId, privateKey: identity.privateKey, quotaBytes: config.outbox.quotaBytes,
    reserveBytes: config.outbox.reserveBytes ?? DEFAULT_RESERVE_BYTES, wireBatchRecords: remote.levelsBatch, now: () => new Date(deviceNow),
  });
  let monitor: Monitor | null = null;
  const caPem = config.server.caFile === undefined ? undefined : readFileSync(config.server.caFile, 'utf8');
  const uplink = new Uplink({
    url: config.server.url, deviceId: config.deviceId, secret: config.secret, ...(caPem === undefined ? {} : { caPem }), outbox,
    onConfig: (payload) => {
      if (payload.length === 0) return;
      const parsed = parseRemoteConfigPayload(payload);
      if (!parsed.ok) {
        lastConfig = { version: null, accepted: false, error: `${parsed.error.code}: ${parsed.error.detail}`.slice(0, 500) };
        o.log.warn('config rejected', { ...parsed.error });
        return;
      }
      lastConfig = { version: parsed.config.version, accepted: true };
      remote = parsed.config;
      outbox.setWireBatch(remote.levelsBatch);
      monitor?.reconfigure(remote);
      writeRemoteConfig(stateDir, remote);
      // The deployed config names the rules and audio mode; an undeployed monitor's keeps no audio.
      if (remote.audio.mode !== 'off' && remote.rules.length > 0) deployed = true;
    },
  });
  const clipJobs = new Set<Promise<void>>();
  let clips = 0;
  let events = 0;
  let checkpointOpen = false;
  // Level records are journaled a minute at a time, not each second as the daemon does: a crash here loses at
  // most a minute of a demonstration (never evidence), and a 9-hour night costs 540 fsyncs, not 32,400.
  let pending: { fullScaleDb: number; records: LevelRecord[] } | null = null;
  const flushPending = (): void => {
    if (pending === null) return;
    const body = pending;
    pending = null;
    journal('levels', body);
  };
  const send = (kind: 'levels' | 'event' | 'status', body: unknown): void => {
    if (kind === 'levels') {
      const b = body as { fullScaleDb: number; records: LevelRecord[] };
      if (pending !== null && pending.fullScaleDb !== b.fullScaleDb) flushPending();
      if (pending === null) pending = { fullScaleDb: b.fullScaleDb, records: [...b.records] };
      else pending.records.push(...b.records);
      if (pending.records.length >= LEVELS_PER_JOURNAL_WRITE) flushPending();
      return;
    }
    // In time order: the seconds before an event are journaled before it.
    flushPending();
    journal(kind, body);
  };
  const journal = (kind: 'levels' | 'event' | 'status', body: unknown): void => {
    let checkpoint: { v: 1; events: EventBody[] } | undefined;
    if (kind !== 'status' && monitor !== null) {
      const open = monitor.openEventsSnapshot();
      if (open.length > 0 || checkpointOpen) checkpoint = { v: 1, events: open };
    }
    // An event is one started…ended pair, a button press one incident: each counted once.
    if (kind === 'event') {
      const k = (body as { kind?: unknown }).kind;
      if (k === 'started' || k === 'incident') events++;
    }
    outbox.enqueue(kind, body, { reserve: kind !== 'levels', ...(checkpoint === undefined ? {} : { checkpoint }) });
    if (checkpoint !== undefined) checkpointOpen = checkpoint.events.length > 0;
    uplink.kick();
  };
  const queueClip = (path: string, manifest: ClipManifest): void => {
    const job = outbox.enqueueClip(path, manifest)
      .then(() => {
        rmSync(manifestPathOf(path), { force: true });
        clips++;
        uplink.kick();
      }, (e: unknown) => o.log.warn('clip not queued', { clipId: manifest.clipId, error: String(e) }))
      .finally(() => clipJobs.delete(job));
    clipJobs.add(job);
  };
  const [clock, temperatureC] = await Promise.all([readClockSync(), cpuTemperatureC()]);
  const firmwareVersion = readFirmwareVersion();
  const heartbeat = async (): Promise<void> => {
    monitor?.flushLevels();
    send('status', statusBody({
      uptimeSeconds: (deviceNow - o.calibratedAtMs) / 1000, clock, outbox: outbox.stats(), held: null, disk: await diskSpace(stateDir), temperatureC,
      mic: monitor?.mic.take() ?? { state: 'unknown', silentSeconds: 0, clippedSamples: 0 },
      fullScaleDb: monitor?.fullScaleDb ?? readCalibration(stateDir)?.fullScaleDb ?? config.fullScaleDb, configVersion: remote.version, lastConfig,
      capture: { source: `demo:night ${fs} Hz`, restarts: 0, lastError: null }, publicKeyPem: identity.publicKeyPem,
      suppressed: monitor?.suppressed() ?? {}, firmwareVersion,
    }));
  };

  try {
    uplink.start();
    try {
      await until('no config from the ingest (is the monitor deployed?)', () => deployed, timeoutMs);
    } catch (e) {
      // Nothing was measured or sent: the night can be filled in at the next start.
      throw Object.assign(e as Error, { name: NIGHT_NOT_STARTED });
    }
    // The first heartbeat pins the monitor's key at the ingest (README, provisioning).
    await heartbeat();

    // The installer's calibrator check, just before installation (README step 4).
    const before = readCalibration(stateDir)?.fullScaleDb ?? config.fullScaleDb;
    const r = calibrate({ samples: calibratorTone(fs, before), sampleRate: fs, fullScaleDb: before, referenceDb: CALIBRATOR_DB });
    const record = calibrationRecord(config.deviceId, o.calibratedAtMs, r, o.calibrator ?? {});
    queueCalibrationRecord(stateDir, record);
    recordCalibration(stateDir, {
      at: record.at, referenceDb: r.referenceDb, measuredDb: r.measuredDb, previousFullScaleDb: r.previousFullScaleDb,
      fullScaleDb: record.fullScaleDb, frequencyHz: r.frequencyHz, eventId: record.eventId,
    });

    const clipsDir = join(stateDir, 'clips');
    const m: Monitor = new Monitor({
      deviceId: config.deviceId,
      config: remote,
      fullScaleDb: record.fullScaleDb,
      emit: (kind: 'levels' | 'event', body: { fullScaleDb: number; records: LevelRecord[] } | EventBody) => send(kind, body),
      releaseLevels: () => {
        outbox.releaseLevels();
        uplink.kick();
      },
      wallNow: () => deviceNow,
      makeClipRecorder: (format: PcmFormat, audio: RemoteConfig['audio']) => new ClipRecorder({
        format, dir: clipsDir, mode: audio.mode, preSeconds: audio.preTriggerSeconds, maxSeconds: audio.maxSeconds, postSeconds: audio.postRollSeconds,
        fullScaleDb: () => m.fullScaleDb,
        onClip: (manifest, path) => {
          m.clipDone(manifest.clipId);
          queueClip(path, manifest);
        },
        onError: (clipId, error) => {
          m.clipGivenUp(clipId, /ENOSPC/.test(error.detail) ? 'storage-full' : 'write-error', `${error.code}: ${error.detail}`);
          o.log.warn('clip not written', { clipId, ...error });
        },
      }),
    });
    monitor = m;
    syncCalibration(stateDir, m, (rec) => send('event', rec));

    const scene = new NightScene({ sampleRate: fs, seed: o.seed ?? 17, fullScaleDb: m.fullScaleDb });
    const frames = Math.round(fs / BLOCKS_PER_SECOND);
    const block: PcmBlock = {
      samples: new Float64Array(frames), frames, format: { encoding: 'int', bitsPerSample: 24, channels: 1, sampleRate: fs },
      startedAtMs: o.startMs, startFrame: 0, discontinuity: true,
    };
    const total = Math.floor(((o.endMs - o.startMs) / 1000) * fs);
    const buttonFrame = Math.round(NIGHT_SCENE.buttonAt * fs);
    const heartbeatFrames = remote.heartbeatSeconds * fs;
    let nextHeartbeat = heartbeatFrames;
    let nextYield = YIELD_EVERY_S * fs;
    o.log.info('demonstration night: measuring', { from: new Date(o.startMs).toISOString(), to: new Date(o.endMs).toISOString(), sampleRate: fs });
    let n = 0;
    for (; n < total && o.signal?.aborted !== true; n += frames) {
      const len = Math.min(frames, total - n);
      scene.render(block.samples, n, len);
      block.frames = len;
      block.startFrame = n;
      block.startedAtMs = o.startMs + (n * 1000) / fs;
      deviceNow = o.startMs + ((n + len) * 1000) / fs;
      m.pcmBlock(block);
      block.discontinuity = false;
      if (buttonFrame >= n && buttonFrame < n + len) m.incident(o.startMs + NIGHT_SCENE.buttonAt * 1000, 'button');
      if (n + len >= nextHeartbeat) {
        nextHeartbeat += heartbeatFrames;
        await heartbeat();
      }
      if (n + len >= nextYield) {
        nextYield += YIELD_EVERY_S * fs;
        await new Promise((r) => setImmediate(r));
      }
    }
    if (n < total) o.log.warn('demonstration night stopped early', { at: new Date(deviceNow).toISOString() });
    else deviceNow = o.endMs;
    // The end of the night: open events end, clips finish, everything is sent and receipted.
    m.shutdown();
    await Promise.all(m.clipRecorders.map((c) => c.close()));
    while (clipJobs.size > 0) await Promise.all([...clipJobs]);
    await heartbeat();
    flushPending();
    outbox.releaseLevels();
    uplink.kick();
    // Stopped early (Ctrl-C, the service stopping too): what is left stays journaled for the monitor's next start.
    if (o.signal?.aborted !== true) await until('the ingest did not receipt every message', () => outbox.stats().depth === 0, timeoutMs);
    return { complete: n >= total, seconds: Math.min(n, total) / fs, events, clips, tookMs: Date.now() - began };
  } finally {
    await uplink.stop();
    outbox.close();
  }
}
