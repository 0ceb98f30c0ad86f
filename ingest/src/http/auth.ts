/**
 * Who is asking: `Authorization: Bearer <token>` (RFC 6750 §2.1) for API calls,
 * or a signed URL (signed-url.ts) for what the browser fetches by itself.
 */
import { EarshotError } from '@earshot/shared';
import type { FastifyRequest } from 'fastify';
import type { User, Users } from '../users/index.ts';
import type { SignedParams, UrlSigner } from './signed-url.ts';

export function bearerToken(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (h === undefined) return null;
  const m = /^Bearer\s+([A-Za-z0-9_-]{20,100})\s*$/.exec(h);
  return m?.[1] ?? null;
}

/** The account and its session's handle (for links signed in this session). */
export async function requireSession(users: Users, request: FastifyRequest): Promise<{ readonly user: User; readonly sessionId: string }> {
  const token = bearerToken(request);
  if (token === null) throw new EarshotError('EARSHOT_E_HTTP_UNAUTHENTICATED', 'send Authorization: Bearer <token> from POST /api/login');
  const s = await users.session(token);
  if (s === null) throw new EarshotError('EARSHOT_E_HTTP_UNAUTHENTICATED', 'the token is unknown, expired or logged out');
  return s;
}

export async function requireUser(users: Users, request: FastifyRequest): Promise<User> {
  return (await requireSession(users, request)).user;
}

/** A bearer token if there is one, else a valid signature for this path, made in a session that is still live. */
export async function requireUserOrSignature(users: Users, signer: UrlSigner, request: FastifyRequest, path: string, query: SignedParams, now: number): Promise<User> {
  if (request.headers.authorization !== undefined) return requireUser(users, request);
  const signed = signer.verify(path, query, now);
  if (signed === null) throw new EarshotError('EARSHOT_E_HTTP_UNAUTHENTICATED', 'the link is invalid or has expired: reload the page');
  const user = await users.sessionUser(signed.sessionId);
  if (user === null || user.username !== signed.username) throw new EarshotError('EARSHOT_E_HTTP_UNAUTHENTICATED', 'the link belongs to a session that has ended: log in and reload the page');
  return user;
}
