/**
 * The monitor's own controls: the resident's incident button and the status LED.
 * One interface for a Firmata board, a Pi's own GPIO (the libgpiod tools), a key or
 * signal on a development machine, or nothing at all.
 */

/** What the LED shows: recording (steady), offline (slow blink), fault (fast blink), or off. */
export type LedState = 'off' | 'recording' | 'offline' | 'fault';

export interface DeviceIo {
  readonly name: string;
  /** Registers the press handler: `atMs` is when the press began. The daemon turns it into an incident event and a clip. */
  onPress(handler: (atMs: number) => void): void;
  setLed(state: LedState): void;
  readonly ledState: LedState;
  close(): Promise<void>;
}

/** How the LED shows a state: on, off, or toggling every `toggleMs`. */
export type LedPattern = { kind: 'on' } | { kind: 'off' } | { kind: 'blink'; toggleMs: number };

/** Slow blink 0.5 Hz, fast blink 4 Hz: told apart at a glance, neither mistaken for steady. */
export const LED_PATTERNS: Readonly<Record<LedState, LedPattern>> = {
  off: { kind: 'off' },
  recording: { kind: 'on' },
  offline: { kind: 'blink', toggleMs: 1_000 },
  fault: { kind: 'blink', toggleMs: 125 },
};
