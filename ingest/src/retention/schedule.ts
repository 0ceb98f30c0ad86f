/** Runs the purge job now and then every `everyMs` (default daily), off the ingest path. */
import type { Database } from 'better-sqlite3';
import { type PurgeReport, type PurgeStep, runPurge } from './purge.ts';
import type { RetentionPolicy } from './policy.ts';

export interface RetentionJob {
  stop(): void;
}

export function startRetentionJob(
  db: Database,
  steps: readonly PurgeStep[],
  options: {
    readonly policy?: RetentionPolicy;
    readonly everyMs?: number;
    readonly now?: () => number;
    readonly onReport?: (r: PurgeReport) => void;
    readonly onError?: (e: unknown) => void;
  } = {},
): RetentionJob {
  const now = options.now ?? Date.now;
  const run = (): void => {
    try {
      const report = runPurge(db, steps, { nowMs: now(), ...(options.policy === undefined ? {} : { policy: options.policy }) });
      options.onReport?.(report);
    } catch (e) {
      options.onError?.(e);
    }
  };
  const timer = setInterval(run, options.everyMs ?? 86_400_000);
  timer.unref();
  const first = setTimeout(run, 0);
  first.unref();
  return {
    stop() {
      clearInterval(timer);
      clearTimeout(first);
    },
  };
}
