/**
 * One Firmata board per serial port, opened on first use, so the analog sound
 * module, the button and the LED can share it. johnny-five is loaded only when
 * a board is first opened.
 */
import type { FirmataBoard } from './firmata-board.ts';

export type OpenBoard = (port: string) => Promise<FirmataBoard>;

async function openNative(port: string): Promise<FirmataBoard> {
  const { openFirmataBoard } = await import('./firmata-board.ts');
  return openFirmataBoard({ port });
}

export function sharedFirmataBoards(open: OpenBoard = openNative): OpenBoard {
  const boards = new Map<string, Promise<FirmataBoard>>();
  return (port) => {
    let b = boards.get(port);
    if (b === undefined) {
      b = open(port);
      // A failed open is not cached: the next use tries again.
      b.catch(() => boards.delete(port));
      boards.set(port, b);
    }
    return b;
  };
}
