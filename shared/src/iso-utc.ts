/** The one time format of every message and record. Its own module: what needs only this loads no envelope schema. */
import { z } from 'zod';

/** ISO 8601 UTC with milliseconds, as Date.prototype.toISOString writes it. */
export const IsoUtcMs = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'ISO 8601 UTC time with milliseconds').refine((s) => !Number.isNaN(Date.parse(s)), 'a real date');
