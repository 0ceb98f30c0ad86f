/** POST /api/login, POST /api/logout, GET /api/me. */
import type { FastifyInstance } from 'fastify';
import { bearerToken, requireUser } from './auth.ts';
import type { RouteContext } from './context.ts';
import { LoginBody, LoginOut, UserOut } from './schemas.ts';
import { checkResponse, parseRequest } from './validate.ts';

export function sessionRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post('/api/login', async (request) => {
    const { username, password } = parseRequest(LoginBody, request.body, 'body');
    // Password checks are queued fairly per client address (users/fair-queue.ts).
    const s = await ctx.users.login(username, password, request.ip);
    return checkResponse(LoginOut, { token: s.token, expiresAt: s.expiresAt, user: s.user });
  });
  app.post('/api/logout', async (request, reply) => {
    await requireUser(ctx.users, request);
    const token = bearerToken(request);
    if (token !== null) await ctx.users.logout(token);
    return reply.code(204).send();
  });
  app.get('/api/me', async (request) => checkResponse(UserOut, await requireUser(ctx.users, request)));
}
