/**
 * GET /api/clips/:device/:clipId: the WAV exhibit, with byte ranges (RFC 9110
 * §14) so an <audio> element can seek. A listen is logged once, at its first
 * request (no Range, or one from byte 0), not at every seek.
 */
import { createReadStream, statSync } from 'node:fs';
import { EarshotError } from '@earshot/shared';
import type { FastifyInstance } from 'fastify';
import { requireUserOrSignature } from './auth.ts';
import { type RouteContext, requireVisibleCase } from './context.ts';
import { errorBody } from './reply-error.ts';
import { parseRange } from './range.ts';
import { ClipParams, SignedQuery } from './schemas.ts';
import { parseRequest } from './validate.ts';

export function clipRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/clips/:device/:clipId', async (request, reply) => {
    const { device, clipId } = parseRequest(ClipParams, request.params, 'path');
    const query = parseRequest(SignedQuery, request.query, 'query');
    const user = requireUserOrSignature(ctx.users, ctx.signer, request, `/api/clips/${device}/${clipId}`, query, ctx.now());
    const clip = ctx.clips(device, clipId);
    if (clip === null) throw new EarshotError('EARSHOT_E_HTTP_CLIP_UNAVAILABLE', `${device}/${clipId}: no such clip`);
    // A clip attached to no case is seen by supervisors and admins only.
    if (clip.caseRef === null) {
      if (user.role === 'officer') throw new EarshotError('EARSHOT_E_HTTP_FORBIDDEN', `${device}/${clipId} belongs to no case`);
    } else {
      requireVisibleCase(ctx, user, clip.caseRef);
    }
    if (clip.state !== 'complete' || clip.file === null) throw new EarshotError('EARSHOT_E_HTTP_CLIP_UNAVAILABLE', `${device}/${clipId} is ${clip.state}`);
    let size: number;
    try {
      size = statSync(clip.file).size;
    } catch {
      throw new EarshotError('EARSHOT_E_HTTP_CLIP_UNAVAILABLE', `${device}/${clipId}: the stored file is missing`);
    }
    const range = parseRange(request.headers.range, size);
    if (range.kind === 'unsatisfiable') {
      const e = errorBody('EARSHOT_E_HTTP_RANGE_INVALID', `${request.headers.range ?? ''} of ${size} bytes`);
      return reply.code(e.status).header('content-range', `bytes */${size}`).send(e.body);
    }
    if (range.kind === 'whole' || range.start === 0) {
      ctx.accessLog.record({ username: user.username, action: 'clip', caseRef: clip.caseRef, target: `${device}/${clipId}` });
    }
    reply
      .header('accept-ranges', 'bytes')
      .header('content-type', 'audio/wav')
      .header('cache-control', 'private, no-store');
    if (range.kind === 'whole') return reply.header('content-length', size).send(createReadStream(clip.file));
    return reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .header('content-length', range.end - range.start + 1)
      .send(createReadStream(clip.file, { start: range.start, end: range.end }));
  });
}
