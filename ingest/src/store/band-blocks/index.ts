/** Band blocks: a derived, packed cache of the 1/3-octave band records, one per monitor and UTC hour (migrations.ts). */
export { ABSENT, type BandBlock, decodeBandBlock } from './codec.ts';
export { createBandBlockBuilder } from './build-block.ts';
export { BAND_BLOCKS_TABLE, bandBlocksMigrations } from './migrations.ts';
export { type BandBlockReader, type BandHour, createBandBlockReader } from './read.ts';
export { type BandBlockSealer, createBandBlockSealer, hasBandBlocks, mergeHours } from './seal.ts';
