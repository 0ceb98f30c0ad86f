/** The resident's diary link (issue 13, DESIGN §6b): links, the page's API, entry intake and the install sheet. */
export { residentMigrations } from './migrations.ts';
export { issueLink, revokeLinks, findLink, listLinks, residentActor, type IssuedLink, type LinkLookup, type LinksContext, type ResidentLink } from './links.ts';
export { residentRoutes, RESIDENT_CSP, RESIDENT_WEB_ROOT, type ResidentRouteDeps } from './routes.ts';
export { RESIDENT_LIMITS, type ResidentLimits } from './limits.ts';
export { receiveEntrySteps, clipsFolderKeeper, clipFilesKeeper, type Received, type RecordingKeeper } from './intake.ts';
export { sniffAudio, type AudioType } from './audio-type.ts';
export { residentUrl } from './link-url.ts';
