export { LevelEngine } from './engine.ts';
export { LevelSummary, type SummaryLevels } from './summary.ts';
export { RollingLevels, MAX_WINDOW_SECONDS, type RollingOptions } from './rolling-levels.ts';
export { LevelHistogram } from './histogram.ts';
export { designWeighting, designedA, designedC, MIN_SAMPLE_RATE, MAX_SAMPLE_RATE, type WeightingFilters } from './weighting-design.ts';
export { annexEA, annexEC, thirdOctaveFrequency } from './annex-e.ts';
export type { EngineOptions, IntervalLevels } from './types.ts';
export { roundedLevels, type RoundedLevels } from './rounded.ts';
export { ThirdOctaveFilterBank, BandSummary, type BandLevels } from './bands/index.ts';
