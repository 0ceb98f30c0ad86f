/** The body schema of each signed message type (DESIGN §4: one zod schema per body). */
import type { z } from 'zod';
import type { SignedKind } from '../topics.ts';
import { ClipManifest } from './clip.ts';
import { EventBody } from './event.ts';
import { LevelsBody } from './levels.ts';
import { StatusBody } from './status.ts';

export const bodySchemas = {
  levels: LevelsBody,
  event: EventBody,
  clip: ClipManifest,
  status: StatusBody,
} as const satisfies Record<SignedKind, z.ZodType>;
