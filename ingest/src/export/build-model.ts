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
import type { BundleModel, BundleSource } from '../bundle/model.ts';
import { bundleCase } from './case-summary.ts';
import { caseContacts } from './contacts.ts';
import { caseDiary, casePhoneRecordings } from './diary.ts';
import { bundleDeployments } from './equipment.ts';
import type { EvidenceOf } from './evidence.ts';
import { bundleEvents, caseEvidenceItems, toBundleGap } from './events.ts';
import { caseExhibits } from './exhibits.ts';
import { caseLeafIndexes } from './leaves.ts';
import { levelRows } from './level-rows.ts';
import { levelsCsvFromDb } from './level-csv.ts';
import { nightSeries } from './night-series.ts';
import { caseNights, noiseActParams } from './nights.ts';
import type { Period } from './period.ts';
import { createConfigHistoryReader, configLeaves } from './config-history.ts';
import { activeRules } from './rules.ts';
import { createThresholdReader } from './thresholds.ts';
import { deploymentSpans, measuredSpans } from './spans.ts';
import { caseIsDemonstration } from '../cases/demonstration.ts';
import { createBlockReader } from '../store/level-blocks/index.ts';
import type { LowFrequencyCriterionCurve } from '../bundle/low-frequency-model.ts';
import { bandsCsvSource } from './bands-csv.ts';
import { lowFrequencySection } from './bands-low-frequency.ts';

export interface SourceOptions {
  readonly clipsDir: string;
  /** The service's rules, for devices with no published config. */
  readonly serviceRules: readonly DeviceRule[];
  readonly includeComplainant: boolean;
  readonly nowMs: number;
  /** Issue 16: the low-frequency criterion curve of the settings; absent or null: none. */
  readonly lowFrequencyCriterion?: LowFrequencyCriterionCurve | null;
}

/** `db` is the export's snapshot; `evidenceOf` gives the cited leaves with their proofs against the export's tree head. */
export async function buildBundleSource(db: Db, evidenceOf: EvidenceOf, caseRef: string, period: Period, o: SourceOptions): Promise<BundleSource> {
  const iso = (ms: number): string => new Date(ms).toISOString();
  const c = bundleCase(db, caseRef, o.includeComplainant);
  const spans = deploymentSpans(db, caseRef, period, o.nowMs);
  // Every read of the 1 s records goes through the hours' level blocks (store/level-blocks/).
  const blocks = createBlockReader(db);
  const { deployments, levelCount, calibrationLeaves } = bundleDeployments(db, spans, blocks);
  const configHistory = createConfigHistoryReader(db, o.serviceRules);
  const thresholdsOf = createThresholdReader(db);
  const configPeriods = measuredSpans(spans).map((s) => ({ span: s, periods: configHistory(s) }));
  const { events, gaps } = caseEvidenceItems(db, caseRef, period);
  const leafIndexes = [
    ...caseLeafIndexes(db, caseRef, spans.map((s) => s.deployment.id), period),
    // The monitor's calibration records and the configs in force (issue 10); never a leaf that names another case.
    ...calibrationLeaves.filter((l) => l.caseRef === null || l.caseRef === caseRef).map((l) => l.leafIndex),
    ...configLeaves(db, caseRef, configPeriods.flatMap((c) => c.periods)),
  ].filter((v, i, all) => all.indexOf(v) === i).sort((a, b) => a - b);
  const evidence = await evidenceOf(leafIndexes);
  const model: BundleModel = {
    case: c,
    period: { from: iso(period.from), to: iso(period.to) },
    generatedAt: iso(o.nowMs),
    deployments,
    rules: activeRules(configPeriods.flatMap((c) => c.periods), events),
    thresholds: configPeriods.flatMap((c) => thresholdsOf(c.span, c.periods)),
    events: bundleEvents(db, events, spans, period, o.nowMs),
    gaps: gaps.map(toBundleGap),
    series: levelCount === 0 ? [] : nightSeries(db, period, spans, blocks),
    diary: caseDiary(db, caseRef, period, spans),
    contacts: caseContacts(db, caseRef, period, o.includeComplainant, o.nowMs),
    exhibits: caseExhibits(db, o.clipsDir, caseRef, period),
    phoneRecordings: casePhoneRecordings(db, o.clipsDir, caseRef, period),
    evidence,
    levelCount,
    nights: [],
    ...(caseIsDemonstration(db, caseRef) ? { demonstration: true as const } : {}),
  };
  model.nights = caseNights(db, period, spans, { events: model.events, diary: model.diary, params: (id) => noiseActParams(db, id) }, blocks);
  const streamed = measuredSpans(spans);
  // Issue 16: the low-frequency section and data/bands.csv, each only when there is something to put in it.
  const lowFrequency = lowFrequencySection(db, events, model.events, spans, o.lowFrequencyCriterion ?? null, o.nowMs);
  if (lowFrequency !== undefined) model.lowFrequency = lowFrequency;
  const bands = bandsCsvSource(db, streamed);
  return { model, levelRows: () => levelRows(db, streamed, blocks), levelsCsv: () => levelsCsvFromDb(db, streamed, blocks), ...(bands === undefined ? {} : { bands }) };
}
