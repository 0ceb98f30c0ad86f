/**
 * A johnny-five Board on a Firmata device (an Arduino or Pico running
 * StandardFirmata over USB serial), or on any IO plugin passed as `io` — a Pi's
 * own GPIO through an IO plugin, or mock-firmata in tests. The analog sound
 * module, the incident button and the status LED can share one board.
 */
import five from 'johnny-five';
import { EarshotError } from '@earshot/shared';

export type FirmataBoard = five.Board;

export interface FirmataBoardOptions {
  /** Serial path of the Firmata device, e.g. "/dev/ttyACM0". */
  port?: string;
  /** An IO plugin instance instead of a serial port (tests: mock-firmata). */
  io?: unknown;
  /** Give up if not ready after this long; default 10 000 ms (johnny-five's own default). */
  timeoutMs?: number;
}

/** Resolves with the board once it is ready; rejects with EARSHOT_E_FIRMATA_BOARD. */
export function openFirmataBoard(options: FirmataBoardOptions): Promise<FirmataBoard> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  // No REPL, no console chatter, no SIGINT handler of its own: the daemon owns the process.
  const boardOptions: five.BoardOption & { sigint: boolean } = { repl: false, debug: false, sigint: false, timeout: timeoutMs };
  if (options.io !== undefined) boardOptions.io = options.io;
  else if (options.port !== undefined) boardOptions.port = options.port;
  else return Promise.reject(new EarshotError('EARSHOT_E_FIRMATA_BOARD', 'no serial port configured'));
  const where = options.port ?? 'IO plugin';
  return new Promise((resolve, reject) => {
    let board: FirmataBoard;
    try {
      board = new five.Board(boardOptions);
    } catch (e) {
      reject(new EarshotError('EARSHOT_E_FIRMATA_BOARD', `${where}: ${(e as Error).message}`));
      return;
    }
    let settled = false;
    const settle = (error: EarshotError | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === null) resolve(board);
      else reject(error);
    };
    const timer = setTimeout(() => settle(new EarshotError('EARSHOT_E_FIRMATA_BOARD', `${where}: not ready after ${timeoutMs} ms`)), timeoutMs);
    board.on('ready', () => settle(null));
    board.on('error', (e: Error) => settle(new EarshotError('EARSHOT_E_FIRMATA_BOARD', `${where}: ${e.message}`)));
  });
}

