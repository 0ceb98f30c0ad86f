/**
 * A johnny-five board on mock-firmata (no hardware), with the pins' reads and
 * writes exposed so tests can drive analog and digital inputs and see outputs —
 * as johnny-five's own tests do with `new MockFirmata()` and its read callbacks.
 */
import { createRequire } from 'node:module';
import { type FirmataBoard, openFirmataBoard } from '../../src/io/firmata-board.ts';

interface MockFirmataIo {
  emit(event: string): boolean;
  analogRead(pin: number, cb: (value: number) => void): void;
  digitalRead(pin: number, cb: (value: number) => void): void;
  digitalWrite(pin: number, value: number): void;
}

const require = createRequire(import.meta.url);
const { Firmata: MockFirmata } = require('mock-firmata') as { Firmata: new () => MockFirmataIo };

export interface MockBoard {
  board: FirmataBoard;
  /** Reports an ADC code on analog channel `channel` (A0 = 0), as the Firmata device would. */
  analog(channel: number, value: number): void;
  /** Reports a digital pin level (0/1). */
  digital(pin: number, value: 0 | 1): void;
  /** Every digitalWrite so far, as [pin, value]. */
  writes: [number, number][];
}

export async function mockBoard(): Promise<MockBoard> {
  const io = new MockFirmata();
  const analogReads = new Map<number, (v: number) => void>();
  const digitalReads = new Map<number, (v: number) => void>();
  const writes: [number, number][] = [];
  io.analogRead = (pin, cb) => void analogReads.set(pin, cb);
  io.digitalRead = (pin, cb) => void digitalReads.set(pin, cb);
  io.digitalWrite = (pin, value) => void writes.push([pin, value]);
  const ready = openFirmataBoard({ io });
  io.emit('connect');
  io.emit('ready');
  const board = await ready;
  const call = (m: Map<number, (v: number) => void>, pin: number, v: number): void => {
    const cb = m.get(pin);
    if (cb === undefined) throw new Error(`nothing reads pin ${pin}`);
    cb(v);
  };
  return { board, writes, analog: (ch, v) => call(analogReads, ch, v), digital: (pin, v) => call(digitalReads, pin, v) };
}
