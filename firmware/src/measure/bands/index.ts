export { ThirdOctaveFilterBank, type BandLevels } from './filter-bank.ts';
export { BandSummary } from './band-summary.ts';
export { designFilterBank, bandMagnitude, type BandDesign, type FilterBankDesign } from './filter-bank-design.ts';
export { THIRD_OCTAVE_BANDS, NOMINAL_THIRD_OCTAVES, bandsForSampleRate, type ThirdOctaveBand } from './third-octave-bands.ts';
export { class1Limits, breakpoints, breakpointOmega, EFFECTIVE_BANDWIDTH_LIMIT_DB } from './iec61260-limits.ts';
