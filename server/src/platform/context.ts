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

/** Console roles, most powerful first. */
export const ROLES = ['admin', 'marketer', 'agent', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling an admin route. */
export interface AdminAuth {
  workspaceId: string;
  /** For audit trails: `token:<id>` (API token) or `user:<id>` (console user). */
  actor: string;
  role: Role;
  tokenId?: string;
  userId?: string;
}

export type AdminGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

declare module 'fastify' {
  interface FastifyRequest {
    admin?: AdminAuth;
  }
}

/** Who made an authenticated admin request, for audit trails. */
export function adminActor(request: FastifyRequest): string {
  if (!request.admin) throw new Error('admin guard did not run for this route');
  return request.admin.actor;
}

/** The workspace of an authenticated admin request (the guard has run). */
export function adminWorkspace(request: FastifyRequest): string {
  if (!request.admin) throw new Error('admin guard did not run for this route');
  return request.admin.workspaceId;
}
