/**
 * ALSA capture through `arecord` (alsa-utils): the normal path on a Pi, for an I2S
 * MEMS mic or a USB measurement mic. arecord writes raw interleaved PCM to its
 * stdout; a PcmBlocker turns it into fixed blocks of the selected channel. If
 * arecord dies (device unplugged, overrun it cannot recover from, driver fault) it
 * is restarted with exponential backoff, and each restart is reported with the
 * last line it wrote to stderr.
 *
 * The executable is configurable so tests (and unusual installs) can point it at
 * another program speaking the same interface.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { PcmFormat } from '../audio/index.ts';
import type { BackoffOptions } from './backoff.ts';
import { PcmBlocker } from './pcm-blocker.ts';
import { Restarter } from './restarter.ts';
import { SampleClock } from './sample-clock.ts';
import { StderrTail } from './stderr-tail.ts';
import type { CaptureHealth, Clock, PcmBlock, PcmSink, PcmSource } from './types.ts';

/** arecord -f names of the formats we capture (alsa-utils aplay.c format table). */
export type AlsaSampleFormat = 'S16_LE' | 'S32_LE';
const BITS: Record<AlsaSampleFormat, number> = { S16_LE: 16, S32_LE: 32 };

export interface AlsaOptions {
  /** ALSA PCM name, e.g. "hw:1,0", "plughw:CARD=sndrpii2scard" or "default" (see `arecord -L`). */
  device: string;
  sampleRate: number;
  sampleFormat: AlsaSampleFormat;
  /** Channels to open (I2S mic overlays usually need 2 even for one mic). */
  channels: number;
  /** Channel to measure, from 0 (an I2S mic with L/R tied low is on the left slot: 0). */
  channel: number;
  /** Frames per delivered block; default a tenth of a second. */
  blockFrames?: number;
  /** Program to run; default "arecord". */
  command?: string;
  /** Arguments placed before arecord's own (e.g. a script path when `command` is node). */
  commandArgs?: readonly string[];
  /** Extra arecord arguments appended after ours (e.g. ["--buffer-time=500000"]). */
  extraArgs?: readonly string[];
  /** Environment of the program; default the daemon's. */
  env?: NodeJS.ProcessEnv;
  backoff?: BackoffOptions;
  /** Grace (ms) between SIGTERM and SIGKILL at stop; default 2 000. */
  killAfterMs?: number;
  now?: Clock;
}

export class AlsaSource implements PcmSource {
  readonly kind = 'pcm';
  readonly name: string;
  readonly format: PcmFormat;
  private readonly options: AlsaOptions;
  private readonly now: Clock;
  private readonly restarter: Restarter;
  private readonly clock: SampleClock;
  private readonly blocker: PcmBlocker;
  private readonly block: PcmBlock;
  private sink: PcmSink | null = null;
  private child: ChildProcess | null = null;
  private childExited: Promise<void> = Promise.resolve();
  private frames = 0;
  private freshStart = true;
  private startedAtMs = 0;

  constructor(options: AlsaOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.name = `alsa:${options.device}`;
    this.format = { encoding: 'int', bitsPerSample: BITS[options.sampleFormat], channels: options.channels, sampleRate: options.sampleRate };
    this.restarter = new Restarter(this.name, options.backoff, this.now);
    this.clock = new SampleClock(options.sampleRate);
    const blockFrames = options.blockFrames ?? Math.round(options.sampleRate / 10);
    this.blocker = new PcmBlocker(this.format, options.channel, blockFrames, (s, n) => this.deliver(s, n));
    this.block = { samples: this.blocker.samples, frames: 0, format: this.format, startedAtMs: 0, startFrame: 0, discontinuity: true };
  }

  /** The arecord command line (without the command itself). */
  get args(): string[] {
    const o = this.options;
    // arecord(1): -D device, -t raw (no WAV header on stdout), -f format, -r rate, -c channels, -q no banner.
    return [...(o.commandArgs ?? []), '-q', '-D', o.device, '-t', 'raw', '-f', o.sampleFormat, '-r', String(o.sampleRate), '-c', String(o.channels), ...(o.extraArgs ?? [])];
  }

  health(): CaptureHealth {
    return this.restarter.snapshot();
  }

  async start(sink: PcmSink): Promise<void> {
    this.sink = sink;
    this.restarter.start();
    this.spawnOnce();
  }

  async stop(): Promise<void> {
    this.restarter.stop();
    const child = this.child;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), this.options.killAfterMs ?? 2_000);
      await this.childExited;
      clearTimeout(killer);
    }
    this.child = null;
  }

  private spawnOnce(): void {
    const tail = new StderrTail();
    const child = spawn(this.options.command ?? 'arecord', this.args, { stdio: ['ignore', 'pipe', 'pipe'], env: this.options.env ?? process.env });
    this.child = child;
    this.blocker.discard();
    this.clock.reset();
    this.freshStart = true;
    this.startedAtMs = this.now();
    let settled = false;
    this.childExited = new Promise((resolve) => {
      const died = (why: string): void => {
        if (settled) return;
        settled = true;
        resolve();
        this.died(why, tail);
      };
      child.once('error', (e) => died(`cannot run ${this.options.command ?? 'arecord'}: ${e.message}`));
      child.once('close', (code, signal) => died(signal !== null ? `arecord killed by ${signal}` : `arecord exited with code ${code}`));
    });
    child.once('spawn', () => this.sink?.event({ type: 'started', atMs: this.now(), detail: `${this.options.command ?? 'arecord'} ${this.args.join(' ')}` }));
    child.stdout?.on('data', (chunk: Buffer) => this.blocker.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));
  }

  private deliver(samples: Float64Array, frames: number): void {
    const b = this.block;
    b.samples = samples;
    b.frames = frames;
    b.startFrame = this.frames;
    b.startedAtMs = this.clock.blockStart(this.frames, frames, this.now());
    b.discontinuity = this.freshStart;
    this.freshStart = false;
    this.frames += frames;
    this.sink?.block(b);
  }

  private died(why: string, tail: StderrTail): void {
    if (this.sink === null) return;
    const line = tail.lastLine();
    this.restarter.failed(this.sink, 'EARSHOT_E_CAPTURE_FAILED', line === null ? why : `${why}: ${line}`, this.now() - this.startedAtMs, () => this.spawnOnce());
  }
}
