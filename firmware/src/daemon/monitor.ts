/**
 * The monitor's core: captured audio (or an instrument's level records) in,
 * signed-message bodies out. Synchronous and free of sockets and timers: the
 * daemon feeds it blocks and button presses and hands what it emits to the
 * outbox. Per block it runs the measurement engine; per 1 s interval it feeds
 * the nuisance rules, emits the events they raise (starting or ending clips),
 * then the interval's level record (with its 1/3-octave bands, `Z3`, when the
 * config says `bands: "third-octave"`) — each journaled as it is made (batching is
 * the outbox's, on the wire), so a power cut loses at most the second being
 * measured. The daemon journals `openEventsSnapshot()` beside each of them, so
 * events open at a crash can be ended at the next start (issue 18).
 *
 * One clock (issue 18, item 6): level records, event times, clips and
 * incident marks all take their time from the capture clock (the block's
 * startedAtMs); a button press, stamped by the wall clock, is mapped onto it.
 */
import { type DataGap, type EventBody, type EventEnded, type LevelRecord, type RemoteConfig, meanSquareOfLevel, round2 } from '@earshot/shared';
import type { PcmFormat } from '../audio/index.ts';
import { CaptureClockMap } from '../capture/sample-clock.ts';
import type { PcmBlock } from '../capture/types.ts';
import type { ClipRecorder } from '../clips/index.ts';
import { type IntervalLevels, LevelEngine } from '../measure/index.ts';
import { type RuleOutput, RuleEngine } from '../rules/index.ts';
import { levelRecord } from './level-record.ts';
import { MicHealth } from './mic-health.ts';

export interface MonitorOptions {
  deviceId: string;
  config: RemoteConfig;
  fullScaleDb: number;
  /** Hands a body to the outbox (durable before it returns). */
  emit(kind: 'levels', body: { fullScaleDb: number; records: LevelRecord[] }): void;
  emit(kind: 'event', body: EventBody): void;
  /** Makes the clip recorder for a capture format (audio sources only); null: no clips on this device. */
  makeClipRecorder: ((format: PcmFormat, audio: RemoteConfig['audio']) => ClipRecorder) | null;
  /** Asked to send the level records waiting for a full wire batch (before a heartbeat, a calibration change, shutdown). */
  releaseLevels?: () => void;
  /** The wall clock (epoch ms) button presses are stamped with; default Date.now. */
  wallNow?: () => number;
}

/** Why an event open at a crash ends at the next start (EventEnded.reason). */
export const INTERRUPTED_BY_RESTART = 'interrupted-by-restart';

/** Intervals shorter than this (a flush at a gap or at shutdown) are stored but not fed to the rules, which count whole seconds. */
const MIN_RULE_INTERVAL_S = 0.999;

export class Monitor {
  readonly deviceId: string;
  readonly mic = new MicHealth();
  private readonly opts: MonitorOptions;
  private config: RemoteConfig;
  private readonly rules: RuleEngine;
  private engine: LevelEngine | null = null;
  private recorder: ClipRecorder | null = null;
  /** The audio settings the recorder was made with. */
  private recorderAudio: RemoteConfig['audio'] | null = null;
  private readonly retired: ClipRecorder[] = [];
  private fullScale: number;
  /** Maps a wall-clock instant (a button press) onto the capture clock. */
  private readonly clockMap = new CaptureClockMap();
  /** Clips being recorded: their event and capture-clock start, for a gap record if they must be given up. */
  private readonly clipsRecording = new Map<string, { eventId: string; fromMs: number }>();
  /** Free space is under the clip reserve: no new clips, the one recording given up (daemon). */
  private storageLow = false;
  /** Maps the engine's sample count to wall time: the current block's first sample. */
  private blockStartMs = 0;
  private blockStartSample = 0;
  private lastLAeq: number | null = null;
  private readonly eventClips = new Map<string, string[]>();

  constructor(opts: MonitorOptions) {
    this.opts = opts;
    this.deviceId = opts.deviceId;
    this.config = opts.config;
    this.fullScale = opts.fullScaleDb;
    this.rules = new RuleEngine({ deviceId: opts.deviceId, config: opts.config, fullScaleDb: opts.fullScaleDb });
  }

  get fullScaleDb(): number {
    return this.fullScale;
  }

  /** The clip recorder (once audio has arrived), for the daemon to wait on and close. */
  /** Every clip recorder that may still be writing: the current one and those a new clip timing replaced. */
  get clipRecorders(): ClipRecorder[] {
    return this.recorder === null ? [...this.retired] : [...this.retired, this.recorder];
  }

  get clipRecorder(): ClipRecorder | null {
    return this.recorder;
  }

  /** Rule triggers not raised as events (cooldown, hourly cap), for the heartbeat. */
  suppressed(): Record<string, { cooldown: number; hourlyCap: number }> {
    return this.rules.suppressedTriggers();
  }

  get openEventIds(): string[] {
    return this.rules.openEventIds();
  }

