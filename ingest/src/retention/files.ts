/**
 * A purge step for files that belong to expired cases (e.g. clip WAVs in the
 * data folder). The owner of the files says which they are and how to mark their
 * rows; this step records each file in the audit and marks it in one
 * transaction, then unlinks it. If the job dies between the two, the next run
 * finds the file no longer listed and a missing file is not an error, so a file
 * is never removed without its audit entry.
 */
import { rmSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import type { PurgeStep } from './purge.ts';
import { expiredCases } from './steps.ts';

export interface CaseFile {
  readonly path: string;
  /** The hash the evidence log holds for the content (e.g. the clip manifest's sha256). */
  readonly sha256: string;
  readonly leafIndex?: number;
}

export interface CaseFilesSpec {
  readonly name: string;
  /** Files of the case still present (not yet marked removed). */
  listFiles(db: Database, caseRef: string): readonly CaseFile[];
  /** Marks them removed in the owner's tables (called inside the audit transaction). */
  markRemoved(db: Database, caseRef: string, files: readonly CaseFile[]): void;
}

export function purgeCaseFiles(spec: CaseFilesSpec): PurgeStep {
  return {
    name: spec.name,
    run(ctx) {
      for (const ref of expiredCases(ctx.db, ctx.cutoffs.casesClosedBy)) {
        let files: readonly CaseFile[] = [];
        ctx.commit(() => {
          files = spec.listFiles(ctx.db, ref);
          spec.markRemoved(ctx.db, ref, files);
          return { rows: files.length, removed: files.map((f) => ({ caseRef: ref, file: f.path, sha256: f.sha256, leafIndex: f.leafIndex ?? null })) };
        });
        for (const f of files) rmSync(f.path, { force: true });
      }
    },
  };
}
