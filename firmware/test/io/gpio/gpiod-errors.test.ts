/** The libgpiod tools' last words → one sentence and a stable code (messages as tools/tools-common.c prints them). */
import { describe, expect, it } from 'vitest';
import { classifySpawnFailure, classifyToolFailure } from '../../../src/io/gpio/gpiod-errors.ts';
import { edgeOf, gpiomonArgs, gpiosetArgs } from '../../../src/io/gpio/gpiod-args.ts';

const BUTTON = { line: 'GPIO17' };

describe('GPIO tool failures', () => {
  it('names each failure with its code', () => {
    expect(classifyToolFailure('gpiomon', BUTTON, 1, "gpiomon: cannot find line 'GPIO17'").code).toBe('EARSHOT_E_GPIO_NOT_FOUND');
    expect(classifyToolFailure('gpiomon', { line: 40, chip: 'gpiochip0' }, 1, "gpiomon: offset 40 is out of range on chip 'gpiochip0'").code).toBe('EARSHOT_E_GPIO_NOT_FOUND');
    expect(classifyToolFailure('gpioset', BUTTON, 1, 'gpioset: unable to request lines on chip /dev/gpiochip0: Device or resource busy').code).toBe('EARSHOT_E_GPIO_BUSY');
    const denied = classifyToolFailure('/usr/bin/gpiomon', BUTTON, 1, "gpiomon: unable to open chip '/dev/gpiochip0': Permission denied");
    expect(denied).toEqual({ code: 'EARSHOT_E_GPIO_FAILED', detail: 'GPIO line GPIO17: permission denied on the GPIO chip; run the monitor as a member of the gpio group (SupplementaryGroups=gpio)' });
    expect(classifyToolFailure('gpiomon', BUTTON, null, null)).toEqual({ code: 'EARSHOT_E_GPIO_FAILED', detail: 'gpiomon was stopped for GPIO line GPIO17' });
    expect(classifySpawnFailure('gpiomon', Object.assign(new Error('spawn gpiomon ENOENT'), { code: 'ENOENT' })).code).toBe('EARSHOT_E_GPIO_TOOLS');
  });
});

describe('GPIO tool command lines', () => {
  it('gpiomon watches both edges with the bias, by name or by offset on a chip', () => {
    expect(gpiomonArgs(BUTTON, true)).toEqual(['--banner', '--bias=pull-up', '--edges=both', '--consumer=earshot-button', '--format=%e', 'GPIO17']);
    expect(gpiomonArgs({ line: 17, chip: 'gpiochip0' }, false)).toEqual(['--banner', '--bias=pull-down', '--edges=both', '--consumer=earshot-button', '--format=%e', '--chip', 'gpiochip0', '17']);
    expect([edgeOf('1'), edgeOf('2\r'), edgeOf('x')]).toEqual(['rising', 'falling', null]);
  });

  it('gpioset holds the LED steady or toggles it itself', () => {
    expect(gpiosetArgs({ line: 'GPIO27' }, { kind: 'on' })).toEqual(['--banner', '--consumer=earshot-led', 'GPIO27=1']);
    expect(gpiosetArgs({ line: 'GPIO27' }, { kind: 'off' })).toEqual(['--banner', '--consumer=earshot-led', 'GPIO27=0']);
    expect(gpiosetArgs({ line: 27, chip: '0' }, { kind: 'blink', toggleMs: 125 })).toEqual(['--banner', '--consumer=earshot-led', '--toggle', '125ms', '--chip', '0', '27=1']);
  });
});
