/**
 * The incident button and status LED wired straight to a Raspberry Pi's own
 * GPIO (hardware.md: button GPIO17 → GND with the internal pull-up, LED on
 * GPIO27), through the Linux GPIO character device by way of the libgpiod v2
 * tools, `gpiomon` and `gpioset` (Debian / Raspberry Pi OS package `gpiod`).
 *
 * Why the tools and not an npm GPIO library: onoff and rpi-gpio use the sysfs
 * interface, deprecated since Linux 4.8 and numbered differently on a Pi 5;
 * pigpio, rpio and wiringPi-based johnny-five plugins (raspi-io, pi-io) poke the
 * SoC's registers and do not support the Pi 5's RP1; node-libgpiod is a native
 * addon that needs libgpiod headers at `npm ci`. libgpiod is the kernel GPIO
 * maintainers' own library and its tools run on every Pi, Pi 5 included, with no
 * build here. Nor through johnny-five: its Led blinks by a timer calling
 * digitalWrite, one process per toggle over these tools; gpioset blinks by itself.
 *
 * Presses are debounced as on a Firmata board (PressDebouncer). If a tool dies
 * after it held its line, it is started again with backoff and the fault reported.
 */
import type { ErrorInfo } from '@earshot/shared';
import { Backoff, type BackoffOptions } from '../../capture/backoff.ts';
import { type DebounceOptions, PressDebouncer } from '../press-debouncer.ts';
import { type DeviceIo, LED_PATTERNS, type LedPattern, type LedState } from '../types.ts';
import { edgeOf, gpiomonArgs, gpiosetArgs } from './gpiod-args.ts';
import type { LineRef } from './gpiod-errors.ts';
import { GpiodProcess } from './gpiod-process.ts';

export interface GpioIoOptions extends DebounceOptions {
  /** Chip to look in ("gpiochip0", "0" or "/dev/gpiochip0"); default every chip (lines by name). */
  chip?: string;
  /** Button line: a name ("GPIO17") or, with `chip`, an offset. */
  buttonLine: string | number;
  /** LED line: a name ("GPIO27") or, with `chip`, an offset. */
  ledLine: string | number;
  /** Button to GND with the internal pull-up (default), or to 3V3 with the internal pull-down. */
  pullup?: boolean;
  /** Executables (default "gpiomon" and "gpioset" on PATH). */
  gpiomon?: string;
  gpioset?: string;
  env?: NodeJS.ProcessEnv;
  /** A tool died after it held its line (it is restarted). */
  onFault?: (error: ErrorInfo) => void;
  backoff?: BackoffOptions;
}

/** Opens both lines; rejects with EarshotError EARSHOT_E_GPIO_… when either cannot be held. */
export async function openGpioIo(options: GpioIoOptions): Promise<GpioIo> {
  const io = new GpioIo(options);
  try {
    await io.start();
  } catch (e) {
    await io.close();
    throw e;
  }
  return io;
}

export class GpioIo implements DeviceIo {
  readonly name: string;
  private readonly debouncer: PressDebouncer;
  private readonly button: GpiodProcess;
  private readonly buttonRef: LineRef;
  private readonly ledRef: LineRef;
  private readonly pullup: boolean;
  private readonly backoff: BackoffOptions;
  private led: GpiodProcess | null = null;
  private ledChain: Promise<void> = Promise.resolve();
  private handler: ((atMs: number) => void) | null = null;
  private state: LedState = 'off';
  private closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly buttonBackoff: Backoff;
  private buttonStartedAt = 0;

  constructor(private readonly options: GpioIoOptions) {
    this.buttonRef = { line: options.buttonLine, chip: options.chip };
    this.ledRef = { line: options.ledLine, chip: options.chip };
    this.pullup = options.pullup ?? true;
    this.backoff = options.backoff ?? {};
    this.name = `gpio:button ${String(options.buttonLine)}, led ${String(options.ledLine)}${options.chip === undefined ? '' : ` on ${options.chip}`}`;
    this.debouncer = new PressDebouncer((at) => this.handler?.(at), options);
    this.buttonBackoff = new Backoff(this.backoff);
    this.button = new GpiodProcess(
      { command: options.gpiomon ?? 'gpiomon', args: gpiomonArgs(this.buttonRef, this.pullup), ref: this.buttonRef, ...this.env() },
      (line) => this.edge(line),
      (error) => {
        this.debouncer.cancel();
        this.fault(error);
        this.restartButton();
      },
    );
  }

  /** Holds the button line, then the LED line (off). */
  async start(): Promise<void> {
    this.buttonStartedAt = Date.now();
    await this.button.start();
    await this.applyLed(LED_PATTERNS.off);
  }

  get ledState(): LedState {
    return this.state;
  }

  onPress(handler: (atMs: number) => void): void {
    this.handler = handler;
  }

  setLed(state: LedState): void {
    if (state === this.state || this.closed) return;
    this.state = state;
    const pattern = LED_PATTERNS[state];
    this.ledChain = this.ledChain.then(() => this.applyLed(pattern)).catch((e: unknown) => this.fault(errorInfo(e)));
  }

  /** Resolves once the LED shows the last state set (tests, selftest). */
  async settled(): Promise<void> {
    await this.ledChain;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handler = null;
    this.debouncer.cancel();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.ledChain.catch(() => undefined);
    await Promise.all([this.button.stop(), this.led?.stop()]);
    this.led = null;
  }

  private edge(line: string): void {
    const e = edgeOf(line);
    if (e === null) return;
    // Pull-up: idle high, pressed pulls the line to GND (falling). Pull-down: the reverse.
    this.debouncer.input(this.pullup ? e === 'falling' : e === 'rising');
  }

  /** gpiomon died after holding the line: start it again after a backoff delay, and again while it fails. */
  private restartButton(): void {
    this.later(this.buttonBackoff.delayAfter(Date.now() - this.buttonStartedAt), () => {
      this.buttonStartedAt = Date.now();
      this.button.start().catch((e: unknown) => {
        this.fault(errorInfo(e));
        this.restartButton();
      });
    });
  }

  private async applyLed(pattern: LedPattern): Promise<void> {
    await this.led?.stop();
    if (this.closed) return;
    const led: GpiodProcess = new GpiodProcess(
      { command: this.options.gpioset ?? 'gpioset', args: gpiosetArgs(this.ledRef, pattern), ref: this.ledRef, ...this.env() },
      () => undefined,
      (error) => {
        this.fault(error);
        // Show the state again once the tool can be run (unless another state has replaced it).
        this.later(new Backoff(this.backoff).delayAfter(0), () => {
          if (this.led !== led) return;
          this.ledChain = this.ledChain.then(() => this.applyLed(pattern)).catch((e: unknown) => this.fault(errorInfo(e)));
        });
      },
    );
    this.led = led;
    await led.start();
  }

  private env(): { env?: NodeJS.ProcessEnv } {
    return this.options.env === undefined ? {} : { env: this.options.env };
  }

  private fault(error: ErrorInfo): void {
    if (!this.closed) this.options.onFault?.(error);
  }

  private later(ms: number, f: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) f();
    }, ms);
    this.timers.add(t);
  }
}

function errorInfo(e: unknown): ErrorInfo {
  if (typeof e === 'object' && e !== null && 'code' in e && 'detail' in e) return e as ErrorInfo;
  return { code: 'EARSHOT_E_GPIO_FAILED', detail: e instanceof Error ? e.message : String(e) };
}
