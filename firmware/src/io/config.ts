/** The io section of the daemon config (zod): where the incident button and status LED are. */
import { z } from 'zod';

const Pin = z.union([z.number().int().min(0).max(255), z.string().regex(/^(A\d{1,2}|GPIO\d{1,2}|P1-\d{1,2})$/)]);

/** A GPIO line: its name (not all digits, which the tools would read as an offset) or its offset on a chip. */
const GpioLine = z.union([z.number().int().min(0).max(1_023), z.string().min(1).max(64).regex(/\D/, 'a line name, e.g. "GPIO17" (or an offset as a number, with chip)')]);

export const IoConfig = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('firmata'),
    /** Serial path of the Firmata board (the same board as a Firmata capture source may share it). */
    port: z.string().min(1),
    buttonPin: Pin.default(2),
    ledPin: Pin.default(13),
    pullup: z.boolean().default(true),
    debounceMs: z.number().int().min(1).max(1_000).default(50),
    minGapMs: z.number().int().min(0).max(60_000).default(2_000),
  }).strict(),
  z.object({
    type: z.literal('gpio'),
    /** GPIO chip to look in ("gpiochip0", "0", "/dev/gpiochip0"); by default every chip, lines by name. */
    chip: z.string().min(1).max(200).optional(),
    /** Line names as the Pi's device tree gives them (`gpioinfo`), the same on a Pi 4 and a Pi 5; or offsets with `chip`. */
    buttonLine: GpioLine.default('GPIO17'),
    ledLine: GpioLine.default('GPIO27'),
    pullup: z.boolean().default(true),
    debounceMs: z.number().int().min(1).max(1_000).default(50),
    minGapMs: z.number().int().min(0).max(60_000).default(2_000),
    /** The libgpiod v2 tools (package gpiod); other paths for unusual installs. */
    gpiomon: z.string().min(1).default('gpiomon'),
    gpioset: z.string().min(1).default('gpioset'),
  }).strict().refine((c) => c.chip !== undefined || (typeof c.buttonLine === 'string' && typeof c.ledLine === 'string'), {
    message: 'a line given by offset needs chip (e.g. "chip": "gpiochip0"); or name it, e.g. "GPIO17"',
    path: ['chip'],
  }),
  z.object({ type: z.literal('signal'), signal: z.enum(['SIGUSR1', 'SIGUSR2', 'SIGHUP']).default('SIGUSR2') }).strict(),
  z.object({ type: z.literal('key'), key: z.string().length(1).default('i') }).strict(),
  z.object({ type: z.literal('none') }).strict(),
]);
export type IoConfig = z.infer<typeof IoConfig>;
