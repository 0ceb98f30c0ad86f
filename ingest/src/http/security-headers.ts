/** The security headers of every answer (the officer web view and the resident page, on either store). */
import type { FastifyReply } from 'fastify';

/**
 * Content-Security-Policy (CSP Level 3, W3C): the web view is plain ES modules,
 * a stylesheet and fetches to its own origin; nothing inline, nothing from
 * elsewhere, never framed. uPlot sets styles through the CSSOM, which
 * style-src does not govern.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "media-src 'self'", "connect-src 'self'",
  "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');
/** RFC 6797: a year; browsers heed it only over HTTPS (§8.1), i.e. behind the TLS proxy the README asks for. */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000; includeSubDomains';

/**
 * Every answer of the service's HTTP side: no framing by other sites, no MIME sniffing, no referrer carrying
 * signed URLs away, no script from elsewhere, HTTPS only. A page that set a stricter policy of its own keeps it.
 */
export function securityHeaders(reply: FastifyReply): void {
  reply.header('x-frame-options', 'DENY').header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer')
    .header('strict-transport-security', STRICT_TRANSPORT_SECURITY);
  if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
}
