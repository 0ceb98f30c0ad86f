import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { IoConfig } from '../../src/io/config.ts';
import { createDeviceIo } from '../../src/io/create.ts';
import { KeyIo, NoIo, SignalIo } from '../../src/io/no-hardware.ts';

describe('device controls without hardware', () => {
  it('a signal to the daemon is a press', async () => {
    const io = new SignalIo('SIGUSR2', () => 42);
    const presses: number[] = [];
    io.onPress((at) => presses.push(at));
    process.kill(process.pid, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 50));
    expect(presses).toEqual([42]);
    await io.close();
    expect(process.listenerCount('SIGUSR2')).toBe(0);
  });

  it('a key on the input is a press; other keys are not', async () => {
    const input = new PassThrough();
    const io = await createDeviceIo(IoConfig.parse({ type: 'key' }), { input });
    expect(io).toBeInstanceOf(KeyIo);
    const presses: number[] = [];
    io.onPress((at) => presses.push(at));
    input.write('x');
    input.write('i');
    await new Promise((r) => setImmediate(r));
    expect(presses.length).toBe(1);
    await io.close();
  });

  it('"none" keeps the LED state for status and never presses', async () => {
    const io = await createDeviceIo(IoConfig.parse({ type: 'none' }));
    expect(io).toBeInstanceOf(NoIo);
    io.setLed('fault');
    expect(io.ledState).toBe('fault');
  });

  it('validates the io config', () => {
    expect(IoConfig.parse({ type: 'firmata', port: '/dev/ttyACM0' })).toEqual({ type: 'firmata', port: '/dev/ttyACM0', buttonPin: 2, ledPin: 13, pullup: true, debounceMs: 50, minGapMs: 2_000 });
    expect(IoConfig.safeParse({ type: 'i2c' }).success).toBe(false);
    expect(IoConfig.safeParse({ type: 'signal', signal: 'SIGKILL' }).success).toBe(false);
  });
});
