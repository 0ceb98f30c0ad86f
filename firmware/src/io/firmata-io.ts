/**
 * Incident button and status LED on a johnny-five board (Firmata over USB, or a
 * Pi's GPIO through an IO plugin). The button is wired from its pin to ground with
 * the pin's internal pull-up (pressed reads LOW), or to 3V3/5V with a pull-down
 * resistor when `pullup` is false; the LED through a series resistor to ground.
 */
import five from 'johnny-five';
import type { FirmataBoard } from './firmata-board.ts';
import { type DebounceOptions, PressDebouncer } from './press-debouncer.ts';
import { type DeviceIo, LED_PATTERNS, type LedState } from './types.ts';

export interface FirmataIoOptions extends DebounceOptions {
  board: FirmataBoard;
  buttonPin: number | string;
  ledPin: number | string;
  /** Internal pull-up, button to ground (default true). */
  pullup?: boolean;
}

export class FirmataIo implements DeviceIo {
  readonly name: string;
  private readonly led: five.Led;
  private readonly debouncer: PressDebouncer;
  private handler: ((atMs: number) => void) | null = null;
  private state: LedState = 'off';

  constructor(options: FirmataIoOptions) {
    const { board } = options;
    this.name = `firmata:button ${String(options.buttonPin)}, led ${String(options.ledPin)}`;
    this.debouncer = new PressDebouncer((at) => this.handler?.(at), options);
    const button = new five.Button({ board, pin: options.buttonPin, isPullup: options.pullup ?? true });
    button.on('down', () => this.debouncer.input(true));
    button.on('up', () => this.debouncer.input(false));
    this.led = new five.Led({ board, pin: options.ledPin });
    this.led.off();
  }

  get ledState(): LedState {
    return this.state;
  }

  onPress(handler: (atMs: number) => void): void {
    this.handler = handler;
  }

  setLed(state: LedState): void {
    if (state === this.state) return;
    this.state = state;
    const p = LED_PATTERNS[state];
    this.led.stop();
    if (p.kind === 'on') this.led.on();
    else if (p.kind === 'off') this.led.off();
    else this.led.blink(p.toggleMs);
  }

  async close(): Promise<void> {
    this.debouncer.cancel();
    this.handler = null;
    this.led.stop();
    this.led.off();
  }
}
