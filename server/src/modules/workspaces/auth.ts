/** `Authorization: Bearer <admin token>` for /api/v1/*. */
import type { FastifyRequest } from 'fastify';
import type { AdminGuard, AppContext } from '../../platform/context';
import { AppError } from '../../platform/errors';
import { findApiToken } from './workspaces.service';

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

export function createAdminGuard(ctx: AppContext): AdminGuard {
  return async (request) => {
    const secret = bearerToken(request);
    if (!secret) {
      throw new AppError('unauthorized', 'Missing admin token: send "Authorization: Bearer <token>"');
    }
    const token = await findApiToken(ctx.db.orm, secret);
    if (!token) throw new AppError('unauthorized', 'Invalid or revoked admin token');
    request.admin = { workspaceId: token.workspaceId, tokenId: token.id };
  };
}
