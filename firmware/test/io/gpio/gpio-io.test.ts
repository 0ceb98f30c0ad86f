/** The Pi's own GPIO button and LED, at the IO boundary: real gpiomon/gpioset child processes on a simulated chip. */
import { afterEach, describe, expect, it } from 'vitest';
import { IoConfig } from '../../../src/io/config.ts';
import { createDeviceIo } from '../../../src/io/create.ts';
import { GpioIo, type GpioIoOptions, openGpioIo } from '../../../src/io/gpio/gpio-io.ts';
import { SimChip } from './sim-chip.ts';

const PI_LINES = { 17: 'GPIO17', 22: 'GPIO22', 27: 'GPIO27' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function chip(names: Record<number, string> = PI_LINES, tools?: string[]): Promise<SimChip> {
  const c = await SimChip.create(names, 'gpiochip0', tools);
  cleanups.push(() => c.close());
  return c;
}

async function open(c: SimChip, extra: Partial<GpioIoOptions> = {}): Promise<GpioIo> {
  const io = await openGpioIo({ buttonLine: 'GPIO17', ledLine: 'GPIO27', env: c.env, ...extra });
  cleanups.push(() => io.close());
  return io;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('incident button on the Pi GPIO (simulated chip)', () => {
  it('holds GPIO17 with the internal pull-up and reports a held press once', async () => {
    const c = await chip();
    const io = await open(c);
    const button = c.line('GPIO17');
    expect(button).toMatchObject({ consumer: 'earshot-button', direction: 'input', bias: 'pull-up' });
    const presses: number[] = [];
    io.onPress((at) => presses.push(at));
    const t0 = Date.now();
    c.contact('GPIO17', true);
    await until(() => presses.length === 1, 'a press');
    expect(presses[0]!).toBeGreaterThanOrEqual(t0);
    await sleep(150);
    c.contact('GPIO17', false);
    await sleep(200);
    expect(presses.length).toBe(1);
  });

  it('ignores contact bounce shorter than the debounce time and makes one incident of quick presses', async () => {
    const c = await chip();
    const io = await open(c, { debounceMs: 80, minGapMs: 2_000 });
    const presses: number[] = [];
    io.onPress((at) => presses.push(at));
    // A burst of bounce: the edges reach the monitor within a few ms of each other.
    for (let i = 0; i < 4; i++) {
      c.contact('GPIO17', true);
      c.contact('GPIO17', false);
    }
    await sleep(300);
    expect(presses).toEqual([]);
    for (let i = 0; i < 3; i++) {
      c.contact('GPIO17', true);
      await sleep(200);
      c.contact('GPIO17', false);
      await sleep(100);
    }
    expect(presses.length).toBe(1);
  });

  it('with pullup false asks for the pull-down and a press is the rising edge', async () => {
    const c = await chip();
    const io = await open(c, { pullup: false });
    expect(c.line('GPIO17').bias).toBe('pull-down');
    const presses: number[] = [];
    io.onPress((at) => presses.push(at));
    c.contact('GPIO17', true);
    await until(() => presses.length === 1, 'a press');
  });

  it('starts gpiomon again when it dies, and reports the fault', async () => {
    const c = await chip();
    const faults: string[] = [];
    const io = await open(c, { onFault: (e) => faults.push(e.code), backoff: { initialMs: 50 } });
    const presses: number[] = [];
    io.onPress((at) => presses.push(at));
    c.line('GPIO17').socket?.destroy();
    await until(() => faults.length === 1 && c.line('GPIO17').consumer === 'earshot-button', 'gpiomon restarted');
    expect(faults).toEqual(['EARSHOT_E_GPIO_FAILED']);
    c.contact('GPIO17', true);
    await until(() => presses.length === 1, 'a press after the restart');
  });
});

describe('status LED on the Pi GPIO (simulated chip)', () => {
  it('is steady when recording, blinks slowly offline and fast on a fault, and is released on close', async () => {
    const c = await chip();
    const io = await open(c);
    const led = c.line('GPIO27');
    expect(led).toMatchObject({ consumer: 'earshot-led', direction: 'output' });
    expect(led.values.map((v) => v.value)).toEqual([0]);

    io.setLed('recording');
    await io.settled();
    await sleep(300);
    expect(led.values.slice(1).map((v) => v.value)).toEqual([1]);
    expect(io.ledState).toBe('recording');

    led.values.length = 0;
    io.setLed('fault');
    await io.settled();
    await sleep(1_100);
    // Toggles every 125 ms (4 Hz blink): ≈ 8 changes in a second, timed by gpioset itself.
    const fast = led.values.length;
    expect(fast).toBeGreaterThanOrEqual(5);
    expect(fast).toBeLessThanOrEqual(11);
    expect(c.requests.at(-1)).toMatchObject({ prog: 'gpioset', line: 'GPIO27', value: 1 });

    led.values.length = 0;
    io.setLed('offline');
    await io.settled();
    await sleep(2_300);
    // Toggles every second (0.5 Hz blink).
    expect(led.values.length).toBeGreaterThanOrEqual(2);
    expect(led.values.length).toBeLessThanOrEqual(4);

    await io.close();
    await until(() => led.consumer === null && c.line('GPIO17').consumer === null, 'both lines released');
  });
});

describe('GPIO errors (one sentence, a stable code)', () => {
  it('a line the board does not have', async () => {
    const c = await chip({ 4: 'GPIO4', 27: 'GPIO27' });
    const e = await openGpioIo({ buttonLine: 'GPIO17', ledLine: 'GPIO27', env: c.env }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'EARSHOT_E_GPIO_NOT_FOUND' });
    expect((e as Error).message).toMatch(/^GPIO chip or line not found: GPIO line GPIO17 does not exist on this board/);
    expect((e as Error).message).not.toMatch(/\n/);
  });

  it('a chip that is not there, and an offset beyond the chip', async () => {
    const c = await chip();
    await expect(openGpioIo({ chip: 'gpiochip9', buttonLine: 17, ledLine: 27, env: c.env })).rejects.toMatchObject({ code: 'EARSHOT_E_GPIO_NOT_FOUND', detail: expect.stringMatching(/^no GPIO chip gpiochip9 for line 17/) });
    await expect(openGpioIo({ chip: 'gpiochip0', buttonLine: 99, ledLine: 27, env: c.env })).rejects.toMatchObject({ code: 'EARSHOT_E_GPIO_NOT_FOUND' });
  });

  it('a line held by another program, and the button line left free when the LED line is busy', async () => {
    const c = await chip();
    c.holdElsewhere('GPIO27', 'gpioset');
    const e = await openGpioIo({ buttonLine: 'GPIO17', ledLine: 'GPIO27', env: c.env }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'EARSHOT_E_GPIO_BUSY', detail: expect.stringContaining('GPIO line GPIO27 is held by another program') });
    await until(() => c.line('GPIO17').consumer === null, 'the button line released');
  });

  it('offsets on a named chip work like names', async () => {
    const c = await chip();
    const io = await open(c, { chip: 'gpiochip0', buttonLine: 17, ledLine: 27 });
    expect(c.line('GPIO17').consumer).toBe('earshot-button');
    expect(c.line('GPIO27').consumer).toBe('earshot-led');
    expect(io.name).toBe('gpio:button 17, led 27 on gpiochip0');
  });

  it('tools not installed, and libgpiod 1.x tools', async () => {
    const c = await chip();
    await expect(openGpioIo({ buttonLine: 'GPIO17', ledLine: 'GPIO27', env: c.env, gpiomon: '/nonexistent/gpiomon' })).rejects.toMatchObject({
      code: 'EARSHOT_E_GPIO_TOOLS', detail: expect.stringContaining('install the libgpiod 2 tools'),
    });
    // A v1 gpiomon does not know --banner (libgpiod 1.6 tools/gpiomon.c longopts).
    const v1 = await chip(PI_LINES, ['gpioset']);
    const { writeFileSync, chmodSync } = await import('node:fs');
    const { join } = await import('node:path');
    const path = join(String(v1.env.PATH).split(':')[0]!, 'gpiomon');
    writeFileSync(path, "#!/bin/sh\necho \"gpiomon: unrecognized option '--banner'\" >&2\necho 'gpiomon: try gpiomon --help' >&2\nexit 1\n");
    chmodSync(path, 0o755);
    await expect(openGpioIo({ buttonLine: 'GPIO17', ledLine: 'GPIO27', env: v1.env })).rejects.toMatchObject({ code: 'EARSHOT_E_GPIO_TOOLS', detail: expect.stringContaining('not a libgpiod 2 tool') });
  });
});

describe('gpio in the monitor config', () => {
  it('defaults to GPIO17 with the pull-up and GPIO27, and createDeviceIo opens them', async () => {
    const config = IoConfig.parse({ type: 'gpio' });
    expect(config).toMatchObject({ type: 'gpio', buttonLine: 'GPIO17', ledLine: 'GPIO27', pullup: true, debounceMs: 50, minGapMs: 2_000 });
    const c = await chip();
    const io = await createDeviceIo(config, { gpioEnv: c.env });
    cleanups.push(() => io.close());
    expect(io).toBeInstanceOf(GpioIo);
    expect(c.line('GPIO17').consumer).toBe('earshot-button');
  });

  it('refuses an offset without a chip, and an all-digit line name', () => {
    expect(IoConfig.safeParse({ type: 'gpio', buttonLine: 17 }).success).toBe(false);
    expect(IoConfig.safeParse({ type: 'gpio', buttonLine: '17' }).success).toBe(false);
    expect(IoConfig.safeParse({ type: 'gpio', chip: 'gpiochip0', buttonLine: 17, ledLine: 27 }).success).toBe(true);
  });
});
