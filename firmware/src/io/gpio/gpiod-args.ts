/**
 * Command lines of the libgpiod v2 tools for the button and the LED (libgpiod
 * tools/gpiomon.c and gpioset.c, v2.0 and later). Lines are given by name
 * ("GPIO17"), which the tools look up on every chip, so one config serves a
 * Pi 4 (header on gpiochip0) and a Pi 5 (header on the RP1, gpiochip4 on early
 * kernels and gpiochip0 since 6.6.45); an offset needs `chip`.
 */
import type { LedPattern } from '../types.ts';
import type { LineRef } from './gpiod-errors.ts';

/** The consumer names `gpioinfo` shows for lines the monitor holds. */
export const BUTTON_CONSUMER = 'earshot-button';
export const LED_CONSUMER = 'earshot-led';

function chipArgs(ref: LineRef): string[] {
  return ref.chip === undefined ? [] : ['--chip', ref.chip];
}

/**
 * gpiomon on the button line, both edges, one line per edge: "1" rising, "2"
 * falling (`%e`, the numeric edge event type: GPIOD_EDGE_EVENT_RISING_EDGE = 1,
 * GPIOD_EDGE_EVENT_FALLING_EDGE = 2 in gpiod.h).
 */
export function gpiomonArgs(ref: LineRef, pullup: boolean): string[] {
  return ['--banner', `--bias=${pullup ? 'pull-up' : 'pull-down'}`, '--edges=both', `--consumer=${BUTTON_CONSUMER}`, '--format=%e', ...chipArgs(ref), String(ref.line)];
}

/** The edge a gpiomon `%e` line reports, or null for anything else. */
export function edgeOf(line: string): 'rising' | 'falling' | null {
  const t = line.trim();
  return t === '1' ? 'rising' : t === '2' ? 'falling' : null;
}

/**
 * gpioset holding the LED line in a pattern: steady 1 or 0, or toggling every
 * `toggleMs` from 1 (`--toggle`: "if the last period is non-zero then the
 * sequence repeats"), so the blinking is timed by the tool, not by a timer here.
 */
export function gpiosetArgs(ref: LineRef, pattern: LedPattern): string[] {
  const value = pattern.kind === 'off' ? 0 : 1;
  const toggle = pattern.kind === 'blink' ? ['--toggle', `${pattern.toggleMs}ms`] : [];
  return ['--banner', `--consumer=${LED_CONSUMER}`, ...toggle, ...chipArgs(ref), `${String(ref.line)}=${value}`];
}
