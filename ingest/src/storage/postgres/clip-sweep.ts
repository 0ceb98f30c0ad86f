/**
 * Clips whose manifest and chunks are all stored but which no one assembled,
 * assembled on PostgreSQL (the embedded store's store/clip-retry.ts and its
 * recovery at start). Two causes: a process killed between a batch's COMMIT and
 * the assembly that follows it, and — with several ingest processes — a clip
 * whose last chunks committed in two processes at once, each batch seeing the
 * other's chunks not yet committed. Every few seconds the clips still
 * incomplete with every chunk stored are assembled (assemble-clip.ts locks the
 * manifest row, so two processes assembling one clip do it once).
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { assembleClip } from './ingest-batch/assemble-clip.ts';

/** How often incomplete clips are looked for: an index scan of the few incomplete ones. */
export const CLIP_SWEEP_MS = 5_000;
/** Clips assembled in one sweep at most (a few MB each). */
const PER_SWEEP = 50;

const READY = {
  name: 'earshot-clip-sweep-ready',
  text: `SELECT c.device, c.clip_id FROM clips c WHERE c.state = 'incomplete'
    AND (SELECT count(*) FROM clip_chunks k WHERE k.device = c.device AND k.clip_id = c.clip_id) >= c.chunks
    ORDER BY c.received_at LIMIT ${PER_SWEEP}`,
};

export interface ClipSweep {
  /** One sweep now; resolves with the clips it assembled or found corrupt. */
  runNow(): Promise<number>;
  stop(): Promise<void>;
}

export function startPgClipSweep(pool: pg.Pool, o: { logger: Logger; everyMs?: number; now?: () => number }): ClipSweep {
  const now = o.now ?? Date.now;
  let running: Promise<number> | null = null;
  const sweep = async (): Promise<number> => {
    const ready = (await pool.query<{ device: string; clip_id: string }>(READY)).rows;
    let settled = 0;
    for (const r of ready) {
      const a = await assembleClip(pool, r.device, r.clip_id, now());
      if (a.state === 'complete') o.logger.info({ device: r.device, clipId: r.clip_id, file: a.file }, 'clip reassembled');
      else o.logger.warn({ device: r.device, clipId: r.clip_id, state: a.state, problem: a.problem }, 'clip not reassembled');
      if (a.state !== 'incomplete') settled++;
    }
    return settled;
  };
  const runNow = (): Promise<number> => {
    running ??= sweep().catch((e: unknown) => {
      o.logger.error({ err: e }, 'looking for clips to assemble failed');
      return 0;
    }).finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => void runNow(), o.everyMs ?? CLIP_SWEEP_MS);
  timer.unref();
  void runNow();
  return {
    runNow,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
