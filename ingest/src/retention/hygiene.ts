/**
 * Purge steps for what is not case evidence but would otherwise stay for ever
 * (issue 11 items 5 and 14): quarantined payloads and rows, clip chunks that
 * never got a manifest, and exported bundle ZIPs. Each is recorded in the
 * retention audit like the case steps (retention/purge.ts).
 */
import { createHash } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { all, run } from '../storage/record/steps.ts';
import type { PurgeStep } from './purge.ts';

/** Rows handled per transaction, so ingest is never held up long. */
const BATCH = 500;
const EMPTY = Buffer.alloc(0);

/**
 * Codes whose payload is kept past the payload limit: a message held until its
 * device's key is pinned (it is processed again then), and a levels batch with
 * an implausible device time (signed measurements, kept for an officer to place).
 * Both are bounded by the device's quarantine quota (store/quarantine.ts).
 */
const KEEP_PAYLOAD = ['EARSHOT_E_KEY_NOT_PINNED', 'EARSHOT_E_DEVICE_TIME_IMPLAUSIBLE'] as const;

/** Drops quarantined payloads older than the payload cutoff; the row keeps reason, size and SHA-256. */
export const purgeQuarantinePayloads: PurgeStep = {
  name: 'quarantine-payloads',
  async run(ctx) {
    const pick = `SELECT id, device, code, raw, raw_sha256 FROM quarantine
       WHERE received_at < ? AND raw_dropped IS NULL AND NOT (code IN (${KEEP_PAYLOAD.map(() => '?').join(', ')}) AND released_at IS NULL)
       ORDER BY id LIMIT ${BATCH}`;
    const drop = "UPDATE quarantine SET raw = ?, raw_bytes = coalesce(raw_bytes, length(raw)), raw_sha256 = ?, raw_dropped = 'purged', raw_dropped_at = ? WHERE id = ?";
    const before = ctx.cutoffs.quarantinePayloadsBeforeMs;
    for (;;) {
      const n = await ctx.commit(function* () {
        const rows = yield* all<{ id: number; device: string | null; code: string; raw: Buffer; raw_sha256: string | null }>(pick, before, ...KEEP_PAYLOAD);
        const removed: unknown[] = [];
        for (const r of rows) {
          const sha = r.raw_sha256 ?? createHash('sha256').update(r.raw).digest('hex');
          yield* run(drop, EMPTY, sha, ctx.nowMs, r.id);
          removed.push({ table: 'quarantine', id: r.id, device: r.device, code: r.code, bytes: r.raw.length, sha256: sha });
        }
        return { rows: rows.length, removed };
      });
      if (n < BATCH) return;
    }
  },
};

/** Deletes quarantine rows, and the overflow counts, older than the quarantine cutoff. */
export const purgeQuarantineRows: PurgeStep = {
  name: 'quarantine-rows',
  async run(ctx) {
    const before = ctx.cutoffs.quarantineRowsBeforeMs;
    const del = `DELETE FROM quarantine WHERE id IN (SELECT id FROM quarantine WHERE received_at < ? ORDER BY id LIMIT ${BATCH})`;
    for (;;) {
      const n = await ctx.commit(function* () {
        return { rows: yield* run(del, before) };
      });
      if (n < BATCH) break;
    }
    await ctx.commit(function* () {
      return { rows: yield* run('DELETE FROM quarantine_overflow WHERE last_at < ?', before) };
    });
  },
};

/** Deletes chunks that have had no manifest since before the orphan cutoff, one clip per item in the audit. */
export const purgeOrphanChunks: PurgeStep = {
  name: 'orphan-chunks',
  async run(ctx) {
    const clips = `SELECT device, clip_id, count(*) AS chunks, sum(length(data)) AS bytes FROM clip_chunks c
       WHERE NOT EXISTS (SELECT 1 FROM clips m WHERE m.device = c.device AND m.clip_id = c.clip_id)
       GROUP BY device, clip_id HAVING max(received_at) < ? ORDER BY device, clip_id LIMIT ${BATCH}`;
    const del = 'DELETE FROM clip_chunks WHERE device = ? AND clip_id = ? AND NOT EXISTS (SELECT 1 FROM clips m WHERE m.device = clip_chunks.device AND m.clip_id = clip_chunks.clip_id)';
    for (;;) {
      let found = 0;
      await ctx.commit(function* () {
        const list = yield* all<{ device: string; clip_id: string; chunks: number; bytes: number }>(clips, ctx.cutoffs.orphanChunksBeforeMs);
        found = list.length;
        let rows = 0;
        for (const c of list) rows += yield* run(del, c.device, c.clip_id);
        return { rows, removed: list.map((c) => ({ table: 'clip_chunks', device: c.device, clipId: c.clip_id, chunks: Number(c.chunks), bytes: Number(c.bytes) })) };
      });
      if (found < BATCH) return;
    }
  },
};

/**
 * Deletes exported bundles (each export's own folder, export/exporter.ts, or a
 * ZIP directly in the folder) last written before the bundle cutoff.
 */
export function purgeBundleFiles(bundlesDir: string): PurgeStep {
  return {
    name: 'bundles',
    async run(ctx) {
      let names: string[];
      try {
        names = readdirSync(bundlesDir);
      } catch {
        return; // no export yet
      }
      for (const name of names) {
        const path = join(bundlesDir, name);
        let newest: number;
        try {
          newest = newestMtime(path);
        } catch {
          continue; // gone meanwhile
        }
        if (newest >= ctx.cutoffs.bundlesBeforeMs) continue;
        // Audited first: a file is never removed without its audit entry.
        const removed = [{ bundle: name, lastWritten: new Date(newest).toISOString() }];
        await ctx.commit(function* () {
          return { rows: 1, removed };
        });
        rmSync(path, { recursive: true, force: true });
      }
    },
  };
}

/** The latest modification time of a file, or of a folder and everything in it. */
function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}
