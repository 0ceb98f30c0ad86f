/**
 * The clip recorder: keeps the pre-trigger ring buffer of the captured audio and,
 * when a rule or the incident button triggers, makes a clip of pre-trigger audio
 * + the event (up to a maximum) + post-roll, written as a PCM WAV at the capture
 * rate and depth with its ClipManifest (DESIGN §4), so levels can be recomputed
 * from the clip alone.
 *
 * Synchronous on the capture path: push() copies each block into the ring and,
 * while a clip records, encodes it into the clip's preallocated buffer; only the
 * finished clip goes to the disk, asynchronously. In audio mode `off` there is no
 * ring buffer and no clip; no audio is ever kept outside clips.
 */
import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { type ClipManifest, EarshotError, type ErrorInfo } from '@earshot/shared';
import { type PcmFormat, encodeMono } from '../audio/index.ts';
import type { PcmBlock } from '../capture/types.ts';
import { clipFormatOf } from './clip-format.ts';
import { type AudioMode, ClipPlan, type TriggerReason } from './clip-plan.ts';
import { PART_SUFFIX, clipManifest, writeClipFile, writeManifestFile } from './clip-writer.ts';
import { PreTriggerBuffer } from './ring-buffer.ts';

export interface ClipRecorderOptions {
  /** Format of the capture (rate and depth of the clips). */
  format: PcmFormat;
  /** Folder for clips (created if missing). */
  dir: string;
  mode?: AudioMode;
  /** Issue 3 defaults: 10 s pre-trigger, event up to 60 s, 5 s post-roll. */
  preSeconds?: number;
  maxSeconds?: number;
  postSeconds?: number;
  /** How long a button incident counts as lasting (default 20 s). */
  incidentSeconds?: number;
  /** DESIGN §2 calibration in force, read when a clip is finished. */
  fullScaleDb: () => number;
  /** A new clip id ([a-z0-9-]{3,64}, shared/src/topics.ts CLIP_ID_PATTERN). */
  newClipId?: () => string;
  /** A clip is on disk, whole. */
  onClip?: (manifest: ClipManifest, path: string) => void;
  /** A clip could not be written (it is gone; the event should not reference it). */
  onError?: (clipId: string, error: ErrorInfo) => void;
}

export type TriggerResult = { clipId: string; joined: boolean } | { clipId: null; refused: string };

interface Active {
  clipId: string;
  eventId: string;
  startedAtMs: number;
  buffer: Buffer;
  bytes: number;
}

/** e.g. "clip-20261124-235701-3fa9c2d1": sortable, unique, inside CLIP_ID_PATTERN. */
export function defaultClipId(now = Date.now()): string {
  const s = new Date(now).toISOString();
  return `clip-${s.slice(0, 10).replaceAll('-', '')}-${s.slice(11, 19).replaceAll(':', '')}-${randomBytes(4).toString('hex')}`;
}

export class ClipRecorder {
  readonly clipFormat: PcmFormat & { bitsPerSample: 16 | 24 | 32 };
  private readonly options: ClipRecorderOptions;
  private readonly plan: ClipPlan;
  private readonly rate: number;
  private readonly bytesPerFrame: number;
  private ring: PreTriggerBuffer | null = null;
  private active: Active | null = null;
  /** Clip buffers not in use (a finished clip's buffer returns once it is on disk). */
  private readonly spare: Buffer[] = [];
  private readonly writing = new Set<Promise<void>>();
  /** Position of the capture: frames pushed, and the time of the latest block. */
  private frames = 0;
  private blockStartFrame = 0;
  private blockStartMs = 0;

  constructor(options: ClipRecorderOptions) {
    this.options = options;
    this.rate = options.format.sampleRate;
    this.clipFormat = clipFormatOf(options.format);
    this.bytesPerFrame = this.clipFormat.bitsPerSample / 8;
    const f = (s: number): number => Math.round(s * this.rate);
    this.plan = new ClipPlan({
      preFrames: f(options.preSeconds ?? 10),
      maxEventFrames: f(options.maxSeconds ?? 60),
      postFrames: f(options.postSeconds ?? 5),
      incidentFrames: f(options.incidentSeconds ?? 20),
    }, options.mode ?? 'on-event');
    mkdirSync(options.dir, { recursive: true });
    // Half-written clips from a crash are not evidence: remove them.
    for (const name of readdirSync(options.dir)) if (name.endsWith(PART_SUFFIX)) unlinkSync(join(options.dir, name));
    this.setMode(this.plan.mode);
  }

  get mode(): AudioMode {
    return this.plan.mode;
  }

  /** Frames of audio held in memory for pre-trigger (0 when audio is off). */
  get bufferedFrames(): number {
    return this.ring?.length ?? 0;
  }

  get recordingClipId(): string | null {
    return this.active?.clipId ?? null;
  }

