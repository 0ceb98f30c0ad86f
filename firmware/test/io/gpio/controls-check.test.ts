/** `selftest`'s button and LED check, on the Pi GPIO with a simulated chip. */
import { afterEach, describe, expect, it } from 'vitest';
import { checkControls } from '../../../src/io/controls-check.ts';
import { type GpioIo, openGpioIo } from '../../../src/io/gpio/gpio-io.ts';
import { SimChip } from './sim-chip.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ c: SimChip; io: GpioIo }> {
  const c = await SimChip.create({ 17: 'GPIO17', 27: 'GPIO27' });
  cleanups.push(() => c.close());
  const io = await openGpioIo({ buttonLine: 'GPIO17', ledLine: 'GPIO27', env: c.env });
  cleanups.push(() => io.close());
  return { c, io };
}

describe('selftest: button and LED', () => {
  it('blinks the LED, asks for a press and passes when the button is pressed', async () => {
    const { c, io } = await setup();
    const prompts: string[] = [];
    const result = checkControls(io, 10, (l) => {
      prompts.push(l);
      // The installer sees the LED blink a few times, then presses the button.
      const look = setInterval(() => {
        if (c.line('GPIO27').values.length < 4) return;
        clearInterval(look);
        c.contact('GPIO17', true);
      }, 20);
    });
    const r = await result;
    expect(prompts).toEqual([expect.stringMatching(/^Press the incident button now \(10 s\)/)]);
    expect(r).toMatchObject({ ok: true, detail: expect.stringMatching(/button pressed after \d\.\d s/) });
    // The LED was driven blinking (gpioset --toggle 125ms) and then left off.
    await io.settled();
    expect(c.requests.filter((q) => q.prog === 'gpioset').map((q) => q.value)).toEqual([0, 1, 0]);
    expect(c.line('GPIO27').values.slice(-1)[0]?.value).toBe(0);
    expect(c.line('GPIO27').values.length).toBeGreaterThanOrEqual(4);
  });

  it('fails with what to check when nobody presses', async () => {
    const { io } = await setup();
    const r = await checkControls(io, 1, () => undefined);
    expect(r).toEqual({ ok: false, detail: expect.stringMatching(/no button press within 1 s — check the button's wiring/) });
  });
});
