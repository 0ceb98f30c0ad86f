/**
 * Body of earshot/v1/<id>/status (DESIGN §4): the heartbeat, every 60 s by default.
 * Unknown values are null (e.g. no temperature sensor), never invented.
 */
import { z } from 'zod';

export const StatusBody = z.object({
  uptimeSeconds: z.number().nonnegative(),
  clock: z.object({
    /** Whether the system clock is disciplined (chrony / timedatectl), null if unknown. */
    synced: z.boolean().nullable(),
    /** Estimated offset from true time in ms, null if unknown. */
    offsetMs: z.number().nullable(),
    source: z.string().max(64),
  }),
  outbox: z.object({
    depth: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    quotaBytes: z.number().int().nonnegative(),
    /** 1 s level records merged into coarser ones since start, because the quota was reached. */
    compactedRecords: z.number().int().nonnegative(),
    /** Bytes of a torn last journal record cut off at start (a power cut mid-write): expected, not an error. */
    tornTailBytes: z.number().int().nonnegative().optional(),
    /**
     * Held in memory because the disk is full (issue 18): level records and
     * events not yet journaled, the seconds they cover, and the seconds given up
     * to a gap record past the memory bound. Absent when nothing is held.
     */
    held: z.object({
      records: z.number().int().nonnegative(),
      events: z.number().int().nonnegative(),
      seconds: z.number().nonnegative(),
      gapSeconds: z.number().nonnegative(),
      since: z.string().max(32).nullable(),
    }).optional(),
    /** Bytes of the journal's own space reserve still free (small messages go there when the disk is full), and its full size. */
    reserve: z.object({ bytes: z.number().int().nonnegative(), of: z.number().int().nonnegative() }).optional(),
    /** Journal damage, quota reached by never-dropped messages, unreadable clip files, storage full (EARSHOT_E_STORAGE_FULL). */
    errors: z.array(z.object({ code: z.string().max(64), detail: z.string().max(500) })).max(10).optional(),
  }),
  disk: z.object({ freeBytes: z.number().nonnegative(), totalBytes: z.number().nonnegative() }).nullable(),
  temperatureC: z.number().min(-50).max(150).nullable(),
  mic: z.object({
    state: z.enum(['ok', 'silent', 'clipping', 'no-signal', 'unknown']),
    /** Since the last heartbeat. */
    silentSeconds: z.number().nonnegative(),
    clippedSamples: z.number().int().nonnegative(),
  }),
  fullScaleDb: z.number().min(0).max(250),
  config: z.object({
    /** Version of the config in force. */
    version: z.number().int().nonnegative().nullable(),
    /** The last config received: accepted, or rejected with the reason (the previous stays in force). */
    lastReceived: z.object({ version: z.number().int().nullable(), accepted: z.boolean(), error: z.string().max(500).optional() }).nullable(),
  }),
  capture: z.object({ source: z.string().max(64), restarts: z.number().int().nonnegative(), lastError: z.string().max(500).nullable() }),
  /**
   * The device's Ed25519 public key (SubjectPublicKeyInfo PEM). The ingest pins
   * it from the first status of a device that has none pinned, once the envelope
   * verifies with it (trust on first use, over a connection the secret authenticated).
   */
  publicKeyPem: z.string().max(1024).optional(),
  /** The monitor software's version (firmware/package.json), read once at start; absent from monitors before it was sent. */
  firmwareVersion: z.string().min(1).max(64).optional(),
  /** Nuisance-rule triggers not raised as events since start, by rule: in cooldown or over the hourly cap. */
  suppressed: z.record(z.string(), z.object({ cooldown: z.number().int().nonnegative(), hourlyCap: z.number().int().nonnegative() })).optional(),
  /**
   * Stored receipts (DESIGN §4) since start: the highest `stored` of a valid
   * receipt (null: none yet), and receipts ignored as forged (bad signature,
   * malformed, another device: EARSHOT_E_RECEIPT_INVALID) or replayed (a lower
   * `stored` than already seen: EARSHOT_E_RECEIPT_REPLAYED). Absent when the
   * monitor has no server public key and so trusts PUBACKs.
   */
  receipts: z.object({
    stored: z.number().int().nonnegative().nullable(),
    forged: z.number().int().nonnegative(),
    replayed: z.number().int().nonnegative(),
  }).optional(),
});
export type StatusBody = z.infer<typeof StatusBody>;
