/**
 * What each console role may do. Every admin route (/api/v1/*) declares the one permission it
 * needs in its route options — `config: { permission: 'profiles.erase' }` — and the admin guard
 * reads it from the route Fastify actually matched, never from the raw URL (a fragment, a `;`,
 * an encoded slash or a doubled slash cannot make a request look like another route). A route
 * under /api/ that declares nothing fails the server's start (see app.ts).
 */
import type { FastifyInstance, FastifyRequest, FastifySchema, RouteOptions } from 'fastify';
import type { Role } from './context';

/** Permissions, by area. Reads are separate from changes; exports of personal data stand apart. */
export const PERMISSIONS = [
  'workspace.read',
  'workspace.manage',
  'catalog.read',
  'catalog.write',
  'channels.manage',
  'inventory.read',
  'inventory.adjust',
  'reservations.write',
  'orders.read',
  'orders.write',
  'profiles.read',
  'profiles.erase',
  'personal_data.export',
  'carts.read',
  'carts.write',
  'customer_tokens.write',
  'promotions.read',
  'promotions.write',
  'promotion_codes.export',
  'pricing.quote',
  'dashboard.read',
  'audit.read',
  'ops.read',
  'ops.write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * What a route needs: a permission, `signed_in` (any authenticated caller: the session itself)
 * or `public` (no credentials: signing in, accepting an invite).
 */
export type RoutePermission = Permission | 'signed_in' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: RoutePermission;
  }
}

const READS: Permission[] = [
  'workspace.read',
  'catalog.read',
  'inventory.read',
  'orders.read',
  'profiles.read',
  'carts.read',
  'promotions.read',
  'pricing.quote',
  'dashboard.read',
];

/**
 * Roles and their permissions. Viewers read business data but change nothing; personal-data
 * exports, unused single-use codes, erasure, stock adjustments, channels, settings, the audit
 * trail and the dead-letter queue are the admin's.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  admin: new Set(PERMISSIONS),
  marketer: new Set([...READS, 'catalog.write', 'promotions.write']),
  agent: new Set([...READS, 'carts.write', 'orders.write', 'reservations.write', 'customer_tokens.write']),
  viewer: new Set(READS),
};

export function roleHas(role: Role, permission: RoutePermission): boolean {
  if (permission === 'public' || permission === 'signed_in') return true;
  return ROLE_PERMISSIONS[role].has(permission);
}

/** The permissions of a role, sorted (the console hides what a role would be refused). */
export function permissionsOf(role: Role): Permission[] {
  return PERMISSIONS.filter((p) => ROLE_PERMISSIONS[role].has(p));
}

export function isRoutePermission(v: unknown): v is RoutePermission {
  return v === 'public' || v === 'signed_in' || (PERMISSIONS as readonly unknown[]).includes(v);
}

/** Whether the caller of an admin request (the guard has run) holds a permission. */
export function callerHas(request: FastifyRequest, permission: Permission): boolean {
  return request.admin !== undefined && roleHas(request.admin.role, permission);
}

/** One route as registered: what the route table test walks. */
export interface RouteEntry {
  method: string;
  url: string;
  permission: RoutePermission | undefined;
  /** The route's schema and config, for tests that walk every route (test/fuzz.test.ts). */
  schema: FastifySchema | undefined;
  config: RouteOptions['config'];
}

/**
 * Collect every route registered from now on, and refuse (throw at registration, so the server
 * does not start) any route under /api/ that declares no permission or one that does not exist.
 */
export function requireRoutePermissions(app: Pick<FastifyInstance, 'addHook'>): RouteEntry[] {
  const routes: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    const permission = route.config?.permission;
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, permission, schema: route.schema, config: route.config });
    if (route.url.startsWith('/api/') && !isRoutePermission(permission)) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no permission: add config: { permission } (see platform/permissions.ts)`);
    }
  });
  return routes;
}
