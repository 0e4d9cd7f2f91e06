import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AdminGuard, App, AppContext } from '../../platform/context';
import { adminWorkspace, ROLES, type Role } from '../../platform/context';
import { AppError } from '../../platform/errors';
import { ErrorResponse, Nullable } from '../../platform/schema';
import { PERMISSIONS, permissionsOf, type Permission } from '../../platform/permissions';
import { isHttpsPublicUrl, type Config } from '../../config';
import { cookieValue } from './auth';
import * as service from './users.service';

const RoleSchema = Type.Unsafe<Role>({ type: 'string', enum: [...ROLES], description: 'admin, marketer, agent or viewer' });
const UserSchema = Type.Object({
  id: Type.String(),
  workspaceId: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Type.String(),
  status: Type.String(),
  lastLoginAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
});
const SessionSchema = Type.Object({
  user: UserSchema,
  csrfToken: Type.String({ description: 'Send it back in X-CSRF-Token on every change.' }),
  permissions: Type.Array(Type.Unsafe<Permission>({ type: 'string', enum: [...PERMISSIONS] }), { description: "What the user's role may do (the server checks each route's own permission)." }),
});

function sessionOf(s: { user: service.ConsoleUser; csrfToken: string }) {
  return { user: s.user, csrfToken: s.csrfToken, permissions: permissionsOf(s.user.role) };
}
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const throttled = { 429: ErrorResponse };

/**
 * Secure whenever people reach Omni over https: the configured public URL says so even when the
 * last hop (a TLS-terminating proxy) speaks plain http to us.
 */
function sessionCookie(config: Config, request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  const secure = isHttpsPublicUrl(config) || request.protocol === 'https' ? '; Secure' : '';
  return `${service.SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

/** Sign-in, sign-out, invites and the users of a workspace. */
export function usersRoutes(ctx: AppContext, guard: AdminGuard) {
  const orm = ctx.db.orm;
  const cookie = (request: FastifyRequest, value: string, maxAgeSeconds: number) => sessionCookie(ctx.config, request, value, maxAgeSeconds);
  // request.ip is the client's address (X-Forwarded-For only from a trusted proxy: OMNI_TRUST_PROXY).
  const attempt = (request: FastifyRequest): service.AttemptContext => ({ ip: request.ip, lockSeconds: ctx.config.signInLockSeconds, log: request.log });
  return async function routes(app: App) {
    // Open: signing in and accepting an invite.
    app.post('/api/v1/session', {
      config: { permission: 'public' },
      schema: {
        tags: ['console'],
        summary: 'Sign in to the console: sets the HttpOnly session cookie and returns the CSRF token',
        security: [],
        body: Type.Object({ email: Type.String({ minLength: 3, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
        response: { 200: SessionSchema, ...errors, ...throttled },
      },
    }, async (request, reply) => {
      const s = await service.signIn(orm, request.body, attempt(request));
      reply.header('set-cookie', cookie(request, s.secret, Math.floor((s.expiresAt.getTime() - Date.now()) / 1000)));
      return sessionOf(s);
    });

    app.post('/api/v1/invites/accept', {
      config: { permission: 'public' },
      schema: {
        tags: ['console'],
        summary: 'Accept an invite: set the password (at least 10 characters) and optionally the name; signs in (session cookie) and returns the CSRF token',
        security: [],
        body: Type.Object(
          {
            token: Type.String({ minLength: 1, maxLength: 200 }),
            password: Type.String({ minLength: 1, maxLength: 500 }),
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The name to show; the one given in the invite when absent.' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: SessionSchema, ...errors, ...throttled },
      },
    }, async (request, reply) => {
      const s = await service.acceptInviteAndSignIn(orm, request.body, attempt(request));
      reply.header('set-cookie', cookie(request, s.secret, Math.floor((s.expiresAt.getTime() - Date.now()) / 1000)));
      return sessionOf(s);
    });

    // Guarded: the session itself and user management.
    await app.register(async (guarded: App) => {
      guarded.addHook('onRequest', guard);

      guarded.get('/api/v1/session', {
        config: { permission: 'signed_in' },
        schema: { tags: ['console'], summary: 'Who is signed in, and the CSRF token', response: { 200: SessionSchema, ...errors } },
      }, async (request) => {
        const secret = cookieValue(request, service.SESSION_COOKIE);
        const found = secret ? await service.findSession(orm, secret) : undefined;
        if (!found) throw new AppError('unauthorized', 'No console session: sign in with POST /api/v1/session');
        return sessionOf(found);
      });

      guarded.delete('/api/v1/session', {
        config: { permission: 'signed_in' },
        schema: { tags: ['console'], summary: 'Sign out', response: { 204: Type.Null(), ...errors } },
      }, async (request, reply) => {
        const secret = cookieValue(request, service.SESSION_COOKIE);
        if (secret) await service.signOut(orm, secret);
        reply.header('set-cookie', cookie(request, '', 0));
        return reply.code(204).send(null);
      });

      guarded.get('/api/v1/users', {
        config: { permission: 'workspace.read' },
        schema: { tags: ['console'], summary: 'Console users of this workspace', response: { 200: Type.Object({ data: Type.Array(UserSchema) }), ...errors } },
      }, async (request) => ({ data: await service.listUsers(orm, adminWorkspace(request)) }));

      guarded.post('/api/v1/users', {
        config: { permission: 'workspace.manage' },
        schema: {
          tags: ['console'],
          summary: 'Invite a console user (admin): returns the invite token once',
          body: Type.Object({ email: Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', maxLength: 320 }), name: Type.String({ minLength: 1, maxLength: 200 }), role: RoleSchema }, { additionalProperties: false }),
          response: { 201: Type.Object({ user: UserSchema, inviteToken: Type.String() }), ...errors },
        },
      }, async (request, reply) => {
        return reply.code(201).send(await service.inviteUser(orm, adminWorkspace(request), request.body));
      });

      guarded.patch('/api/v1/users/:id', {
        config: { permission: 'workspace.manage' },
        schema: {
          tags: ['console'],
          summary: 'Change a console user’s role, name or status (admin); disabling ends their sessions',
          params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
          body: Type.Object(
            { role: Type.Optional(RoleSchema), status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])), name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
            { additionalProperties: false },
          ),
          response: { 200: UserSchema, ...errors },
        },
      }, async (request) => {
        return service.updateUser(orm, adminWorkspace(request), request.params.id, request.body);
      });
    });
  };
}
