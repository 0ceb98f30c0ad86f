/**
 * Device controls without hardware: "none" (no button; the LED state is only
 * kept for status), a POSIX signal (e.g. `kill -USR2 <pid>` from a script or
 * a systemd ExecReload), or a key on a terminal (development and demos).
 */
import type { Clock } from '../capture/types.ts';
import { type DeviceIo, type LedState } from './types.ts';

class Controls implements DeviceIo {
  protected handler: ((atMs: number) => void) | null = null;
  private state: LedState = 'off';

  constructor(readonly name: string, protected readonly now: Clock = Date.now) {}

  get ledState(): LedState {
    return this.state;
  }

  onPress(handler: (atMs: number) => void): void {
    this.handler = handler;
  }

  setLed(state: LedState): void {
    this.state = state;
  }

  async close(): Promise<void> {
    this.handler = null;
  }

  protected press(): void {
    this.handler?.(this.now());
  }
}

/** No button, no LED. */
export class NoIo extends Controls {
  constructor() {
    super('none');
  }
}

/** A signal sent to the daemon counts as a press. */
export class SignalIo extends Controls {
  private readonly listener = (): void => this.press();

  constructor(private readonly signal: NodeJS.Signals = 'SIGUSR2', now?: Clock) {
    super(`signal:${signal}`, now);
    process.on(signal, this.listener);
  }

  override async close(): Promise<void> {
    process.off(this.signal, this.listener);
    await super.close();
  }
}

/** A key typed on an input stream (a terminal's stdin) counts as a press. */
export class KeyIo extends Controls {
  private readonly listener = (chunk: Buffer | string): void => {
    if (chunk.toString().includes(this.key)) this.press();
  };

  constructor(private readonly input: NodeJS.ReadableStream, private readonly key = 'i', now?: Clock) {
    super(`key:${key}`, now);
    input.on('data', this.listener);
  }

  override async close(): Promise<void> {
    this.input.off('data', this.listener);
    // A flowing stdin keeps the process alive: let it go so the daemon can exit.
    this.input.pause();
    await super.close();
  }
}
