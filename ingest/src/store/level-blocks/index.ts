/** Level blocks: a derived, columnar cache of the 1 s level records, one per monitor and UTC hour (docs/storage.md "Level blocks"). */
export { COLUMNS, D, FULL_SCALE, LAEQ, LAFMAX, LAFMIN, LASMAX, LCEQ, LCPEAK, LZEQ, NULL_CODE, PATCH_CODE, type LevelBlock, decodeBlock, encodeBlock } from './codec.ts';
export { createBlockBuilder } from './build-block.ts';
export { HOUR_MS, levelBlocksMigrations } from './migrations.ts';
export { type BlockReader, type BlockSlice, type HourRef, type SealedSummary, createBlockReader } from './read-blocks.ts';
export { type BlockSealer, type HourToSeal, SEAL_AFTER_MS, createBlockSealer, sealable, sealableBefore } from './seal-blocks.ts';
export { LOOKBACK_MS, RECENT_MS, type LevelBlockSealerJob, type SealPassOptions, type SealReport, sealPass, sealRange, startLevelBlockSealer } from './sealer-job.ts';
export { RecordCursor } from './record-cursor.ts';
