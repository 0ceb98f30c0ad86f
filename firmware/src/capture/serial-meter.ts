/**
 * A serial sound level meter: an instrument that measures for itself and streams
 * its readings as text lines (RS-232 / USB serial). Its levels bypass the DSP and
 * there is no audio, so no clips. The port is opened through a factory, so the
 * same code runs on serialport's native binding and on its MockBinding; when the
 * port fails or the meter is unplugged it is reopened with backoff and reported.
 */
import { ReadlineParser } from '@serialport/parser-readline';
import { SerialPort } from 'serialport';
import type { BackoffOptions } from './backoff.ts';
import { Restarter } from './restarter.ts';
import { SecondRegrouper } from './second-regrouper.ts';
import { SerialLineParser } from './serial-line.ts';
import type { CaptureHealth, Clock, LevelSink, LevelSource } from './types.ts';

/** What the source needs of a serial port (SerialPort and SerialPortMock both are one). */
export interface SerialPortLike {
  open(callback: (err: Error | null) => void): void;
  close(callback?: (err: Error | null) => void): void;
  readonly isOpen: boolean;
  pipe<T extends NodeJS.WritableStream>(destination: T): T;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export type OpenSerialPort = (path: string, baudRate: number) => SerialPortLike;

/** The native binding (node-serialport's autodetected bindings-cpp). */
export const openNativePort: OpenSerialPort = (path, baudRate) => new SerialPort({ path, baudRate, autoOpen: false });

/** Unparsable lines are reported at most once a minute (a meter in the wrong mode would flood the log). */
const LINE_ERROR_EVERY_MS = 60_000;

export interface SerialMeterOptions {
  path: string;
  /** Default 9600. */
  baudRate?: number;
  /** Regex with named groups among LAeq, LCeq, LZeq, LAFmax, LAFmin, LASmax, LCpeak. */
  pattern: string;
  /** Seconds each reading covers; default 1. Readings of any other length are regrouped into 1 s records (second-regrouper.ts). */
  intervalSeconds?: number;
  /** Line delimiter; default "\n" (a trailing "\r" is trimmed). */
  delimiter?: string;
  openPort?: OpenSerialPort;
  backoff?: BackoffOptions;
  now?: Clock;
}

export class SerialMeterSource implements LevelSource {
  readonly kind = 'levels';
  readonly name: string;
  private readonly options: SerialMeterOptions;
  private readonly parser: SerialLineParser;
  private readonly now: Clock;
  private readonly restarter: Restarter;
  private sink: LevelSink | null = null;
  private port: SerialPortLike | null = null;
  private openedAtMs = 0;
  private lastLineErrorMs = -Infinity;
  /** Null for a meter that reports every second. */
  private readonly regrouper: SecondRegrouper | null;
  /** Lines that did not parse, since start. */
  unparsedLines = 0;

  constructor(options: SerialMeterOptions) {
    this.options = options;
    this.parser = new SerialLineParser(options.pattern, options.intervalSeconds ?? 1);
    this.now = options.now ?? Date.now;
    this.name = `serial:${options.path}`;
    this.restarter = new Restarter(this.name, options.backoff, this.now);
    this.regrouper = (options.intervalSeconds ?? 1) === 1 ? null : new SecondRegrouper((r) => this.sink?.record(r));
  }

  health(): CaptureHealth {
    return this.restarter.snapshot();
  }

  async start(sink: LevelSink): Promise<void> {
    this.sink = sink;
    this.restarter.start();
    this.openOnce();
  }

  async stop(): Promise<void> {
    this.regrouper?.flush();
    this.restarter.stop();
    const port = this.port;
    this.port = null;
    if (port !== null && port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** Feeds one line as if it had arrived now (the port's parser calls this). */
  line(text: string): void {
    if (this.sink === null) return;
    const now = this.now();
    const r = this.parser.parse(text, now);
    if (r.ok) {
      if (r.record === null) return;
      if (this.regrouper === null) this.sink.record(r.record);
      else this.regrouper.add(r.record);
      return;
    }
    this.unparsedLines++;
    if (now - this.lastLineErrorMs < LINE_ERROR_EVERY_MS) return;
    this.lastLineErrorMs = now;
    this.sink.event({ type: 'error', atMs: now, error: this.restarter.health.error(r.error.code, r.error.detail) });
  }

  private openOnce(): void {
    const o = this.options;
    let port: SerialPortLike;
    try {
      port = (o.openPort ?? openNativePort)(o.path, o.baudRate ?? 9600);
    } catch (e) {
      this.failed(`cannot open ${o.path}: ${(e as Error).message}`);
      return;
    }
    this.port = port;
    let failed = false;
    const fail = (why: string): void => {
      if (failed || this.port !== port) return;
      failed = true;
      this.port = null;
      this.failed(why);
    };
    port.on('error', (e) => fail(`${o.path}: ${e.message}`));
    port.on('close', () => fail(`${o.path} closed (meter unplugged?)`));
    port.pipe(new ReadlineParser({ delimiter: o.delimiter ?? '\n' })).on('data', (l: string) => this.line(l));
    port.open((err) => {
      if (err !== null) return fail(`cannot open ${o.path}: ${err.message}`);
      this.openedAtMs = this.now();
      this.sink?.event({ type: 'started', atMs: this.openedAtMs, detail: `${o.path} at ${o.baudRate ?? 9600} baud` });
    });
  }

  private failed(why: string): void {
    if (this.sink === null) return;
    const ranMs = this.openedAtMs === 0 ? 0 : this.now() - this.openedAtMs;
    this.openedAtMs = 0;
    this.restarter.failed(this.sink, 'EARSHOT_E_SERIAL_PORT', why, ranMs, () => this.openOnce());
  }
}
