/**
 * Runs the purge job now and then every `everyMs` (default daily), off the ingest path, one run at a time.
 * Beside PostgreSQL only the holder of the `retention` lease runs it (`held`: storage/postgres/lease.ts);
 * a process that takes the lease over runs it at once (`runNow`).
 */
import { type PurgeReport, type PurgeStep, runPurge } from './purge.ts';
import type { PurgeStore } from './purge-store.ts';
import type { RetentionPolicy } from './policy.ts';

export interface RetentionJob {
  /** Starts a run unless one is running; resolves when it (or the one running) ends. */
  runNow(): Promise<void>;
  /** Stops the timers; resolves when a run in progress has ended. */
  stop(): Promise<void>;
}

export function startRetentionJob(
  store: PurgeStore,
  steps: readonly PurgeStep[],
  options: {
    readonly policy?: RetentionPolicy;
    readonly everyMs?: number;
    readonly now?: () => number;
    /** Whether this process runs the job (default: always). */
    readonly held?: () => boolean;
    readonly onReport?: (r: PurgeReport) => void;
    readonly onError?: (e: unknown) => void;
  } = {},
): RetentionJob {
  const now = options.now ?? Date.now;
  let running: Promise<void> | null = null;
  let stopped = false;
  const runNow = (): Promise<void> => {
    if (running !== null) return running;
    if (stopped || options.held?.() === false) return Promise.resolve();
    running = runPurge(store, steps, { nowMs: now(), ...(options.policy === undefined ? {} : { policy: options.policy }) })
      .then((report) => options.onReport?.(report), (e: unknown) => options.onError?.(e))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => void runNow(), options.everyMs ?? 86_400_000);
  timer.unref();
  const first = setTimeout(() => void runNow(), 0);
  first.unref();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(first);
      await running;
    },
  };
}
