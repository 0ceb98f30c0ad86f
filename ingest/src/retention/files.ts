/**
 * A purge step for the clip files that belong to expired cases (the monitors'
 * WAV exhibits, the residents' phone recordings). The owner of the files says
 * which they are and how to mark their rows; this step records each file in the
 * audit and marks it in one transaction, and the store removes the file
 * (retention/purge-store.ts: on SQLite after that transaction commits, on
 * PostgreSQL inside it), so a file is never removed without its audit entry.
 */
import type { Steps } from '../storage/record/steps.ts';
import type { PurgeStep } from './purge.ts';
import { expiredCases } from './steps.ts';

export interface CaseFile {
  /** The file's content-addressed name in the clips folder (`<sha256>.<ext>`). */
  readonly name: string;
  /** The hash the evidence log holds for the content (e.g. the clip manifest's sha256). */
  readonly sha256: string;
  readonly leafIndex?: number;
}

export interface CaseFilesSpec {
  readonly name: string;
  /** Files of the case still present (not yet marked removed). */
  listFiles(caseRef: string): Steps<readonly CaseFile[]>;
  /** Marks them removed in the owner's tables (in the audit's transaction). */
  markRemoved(caseRef: string): Steps<unknown>;
  /**
   * Content-addressed files may be shared (issue 11 item 14): true when a row
   * not being purged still references the file, after markRemoved, in the same
   * transaction. Such a file is audited as kept and not removed. Default: never.
   */
  stillReferenced?(file: CaseFile): Steps<boolean>;
}

export function purgeCaseFiles(spec: CaseFilesSpec): PurgeStep {
  return {
    name: spec.name,
    async run(ctx) {
      for (const ref of await ctx.read(expiredCases(ctx.cutoffs.casesClosedBy))) {
        await ctx.commit(function* () {
          const files = yield* spec.listFiles(ref);
          yield* spec.markRemoved(ref);
          const kept = new Set<CaseFile>();
          for (const f of files) if (spec.stillReferenced !== undefined && (yield* spec.stillReferenced(f))) kept.add(f);
          return {
            rows: files.length,
            removed: files.map((f) => ({ caseRef: ref, file: f.name, sha256: f.sha256, leafIndex: f.leafIndex ?? null, ...(kept.has(f) ? { kept: 'referenced by another clip' } : {}) })),
            // One name listed twice (two clips of the case with the same content) is removed once.
            files: [...new Set(files.filter((f) => !kept.has(f)).map((f) => f.name))],
          };
        });
      }
    },
  };
}
