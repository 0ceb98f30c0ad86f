/**
 * GET /api/clips/:device/:clipId: the WAV exhibit, with byte ranges (RFC 9110
 * §14) so an <audio> element can seek. Every answer that serves bytes is in
 * the access log, with its range (issue 11: `Range: bytes=1-` served the whole
 * clip unlogged); a seek is a read of the audio like any other.
 */
import { EarshotError } from '@earshot/shared';
import type { FastifyInstance } from 'fastify';
import { requireUserOrSignature } from './auth.ts';
import { clipRowSteps } from './clip-lookup.ts';
import { logAccess, type RouteContext, requireVisibleCase } from './context.ts';
import { errorBody } from './reply-error.ts';
import { parseRange } from './range.ts';
import { ClipParams, SignedQuery } from './schemas.ts';
import { parseRequest } from './validate.ts';

export function clipRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/clips/:device/:clipId', async (request, reply) => {
    const { device, clipId } = parseRequest(ClipParams, request.params, 'path');
    const query = parseRequest(SignedQuery, request.query, 'query');
    const user = await requireUserOrSignature(ctx.users, ctx.signer, request, `/api/clips/${device}/${clipId}`, query, ctx.now());
    const clip = await ctx.record.read(clipRowSteps(device, clipId));
    // Issue 11 item 16: a clip the user may not see is answered as one that does not exist (its case is not named).
    const noSuchClip = (): EarshotError => new EarshotError('EARSHOT_E_HTTP_CLIP_UNAVAILABLE', `${device}/${clipId}: no such clip`);
    if (clip === null) throw noSuchClip();
    // A clip attached to no case is seen by supervisors and admins only.
    if (clip.caseRef === null) {
      if (user.role === 'officer') throw noSuchClip();
    } else {
      try {
        await requireVisibleCase(ctx, user, clip.caseRef);
      } catch (e) {
        if (e instanceof EarshotError && e.code === 'EARSHOT_E_CASE_NOT_FOUND') throw noSuchClip();
        throw e;
      }
    }
    if (clip.state !== 'complete' || clip.file === null) throw new EarshotError('EARSHOT_E_HTTP_CLIP_UNAVAILABLE', `${device}/${clipId} is ${clip.state}`);
    const size = await ctx.clips.size(clip.file);
    if (size === null) throw new EarshotError('EARSHOT_E_HTTP_CLIP_UNAVAILABLE', `${device}/${clipId}: the stored file is missing`);
    const range = parseRange(request.headers.range, size);
    if (range.kind === 'unsatisfiable') {
      const e = errorBody('EARSHOT_E_HTTP_RANGE_INVALID', `${request.headers.range ?? ''} of ${size} bytes`);
      return reply.code(e.status).header('content-range', `bytes */${size}`).send(e.body);
    }
    const served = range.kind === 'whole' ? '' : ` bytes ${range.start}-${range.end}`;
    await logAccess(ctx, { username: user.username, action: 'clip', caseRef: clip.caseRef, target: `${device}/${clipId}${served}` });
    reply
      .header('accept-ranges', 'bytes')
      .header('content-type', 'audio/wav')
      .header('cache-control', 'private, no-store');
    if (range.kind === 'whole') return reply.header('content-length', size).send(await ctx.clips.open(clip.file, 0, size - 1));
    return reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .header('content-length', range.end - range.start + 1)
      .send(await ctx.clips.open(clip.file, range.start, range.end));
  });
}
