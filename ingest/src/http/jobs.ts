/**
 * Court bundle export jobs (issue 5: the web button with a progress indicator).
 * The export itself is injected (`ExportBundle`, the bundle writer) and runs in
 * the process that was asked; the job's state — progress, outcome, the finished
 * ZIP — is kept in a `JobStore`: in memory beside the embedded store (one
 * process; a restart forgets running jobs, and the officer presses the button
 * again), or in PostgreSQL (storage/postgres/export-jobs.ts), so a fleet's
 * instances answer the progress and the download whichever one the load
 * balancer picks (issue 15: web instances are stateless).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
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
  /** The ZIP's file name (DESIGN §6), once done. */
  file: string | null;
  error: { code: string; message: string } | null;
}

/** Where jobs and their finished bundles are kept. */
export interface JobStore {
  save(job: Job): Promise<void>;
  load(id: string): Promise<Job | null>;
  /** Keeps the finished ZIP at `path` where every instance can read it. */
  keepFile(job: Job, path: string): Promise<void>;
  /** The finished ZIP's bytes, or null when they are gone. */
  openFile(job: Job): Promise<Readable | null>;
}

export interface Jobs {
  start(caseRef: string, username: string, options: ExportOptions): Promise<Job>;
  get(id: string): Promise<Job | null>;
  /** The finished ZIP's bytes, or null when they are gone. */
  open(job: Job): Promise<Readable | null>;
  /** Resolves when every running job has settled (for shutdown and tests). */
  idle(): Promise<void>;
}

/** Progress is saved at most this often (each save is a write to the store); the outcome always. */
export const PROGRESS_SAVE_MS = 500;
/** A running job is saved at least this often, so another instance can tell it from one whose process died. */
export const HEARTBEAT_MS = 10_000;

/** The embedded store's jobs: in this process, the ZIP where the exporter wrote it. */
export function memoryJobStore(): JobStore {
  const jobs = new Map<string, Job>();
  const files = new Map<string, string>();
  return {
    save: async (job) => void jobs.set(job.id, { ...job }),
    load: async (id) => {
      const j = jobs.get(id);
      return j === undefined ? null : { ...j };
    },
    keepFile: async (job, path) => void files.set(job.id, path),
    openFile: async (job) => {
      const path = files.get(job.id);
      return path === undefined || !existsSync(path) ? null : createReadStream(path);
    },
  };
}

/** `elapsed`: a monotonic clock in ms for the saving pace (not the app's injected clock). */
export function createJobs(exportBundle: ExportBundle, onError: (job: Job, e: unknown) => void, store: JobStore = memoryJobStore(), elapsed: () => number = () => performance.now()): Jobs {
  const running = new Set<Promise<void>>();
  /** The jobs this process runs, as they are now (the store has them as last saved). */
  const live = new Map<string, Job>();
  return {
    async start(caseRef, username, options) {
      const job: Job = { id: randomUUID(), caseRef, username, state: 'running', progress: 0, stage: null, file: null, error: null };
      await store.save(job);
      live.set(job.id, job);
      let savedAt = elapsed();
      let saving: Promise<void> = Promise.resolve();
      const saveNow = (): void => {
        savedAt = elapsed();
        const snapshot = { ...job };
        saving = saving.then(() => store.save(snapshot)).catch((e: unknown) => onError(job, e));
      };
      const heartbeat = setInterval(() => {
        if (elapsed() - savedAt >= HEARTBEAT_MS) saveNow();
      }, HEARTBEAT_MS).unref();
      const onProgress: ProgressFn = (fraction, stage) => {
        if (job.state !== 'running') return;
        job.progress = Math.min(1, Math.max(job.progress, Number.isFinite(fraction) ? fraction : 0));
        job.stage = stage ?? job.stage;
        if (elapsed() - savedAt >= PROGRESS_SAVE_MS) saveNow();
      };
      const p = Promise.resolve()
        .then(() => exportBundle(caseRef, options, onProgress))
        .then(async ({ file }) => {
          await store.keepFile(job, file);
          Object.assign(job, { state: 'done', progress: 1, file: basename(file) });
        })
        .catch((e: unknown) => {
          onError(job, e);
          job.state = 'failed';
          job.error = isEarshotError(e)
            ? { code: e.code, message: e.message }
            : { code: 'EARSHOT_E_INTERNAL', message: formatError('EARSHOT_E_INTERNAL', 'the export failed; the server log has the details') };
        })
        .then(async () => {
          clearInterval(heartbeat);
          await saving;
          await store.save(job).catch((e: unknown) => onError(job, e));
        })
        .finally(() => {
          live.delete(job.id);
          running.delete(p);
        });
      running.add(p);
      return { ...job };
    },
    get: async (id) => {
      const j = live.get(id);
      return j === undefined ? store.load(id) : { ...j };
    },
    open: (job) => store.openFile(job),
    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
