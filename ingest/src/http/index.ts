/** The officer HTTP API and web view (issue 5). */
export { createHttpApp, HTTP_LIMITS, redactUrl, WEB_ROOT, type HttpApp, type HttpDeps, type HttpLimits } from './app.ts';
export { CONTENT_SECURITY_POLICY } from './security-headers.ts';
export type { ExportBundle, ExportOptions, ProgressFn, Job, Jobs } from './jobs.ts';
export { clipRowSteps, type ClipInfo } from './clip-lookup.ts';
export { parseRange, type RangeResult } from './range.ts';
export { SIGNED_URL_LIFETIME_MS } from './signed-url.ts';
