/**
 * The capture section of the daemon config (zod, validated at the boundary):
 * one of alsa | wav | serial | firmata, discriminated on `type`.
 */
import { IsoUtcMs } from '@earshot/shared';
import { z } from 'zod';
import { checkPattern } from './serial-line.ts';

/** The engine's range (firmware/src/measure/weighting-design.ts MIN/MAX_SAMPLE_RATE). */
const SampleRate = z.number().int().min(8_000).max(192_000);

const BackoffConfig = z.object({
  initialMs: z.number().int().min(1).max(600_000).default(1_000),
  maxMs: z.number().int().min(1).max(3_600_000).default(60_000),
}).strict();

export const AlsaCaptureConfig = z.object({
  type: z.literal('alsa'),
  /** ALSA PCM name as `arecord -L` lists it, e.g. "plughw:CARD=sndrpii2scard,DEV=0" or "hw:1,0". */
  device: z.string().min(1).max(200).default('default'),
  sampleRate: SampleRate.default(48_000),
  /** S32_LE for I2S MEMS mics (24 valid bits in a 32-bit slot), S16_LE for most USB mics. */
  sampleFormat: z.enum(['S16_LE', 'S32_LE']).default('S32_LE'),
  channels: z.number().int().min(1).max(8).default(2),
  channel: z.number().int().min(0).max(7).default(0),
  blockMs: z.number().int().min(10).max(1_000).default(100),
  command: z.string().min(1).default('arecord'),
  commandArgs: z.array(z.string()).default([]),
  extraArgs: z.array(z.string()).default([]),
  restart: BackoffConfig.default({ initialMs: 1_000, maxMs: 60_000 }),
}).strict().refine((c) => c.channel < c.channels, { message: 'channel must be below channels (channels count from 0)', path: ['channel'] });

export const WavCaptureConfig = z.object({
  type: z.literal('wav'),
  files: z.array(z.string().min(1)).min(1).max(10_000),
  loop: z.boolean().default(false),
  pace: z.enum(['realtime', 'fast']).default('realtime'),
  channel: z.number().int().min(0).default(0),
  /** Device time of the first sample (for re-analysis of a dated recording). */
  startAt: IsoUtcMs.optional(),
}).strict();

export const SerialCaptureConfig = z.object({
  type: z.literal('serial'),
  path: z.string().min(1),
  baudRate: z.number().int().positive().default(9_600),
  /** Regex whose named groups are LevelRecord fields, e.g. "LAeq=(?<LAeq>\\d+\\.\\d)". */
  pattern: z.string().min(1).max(1_000).superRefine((p, ctx) => {
    const r = checkPattern(p);
    if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
  }),
  intervalSeconds: z.number().positive().max(3_600).default(1),
  delimiter: z.string().min(1).max(4).default('\n'),
  reopen: BackoffConfig.default({ initialMs: 1_000, maxMs: 60_000 }),
}).strict();

export const FirmataCaptureConfig = z.object({
  type: z.literal('firmata'),
  /** Serial path of the Firmata board (shared with the button and LED when the same). */
  port: z.string().min(1),
  pin: z.union([z.string().regex(/^A\d{1,2}$/), z.number().int().min(0)]).default('A0'),
  /** The issue asks for at least 10 Hz. */
  sampleHz: z.number().min(10).max(100).default(10),
  intervalSeconds: z.number().positive().max(60).default(1),
  slopeDbPerVolt: z.number().positive().default(50),
  offsetDb: z.number().default(0),
  vrefVolts: z.number().positive().max(12).default(5),
  adcBits: z.number().int().min(8).max(16).default(10),
}).strict();

export const CaptureConfig = z.discriminatedUnion('type', [AlsaCaptureConfig, WavCaptureConfig, SerialCaptureConfig, FirmataCaptureConfig]);
export type CaptureConfig = z.infer<typeof CaptureConfig>;
/** The config as written in the file (defaults not yet applied). */
export type CaptureConfigInput = z.input<typeof CaptureConfig>;
