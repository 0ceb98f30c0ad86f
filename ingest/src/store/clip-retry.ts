/**
 * Assembles again the clips whose chunks are all stored but whose file could
 * not be written (issue 18: after a full disk a clip stayed incomplete until
 * the service restarted). Every `checkMs` it looks for such clips; it tries
 * them as soon as the clips folder has room for one (statfs), and every
 * `everyMs` regardless (free space is not the only cause, and a quota can hide
 * it). So a clip is complete within `checkMs` of space returning. A failure is
 * logged once per clip and reason, the success once.
 */
import { statfsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { ClipReport, ClipStore, ReadyClip } from './clips.ts';

/** Room kept beside the clip itself: its record update and the WAL growing with it. */
export const ASSEMBLY_HEADROOM_BYTES = 1024 * 1024;

export interface ClipRetryOptions {
  clips: ClipStore;
  clipsDir: string;
  logger: Logger;
  /** How often to look for clips waiting for their file (a query on an index, and statfs). */
  checkMs?: number;
  /** Longest wait between tries while free space seems short. */
  everyMs?: number;
  /** Bytes free for this process in the folder. */
  freeBytes?: (dir: string) => number;
  now?: () => number;
}

export interface ClipRetry {
  /** Tries every waiting clip now; returns what became of them. */
  runNow(): ClipReport[];
  stop(): void;
}

function statfsFree(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/** Pure: which waiting clips to try now. */
export function clipsToTry(waiting: readonly ReadyClip[], freeBytes: number, sinceLastTryMs: number, everyMs: number): readonly ReadyClip[] {
  if (sinceLastTryMs >= everyMs) return waiting;
  return waiting.filter((c) => c.bytes + ASSEMBLY_HEADROOM_BYTES <= freeBytes);
}

export function startClipAssemblyRetry(o: ClipRetryOptions): ClipRetry {
  const checkMs = o.checkMs ?? 1_000;
  const everyMs = o.everyMs ?? 15_000;
  const freeBytes = o.freeBytes ?? statfsFree;
  const now = o.now ?? Date.now;
  let lastTry = Number.NEGATIVE_INFINITY;
  /** device/clipId → the last problem logged, so a full disk does not log every second. */
  const logged = new Map<string, string>();

  function attempt(list: readonly ReadyClip[]): ClipReport[] {
    lastTry = now();
    const out: ClipReport[] = [];
    for (const c of list) {
      const key = `${c.device}/${c.clipId}`;
      const r = o.clips.assemble(c.device, c.clipId, now());
      out.push(r);
      if (r.state === 'complete') {
        o.logger.info({ device: c.device, clipId: c.clipId, file: r.file }, 'clip reassembled');
        logged.delete(key);
      } else if (r.state === 'corrupt' || logged.get(key) !== (r.problem ?? '')) {
        o.logger.warn({ device: c.device, clipId: c.clipId, state: r.state, problem: r.problem }, 'clip not reassembled yet; tried again');
        logged.set(key, r.problem ?? '');
      }
    }
    return out;
  }

  function tick(): void {
    try {
      const waiting = o.clips.ready();
      if (waiting.length === 0) {
        logged.clear();
        return;
      }
      let free: number;
      try {
        free = freeBytes(o.clipsDir);
      } catch {
        // statfs unavailable: try on the timer alone
        free = 0;
      }
      const list = clipsToTry(waiting, free, now() - lastTry, everyMs);
      if (list.length > 0) attempt(list);
    } catch (e) {
      o.logger.error({ err: e }, 'clip reassembly retry failed');
    }
  }

  const timer = setInterval(tick, checkMs);
  timer.unref();
  return {
    runNow: () => attempt(o.clips.ready()),
    stop: () => clearInterval(timer),
  };
}
