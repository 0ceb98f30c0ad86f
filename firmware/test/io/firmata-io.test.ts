import { afterEach, describe, expect, it, vi } from 'vitest';
import { FirmataIo } from '../../src/io/firmata-io.ts';
import { sharedFirmataBoards } from '../../src/io/shared-boards.ts';
import { mockBoard } from './mock-board.ts';

const BUTTON = 2;
const LED = 13;

async function setup(): Promise<{ io: FirmataIo; presses: number[]; m: Awaited<ReturnType<typeof mockBoard>> }> {
  const m = await mockBoard();
  vi.useFakeTimers({ now: Date.parse('2026-04-02T02:00:00.000Z') });
  const io = new FirmataIo({ board: m.board, buttonPin: BUTTON, ledPin: LED });
  const presses: number[] = [];
  io.onPress((at) => presses.push(at));
  m.digital(BUTTON, 1); // idle: the pull-up holds the pin high
  vi.advanceTimersByTime(100);
  return { io, presses, m };
}

const ledWrites = (m: { writes: [number, number][] }): number[] => m.writes.filter(([p]) => p === LED).map(([, v]) => v);

describe('incident button on a Firmata board (mock-firmata)', () => {
  afterEach(() => vi.useRealTimers());

  it('enables the pull-up and reports a held press once, with the time it began', async () => {
    const { presses, m } = await setup();
    expect(m.writes).toContainEqual([BUTTON, 1]);
    const t0 = Date.now();
    m.digital(BUTTON, 0);
    vi.advanceTimersByTime(40);
    expect(presses).toEqual([]);
    vi.advanceTimersByTime(30);
    // johnny-five's own 7 ms debounce, then our 50 ms hold.
    expect(presses).toEqual([t0 + 7]);
    m.digital(BUTTON, 1);
    vi.advanceTimersByTime(500);
    expect(presses.length).toBe(1);
  });

  it('ignores contact bounce shorter than the debounce time', async () => {
    const { presses, m } = await setup();
    for (let i = 0; i < 5; i++) {
      m.digital(BUTTON, 0);
      vi.advanceTimersByTime(15);
      m.digital(BUTTON, 1);
      vi.advanceTimersByTime(15);
    }
    vi.advanceTimersByTime(1_000);
    expect(presses).toEqual([]);
  });

  it('makes one incident of presses in quick succession, and a new one after the gap', async () => {
    const { presses, m } = await setup();
    const press = (): void => {
      m.digital(BUTTON, 0);
      vi.advanceTimersByTime(100);
      m.digital(BUTTON, 1);
      vi.advanceTimersByTime(400);
    };
    press();
    press();
    press();
    expect(presses.length).toBe(1);
    vi.advanceTimersByTime(2_000);
    press();
    expect(presses.length).toBe(2);
  });
});

describe('status LED on a Firmata board (mock-firmata)', () => {
  afterEach(() => vi.useRealTimers());

  it('is steady when recording, blinks slowly offline and fast on a fault', async () => {
    const { io, m } = await setup();
    m.writes.length = 0;
    io.setLed('recording');
    vi.advanceTimersByTime(5_000);
    expect(ledWrites(m)).toEqual([1]);
    expect(io.ledState).toBe('recording');

    m.writes.length = 0;
    io.setLed('offline');
    vi.advanceTimersByTime(4_000);
    // Toggles every second.
    expect(ledWrites(m).length).toBe(4);

    m.writes.length = 0;
    io.setLed('fault');
    vi.advanceTimersByTime(1_000);
    // Toggles every 125 ms.
    expect(ledWrites(m).length).toBe(8);

    m.writes.length = 0;
    await io.close();
    vi.advanceTimersByTime(5_000);
    expect(ledWrites(m)).toEqual([0]);
  });
});

describe('shared Firmata boards', () => {
  it('opens one board per port and retries a failed open', async () => {
    let opens = 0;
    const m = await mockBoard();
    const boards = sharedFirmataBoards(async (port) => {
      opens++;
      if (port === '/dev/bad') throw new Error('no such port');
      return m.board;
    });
    expect(await boards('/dev/ttyACM0')).toBe(m.board);
    expect(await boards('/dev/ttyACM0')).toBe(m.board);
    await expect(boards('/dev/bad')).rejects.toThrow('no such port');
    await expect(boards('/dev/bad')).rejects.toThrow('no such port');
    expect(opens).toBe(3);
  });
});
