/**
 * The monitor daemon (`earshot-device run`): wires the capture source, the
 * monitor core, the clip recorder, the durable outbox and the MQTT uplink, the
 * button and LED, the heartbeat and the retained config. All I/O lives here;
 * the decisions live in monitor.ts, rules/, clips/ and outbox/.
 *
 * Shutdown (SIGTERM/SIGINT): stop capture, end open events ("shutdown"), send
 * held-back levels, finish clips, then close the uplink and the outbox. A power
 * cut or SIGKILL instead loses at most the second being measured: every 1 s
 * level record is journaled (fsync) as it is made, batched only on the wire
 * (Outbox wireBatchRecords = levelsBatch), and everything journaled is sent
 * after the reboot.
 *
 * Events open at a crash (issue 18): beside each level record and event the
 * daemon journals a checkpoint — the open events as they would end now, with
 * their running statistics — in the same fsync as the record (a separate state
 * file would cost a rename and a directory fsync more per second, and could
 * disagree with the journal after a power cut). At the next start the events
 * of the last checkpoint are ended with reason "interrupted-by-restart", at the
 * end of the last second journaled, naming only clips that survived.
 *
 * Full disk (issue 18): a level record (or event) the journal refuses is held
 * in memory (memory-hold.ts; past its bound, a gap record) and written, gap
 * record first, once a retry every RETRY_MS succeeds; events, heartbeats and
 * acks meanwhile use the journal's reserve; the heartbeat reports
 * EARSHOT_E_STORAGE_FULL and the held counts. Clips give way first: under
 * clipReserveBytes of free space the clip being recorded is given up, with a
 * gap record naming it.
 */
import { readFileSync, rmSync, statfsSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  type ClipManifest, type DataGap, type ErrorInfo, type EventBody, type LevelRecord, type LevelsBody, type RemoteConfig, type StatusBody,
  EventEnded, isEarshotError, parseRemoteConfigPayload,
} from '@earshot/shared';
import { z } from 'zod';
import type { PcmFormat } from '../audio/index.ts';
import { type CaptureDeps, createCaptureSource } from '../capture/create.ts';
import type { CaptureSource } from '../capture/types.ts';
import { ClipRecorder, findOrphanClips, manifestPathOf } from '../clips/index.ts';
import { loadIdentity } from '../identity/index.ts';
import { type IoDeps, createDeviceIo } from '../io/create.ts';
import { sharedFirmataBoards } from '../io/shared-boards.ts';
import type { DeviceIo, LedState } from '../io/types.ts';
import { DEFAULT_RESERVE_BYTES, MemoryHold, Outbox } from '../outbox/index.ts';
import { readClockSync } from '../status/clock-sync.ts';
import { cpuTemperatureC, diskSpace } from '../status/host.ts';
import { serverReceiptKey, Uplink } from '../uplink/index.ts';
import { type LoadedConfig, loadDeviceConfig } from './config.ts';
import { syncCalibration } from './calibration-sync.ts';
import { INTERRUPTED_BY_RESTART, Monitor } from './monitor.ts';
import { readCalibration, readRemoteConfig, writeRemoteConfig } from './state-files.ts';
import { readFirmwareVersion } from './firmware-version.ts';
import { statusBody } from './status-report.ts';

/** A full disk is retried this often: cheap (one failed write), and a returning disk is used within seconds. */
const RETRY_MS = 2_000;
/** Free space is checked this often for the clip reserve (one statfs). */
const SPACE_CHECK_MS = 1_000;
/** 64 MiB: room for six 75 s clips of 48 kHz 24-bit audio (≈ 10.8 MB each) before the journal's own space is touched. */
const DEFAULT_CLIP_RESERVE_BYTES = 64 * 1024 * 1024;

