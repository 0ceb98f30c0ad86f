/**
 * The monitor daemon (`earshot-device run`): wires the capture source, the
 * monitor core, the clip recorder, the durable outbox and the MQTT uplink, the
 * button and LED, the heartbeat and the retained config. All I/O lives here;
 * the decisions live in monitor.ts, rules/, clips/ and outbox/.
 *
 * Shutdown (SIGTERM/SIGINT): stop capture, end open events ("shutdown"), send
 * held-back levels, finish clips, then close the uplink and the outbox. A power
 * cut instead loses at most the levels of the batch in progress (≤ levelsBatch
 * seconds); everything already journaled is sent after the reboot.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type ClipManifest, type EventBody, type LevelRecord, type RemoteConfig, type StatusBody, parseRemoteConfigPayload } from '@earshot/shared';
import type { PcmFormat } from '../audio/index.ts';
import { type CaptureDeps, createCaptureSource } from '../capture/create.ts';
import type { CaptureSource } from '../capture/types.ts';
import { ClipRecorder, findOrphanClips, manifestPathOf } from '../clips/index.ts';
import { loadIdentity } from '../identity/index.ts';
import { type IoDeps, createDeviceIo } from '../io/create.ts';
import { sharedFirmataBoards } from '../io/shared-boards.ts';
import type { DeviceIo, LedState } from '../io/types.ts';
import { Outbox } from '../outbox/index.ts';
import { readClockSync } from '../status/clock-sync.ts';
import { cpuTemperatureC, diskSpace } from '../status/host.ts';
import { Uplink } from '../uplink/index.ts';
import { type LoadedConfig, loadDeviceConfig } from './config.ts';
import { Monitor } from './monitor.ts';
import { readCalibration, readRemoteConfig, writeRemoteConfig } from './state-files.ts';
import { statusBody } from './status-report.ts';

export interface DaemonLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface DaemonOptions {
  configFile: string;
  log: DaemonLog;
  capture?: CaptureDeps;
  io?: IoDeps;
}

export class Daemon {
  readonly loaded: LoadedConfig;
  private readonly log: DaemonLog;
  private readonly outbox: Outbox;
  private readonly uplink: Uplink;
  private readonly monitor: Monitor;
  private readonly publicKeyPem: string;
  private source: CaptureSource | null = null;
  private io: DeviceIo | null = null;
  private config: RemoteConfig;
  private lastConfig: StatusBody['config']['lastReceived'] = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private ledTimer: NodeJS.Timeout | null = null;
  private captureFault = false;
  private stopping: Promise<void> | null = null;
  /** Finished clips being journaled (enqueueClip hashes the file first): shutdown waits for them. */
  private readonly clipsQueuing = new Set<Promise<void>>();
  private readonly startedAt = Date.now();

  private constructor(loaded: LoadedConfig, log: DaemonLog) {
    this.loaded = loaded;
    this.log = log;
    const { config, stateDir } = loaded;
    const identity = loadIdentity(join(stateDir, 'keys'));
    this.publicKeyPem = identity.publicKeyPem;
    this.config = readRemoteConfig(stateDir) ?? config.remote;
    const fullScaleDb = readCalibration(stateDir)?.fullScaleDb ?? config.fullScaleDb;
    const caPem = config.server.caFile === undefined ? undefined : readFileSync(config.server.caFile, 'utf8');
    this.outbox = Outbox.open({ dir: join(stateDir, 'outbox'), deviceId: config.deviceId, privateKey: identity.privateKey, quotaBytes: config.outbox.quotaBytes });
    const opened = this.outbox.stats();
    if (opened.tornTailBytes > 0) log.warn('outbox journal had a torn last record (a power cut mid-write); it was cut off', { bytes: opened.tornTailBytes });
    for (const e of opened.errors) log.warn('outbox journal problem', { ...e });
    this.uplink = new Uplink({
      url: config.server.url,
      deviceId: config.deviceId,
      secret: config.secret,
      ...(caPem === undefined ? {} : { caPem }),
      outbox: this.outbox,
      onConfig: (payload) => this.receiveConfig(payload),
    });
    const clipsDir = join(stateDir, 'clips');
    this.monitor = new Monitor({
      deviceId: config.deviceId,
      config: this.config,
      fullScaleDb,
      emit: (kind: 'levels' | 'event', body: { fullScaleDb: number; records: LevelRecord[] } | EventBody) => this.send(kind, body),
      makeClipRecorder: (format: PcmFormat, audio: RemoteConfig['audio']) => new ClipRecorder({
        format,
        dir: clipsDir,
        mode: audio.mode,
        preSeconds: audio.preTriggerSeconds,
        maxSeconds: audio.maxSeconds,
        postSeconds: audio.postRollSeconds,
        fullScaleDb: () => this.monitor.fullScaleDb,
        onClip: (manifest, path) => this.queueClip(path, manifest),
        onError: (clipId, error) => {
          this.monitor.clipLost(clipId);
          this.log.warn('clip not written', { clipId, ...error });
        },
      }),
    });
  }

  static async start(opts: DaemonOptions): Promise<Daemon> {
    const d = new Daemon(loadDeviceConfig(opts.configFile), opts.log);
    try {
      await d.begin(opts);
    } catch (e) {
      // A capture or io that cannot start must not leave the uplink connected (the process would never exit).
      await d.stop();
      throw e;
    }
    return d;
  }

  /** Journals a finished clip; once the outbox holds it, the manifest kept beside it is no longer needed. */
  private queueClip(path: string, manifest: ClipManifest): void {
    const job = this.outbox.enqueueClip(path, manifest)
      .then(() => {
        rmSync(manifestPathOf(path), { force: true });
        this.uplink.kick();
      }, (e: unknown) => this.log.warn('clip not queued', { clipId: manifest.clipId, error: String(e) }))
      .finally(() => this.clipsQueuing.delete(job));
    this.clipsQueuing.add(job);
  }

  private async begin(opts: DaemonOptions): Promise<void> {
    const { config } = this.loaded;
    // Clips finished but not journaled when the monitor last stopped (a power cut in between).
    for (const orphan of findOrphanClips(join(this.loaded.stateDir, 'clips'), this.outbox.clipPaths())) {
      if (orphan.manifest === null) this.log.warn('clip file without a manifest kept, not sent', { path: orphan.path });
      else {
        this.log.info('clip from before the restart queued', { clipId: orphan.manifest.clipId });
        this.queueClip(orphan.path, orphan.manifest);
      }
    }
    this.uplink.start();
    // The analog sound module, the button and the LED may sit on one Firmata board: open each port once, for both.
    const firmataBoard = sharedFirmataBoards(opts.capture?.firmataBoard ?? opts.io?.firmataBoard);
    this.io = await createDeviceIo(config.io, { ...opts.io, firmataBoard });
    this.io.onPress((atMs) => {
      const body = this.monitor.incident(atMs, 'button');
      this.log.info('incident button pressed', { eventId: 'eventId' in body ? body.eventId : undefined });
    });
    const source = await createCaptureSource(config.capture, { ...opts.capture, firmataBoard });
    this.source = source;
    const onEvent = (e: { type: string; error?: { code: string; detail: string } }): void => {
      if (e.type === 'error' || e.type === 'restarting') {
        this.captureFault = true;
        this.log.warn(`capture ${e.type}`, { source: source.name, ...(e.error ?? {}) });
      } else if (e.type === 'started') {
        this.captureFault = false;
        this.log.info('capture started', { source: source.name });
      } else if (e.type === 'ended') {
        this.log.info('capture source ended', { source: source.name });
      }
    };
    if (source.kind === 'pcm') await source.start({ block: (b) => this.monitor.pcmBlock(b), event: onEvent });
    else await source.start({ record: (r) => this.monitor.levelRecord(r), event: onEvent });
    this.scheduleHeartbeat(this.config.heartbeatSeconds);
    this.ledTimer = setInterval(() => this.updateLed(), 1_000);
    this.updateLed();
    this.log.info('monitor running', { device: config.deviceId, source: source.name, server: config.server.url, configVersion: this.config.version });
  }

  /** Uplink state, for tests and `selftest`. */
  status(): ReturnType<Uplink['status']> {
    return this.uplink.status();
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    if (this.ledTimer !== null) clearInterval(this.ledTimer);
    await this.source?.stop();
    this.monitor.shutdown();
    await Promise.all(this.monitor.clipRecorders.map((r) => r.close()));
    // The clips just finished must be in the journal before it closes, or they would sit unsent in the clips folder.
    while (this.clipsQueuing.size > 0) await Promise.all([...this.clipsQueuing]);
    // Give the uplink a moment to deliver what shutdown produced; what is left stays journaled.
    await this.drain(3_000);
    this.io?.setLed('off');
    await this.io?.close();
    await this.uplink.stop();
    this.outbox.close();
    this.log.info('monitor stopped', { outboxDepth: this.outbox.stats().depth });
  }

  private async drain(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until && this.uplink.status().connected && this.outbox.stats().depth > 0) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private send(kind: 'levels' | 'event' | 'status', body: unknown): void {
    try {
      this.outbox.enqueue(kind, body);
    } catch (e) {
      this.log.warn('message not queued', { kind, error: String(e) });
      return;
    }
    this.uplink.kick();
  }

  private receiveConfig(payload: Buffer): void {
    if (payload.length === 0) return; // a cleared retained message
    const parsed = parseRemoteConfigPayload(payload);
    if (!parsed.ok) {
      const version = versionOf(payload);
      this.lastConfig = { version, accepted: false, error: `${parsed.error.code}: ${parsed.error.detail}`.slice(0, 500) };
      this.log.warn('config rejected; the previous one stays in force', { version, ...parsed.error });
      // Reported at once, as an accepted one is: the ingest need not wait a heartbeat to learn its config bounced.
      void this.sendStatus();
      return;
    }
    const next = parsed.config;
    this.lastConfig = { version: next.version, accepted: true };
    if (next.version === this.config.version && JSON.stringify(next) === JSON.stringify(this.config)) return;
    this.config = next;
    this.monitor.reconfigure(next);
    try {
      writeRemoteConfig(this.loaded.stateDir, next);
    } catch (e) {
      // In force now; after a reboot the broker's retained copy brings it back. Never thrown into mqtt.js's handler.
      this.log.warn('config applied but not saved', { version: next.version, error: String(e) });
    }
    this.scheduleHeartbeat(next.heartbeatSeconds);
    this.log.info('config applied', { version: next.version, rules: next.rules.length, audio: next.audio.mode });
    void this.sendStatus();
  }

  private scheduleHeartbeat(seconds: number): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => void this.sendStatus(), seconds * 1000);
    void this.sendStatus();
  }

  private async sendStatus(): Promise<void> {
    const [clock, disk, temperatureC] = await Promise.all([readClockSync(), diskSpace(this.loaded.stateDir), cpuTemperatureC()]);
    if (this.stopping !== null) return;
    this.monitor.flushLevels();
    this.send('status', statusBody({
      uptimeSeconds: (Date.now() - this.startedAt) / 1000,
      clock,
      outbox: this.outbox.stats(),
      disk,
      temperatureC,
      mic: this.monitor.mic.take(),
      fullScaleDb: this.monitor.fullScaleDb,
      configVersion: this.config.version,
      lastConfig: this.lastConfig,
      capture: this.source?.health() ?? { source: 'none', restarts: 0, lastError: null },
      publicKeyPem: this.publicKeyPem,
      suppressed: this.monitor.suppressed(),
    }));
  }

  private updateLed(): void {
    if (this.io === null) return;
    const state: LedState = this.captureFault ? 'fault' : this.uplink.status().connected ? 'recording' : 'offline';
    if (this.io.ledState !== state) this.io.setLed(state);
  }
}

function versionOf(payload: Buffer): number | null {
  try {
    const v = (JSON.parse(payload.toString('utf8')) as { version?: unknown }).version;
    // StatusBody takes only safe integers: an absurd version must not make every later heartbeat invalid.
    return typeof v === 'number' && Number.isSafeInteger(v) ? v : null;
  } catch {
    return null;
  }
}
