/** The retention purge: policy, runner, the store it runs on, and steps. */
export { RetentionPolicy, cutoffs, type Cutoffs } from './policy.ts';
export { runPurge, type PurgeStep, type PurgeStepContext, type PurgeReport, type Commit } from './purge.ts';
export { type PurgeStore, sqlitePurgeStore } from './purge-store.ts';
export { purgeCaseContent, deleteCaseRows, purgeOldTimeSeries, purgeBySlice, expiredCases, keptAt, type TimeSeriesSpec } from './steps.ts';
export { purgeCaseFiles, type CaseFile, type CaseFilesSpec } from './files.ts';
export { startRetentionJob, type RetentionJob } from './schedule.ts';
export { purgeBundleFiles, purgeOrphanChunks, purgeQuarantinePayloads, purgeQuarantineRows } from './hygiene.ts';
