/**
 * The low-frequency criterion curve of the service's settings (issue 16):
 * `"lowFrequency": {"criterion": {"name": …, "source": …, "levelsDb": {"10": …, …, "160": …}}}`,
 * a level for each 1/3-octave band from 10 to 160 Hz. The Defra NANR45
 * procedure proposes such a reference curve; Earshot ships none of its own
 * values, so a bundle compares with a curve only when the settings give one,
 * with the source its values were taken from, printed beside them.
 */
import { z } from 'zod';
import { LF_BANDS, type LowFrequencyCriterionCurve } from '../bundle/low-frequency-model.ts';

const levels = Object.fromEntries(LF_BANDS.map((b) => [b, z.number().min(-50).max(150)])) as Record<(typeof LF_BANDS)[number], z.ZodNumber>;

export const LowFrequencySettings = z.strictObject({
  criterion: z.strictObject({
    /** What the curve is, e.g. the NANR45 reference curve and the situation it applies to. */
    name: z.string().min(1).max(200),
    /** Where the values come from: document, table, page. */
    source: z.string().min(1).max(1000),
    /** dB (Leq per 1/3-octave band) for every band 10 … 160 Hz. */
    levelsDb: z.strictObject(levels),
  }).optional(),
});
export type LowFrequencySettings = z.output<typeof LowFrequencySettings>;

/** The settings' curve in the order of LF_BANDS, or null when none is configured. */
export function criterionCurve(s: LowFrequencySettings | undefined): LowFrequencyCriterionCurve | null {
  const c = s?.criterion;
  if (c === undefined) return null;
  return { name: c.name, source: c.source, levelsDb: LF_BANDS.map((b) => c.levelsDb[b]) };
}
