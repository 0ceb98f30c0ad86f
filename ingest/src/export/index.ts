/** Court bundle export from the database (issue 5): `earshot bundle export` and the web's export button. */
export { type CaseBundleExport, type ExportRequest, type ExporterOptions, bundleExporter, createBundleExporter, exportCaseBundle } from './exporter.ts';
export { buildBundleSource, type SourceOptions } from './build-model.ts';
export { type EvidenceOf, logEvidence, portEvidence } from './evidence.ts';
export { type Period, type PeriodInput, checkPeriod, parsePeriod, resolvePeriod } from './period.ts';
export { MIN_LISTED_GAP_MS } from './coverage.ts';
export { CHART_POINTS, nightWindows } from './night-series.ts';
export { INCIDENT_RULE_ID } from './events.ts';
export { describeRule } from './rules.ts';
