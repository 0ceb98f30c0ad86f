/**
 * The bundle's low-frequency section (issue 16), already worked out: for each
 * event of the low-frequency (bass) rule in the period, its Z-weighted Leq in
 * each 1/3-octave band from 10 to 160 Hz — the range of the Defra NANR45
 * procedure (Moorhouse, Waddington and Adams, "Proposed criteria for the
 * assessment of low frequency noise disturbance", Defra NANR45, 2005, rev.
 * 2011) — against the background just before it and, when the service's
 * settings give one, a criterion curve with its source. Earshot carries no
 * curve of its own.
 */
import { z } from 'zod';
import { DEVICE_ID_PATTERN, EventId, IsoUtcMs, Level } from '@earshot/shared';

/** The 1/3-octave bands the section covers, 10 … 160 Hz (IEC 61260-1:2014 Annex E nominal midbands). */
export const LF_BANDS = ['10', '12.5', '16', '20', '25', '31.5', '40', '50', '63', '80', '100', '125', '160'] as const;
export type LfBand = (typeof LF_BANDS)[number];

const Text = z.string().min(1).max(2000);
const Levels = z.array(Level).length(LF_BANDS.length);
const Interval = z.strictObject({ from: IsoUtcMs, to: IsoUtcMs });

/** A criterion curve: a level per band, what it is called and where its values come from. */
export const LowFrequencyCriterionCurve = z.strictObject({
  name: z.string().min(1).max(200),
  source: Text,
  /** dB (Leq per 1/3-octave band), in the order of LF_BANDS. */
  levelsDb: z.array(z.number().min(-50).max(150)).length(LF_BANDS.length),
});
export type LowFrequencyCriterionCurve = z.infer<typeof LowFrequencyCriterionCurve>;

export const LowFrequencyEvent = z.strictObject({
  eventId: EventId,
  deviceId: z.string().regex(DEVICE_ID_PATTERN),
  ruleId: z.string().min(1).max(128),
  state: z.enum(['ended', 'ongoing']),
  start: IsoUtcMs,
  end: IsoUtcMs,
  /** The longest any band was measured over the event, s. */
  seconds: z.number().nonnegative(),
  /** Energy mean over the event, dB(Z) to 0.1, per band of LF_BANDS; null where not measured. */
  levels: Levels,
  background: z.strictObject({
    /** The quiet intervals (timeline/quiet-before.ts); empty when none was found. */
    intervals: z.array(Interval),
    seconds: z.number().nonnegative(),
    levels: Levels,
  }),
});
export type LowFrequencyEvent = z.infer<typeof LowFrequencyEvent>;

export const LowFrequencySection = z.strictObject({
  /** null: the service's settings give no criterion; the section compares with the background only and says so. */
  criterion: LowFrequencyCriterionCurve.nullable(),
  /** How each background was chosen, in words. */
  backgroundRule: Text,
  events: z.array(LowFrequencyEvent).min(1),
});
export type LowFrequencySection = z.infer<typeof LowFrequencySection>;
