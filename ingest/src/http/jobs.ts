/**
 * Court bundle export jobs (issue 5: the web button with a progress indicator).
 * The export itself is injected (`ExportBundle`, the bundle writer); a job only
 * tracks its progress and outcome in memory: a restart forgets running jobs,
 * and the officer presses the button again.
 */
import { randomUUID } from 'node:crypto';
import { isEarshotError, formatError } from '@earshot/shared';

export interface ExportOptions {
  readonly from: string;
  readonly to: string;
  readonly initials: string;
  readonly includeComplainant: boolean;
}

/** Reports progress from 0 to 1, optionally naming the stage (e.g. "levels.csv"). */
export type ProgressFn = (fraction: number, stage?: string) => void;

/** Writes the bundle and returns the path of the ZIP. */
export type ExportBundle = (caseRef: string, options: ExportOptions, onProgress: ProgressFn) => Promise<{ file: string }>;

export interface Job {
  readonly id: string;
  readonly caseRef: string;
  readonly username: string;
  state: 'running' | 'done' | 'failed';
  progress: number;
  stage: string | null;
  file: string | null;
  error: { code: string; message: string } | null;
}

export interface Jobs {
  start(caseRef: string, username: string, options: ExportOptions): Job;
  get(id: string): Job | null;
  /** Resolves when every running job has settled (for shutdown and tests). */
  idle(): Promise<void>;
}

export function createJobs(exportBundle: ExportBundle, onError: (job: Job, e: unknown) => void): Jobs {
  const jobs = new Map<string, Job>();
  const running = new Set<Promise<void>>();
  return {
    start(caseRef, username, options) {
      const job: Job = { id: randomUUID(), caseRef, username, state: 'running', progress: 0, stage: null, file: null, error: null };
      jobs.set(job.id, job);
      const onProgress: ProgressFn = (fraction, stage) => {
        if (job.state !== 'running') return;
        job.progress = Math.min(1, Math.max(job.progress, Number.isFinite(fraction) ? fraction : 0));
        job.stage = stage ?? job.stage;
      };
      const p = Promise.resolve()
        .then(() => exportBundle(caseRef, options, onProgress))
        .then(
          ({ file }) => Object.assign(job, { state: 'done', progress: 1, file }),
          (e: unknown) => {
            onError(job, e);
            job.state = 'failed';
            job.error = isEarshotError(e)
              ? { code: e.code, message: e.message }
              : { code: 'EARSHOT_E_INTERNAL', message: formatError('EARSHOT_E_INTERNAL', 'the export failed; the server log has the details') };
          },
        )
        .then(() => {
          running.delete(p);
        });
      running.add(p);
      return job;
    },
    get: (id) => jobs.get(id) ?? null,
    async idle() {
      await Promise.all([...running]);
    },
  };
}
