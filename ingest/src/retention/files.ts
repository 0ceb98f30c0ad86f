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
  /**
   * Content-addressed files may be shared (issue 11 item 14): true when a row
   * not being purged still references the file, after markRemoved, in the same
   * transaction. Such a file is audited as kept and not unlinked. Default: never.
   */
  stillReferenced?(db: Database, file: CaseFile): boolean;
}

export function purgeCaseFiles(spec: CaseFilesSpec): PurgeStep {
  return {
    name: spec.name,
    run(ctx) {
      for (const ref of expiredCases(ctx.db, ctx.cutoffs.casesClosedBy)) {
        let unlink: CaseFile[] = [];
        ctx.commit(() => {
          const files = spec.listFiles(ctx.db, ref);
          spec.markRemoved(ctx.db, ref, files);
          const kept = new Set(files.filter((f) => spec.stillReferenced?.(ctx.db, f) === true));
          // One path listed twice (two clips of the case with the same content) is unlinked once.
          unlink = [...new Map(files.filter((f) => !kept.has(f)).map((f) => [f.path, f])).values()];
          return {
            rows: files.length,
            removed: files.map((f) => ({ caseRef: ref, file: f.path, sha256: f.sha256, leafIndex: f.leafIndex ?? null, ...(kept.has(f) ? { kept: 'referenced by another clip' } : {}) })),
          };
        });
        for (const f of unlink) rmSync(f.path, { force: true });
      }
    },
  };
}
