/** Small schemas every message body uses. */
import { z } from 'zod';

/** A level in dB, or null for digital silence (DESIGN §2). Bounded so a corrupt value cannot pass. */
export const Level = z.number().min(-200).max(250).nullable();

/** Event ids are made by the device; they appear in clip manifests and court bundles. */
export const EventId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'an event id: letters, digits, _ . : - (≤ 128)');

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256');
