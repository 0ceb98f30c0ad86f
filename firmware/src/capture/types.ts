/**
 * One interface for every capture source, swappable as node-serialport's bindings
 * are (STYLE.md: the daemon runs identically on a WAV file, a mock and a real Pi).
 *
 * Two kinds: a PCM source delivers blocks of mono floats (the selected channel,
 * DESIGN §2 scaling) for the measurement engine and the clip recorder; a level
 * source delivers ready-made 1 s level records from an instrument and bypasses
 * the DSP (no clips). Errors and restarts are reported as data for the status
 * heartbeat (StatusBody.capture), never thrown at the daemon.
 */
import type { ErrorInfo, LevelRecord } from '@earshot/shared';
import type { PcmFormat } from '../audio/index.ts';

/**
 * A block of captured audio. The object and its `samples` array are reused for the
 * next block: use (or copy) them inside the callback.
 */
export interface PcmBlock {
  /** Mono floats in [−1, 1) of the selected channel; valid in [0, frames). */
  samples: Float64Array;
  frames: number;
  /** Format of the capture (channels = the device's channel count; the block is one of them). */
  format: PcmFormat;
  /** Device wall time of the block's first sample, ms since the Unix epoch. */
  startedAtMs: number;
  /** Frames delivered since the source started, before this block. */
  startFrame: number;
  /** True on the first block after a start, a restart or a jump to another file: filters may see a step. */
  discontinuity: boolean;
}

export type CaptureEvent =
  | { type: 'started'; atMs: number; detail: string }
  | { type: 'restarting'; atMs: number; attempt: number; delayMs: number; error: ErrorInfo }
  | { type: 'error'; atMs: number; error: ErrorInfo }
  /** A finite source (WAV replay without loop) has delivered everything. */
  | { type: 'ended'; atMs: number };

/** What a source has been through, as the status heartbeat reports it (StatusBody.capture). */
export interface CaptureHealth {
  source: string;
  restarts: number;
  lastError: string | null;
}

export interface PcmSink {
  block(block: PcmBlock): void;
  event(event: CaptureEvent): void;
}

export interface LevelSink {
  record(record: LevelRecord): void;
  event(event: CaptureEvent): void;
}

interface SourceBase {
  /** Short name for status and logs, e.g. "alsa:hw:1,0". */
  readonly name: string;
  health(): CaptureHealth;
  /** Stops capturing and releases the device; resolves once nothing more will be delivered. */
  stop(): Promise<void>;
}

export interface PcmSource extends SourceBase {
  readonly kind: 'pcm';
  /** Resolves once capture has been started (the device may still fail later: see the events). */
  start(sink: PcmSink): Promise<void>;
}

export interface LevelSource extends SourceBase {
  readonly kind: 'levels';
  start(sink: LevelSink): Promise<void>;
}

export type CaptureSource = PcmSource | LevelSource;

/** Wall clock in ms since the epoch; injected so tests can use fake time. */
export type Clock = () => number;
