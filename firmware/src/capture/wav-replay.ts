/**
 * WAV replay: a file, or a list played in turn and optionally looped, delivered as
 * capture blocks — for demos, tests and re-analysis of a recording. Paced in real
 * time (a timer delivers the blocks whose time has come) or as fast as possible
 * (yielding to the event loop between batches). Every file of a list must share
 * one sample rate: the engine and the clips are built for one.
 */
import { EarshotError, type ErrorInfo } from '@earshot/shared';
import { WavFileReader } from '../audio/index.ts';
import type { PcmFormat } from '../audio/index.ts';
import { SourceHealth } from './health.ts';
import { SampleClock } from './sample-clock.ts';
import type { CaptureHealth, Clock, PcmBlock, PcmSink, PcmSource } from './types.ts';

export interface WavReplayOptions {
  files: readonly string[];
  loop?: boolean;
  /** "realtime" (default) or "fast". */
  pace?: 'realtime' | 'fast';
  channel?: number;
  /** Frames per block; default a tenth of a second. */
  blockFrames?: number;
  /** Device time of the first sample (re-analysis of a dated recording); default the start time. */
  startAtMs?: number;
  /** Blocks delivered per event-loop turn when fast (default 10). */
  fastBatch?: number;
  now?: Clock;
}

export class WavReplaySource implements PcmSource {
  readonly kind = 'pcm';
  readonly name: string;
  readonly format: PcmFormat;
  private readonly options: WavReplayOptions;
  private readonly now: Clock;
  private readonly readers: WavFileReader[];
  private readonly health_: SourceHealth;
  private readonly clock: SampleClock;
  private readonly blockFrames: number;
  private readonly block: PcmBlock;
  private sink: PcmSink | null = null;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private fileIndex = 0;
  private frames = 0;
  private startedAtMs = 0;
  private nextIsDiscontinuity = true;
  private running = false;

  /** Opens every file now, so a bad file or mixed sample rates fail before capture starts (EarshotError). */
  constructor(options: WavReplayOptions) {
    if (options.files.length === 0) throw new EarshotError('EARSHOT_E_USAGE', 'WAV replay needs at least one file');
    this.options = options;
    this.now = options.now ?? Date.now;
    this.readers = [];
    try {
      for (const f of options.files) this.readers.push(WavFileReader.open(f, { channel: options.channel ?? 0, blockFrames: options.blockFrames ?? 16_384 }));
    } catch (e) {
      for (const r of this.readers) r.close();
      throw e;
    }
    const first = this.readers[0]!.format;
    for (const [i, r] of this.readers.entries()) {
      if (r.format.sampleRate !== first.sampleRate) {
        for (const x of this.readers) x.close();
        throw new EarshotError('EARSHOT_E_CAPTURE_FORMAT', `${options.files[i]} is ${r.format.sampleRate} Hz but ${options.files[0]} is ${first.sampleRate} Hz; a replay list must share one sample rate`);
      }
    }
    this.format = { encoding: first.encoding, bitsPerSample: first.bitsPerSample, channels: first.channels, sampleRate: first.sampleRate };
    this.name = `wav:${options.files[0]}${options.files.length > 1 ? ` +${options.files.length - 1}` : ''}`;
    this.health_ = new SourceHealth(this.name);
    this.clock = new SampleClock(first.sampleRate);
    this.blockFrames = Math.min(options.blockFrames ?? Math.round(first.sampleRate / 10), this.readers[0]!.maxBlockFrames);
    this.block = { samples: new Float64Array(this.blockFrames), frames: 0, format: first, startedAtMs: 0, startFrame: 0, discontinuity: true };
  }

  health(): CaptureHealth {
    return this.health_.snapshot();
  }

  async start(sink: PcmSink): Promise<void> {
    this.sink = sink;
    this.running = true;
    this.startedAtMs = this.now();
    this.clock.anchor(0, this.options.startAtMs ?? this.startedAtMs);
    sink.event({ type: 'started', atMs: this.startedAtMs, detail: `${this.options.files.length} file(s), ${this.options.pace ?? 'realtime'}${this.options.loop === true ? ', looped' : ''}` });
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clearTimer();
    for (const r of this.readers) r.close();
  }

  private clearTimer(): void {
    if (this.timer === null) return;
    if (this.options.pace === 'fast') clearImmediate(this.timer as NodeJS.Immediate);
    else clearTimeout(this.timer as NodeJS.Timeout);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = this.options.pace === 'fast' ? setImmediate(() => this.tick()) : setTimeout(() => this.tick(), delayMs);
  }

  private tick(): void {
    this.timer = null;
    try {
      if (this.options.pace === 'fast') {
        const batch = this.options.fastBatch ?? 10;
        for (let i = 0; i < batch && this.running; i++) if (!this.deliverOne()) return this.end();
        this.schedule(0);
        return;
      }
      // Real time: deliver every whole block whose last sample is due by now.
      const due = Math.floor(((this.now() - this.startedAtMs) * this.format.sampleRate) / 1000);
      while (this.running && this.frames + this.blockFrames <= due) if (!this.deliverOne()) return this.end();
      const nextDue = this.startedAtMs + ((this.frames + this.blockFrames) * 1000) / this.format.sampleRate;
      this.schedule(Math.max(0, Math.ceil(nextDue - this.now())));
    } catch (e) {
      this.fail(e);
    }
  }

  /** Reads and delivers one block; false when a finite list is exhausted. */
  private deliverOne(): boolean {
    const b = this.block;
    for (let tries = 0; tries <= this.readers.length; tries++) {
      const reader = this.readers[this.fileIndex]!;
      const n = reader.read(b.samples);
      if (n > 0) {
        b.frames = n;
        b.format = reader.format;
        b.startFrame = this.frames;
        b.startedAtMs = this.clock.timeOf(this.frames);
        b.discontinuity = this.nextIsDiscontinuity;
        this.nextIsDiscontinuity = false;
        this.frames += n;
        this.sink?.block(b);
        return true;
      }
      // This file is done: on to the next, or round again when looping.
      reader.rewind();
      this.nextIsDiscontinuity = true;
      this.fileIndex++;
      if (this.fileIndex === this.readers.length) {
        this.fileIndex = 0;
        if (this.options.loop !== true) return false;
      }
    }
    return false;
  }

  private end(): void {
    this.running = false;
    this.sink?.event({ type: 'ended', atMs: this.now() });
  }

  private fail(e: unknown): void {
    this.running = false;
    const error: ErrorInfo = e instanceof EarshotError
      ? this.health_.error(e.code, e.detail)
      : this.health_.error('EARSHOT_E_CAPTURE_FAILED', e instanceof Error ? e.message : String(e));
    this.sink?.event({ type: 'error', atMs: this.now(), error });
  }
}
