/**
 * The web view's export jobs kept in PostgreSQL (http/jobs.ts JobStore; schema/export-jobs.ts): any instance
 * answers a job's progress and serves its ZIP, which is stored in parts of 1 MiB and streamed back a part at a
 * time, so neither side holds a whole bundle in memory. The process running an export saves the job at least
 * every HEARTBEAT_MS (jobs.ts); a running job not saved for STALE_MS is answered as failed, its process gone.
 * Jobs older than the retention policy's bundleDays are deleted when a new one starts, and by the retention
 * purge (purgeExportJobs), which audits each.
 */
import { createReadStream, rmdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { formatError } from '@earshot/shared';
import type { Job, JobStore } from '../../http/jobs.ts';
import { RetentionPolicy } from '../../retention/policy.ts';
import type { PurgeStep } from '../../retention/purge.ts';
import { all, run } from '../record/steps.ts';
import { inTransaction } from './transaction.ts';

const PART_BYTES = 1024 * 1024;
/** A running job whose process has not saved it for this long is reported failed (jobs.ts saves every 10 s). */
export const STALE_MS = 60_000;
const DAY_MS = 86_400_000;

interface Row {
  id: string; case_ref: string; username: string; state: Job['state']; progress: number; stage: string | null; file: string | null;
  error_code: string | null; error_message: string | null; updated_at: number;
}

export function postgresJobStore(pool: pg.Pool, options: { readonly now?: () => number; readonly bundleDays?: number } = {}): JobStore {
  const now = options.now ?? Date.now;
  const keepMs = (options.bundleDays ?? RetentionPolicy.parse({}).bundleDays) * DAY_MS;
  return {
    async save(job) {
      const at = now();
      const r = await pool.query(
        `UPDATE export_jobs SET state = $2, progress = $3, stage = $4, file = $5, error_code = $6, error_message = $7, updated_at = $8 WHERE id = $1`,
        [job.id, job.state, job.progress, job.stage, job.file, job.error?.code ?? null, job.error?.message ?? null, at],
      );
      if (r.rowCount !== 0) return;
      await pool.query('DELETE FROM export_jobs WHERE created_at < $1', [at - keepMs]);
      await pool.query(
        `INSERT INTO export_jobs (id, case_ref, username, state, progress, stage, file, error_code, error_message, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
        [job.id, job.caseRef, job.username, job.state, job.progress, job.stage, job.file, job.error?.code ?? null, job.error?.message ?? null, at],
      );
    },
    async load(id) {
      const r = (await pool.query<Row>('SELECT id, case_ref, username, state, progress, stage, file, error_code, error_message, updated_at FROM export_jobs WHERE id = $1', [id])).rows[0];
      if (r === undefined) return null;
      const job: Job = {
        id: r.id, caseRef: r.case_ref, username: r.username, state: r.state, progress: r.progress, stage: r.stage, file: r.file,
        error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? '' },
      };
      if (job.state === 'running' && now() - r.updated_at > STALE_MS) {
        job.state = 'failed';
        job.error = { code: 'EARSHOT_E_INTERNAL', message: formatError('EARSHOT_E_INTERNAL', 'the process making this export stopped; export again') };
      }
      return job;
    },
    async keepFile(job, path) {
      await inTransaction(pool, 'BEGIN', async (c) => {
        let part = 0;
        for await (const chunk of createReadStream(path, { highWaterMark: PART_BYTES })) {
          await c.query('INSERT INTO export_job_files (job_id, part, data) VALUES ($1, $2, $3)', [job.id, part++, chunk]);
        }
      });
      // Stored: the local copy (in the export's own folder, export/exporter.ts bundleExporter) goes.
      rmSync(path, { force: true });
      try {
        rmdirSync(dirname(path));
      } catch {
        // not empty, or gone: left to the data folder's own retention
      }
    },
    async openFile(job) {
      const parts = (await pool.query<{ n: number }>('SELECT count(*) AS n FROM export_job_files WHERE job_id = $1', [job.id])).rows[0]!.n;
      if (parts === 0) return null;
      return Readable.from((async function* () {
        for (let part = 0; part < parts; part++) {
          const r = (await pool.query<{ data: Buffer }>('SELECT data FROM export_job_files WHERE job_id = $1 AND part = $2', [job.id, part])).rows[0];
          if (r === undefined) throw new Error(`export ${job.id}: part ${part} of ${parts} is gone`);
          yield r.data;
        }
      })());
    },
  };
}

/**
 * The retention purge of the exported bundles on PostgreSQL (as retention/hygiene.ts purgeBundleFiles does
 * for the data folder's): each job last saved before the bundle cutoff goes with its ZIP's parts (ON DELETE
 * CASCADE), one audit item per job.
 */
export const purgeExportJobs: PurgeStep = {
  name: 'bundles',
  async run(ctx) {
    const before = ctx.cutoffs.bundlesBeforeMs;
    for (;;) {
      const n = await ctx.commit(function* () {
        const jobs = yield* all<{ id: string; updated_at: number }>('SELECT id, updated_at FROM export_jobs WHERE updated_at < ? ORDER BY updated_at, id LIMIT 100', before);
        for (const j of jobs) yield* run('DELETE FROM export_jobs WHERE id = ?', j.id);
        return { rows: jobs.length, removed: jobs.map((j) => ({ bundle: j.id, lastWritten: new Date(j.updated_at).toISOString() })) };
      });
      if (n < 100) return;
    }
  },
};