  /** One block from a PCM capture source. */
  pcmBlock(block: PcmBlock): void {
    const rate = block.format.sampleRate;
    if (this.engine === null || this.engine.sampleRate !== rate || block.discontinuity) {
      // Audio either side of a gap (a capture restart, the next file) is not one signal.
      this.engine?.flush();
      this.engine = new LevelEngine({
        sampleRate: rate,
        fullScaleDb: this.fullScale,
        ...(this.config.bands === 'third-octave' ? { bands: 'third-octave' as const } : {}),
        onInterval: (r) => this.interval(r),
        onTick: (laf) => this.rules.pushTick(laf),
      });
    }
    if (this.recorder !== null && !sameTiming(this.recorderAudio, this.config.audio) && this.recorder.recordingClipId === null) {
      // New pre-trigger / maximum / post-roll lengths: a fresh recorder, once no clip is being recorded.
      this.retired.push(this.recorder);
      this.recorder = null;
    }
    if (this.recorder === null && this.opts.makeClipRecorder !== null) {
      this.recorder = this.opts.makeClipRecorder(block.format, this.config.audio);
      this.recorderAudio = this.config.audio;
    }
    this.recorder?.push(block);
    this.clockMap.observe(block.startedAtMs + (block.frames * 1000) / rate, (this.opts.wallNow ?? Date.now)());
    this.blockStartMs = block.startedAtMs;
    this.blockStartSample = this.engine.position;
    this.engine.process(block.samples, 0, block.frames);
  }

  /** One record from a level source (a serial meter, an analog module): no DSP, no clips. */
  levelRecord(rec: LevelRecord): void {
    this.mic.add(rec.d, rec.silent === true, rec.clipped ?? 0);
    if (rec.silent === true || rec.LAeq === null || rec.d < MIN_RULE_INTERVAL_S) {
      this.queue(rec);
      return;
    }
    const fs = this.fullScale;
    const msA = meanSquareOfLevel(rec.LAeq, fs);
    const r: IntervalLevels = {
      index: 0, startSample: 0, samples: 0, startSeconds: 0, durationSeconds: rec.d,
      LAeq: rec.LAeq, LCeq: rec.LCeq ?? rec.LAeq, LZeq: rec.LZeq ?? rec.LCeq ?? rec.LAeq,
      LAFmax: rec.LAFmax ?? rec.LAeq, LAFmin: rec.LAFmin ?? rec.LAeq, LASmax: rec.LASmax ?? rec.LAeq, LCpeak: rec.LCpeak,
      msA, msC: rec.LCeq === null ? msA : meanSquareOfLevel(rec.LCeq, fs), msZ: rec.LZeq === null ? msA : meanSquareOfLevel(rec.LZeq, fs),
      clippedSamples: rec.clipped ?? 0, silent: false,
    };
    this.lastLAeq = rec.LAeq;
    this.handle(this.rules.pushInterval(Date.parse(rec.t), r));
    this.queue(rec);
  }

  /** The resident pressed the incident button (or marked it in an app): an incident event at once, with a clip. */
  incident(wallMs: number, source: 'button' | 'app'): EventBody {
    const atMs = this.clockMap.toCapture(wallMs);
    const eventId = `${this.deviceId}-${Math.round(atMs)}-incident`;
    const clip = this.storageLow ? undefined : this.recorder?.trigger(eventId, 'button');
    if (clip !== undefined && clip.clipId !== null && 'joined' in clip && !clip.joined) this.clipsRecording.set(clip.clipId, { eventId, fromMs: atMs });
    const body: EventBody = {
      kind: 'incident',
      eventId,
      at: new Date(Math.round(atMs)).toISOString(),
      source,
      clipIds: clip?.clipId ? [clip.clipId] : [],
      LAeq: round2(this.lastLAeq),
    };
    this.opts.emit('event', body);
    return body;
  }

  /** A new retained config from the ingest (already validated): rules, audio mode, cadence, bands. */
  reconfigure(config: RemoteConfig): void {
    this.config = config;
    // Bands switch at the next interval boundary: no record holds part of a band sum.
    this.engine?.setBands(config.bands === 'third-octave' ? 'third-octave' : null);
    this.handle(this.rules.reconfigure(config));
    if (this.recorder !== null && this.recorder.mode !== config.audio.mode) {
      // Audio turned off abandons the clip being recorded: events still open must not name it.
      const abandoned = this.recorder.setMode(config.audio.mode);
      if (abandoned !== null) this.clipLost(abandoned);
    }
  }

  /** A clip will never exist (abandoned, or its file could not be written): open events stop naming it. */
  clipLost(clipId: string): void {
    this.clipsRecording.delete(clipId);
    for (const [eventId, ids] of this.eventClips) {
      const i = ids.indexOf(clipId);
      if (i >= 0) this.eventClips.set(eventId, ids.toSpliced(i, 1));
    }
  }

  /** A clip was written (its manifest is out): it no longer needs a gap record. */
  clipDone(clipId: string): void {
    this.clipsRecording.delete(clipId);
  }

