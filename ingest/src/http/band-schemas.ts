/** Requests and responses of the 1/3-octave band routes (issue 16; band-routes.ts), checked with zod at the boundary. */
import { DEVICE_ID_PATTERN, EventId, NOMINAL_THIRD_OCTAVES } from '@earshot/shared';
import { z } from 'zod';
import { CaseRef } from '../cases/reference.ts';
import { MAX_BAND_WIDTH } from '../timeline/case-bands.ts';

const Instant = z.iso.datetime({ offset: true });
const Iso = z.string();
const Band = z.enum(NOMINAL_THIRD_OCTAVES);
const Db = z.number().min(-200).max(250).nullable();

/** The level chart's query: the same period and width give the same buckets. */
export const BandsQuery = z.strictObject({
  from: Instant,
  to: Instant,
  width: z.coerce.number().int().min(1).max(MAX_BAND_WIDTH).default(1000),
});

export const BandsOut = z.strictObject({
  caseRef: z.string(),
  from: Iso,
  to: Iso,
  bucket: z.strictObject({ stepSeconds: z.number().positive(), t: z.array(z.number()) }),
  bands: z.array(Band),
  devices: z.array(z.strictObject({ deviceId: z.string(), levels: z.array(z.array(Db).nullable()) })),
}).refine((o) => o.devices.every((d) => d.levels.length === o.bucket.t.length && d.levels.every((row) => row === null || row.length === o.bands.length)), 'one row per bucket, one level per band');

export const EventSpectrumParams = z.strictObject({ ref: CaseRef, device: z.string().regex(DEVICE_ID_PATTERN), eventId: EventId });

const Part = z.strictObject({ from: Iso, to: Iso, seconds: z.number().nonnegative(), levels: z.array(Db) });

export const EventSpectrumOut = z.strictObject({
  caseRef: z.string(),
  deviceId: z.string(),
  eventId: z.string(),
  kind: z.enum(['event', 'incident']),
  ruleId: z.string().nullable(),
  ruleType: z.string().nullable(),
  bands: z.array(Band),
  event: Part,
  backgroundIntervals: z.array(z.strictObject({ from: z.number(), to: z.number() })),
  background: Part,
  backgroundRule: z.string(),
}).refine((o) => o.event.levels.length === o.bands.length && o.background.levels.length === o.bands.length, 'one level per band');
