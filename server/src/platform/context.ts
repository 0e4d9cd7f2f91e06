/** What every module's routes and services receive explicitly: no globals. */
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config';
import type { Database } from '../db/client';

export interface AppContext {
  config: Config;
  db: Database;
  log: FastifyBaseLogger;
}

export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

/** Who is calling an admin route. */
export interface AdminAuth {
  workspaceId: string;
  tokenId: string;
}

export type AdminGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

declare module 'fastify' {
  interface FastifyRequest {
    admin?: AdminAuth;
  }
}

/** The workspace of an authenticated admin request (the guard has run). */
export function adminWorkspace(request: FastifyRequest): string {
  if (!request.admin) throw new Error('admin guard did not run for this route');
  return request.admin.workspaceId;
}
