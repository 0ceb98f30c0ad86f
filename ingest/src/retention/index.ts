/** The retention purge: policy, runner and steps. */
export { RetentionPolicy, cutoffs, type Cutoffs } from './policy.ts';
export { runPurge, type PurgeStep, type PurgeStepContext, type PurgeReport, type Commit } from './purge.ts';
export { purgeCaseContent, deleteCaseRows, purgeOldTimeSeries, expiredCases, type TimeSeriesSpec, type TimeUnit } from './steps.ts';
export { purgeCaseFiles, type CaseFile, type CaseFilesSpec } from './files.ts';
export { startRetentionJob, type RetentionJob } from './schedule.ts';
export { purgeBundleFiles, purgeOrphanChunks, purgeQuarantinePayloads, purgeQuarantineRows } from './hygiene.ts';
