/** The court bundle (DESIGN §6, issue 5): built from a BundleModel, independent of the database. */
export * from './model.ts';
export { type Exhibit, INITIALS_PATTERN, assignExhibits, checkInitials } from './exhibits.ts';
export { basicIso, bundleFileName } from './file-name.ts';
export { EVENTS_HEADER, LEVELS_HEADER, csvField, diaryCsv, eventsCsv, levelsCsv } from './csv.ts';
export { MANIFEST_FILE, type ManifestEntry, formatManifest, parseManifest } from './manifest.ts';
export { BUNDLE_PDF, DATA_FILES, type BundleProgress, type WriteBundleOptions, type WrittenBundle, writeBundle } from './write-bundle.ts';
export { REQUIRED_FILES, type VerifyBundleReport, checkBundle, verifyBundle } from './verify-bundle.ts';
export { type ReadZip, type ZipFileEntry, readBundleZip } from './read-zip.ts';
export { SECTION_TITLES, renderBundlePdf } from './pdf/render-pdf.ts';
export { CORROBORATION_WINDOW_MS, eventsNear } from './pdf/diary.ts';
