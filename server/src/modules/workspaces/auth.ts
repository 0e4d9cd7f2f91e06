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
    request.admin = { workspaceId: token.workspaceId, tokenId: token.id, actor: `token:${token.id}`, role: 'admin' };
  };
}

/**
 * The write key: HTTP Basic username (Segment/RudderStack SDKs), else the `X-Omni-Write-Key`
 * header, else `writeKey` in the body or query (browsers' EventSource cannot send headers).
 */
export function writeKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const m = /^Basic\s+(\S+)\s*$/i.exec(header);
    if (m) {
      const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      const key = i === -1 ? decoded : decoded.slice(0, i);
      if (key) return key;
    }
  }
  const given = request.headers['x-omni-write-key'];
  if (typeof given === 'string' && given) return given;
  const body = request.body as { writeKey?: unknown } | undefined;
  if (body && typeof body === 'object' && typeof body.writeKey === 'string' && body.writeKey) return body.writeKey;
  const query = request.query as { writeKey?: unknown } | undefined;
  if (query && typeof query.writeKey === 'string' && query.writeKey) return query.writeKey;
  return undefined;
}
