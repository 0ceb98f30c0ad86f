/**
 * The resident's page and API (issue 13, DESIGN §6b), one encapsulated fastify
 * plugin: the page (ingest/web/resident, plain HTML/JS/CSS) at /r/, its API
 * under /r/api/. The link's token travels in the URL's fragment
 * (/r/#<token>), which browsers never send, and reaches the API only in the
 * Authorization header — so it is in no access log line, proxy log or
 * Referer. Every request is counted per address and per link (limits.ts).
 */
import { EarshotError, type ErrorCode } from '@earshot/shared';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorBody, handleError } from '../http/reply-error.ts';
import type { RecordStore } from '../storage/record/steps.ts';
import { type RecordingKeeper, receiveEntrySteps } from './intake.ts';
import { type Counter, RESIDENT_LIMITS, type ResidentLimits, createCounter } from './limits.ts';
import { type ResidentLink, findLinkSteps } from './links.ts';
import { residentViewSteps, toEntryView } from './view.ts';

export interface ResidentRouteDeps {
  /** The record on either store (storage/record/): the embedded one (storage/record/embedded-record.ts) or PostgreSQL. */
  readonly record: RecordStore;
  /** Where phone recordings go: the clips folder, or the store's clip_files. */
  readonly keep: RecordingKeeper;
  readonly now: () => number;
  /** Default: ingest/web/resident. */
  readonly webRoot?: string;
  readonly limits?: Partial<ResidentLimits>;
}

/**
 * Stricter than the officer view's (CSP Level 3, W3C): nothing but this origin's
 * own script, style and API; the recorder's preview plays from a blob: URL;
 * no forms post anywhere (the page sends with fetch); never framed.
 */
export const RESIDENT_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "media-src 'self' blob:", "connect-src 'self'",
  "font-src 'none'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');
/** Permissions Policy (W3C): the microphone for this origin only; nothing else the page does not use. */
export const RESIDENT_PERMISSIONS = 'microphone=(self), camera=(), geolocation=(), payment=(), usb=(), interest-cohort=()';

/** Request bodies: an entry with a recording of RESIDENT_LIMITS.recordingBytes as base64, plus its text. */
const ENTRY_BODY_LIMIT = Math.ceil((RESIDENT_LIMITS.recordingBytes * 4) / 3) + 64 * 1024;

function send(reply: FastifyReply, code: ErrorCode, detail: string, retryAfterMs = 0): FastifyReply {
  const e = errorBody(code, detail);
  if (retryAfterMs > 0) void reply.header('retry-after', String(Math.ceil(retryAfterMs / 1000)));
  return reply.code(e.status).type('application/json; charset=utf-8').send(e.body);
}

function bearer(request: FastifyRequest): string {
  const h = request.headers.authorization ?? '';
  return h.startsWith('Bearer ') ? h.slice(7).trim() : '';
}

export const RESIDENT_WEB_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'resident');

export function residentRoutes(deps: ResidentRouteDeps): FastifyPluginAsync {
  const limits: ResidentLimits = { ...RESIDENT_LIMITS, ...deps.limits };
  const counters = {
    address: createCounter(limits.perAddress, deps.now),
    badLink: createCounter(limits.badLinkPerAddress, deps.now),
    link: createCounter(limits.perLink, deps.now),
    entries: createCounter(limits.entriesPerLink, deps.now),
  };
  const limited = (reply: FastifyReply, counter: Counter, key: string, what: string): FastifyReply =>
    send(reply, 'EARSHOT_E_RESIDENT_RATE_LIMITED', what, counter.retryAfterMs(key));

  /** The live link of the request, or null when its refusal has been sent. */
  const authorise = async (request: FastifyRequest, reply: FastifyReply): Promise<ResidentLink | null> => {
    const ip = request.ip;
    if (!counters.address.take(ip)) {
      limited(reply, counters.address, ip, `more than ${limits.perAddress.max} requests from this address in ${limits.perAddress.windowMs / 1000} s`);
      return null;
    }
    if (counters.badLink.retryAfterMs(ip) > 0) {
      limited(reply, counters.badLink, ip, 'too many links that do not work from this address');
      return null;
    }
    const found = await deps.record.read(findLinkSteps(bearer(request), deps.now()));
    if (!found.ok) {
      // Only links never issued count as guessing: a withdrawn link keeps getting its clear page.
      if (found.code === 'EARSHOT_E_RESIDENT_LINK_UNKNOWN') counters.badLink.take(ip);
      send(reply, found.code, found.detail);
      return null;
    }
    const key = String(found.link.id);
    if (!counters.link.take(key)) {
      limited(reply, counters.link, key, `more than ${limits.perLink.max} requests through this link in ${limits.perLink.windowMs / 60_000} minutes`);
      return null;
    }
    return found.link;
  };

  return async (app: FastifyInstance) => {
    app.addHook('onSend', async (request, reply, payload) => {
      // Runs after the app's own onSend: the resident's page gets its stricter policy.
      reply.header('content-security-policy', RESIDENT_CSP).header('permissions-policy', RESIDENT_PERMISSIONS)
        .header('cross-origin-opener-policy', 'same-origin').header('cross-origin-resource-policy', 'same-origin');
      if (request.url.startsWith('/r/api/')) reply.header('cache-control', 'no-store');
      return payload;
    });

    app.get('/r/api/diary', async (request, reply) => {
      const link = await authorise(request, reply);
      if (link === null) return reply;
      return deps.record.read(residentViewSteps(link, deps.now(), limits.recordingSeconds));
    });

    app.post('/r/api/entries', { bodyLimit: ENTRY_BODY_LIMIT }, async (request, reply) => {
      const link = await authorise(request, reply);
      if (link === null) return reply;
      const key = String(link.id);
      if (!counters.entries.take(key)) return limited(reply, counters.entries, key, `more than ${limits.entriesPerLink.max} entries through this link in an hour`);
      try {
        const r = await deps.record.write(receiveEntrySteps(link, request.body, deps.keep, deps.now(), limits.recordingBytes));
        return reply.code(r.duplicate ? 200 : 201).send({ entry: toEntryView(r.entry), duplicate: r.duplicate });
      } catch (e) {
        if (e instanceof EarshotError) return send(reply, e.code, e.detail);
        throw e;
      }
    });

    app.setErrorHandler((error, request, reply) => {
      // The page shows its own sentence for each code (in English or Welsh): fastify's body errors get the resident's codes.
      const code = (error as { code?: unknown }).code;
      if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, 'EARSHOT_E_RESIDENT_RECORDING_TOO_LARGE', `the request is over ${ENTRY_BODY_LIMIT} bytes`);
      if (typeof code === 'string' && code.startsWith('FST_ERR_CTP_')) return send(reply, 'EARSHOT_E_RESIDENT_ENTRY_INVALID', 'the entry must be sent as JSON');
      handleError(error as Error, request, reply);
      return reply;
    });

    await app.register(fastifyStatic, { root: deps.webRoot ?? RESIDENT_WEB_ROOT, prefix: '/r/', index: 'index.html', decorateReply: false, wildcard: false });
  };
}