  /**
   * A clip given up for lack of space (or a failed write): events stop naming
   * it, and a signed gap record (what "clip") names it and its event.
   */
  clipGivenUp(clipId: string, reason: DataGap['reason'], detail: string): void {
    const rec = this.clipsRecording.get(clipId);
    this.clipLost(clipId);
    const toMs = this.captureNow();
    const fromMs = Math.min(rec?.fromMs ?? toMs, toMs);
    const gap: DataGap = {
      kind: 'gap',
      eventId: `${this.deviceId}-${Math.round(fromMs)}-clip-gap`,
      what: 'clip',
      from: new Date(Math.round(fromMs)).toISOString(),
      to: new Date(Math.round(toMs)).toISOString(),
      reason,
      detail: detail.slice(0, 500),
      clipIds: [clipId],
    };
    if (rec !== undefined) gap.relatedEventId = rec.eventId;
    this.opts.emit('event', gap);
  }

  /**
   * Free space fell under (or rose back over) the clip reserve: clips are the
   * first to give way, so the journal keeps room for the levels. The clip being
   * recorded is given up at once (with its gap record) and no new one starts.
   */
  setStorageLow(low: boolean): void {
    if (low === this.storageLow) return;
    this.storageLow = low;
    if (!low) return;
    for (const r of this.clipRecorders) {
      const abandoned = r.abandon();
      if (abandoned !== null) this.clipGivenUp(abandoned, 'storage-full', 'free space under the journal reserve: clip given up so the levels keep their room');
    }
  }

  /**
   * The open events as they would end now, with reason "interrupted-by-restart"
   * (and the clips they name), for the daemon's checkpoint. Ended at the end of
   * the last second measured (or where the level fell, if closing).
   */
  openEventsSnapshot(): EventEnded[] {
    const out = this.rules.openEventsEnded();
    for (const e of out) {
      e.reason = INTERRUPTED_BY_RESTART;
      e.clipIds = this.eventClips.get(e.eventId) ?? [];
    }
    return out;
  }

  /** A new calibration (after `calibrate`). */
  setFullScaleDb(db: number): void {
    this.fullScale = db;
    if (this.engine !== null) this.engine.fullScaleDb = db;
    this.rules.fullScaleDb = db;
  }

  /** Ends open events (reason "shutdown") and sends the levels held back; then close the clip recorder. */
  shutdown(): void {
    this.engine?.flush();
    this.handle(this.rules.shutdown());
    this.flushLevels();
  }

  /**
   * Sends the level records waiting for a full wire batch (before a heartbeat,
   * a calibration change, at shutdown). Each record is journaled as it is made;
   * this only lets the outbox sign a short batch.
   */
  flushLevels(): void {
    this.opts.releaseLevels?.();
  }

  private interval(r: IntervalLevels): void {
    const startMs = this.blockStartMs + ((r.startSample - this.blockStartSample) * 1000) / this.engine!.sampleRate;
    this.mic.add(r.durationSeconds, r.silent, r.clippedSamples);
    // Events of the second first, then its record: the checkpoint journaled with the record then holds the open events as of its end.
    if (r.durationSeconds >= MIN_RULE_INTERVAL_S) {
      if (!r.silent) this.lastLAeq = r.LAeq;
      this.handle(this.rules.pushInterval(startMs, r));
    }
    this.queue(levelRecord(startMs, r));
  }

  /** Journaled at once, one record per body: the outbox combines them on the wire. */
  private queue(rec: LevelRecord): void {
    this.opts.emit('levels', { fullScaleDb: round2(this.fullScale)!, records: [rec] });
  }

  /** Capture-clock time now: the end of the latest block. */
  private captureNow(): number {
    return this.clockMap.toCapture((this.opts.wallNow ?? Date.now)());
  }

  private handle(outputs: readonly RuleOutput[]): void {
    for (const out of outputs) {
      if (out.kind === 'started') {
        const wantsClip = this.config.audio.mode === 'on-event' && !this.storageLow;
        const clip = wantsClip ? this.recorder?.trigger(out.eventId, 'rule') : undefined;
        this.eventClips.set(out.eventId, clip?.clipId ? [clip.clipId] : []);
        if (clip !== undefined && clip.clipId !== null && 'joined' in clip && !clip.joined) this.clipsRecording.set(clip.clipId, { eventId: out.eventId, fromMs: Date.parse(out.startedAt) });
        this.opts.emit('event', out);
      } else {
        const clipIds = this.eventClips.get(out.eventId) ?? [];
        this.eventClips.delete(out.eventId);
        this.recorder?.end(out.eventId);
        this.opts.emit('event', { ...out, clipIds });
      }
    }
  }
}

function sameTiming(a: RemoteConfig['audio'] | null, b: RemoteConfig['audio']): boolean {
  return a !== null && a.preTriggerSeconds === b.preTriggerSeconds && a.maxSeconds === b.maxSeconds && a.postRollSeconds === b.postRollSeconds;
}
