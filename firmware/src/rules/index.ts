export { RuleEngine, type RuleEngineOptions } from './engine.ts';
export type { RuleOutput, SuppressedCounts } from './lifecycle.ts';
export type { EndReason } from './event-bodies.ts';
export { permittedLevel } from './noise-act-night.ts';
export { LondonClock, SCHEDULE_TIME_ZONE, type LocalTime } from './local-time.ts';
export { compileSchedule, isArmed, type CompiledSchedule } from './schedule.ts';
export { DEFAULT_BACKGROUND_SECONDS } from './evaluation.ts';
export { MIN_BACKGROUND_SECONDS } from './windows.ts';
