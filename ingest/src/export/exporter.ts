/**
 * Court bundle export from the ingest's data folder (issue 5, DESIGN §6): what
 * `earshot bundle export` and the web's export button both run, so they produce
 * the same ZIP.
 *
 * Steps: the case exists → the period is valid → seal the level blocks of the
 * case's hours that lack one (seal-case-hours.ts) → take a read snapshot → sign a
 * fresh tree head (after the snapshot began, so it covers every leaf the snapshot
 * holds) → build the model → write the ZIP, streaming the levels from the
 * snapshot → release the snapshot.
 * A case with no deployment, or a period with no data, still gives a valid
 * bundle whose PDF says there are no measurements (never a failure).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Rule, type Rule as DeviceRule } from '@earshot/shared';
import { requireCase } from '../cases/case-row.ts';
import { type WrittenBundle, writeBundle } from '../bundle/index.ts';
import type { ExportBundle, ProgressFn } from '../http/jobs.ts';
import type { Ingest } from '../service/open-ingest.ts';
import { DEFAULT_RULES } from '../service/settings.ts';
import { buildBundleSource } from './build-model.ts';
import type { Db } from '../db/open.ts';
import { type EvidenceOf, logEvidence } from './evidence.ts';
import { type Period, type PeriodInput, resolvePeriod } from './period.ts';
import { sealCaseHours } from './seal-case-hours.ts';
import { deploymentSpans } from './spans.ts';
import { openSnapshot } from './snapshot.ts';
import { type LowFrequencySettings, criterionCurve } from './bands-criterion.ts';

export interface ExporterOptions {
  /** Where the ZIPs are written. */
  readonly outDir: string;
  /** The service's rules (Settings.rules), for devices with no published config; default the service defaults. */
  readonly rules?: readonly DeviceRule[];
  /** Default: the ingest's clock (the one its case operations use). */
  readonly now?: () => number;
  /** Issue 16: the settings' low-frequency criterion (Settings.lowFrequency); absent: none. */
  readonly lowFrequency?: LowFrequencySettings | undefined;
}

export interface ExportRequest extends PeriodInput {
  /** Exhibit initials (2–4 capitals); default the case officer's. */
  readonly initials?: string | undefined;
  readonly includeComplainant?: boolean | undefined;
  /** 0 … 1, with the file being written. */
  readonly onProgress?: ((fraction: number, stage: string) => void) | undefined;
}

/** Share of the progress bar given to reading the database before the ZIP starts. */
const GATHER_SHARE = 0.05;

export async function exportCaseBundle(ingest: Ingest, caseRef: string, request: ExportRequest, options: ExporterOptions): Promise<WrittenBundle> {
  const nowMs = (options.now ?? ingest.cases.now)();
  requireCase(ingest.db, caseRef);
  const period = resolvePeriod(ingest.db, caseRef, request, nowMs);
  request.onProgress?.(0, 'reading the record');
  await sealCaseHours(ingest.db, deploymentSpans(ingest.db, caseRef, period, nowMs), nowMs);
  const snapshot = openSnapshot(ingest.dir.database);
  try {
    const head = ingest.log.signTreeHead();
    return await writeCaseBundle({ db: snapshot.db, clipsDir: ingest.dir.clips, evidenceOf: logEvidence(ingest.log, head) }, caseRef, period, request, options, nowMs);
  } finally {
    snapshot.close();
  }
}

/** What a bundle is read from: one snapshot of the record, its clips, and the evidence log's leaves and proofs against a head signed after the snapshot began. */
export interface BundleSnapshot {
  readonly db: Db;
  readonly clipsDir: string;
  readonly evidenceOf: EvidenceOf;
}

/** The model built from the snapshot and the ZIP written: the same on both stores (export-on-postgres.ts). */
export async function writeCaseBundle(snapshot: BundleSnapshot, caseRef: string, period: Period, request: ExportRequest, options: ExporterOptions, nowMs: number): Promise<WrittenBundle> {
  const source = await buildBundleSource(snapshot.db, snapshot.evidenceOf, caseRef, period, {
    clipsDir: snapshot.clipsDir,
    serviceRules: options.rules ?? DEFAULT_RULES.map((r) => Rule.parse(r)),
    includeComplainant: request.includeComplainant === true,
    nowMs,
    lowFrequencyCriterion: criterionCurve(options.lowFrequency),
  });
  const onProgress = request.onProgress;
  // Until the ZIP's first bytes: the model checked and the PDF laid out (bundle.pdf is rendered whole before it streams).
  onProgress?.(GATHER_SHARE, 'laying out the PDF');
  return await writeBundle(source, {
    outDir: options.outDir,
    ...(request.initials === undefined ? {} : { initials: request.initials }),
    ...(onProgress === undefined ? {} : { onProgress: (p) => onProgress(GATHER_SHARE + (1 - GATHER_SHARE) * p.fraction, p.file) }),
  });
}

/**
 * The web's ExportBundle (ingest/src/http/jobs.ts); it also takes the command
 * line's optional ends and initials (see ExportRequest). Issue 11 item 9: every
 * export writes into a folder of its own, `<outDir>/<random UUID>/`, so two
 * exports of one case and period (one naming the complainant, one not) never
 * share a file or a temporary, and the ZIP keeps DESIGN §6's name inside it.
 * The job that asked holds the path and answers only its requester (http/bundle-routes.ts).
 * The folders are removed by the retention job after a few days (service/retention-steps.ts).
 */
export type CaseBundleExport = ExportBundle &
  ((caseRef: string, options: Omit<ExportRequest, 'onProgress'>, onProgress?: ProgressFn) => Promise<{ file: string }>);

/** An exporter of either store as the web's ExportBundle: each export in a folder of its own under `options.outDir`. */
export function bundleExporter(write: (caseRef: string, request: ExportRequest, options: ExporterOptions) => Promise<WrittenBundle>, options: ExporterOptions): CaseBundleExport {
  return async (caseRef: string, o: Omit<ExportRequest, 'onProgress'>, onProgress?: ProgressFn) => {
    const written = await write(caseRef, { ...o, onProgress }, { ...options, outDir: join(options.outDir, randomUUID()) });
    return { file: written.path };
  };
}

export function createBundleExporter(ingest: Ingest, options: ExporterOptions): CaseBundleExport {
  return bundleExporter((caseRef, request, o) => exportCaseBundle(ingest, caseRef, request, o), options);
}
