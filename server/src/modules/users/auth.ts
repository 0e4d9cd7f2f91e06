/**
 * The admin guard for /api/v1/*: an API token (`Authorization: Bearer …`, acts as admin) or a
 * console session (the `omni_session` HttpOnly cookie). A change made with a session must carry
 * the session's CSRF token in `X-CSRF-Token` (a page on another site can make the browser send
 * the cookie, never read the token). Then the role must hold the permission that the matched
 * route declares (`config.permission`): the route Fastify will run decides, never the raw URL.
 */
import type { FastifyRequest } from 'fastify';
import type { AdminGuard, AppContext } from '../../platform/context';
import { AppError } from '../../platform/errors';
import { roleHas } from '../../platform/permissions';
import { bearerToken, createAdminGuard } from '../workspaces';
import { findSession, SESSION_COOKIE } from './users.service';

/** A cookie value as set (percent-encoded); one that is not valid encoding is kept as sent, so it is simply an unknown session. */
function decodeCookie(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function cookieValue(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeCookie(part.slice(i + 1).trim());
  }
  return undefined;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function createConsoleGuard(ctx: AppContext): AdminGuard {
  const byToken = createAdminGuard(ctx);
  return async (request, reply) => {
    const permission = request.routeOptions.config.permission;
    if (bearerToken(request) || !cookieValue(request, SESSION_COOKIE)) {
      await byToken(request, reply);
    } else {
      const found = await findSession(ctx.db.orm, cookieValue(request, SESSION_COOKIE)!);
      if (!found) throw new AppError('unauthorized', 'Your session has ended: sign in again');
      if (!SAFE.has(request.method) && request.headers['x-csrf-token'] !== found.csrfToken) {
        throw new AppError('forbidden', 'Missing or wrong X-CSRF-Token for a change made with a console session');
      }
      request.admin = { workspaceId: found.user.workspaceId, userId: found.user.id, actor: `user:${found.user.id}`, role: found.user.role };
    }
    const role = request.admin!.role;
    if (!permission) {
      // app.ts refuses to start with such a route; fail closed all the same.
      request.log.error({ route: request.routeOptions.url, method: request.method }, 'admin route without a declared permission');
      throw new AppError('forbidden', 'This route declares no permission', { role });
    }
    if (!roleHas(role, permission)) {
      throw new AppError('forbidden', `The ${role} role does not have the ${permission} permission (${request.method} ${request.routeOptions.url ?? ''})`, { role, permission });
    }
  };
}