  /**
   * Changes the audio mode (e.g. from a new deployment config). Turning audio off
   * drops the ring buffer and abandons a clip being recorded, unwritten; returns
   * that clip's id.
   */
  setMode(mode: AudioMode): string | null {
    this.plan.mode = mode;
    if (mode === 'off') {
      this.ring = null;
      const abandoned = this.active;
      this.active = null;
      this.plan.cut();
      this.spare.length = 0;
      return abandoned?.clipId ?? null;
    }
    if (this.ring === null) this.ring = new PreTriggerBuffer(Math.round((this.options.preSeconds ?? 10) * this.rate));
    return null;
  }

  /**
   * Gives up the clip being recorded, unwritten, keeping the pre-trigger ring
   * (free space fell under the journal's reserve: clips give way first, issue
   * 18). Returns its id, or null when none was recording.
   */
  abandon(): string | null {
    const a = this.active;
    if (a === null) return null;
    this.active = null;
    this.plan.cut();
    this.spare.push(a.buffer);
    return a.clipId;
  }

  /** Feeds a captured block (call for every block, in order). */
  push(block: PcmBlock): void {
    if (this.ring === null) return;
    if (block.discontinuity && this.frames > 0) {
      // Audio either side of a gap is not one recording: end the clip here, start the ring afresh.
      if (this.active !== null) {
        this.plan.cut();
        this.finish();
      }
      this.ring.clear();
    }
    this.blockStartFrame = this.frames;
    this.blockStartMs = block.startedAtMs;
    if (this.active !== null) {
      const take = this.plan.advance(block.frames);
      const a = this.active;
      a.bytes = encodeMono(block.samples, 0, take, this.clipFormat, a.buffer, a.bytes);
      if (this.plan.completed) this.finish();
    }
    this.ring.write(block.samples, 0, block.frames);
    this.frames += block.frames;
  }

  /**
   * A rule fired or the button was pressed: starts a clip (with the pre-trigger
   * audio) or joins the one recording. Returns the clip id at once, so the event
   * can name it; the manifest follows through onClip once it is on disk.
   */
  trigger(eventId: string, reason: TriggerReason): TriggerResult {
    const available = this.ring?.length ?? 0;
    const d = this.plan.trigger(eventId, reason, available);
    if (d.action === 'refuse') return { clipId: null, refused: d.why };
    if (d.action === 'join') return { clipId: this.active!.clipId, joined: true };
    const buffer = this.spare.pop() ?? Buffer.allocUnsafe(this.plan.maxFrames * this.bytesPerFrame);
    const firstFrame = this.frames - d.preFrames;
    const a: Active = {
      clipId: (this.options.newClipId ?? defaultClipId)(),
      eventId,
      startedAtMs: this.blockStartMs + ((firstFrame - this.blockStartFrame) * 1000) / this.rate,
      buffer,
      bytes: 0,
    };
    this.ring!.readLatest(d.preFrames, (data, start, end) => {
      a.bytes = encodeMono(data, start, end, this.clipFormat, buffer, a.bytes);
    });
    this.active = a;
    return { clipId: a.clipId, joined: false };
  }

  /** The event ended: post-roll follows once no event of the clip is left. */
  end(eventId: string): void {
    this.plan.end(eventId);
  }

  /** Ends any clip now without post-roll (shutdown) and waits for every clip to be on disk. */
  async close(): Promise<void> {
    if (this.active !== null) {
      this.plan.cut();
      this.finish();
    }
    await this.idle();
  }

  /** Resolves when every finished clip has been written (or has failed). */
  async idle(): Promise<void> {
    while (this.writing.size > 0) await Promise.all([...this.writing]);
  }

  private finish(): void {
    const a = this.active!;
    this.active = null;
    const frames = a.bytes / this.bytesPerFrame;
    const preFrames = this.plan.preFrames;
    const postFrames = this.plan.postFrames;
    if (frames === 0) {
      this.spare.push(a.buffer);
      return;
    }
    const fullScaleDb = this.options.fullScaleDb();
    const job = writeClipFile(this.options.dir, a.clipId, this.clipFormat, a.buffer, a.bytes, { eventId: a.eventId, fullScaleDb, startedAtMs: a.startedAtMs })
      .then(async (written) => {
        const manifest = clipManifest({ clipId: a.clipId, eventId: a.eventId, written, format: this.clipFormat, fullScaleDb, startedAtMs: a.startedAtMs, frames, preFrames, postFrames });
        // Beside the clip until the outbox has journaled it, so a crash in between loses nothing (recoverClips).
        await writeManifestFile(written.path, manifest);
        this.options.onClip?.(manifest, written.path);
      })
      .catch((e: unknown) => {
        const error: ErrorInfo = e instanceof EarshotError ? { code: e.code, detail: e.detail } : { code: 'EARSHOT_E_CLIP_WRITE', detail: String(e) };
        this.options.onError?.(a.clipId, error);
      })
      .finally(() => {
        this.writing.delete(job);
        if (this.plan.mode !== 'off') this.spare.push(a.buffer);
      });
    this.writing.add(job);
  }
}