/** The checkpoint journaled beside each record: the open events as they would end now. */
const Checkpoint = z.object({ v: z.literal(1), events: z.array(EventEnded) });
type Checkpoint = z.infer<typeof Checkpoint>;

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
  /** The software version for the heartbeat, read once at start. */
  private readonly firmwareVersion = readFirmwareVersion();
  /** What the journal refused while the disk was full, waiting to be written. */
  private readonly hold: MemoryHold;
  private holdError: ErrorInfo | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private spaceTimer: NodeJS.Timeout | null = null;
  /** The last checkpoint journaled named open events (so an empty one must follow when they end). */
  private checkpointOpen = false;

  private constructor(loaded: LoadedConfig, log: DaemonLog) {
    this.loaded = loaded;
    this.log = log;
    const { config, stateDir } = loaded;
    const identity = loadIdentity(join(stateDir, 'keys'));
    this.publicKeyPem = identity.publicKeyPem;
    this.config = readRemoteConfig(stateDir) ?? config.remote;
    const fullScaleDb = readCalibration(stateDir)?.fullScaleDb ?? config.fullScaleDb;
    const caPem = config.server.caFile === undefined ? undefined : readFileSync(config.server.caFile, 'utf8');
    this.outbox = Outbox.open({
      dir: join(stateDir, 'outbox'),
      deviceId: config.deviceId,
      privateKey: identity.privateKey,
      quotaBytes: config.outbox.quotaBytes,
      reserveBytes: config.outbox.reserveBytes ?? DEFAULT_RESERVE_BYTES,
      wireBatchRecords: this.config.levelsBatch,
    });
    this.hold = new MemoryHold({
      deviceId: config.deviceId,
      ...(config.outbox.holdRecords === undefined ? {} : { maxRecords: config.outbox.holdRecords }),
      ...(config.outbox.holdMaxRecordSeconds === undefined ? {} : { maxRecordSeconds: config.outbox.holdMaxRecordSeconds }),
    });
    const opened = this.outbox.stats();
    if (opened.tornTailBytes > 0) log.warn('outbox journal had a torn last record (a power cut mid-write); it was cut off', { bytes: opened.tornTailBytes });
    for (const e of opened.errors) log.warn('outbox journal problem', { ...e });
    // Stored receipts (DESIGN §4): checked with the server key from provisioning; without one a PUBACK is trusted.
    const serverKey = serverReceiptKey(config.server.publicKeyPem);
    if (serverKey === null) log.info('no server.publicKeyPem in the config: stored receipts cannot be checked, a PUBACK removes a message from the journal', { code: 'EARSHOT_E_RECEIPT_KEY_MISSING' });
    this.uplink = new Uplink({
      ...(serverKey === null ? {} : { receipts: { serverKey } }),
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
      releaseLevels: () => {
        this.outbox.releaseLevels();
        this.uplink.kick();
      },
      makeClipRecorder: (format: PcmFormat, audio: RemoteConfig['audio']) => new ClipRecorder({
        format,
        dir: clipsDir,
        mode: audio.mode,
        preSeconds: audio.preTriggerSeconds,
        maxSeconds: audio.maxSeconds,
        postSeconds: audio.postRollSeconds,
        fullScaleDb: () => this.monitor.fullScaleDb,
        onClip: (manifest, path) => {
          this.monitor.clipDone(manifest.clipId);
          this.queueClip(path, manifest);
        },
        onError: (clipId, error) => {
          // A clip that could not be written is named by a gap record, and by no event.
          this.monitor.clipGivenUp(clipId, /ENOSPC/.test(error.detail) ? 'storage-full' : 'write-error', `${error.code}: ${error.detail}`);
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
    const recovered: string[] = [];
    for (const orphan of findOrphanClips(join(this.loaded.stateDir, 'clips'), this.outbox.clipPaths())) {
      if (orphan.manifest === null) this.log.warn('clip file without a manifest kept, not sent', { path: orphan.path });
      else {
        this.log.info('clip from before the restart queued', { clipId: orphan.manifest.clipId });
        recovered.push(orphan.manifest.clipId);
        this.queueClip(orphan.path, orphan.manifest);
      }
    }
    this.endInterruptedEvents(recovered);
    this.uplink.start();
    // The analog sound module, the button and the LED may sit on one Firmata board: open each port once, for both.
    const firmataBoard = sharedFirmataBoards(opts.capture?.firmataBoard ?? opts.io?.firmataBoard);
    this.io = await createDeviceIo(config.io, { onFault: (e) => this.log.warn('button/LED fault', { ...e }), ...opts.io, firmataBoard });
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
    this.spaceTimer = setInterval(() => this.checkSpace(), SPACE_CHECK_MS);
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
    if (this.spaceTimer !== null) clearInterval(this.spaceTimer);
    await this.source?.stop();
    this.monitor.shutdown();
    if (this.retryTimer !== null) clearInterval(this.retryTimer);
    this.retryTimer = null;
    this.writeHeld();
    if (!this.hold.empty) this.log.warn('disk still full at shutdown: measurements held in memory are lost', { ...this.hold.stats() });
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

  /**
   * Journals a body. Level records wait in memory behind any already held (in
   * order); events go straight to the journal (its reserve) unless events are
   * held too. A body the journal refuses is held (never dropped); a heartbeat
   * that cannot be journaled is skipped, its news carried by the next.
   */
  private send(kind: 'levels' | 'event' | 'status', body: unknown): void {
    if (kind !== 'status' && !this.hold.empty && (kind === 'levels' || this.hold.stats().events > 0)) {
      this.hold.add(kind, body as LevelsBody | EventBody, Date.now());
      return;
    }
    if (kind === 'levels' && this.outbox.reserveShort && !this.outbox.refillReserve()) {
      // The space the reserve gave back is the journal's, not the levels': they wait until it is whole again.
      this.holdBack(kind, body as LevelsBody, Object.assign(new Error('ENOSPC: the journal reserve is not whole'), { code: 'ENOSPC' }));
      return;
    }
    const checkpoint = kind === 'status' ? undefined : this.checkpoint();
    try {
      this.outbox.enqueue(kind, body, { reserve: kind !== 'levels', ...(checkpoint === undefined ? {} : { checkpoint }) });
      if (checkpoint !== undefined) this.checkpointOpen = checkpoint.events.length > 0;
    } catch (e) {
      if (kind === 'status' || isEarshotError(e)) {
        this.log.warn('message not queued', { kind, error: String(e) });
        return;
      }
      this.holdBack(kind, body as LevelsBody | EventBody, e);
      return;
    }
    this.uplink.kick();
  }

  /** The checkpoint to journal with the next record: the open events, or an empty one once the last of them has ended. */
  private checkpoint(): Checkpoint | undefined {
    const events = this.monitor.openEventsSnapshot();
    return events.length === 0 && !this.checkpointOpen ? undefined : { v: 1, events };
  }

  private holdBack(kind: 'levels' | 'event', body: LevelsBody | EventBody, e: unknown): void {
    const code = (e as NodeJS.ErrnoException).code;
    if (this.hold.empty) this.log.warn('journal write failed: holding measurements in memory until it succeeds', { kind, error: String(e) });
    this.holdError = {
      code: 'EARSHOT_E_STORAGE_FULL',
      detail: code === 'ENOSPC' ? 'no space left on the monitor\'s disk: measurements held in memory' : `journal write failed (${code ?? String(e)}): measurements held in memory`,
    };
    this.hold.add(kind, body, Date.now());
    this.monitor.setStorageLow(true);
    this.retryTimer ??= setInterval(() => this.retryHeld(), RETRY_MS);
  }

  private retryHeld(): void {
    if (!this.writeHeld()) return;
    if (this.retryTimer !== null) clearInterval(this.retryTimer);
    this.retryTimer = null;
    this.holdError = null;
    this.log.info('journal writable again: measurements held in memory written');
    this.checkSpace();
    void this.sendStatus();
  }

  /** Writes what is held, gap record first; false when the disk is still full. */
  private writeHeld(): boolean {
    if (this.hold.empty) return true;
    // Space first goes back to the reserve; what is held is written only from space beyond it.
    if (!this.outbox.refillReserve()) return false;
    for (let item = this.hold.next(); item !== null; item = this.hold.next()) {
      // The gap record goes only where the levels after it can go (beyond the reserve): written while they cannot,
      // it would be closed, and the seconds given up until they can would need a second record for one outage.
      const gap = item.kind === 'event' && (item.body as EventBody).kind === 'gap' && (item.body as DataGap).what === 'levels';
      try {
        this.outbox.enqueue(item.kind, item.body, { reserve: item.kind !== 'levels' && !gap });
      } catch (e) {
        if (isEarshotError(e)) {
          // Cannot happen for bodies the monitor made; never let one block the rest.
          this.log.warn('held message dropped', { kind: item.kind, error: String(e) });
          this.hold.shift();
          continue;
        }
        return false;
      }
      if (gap) this.log.warn('gap record written', { ...(item.body as DataGap) });
      this.hold.shift();
    }
    this.outbox.releaseLevels();
    this.uplink.kick();
    return true;
  }

  /** Clips give way when free space falls under the clip reserve (or the journal already failed). */
  private checkSpace(): void {
    let low = !this.hold.empty;
    if (!low) {
      try {
        const s = statfsSync(this.loaded.stateDir);
        low = s.bavail * s.bsize < (this.loaded.config.outbox.clipReserveBytes ?? DEFAULT_CLIP_RESERVE_BYTES);
      } catch {
        // an unreadable filesystem shows in the next write
      }
    }
    this.monitor.setStorageLow(low);
  }

  /**
   * Events open when the monitor last stopped without ending them (a power cut,
   * SIGKILL): ended now from the last checkpoint, with reason
   * "interrupted-by-restart", at the end of the last second journaled. Each is
   * journaled with a checkpoint of those still to end, so a crash in between
   * neither loses nor repeats one.
   */
  private endInterruptedEvents(recovered: readonly string[]): void {
    const parsed = Checkpoint.safeParse(this.outbox.lastCheckpoint());
    if (!parsed.success || parsed.data.events.length === 0) return;
    const clips = new Set([...[...this.outbox.clipPaths()].map((p) => basename(p, '.wav')), ...recovered]);
    const events = parsed.data.events;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const body: EventEnded = { ...e, reason: INTERRUPTED_BY_RESTART, clipIds: e.clipIds.filter((id) => clips.has(id)) };
      const rest: Checkpoint = { v: 1, events: events.slice(i + 1) };
      try {
        this.outbox.enqueue('event', body, { checkpoint: rest });
      } catch (err) {
        this.holdBack('event', body, err);
      }
      this.log.info('event open at the last stop ended', { eventId: e.eventId, endedAt: e.endedAt });
    }
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
    this.outbox.setWireBatch(next.levelsBatch);
    this.monitor.reconfigure(next);
    try {
      writeRemoteConfig(this.loaded.stateDir, next);
    } catch (e) {
      // In force now; after a reboot the broker's retained copy brings it back. Never thrown into mqtt.js's handler.
      this.log.warn('config applied but not saved', { version: next.version, error: String(e) });
    }
    this.scheduleHeartbeat(next.heartbeatSeconds);
    this.log.info('config applied', { version: next.version, rules: next.rules.length, audio: next.audio.mode, bands: next.bands });
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
    this.syncCalibration();
    this.monitor.flushLevels();
    this.send('status', statusBody({
      uptimeSeconds: (Date.now() - this.startedAt) / 1000,
      clock,
      outbox: this.outbox.stats(),
      held: this.hold.empty ? null : { ...this.hold.stats(), error: this.holdError ?? { code: 'EARSHOT_E_STORAGE_FULL', detail: 'measurements held in memory' } },
      disk,
      temperatureC,
      mic: this.monitor.mic.take(),
      fullScaleDb: this.monitor.fullScaleDb,
      configVersion: this.config.version,
      lastConfig: this.lastConfig,
      capture: this.source?.health() ?? { source: 'none', restarts: 0, lastError: null },
      publicKeyPem: this.publicKeyPem,
      suppressed: this.monitor.suppressed(),
      firmwareVersion: this.firmwareVersion,
      receipts: this.uplink.status().receipts,
    }));
  }

  /** At start and each heartbeat: a calibration made meanwhile is applied, and its record signed and sent (calibration-sync.ts). */
  private syncCalibration(): void {
    try {
      const r = syncCalibration(this.loaded.stateDir, this.monitor, (record) => {
        this.outbox.enqueue('event', record);
        this.uplink.kick();
      });
      if (r.applied !== null) this.log.info('calibration applied', { fullScaleDb: r.applied });
      for (const id of r.sent) this.log.info('calibration record queued', { eventId: id });
    } catch (e) {
      this.log.warn('calibration record not queued; retried at the next heartbeat', { error: String(e) });
    }
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
