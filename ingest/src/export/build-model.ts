/**
 * A court bundle's source from the database (issue 5): the BundleModel the
 * bundle writer takes, and the 1 s level rows as a stream. Read from one
 * snapshot; every query is bounded by this case (its ref, or its deployments'
 * device spans), so a device shared by two cases at different times never
 * brings the other case's levels, events, clips, diary or leaves in.
 *
 * Steps: case → deployment spans → equipment and coverage → events → rules →
 * exhibits → diary with measurements → night charts → evidence leaves and proofs.
 */
import type { Rule as DeviceRule } from '@earshot/shared';
import type { Db } from '../db/open.ts';
import type { EvidenceLog, IssuedTreeHead } from '../evidence/index.ts';
import type { BundleModel, BundleSource } from '../bundle/model.ts';
import { bundleCase } from './case-summary.ts';
import { caseDiary } from './diary.ts';
import { bundleDeployments } from './equipment.ts';
import { bundleEvidence } from './evidence.ts';
import { caseEvents, toBundleEvent } from './events.ts';
import { caseExhibits } from './exhibits.ts';
import { caseLeafIndexes } from './leaves.ts';
import { levelRows } from './level-rows.ts';
import { nightSeries } from './night-series.ts';
import type { Period } from './period.ts';
import { activeRules } from './rules.ts';
import { deploymentSpans, measuredSpans } from './spans.ts';

export interface SourceOptions {
  readonly clipsDir: string;
  /** The service's rules, for devices with no published config. */
  readonly serviceRules: readonly DeviceRule[];
  readonly includeComplainant: boolean;
  readonly nowMs: number;
}

/** `db` is the export's snapshot; `log` and `head` give the leaves and their proofs. */
export function buildBundleSource(db: Db, log: EvidenceLog, head: IssuedTreeHead, caseRef: string, period: Period, o: SourceOptions): BundleSource {
  const iso = (ms: number): string => new Date(ms).toISOString();
  const c = bundleCase(db, caseRef, o.includeComplainant);
  const spans = deploymentSpans(db, caseRef, period, o.nowMs);
  const { deployments, levelCount } = bundleDeployments(db, spans);
  const events = caseEvents(db, caseRef, period);
  const model: BundleModel = {
    case: c,
    period: { from: iso(period.from), to: iso(period.to) },
    generatedAt: iso(o.nowMs),
    deployments,
    rules: activeRules(db, [...new Set(spans.map((s) => s.deviceId))], o.serviceRules, events),
    thresholds: [],
    events: events.map(toBundleEvent),
    series: levelCount === 0 ? [] : nightSeries(db, period, spans),
    diary: caseDiary(db, caseRef, period, spans),
    exhibits: caseExhibits(db, o.clipsDir, caseRef, period),
    evidence: bundleEvidence(log, head, caseLeafIndexes(db, caseRef, spans.map((s) => s.deployment.id), period)),
    levelCount,
  };
  const streamed = measuredSpans(spans);
  return { model, levelRows: () => levelRows(db, streamed) };
}
