/**
 * Who is asking: `Authorization: Bearer <token>` (RFC 6750 §2.1) for API calls,
 * or a signed URL (signed-url.ts) for what the browser fetches by itself.
 */
import { EarshotError } from '@earshot/shared';
import type { FastifyRequest } from 'fastify';
import type { User, Users } from '../users/index.ts';
import type { UrlSigner } from './signed-url.ts';

export function bearerToken(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (h === undefined) return null;
  const m = /^Bearer\s+([A-Za-z0-9_-]{20,100})\s*$/.exec(h);
  return m?.[1] ?? null;
}

export function requireUser(users: Users, request: FastifyRequest): User {
  const token = bearerToken(request);
  if (token === null) throw new EarshotError('EARSHOT_E_HTTP_UNAUTHENTICATED', 'send Authorization: Bearer <token> from POST /api/login');
  const user = users.authenticate(token);
  if (user === null) throw new EarshotError('EARSHOT_E_HTTP_UNAUTHENTICATED', 'the token is unknown, expired or logged out');
  return user;
}

/** A bearer token if there is one, else a valid signature for this path. */
export function requireUserOrSignature(users: Users, signer: UrlSigner, request: FastifyRequest, path: string, query: { u?: string | undefined; exp?: string | undefined; sig?: string | undefined }, now: number): User {
  if (request.headers.authorization !== undefined) return requireUser(users, request);
  const username = signer.verify(path, query, now);
  if (username === null) throw new EarshotError('EARSHOT_E_HTTP_UNAUTHENTICATED', 'the link is invalid or has expired: reload the page');
  const user = users.get(username);
  if (user === null) throw new EarshotError('EARSHOT_E_HTTP_UNAUTHENTICATED', 'the account no longer exists');
  return user;
}
