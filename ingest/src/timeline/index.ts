/** The evidence timeline of a case (issue 5): levels on a bucket grid beside events, clips and diary entries. */
export { timelineMigrations } from './migrations.ts';
export { createTimelineService, timelineSteps, validatePeriod, MAX_PERIOD_MS, MAX_WIDTH, type Timeline, type TimelineRequest, type TimelineService, type TimelineDeployment } from './case-timeline.ts';
export { STEPS_MS, chooseGrid, energyMeanDb, l90FromBins, l90FromValues, type Grid } from './buckets.ts';
export { levelSeriesSteps, type LevelSeries, type Range } from './level-series.ts';
export { caseBandsSteps, eventSpectrumSteps, MAX_BAND_WIDTH, type CaseBands, type CaseBandsRequest, type CaseEventSpectrum } from './case-bands.ts';
export { createEventSpectrumReader, spectrumSteps, type EventSpectrum, type SpectrumRequest } from './event-spectrum.ts';
export { createEvidenceItemsReader, evidenceItemsSteps, type EvidenceItems } from './evidence-items.ts';
export type { TimelineEvent, TimelineClip, TimelineDiaryEntry, TimelineGap, Threshold } from './evidence-items.ts';
export { nightHours, type Interval } from './night-hours.ts';
