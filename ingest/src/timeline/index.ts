/** The evidence timeline of a case (issue 5): levels on a bucket grid beside events, clips and diary entries. */
export { timelineMigrations } from './migrations.ts';
export { createTimelineService, validatePeriod, MAX_PERIOD_MS, MAX_WIDTH, type Timeline, type TimelineRequest, type TimelineService, type TimelineDeployment } from './case-timeline.ts';
export { STEPS_MS, chooseGrid, energyMeanDb, l90FromBins, l90FromValues, type Grid } from './buckets.ts';
export type { LevelSeries, Range } from './level-series.ts';
export type { TimelineEvent, TimelineClip, TimelineDiaryEntry, TimelineGap, Threshold } from './evidence-items.ts';
export { nightHours, type Interval } from './night-hours.ts';
