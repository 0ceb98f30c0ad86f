/**
 * The installer's check of the button and LED (`earshot-device selftest`): the
 * LED blinks fast while the monitor asks for a press of the incident button, so
 * one look and one press show both are wired (hardware.md, Button and LED).
 */
import type { DeviceIo } from './types.ts';

export interface ControlsCheck {
  ok: boolean;
  detail: string;
}

/**
 * Blinks the LED and waits up to `seconds` for a press; `prompt` tells the
 * installer what to do. The LED is left off. Does not close `io`.
 */
export async function checkControls(io: DeviceIo, seconds: number, prompt: (line: string) => void, now: () => number = Date.now): Promise<ControlsCheck> {
  io.setLed('fault');
  const t0 = now();
  prompt(`Press the incident button now (${seconds} s): the status LED (${io.name}) should be blinking fast.`);
  const pressedAt = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), seconds * 1_000);
    io.onPress((at) => {
      clearTimeout(timer);
      resolve(at);
    });
  });
  io.onPress(() => undefined);
  io.setLed('off');
  if (pressedAt === null) return { ok: false, detail: `${io.name}: no button press within ${seconds} s — check the button's wiring and the io section of the config` };
  return { ok: true, detail: `${io.name}: button pressed after ${((pressedAt - t0) / 1_000).toFixed(1)} s; the LED blinked (check it did)` };
}
