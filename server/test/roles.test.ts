/**
 * Roles are decided on the route that runs, not on the raw URL. Walks the whole route table:
 * every admin route declares a permission, answers 401 without credentials, and for every route ×
 * method × role a role without the route's permission gets 403 — also when the raw request line
 * carries a fragment, a `;…`, an encoded slash, a doubled slash or a trailing slash (sent over a
 * socket, as an attacker's client would, not through a URL parser).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../src/platform/context';
import { PERMISSIONS, requireRoutePermissions, roleHas, type RoutePermission } from '../src/platform/permissions';
import { createTestWorkspace, jsonClient, startTestServer, type TestServer, type TestWorkspace } from './helpers';

const run = Math.random().toString(36).slice(2, 8);

let server: TestServer;
let port: number;
let ws: TestWorkspace;
const sessions = new Map<Role, { cookie: string; csrf: string; userId: string }>();
/** Real ids for path parameters, so a request that got past the guard would really act. */
const fixtures: Record<string, string> = {};

const { must, call } = jsonClient({
  get app() {
    return server.app;
  },
});

interface RawResponse {
  status: number;
  head: string;
}

/** One request over a raw socket: the request line is sent exactly as given. Reads the status line and headers only (streams stay open otherwise). */
function raw(method: string, target: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    if (body !== undefined) lines.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
    socket.on('connect', () => socket.write(`${lines.join('\r\n')}\r\n\r\n${body ?? ''}`));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      const end = data.indexOf('\r\n\r\n');
      if (end >= 0) {
        socket.destroy();
        const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
        if (!m) reject(new Error(`not an HTTP response: ${data.slice(0, 80)}`));
        else resolve({ status: Number(m[1]), head: data.slice(0, end) });
      }
    });
    socket.on('error', reject);
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error(`timeout: ${method} ${target}`));
    });
  });
}

const authOf = (role: Role): Record<string, string> => {
  const s = sessions.get(role)!;
  return { Cookie: s.cookie, 'X-CSRF-Token': s.csrf };
};

/** Fill a route's parameters: real ids where the route names a kind we made, else a placeholder. */
function fill(url: string, real: boolean): string {
  return url.replace(/:(\w+)/g, (_, name: string) => {
    if (!real) return 'zz_missing';
    const kind = url.startsWith('/api/v1/profiles/') && name === 'id' ? 'profile' : name === 'id' ? (url.split('/')[3] ?? '') : name;
    return encodeURIComponent(fixtures[kind] ?? 'zz_missing');
  });
}

/** The raw-URL variants an attacker tries: each must reach the same route (and the same 403) or no route at all. */
function variants(path: string): string[] {
  const lastSlash = path.lastIndexOf('/');
  return [
    `${path}#/cart`,
    `${path}#%E0`,
    `${path};/cart`,
    `${path.slice(0, lastSlash)}%2F${path.slice(lastSlash + 1)}`,
    `/${path}`,
    path.replace('/api/v1/', '/api/v1//'),
    `${path}/`,
    `${path}?x=1#/lines`,
  ];
}

beforeAll(async () => {
  server = await startTestServer({ runWorkers: false });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  port = (server.app.server.address() as AddressInfo).port;
  ws = await createTestWorkspace(server);
  for (const role of ROLES) {
    const email = `${role}.${run}@roles.example.vn`;
    const invited = await must<{ user: { id: string }; inviteToken: string }>(ws.admin, 'POST', '/api/v1/users', { email, name: role, role });
    const res = await server.app.inject({ method: 'POST', url: '/api/v1/invites/accept', payload: { token: invited.inviteToken, password: 'mat-khau-rat-dai-2026' } });
    expect(res.statusCode, res.body).toBe(200);
    sessions.set(role, { cookie: String(res.headers['set-cookie']).split(';')[0]!, csrf: res.json<{ csrfToken: string }>().csrfToken, userId: invited.user.id });
  }
  // Things to aim at: a customer with a cart, a product, a promotion with codes, an order.
  const location = await must<{ id: string }>(ws.admin, 'POST', '/api/v1/locations', { name: 'Kho', kind: 'warehouse' });
  const channel = await must<{ id: string }>(ws.admin, 'POST', '/api/v1/channels', { name: 'Web', type: 'web', sourceId: ws.sourceId, locationIds: [location.id] });
  const sku = `RL-${run}`.toUpperCase();
  const product = await must<{ id: string; variants: { id: string }[] }>(ws.admin, 'POST', '/api/v1/products', { title: 'Áo', variants: [{ sku, price: 100_000 }] });
  await must(ws.admin, 'POST', '/api/v1/inventory/adjustments', { sku, locationId: location.id, count: 10, reason: 'stock_take' });
  const identified = await server.app.inject({ method: 'POST', url: '/v1/identify', headers: ws.basic, payload: { userId: `kh-${run}`, traits: { email: `kh.${run}@example.vn` } } });
  expect(identified.statusCode, identified.body).toBe(200);
  const profile = await must<{ id: string }>(ws.admin, 'GET', `/api/v1/profiles/lookup?type=user_id&value=kh-${run}`);
  await must(ws.admin, 'POST', `/api/v1/profiles/${profile.id}/cart/lines`, { channelId: channel.id, sku, quantity: 1 });
  const category = await must<{ id: string }>(ws.admin, 'POST', '/api/v1/categories', { name: 'Áo' });
  const promotion = await must<{ id: string }>(ws.admin, 'POST', '/api/v1/promotions', { name: 'Giảm', requiresCode: true, reward: { type: 'percentage', percent: 10, target: { scope: 'order' } } });
  await must(ws.admin, 'POST', `/api/v1/promotions/${promotion.id}/codes`, { count: 3 });
  const order = await must<{ id: string }>(ws.admin, 'POST', '/api/v1/orders', { channelId: channel.id, externalId: `o-${run}`, lines: [{ sku, quantity: 1 }] });
  const token = await must<{ token: { id: string } }>(ws.admin, 'POST', '/api/v1/customer-tokens', { profileId: profile.id });
  const apiTokens = await must<{ data: { id: string }[] }>(ws.admin, 'GET', '/api/v1/tokens');
  const sources = await must<{ data: { id: string }[] }>(ws.admin, 'GET', '/api/v1/sources');
  Object.assign(fixtures, {
    profile: profile.id,
    channels: channel.id,
    channelId: channel.id,
    locations: location.id,
    products: product.id,
    variants: product.variants[0]!.id,
    categories: category.id,
    promotions: promotion.id,
    orders: order.id,
    'customer-tokens': token.token.id,
    tokens: apiTokens.data[0]!.id,
    sources: sources.data[0]!.id,
    users: sessions.get('admin')!.userId,
    sku,
    holder: `cart:${profile.id}`,
    code: 'NOPE',
  });
}, 120_000);

afterAll(async () => server.close());

const adminRoutes = () => server.routes.filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD' && r.method !== 'OPTIONS');

describe('the route table', () => {
  it('every admin route declares a permission that exists', () => {
    expect(adminRoutes().length).toBeGreaterThan(60);
    const known = new Set<string>([...PERMISSIONS, 'public', 'signed_in']);
    const undeclared = adminRoutes().filter((r) => !r.permission || !known.has(r.permission));
    expect(undeclared).toEqual([]);
  });

  it('a route under /api/ without a declared permission stops the start', async () => {
    const app = Fastify();
    requireRoutePermissions(app);
    app.get('/api/v1/declared', { config: { permission: 'profiles.read' } }, async () => ({}));
    app.get('/elsewhere', async () => ({}));
    expect(() => app.get('/api/v1/forgotten', async () => ({}))).toThrow(/GET \/api\/v1\/forgotten declares no permission/);
    expect(() => app.post('/api/v1/misspelt', { config: { permission: 'profiles.erased' as 'profiles.erase' } }, async () => ({}))).toThrow(/declares no permission/);
    await app.close();
  });

  it('every admin route but sign-in and invite acceptance answers 401 without credentials', async () => {
    const open: string[] = [];
    for (const r of adminRoutes()) {
      const res = await raw(r.method, fill(r.url, false), {}, r.method === 'GET' || r.method === 'DELETE' ? undefined : '{}');
      if (r.permission === 'public') continue;
      if (res.status !== 401) open.push(`${r.method} ${r.url} → ${res.status}`);
    }
    expect(open).toEqual([]);
  });
});

describe('role matrix (every route × method × role, raw request lines)', () => {
  it('a role without the route\'s permission gets 403 on the route and on every raw-URL variant of it; one with it is not refused', async () => {
    const wrong: string[] = [];
    let denied = 0;
    for (const r of adminRoutes()) {
      const permission = r.permission as RoutePermission;
      if (permission === 'public') continue;
      const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : '{}';
      for (const role of ROLES) {
        if (!roleHas(role, permission)) {
          const path = fill(r.url, true);
          const base = await raw(r.method, path, authOf(role), body);
          if (base.status !== 403) wrong.push(`${role} ${r.method} ${path} → ${base.status} (want 403)`);
          for (const v of variants(path)) {
            const res = await raw(r.method, v, authOf(role), body);
            if (res.status !== 403 && res.status !== 404) wrong.push(`${role} ${r.method} ${v} → ${res.status} (want 403 or 404)`);
          }
          denied++;
        } else if (r.method === 'GET' || permission !== 'signed_in') {
          // Allowed: aimed at ids that do not exist, so nothing changes; it must not be refused.
          const res = await raw(r.method, fill(r.url, false), authOf(role), body);
          if (res.status === 403 || res.status === 401) wrong.push(`${role} ${r.method} ${r.url} → ${res.status} (role has ${permission})`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(denied).toBeGreaterThan(100);
  }, 120_000);

  it('an agent cannot erase a customer through DELETE /api/v1/profiles/<id>#/cart (or any variant); the customer is still there', async () => {
    const id = fixtures.profile!;
    for (const target of [`/api/v1/profiles/${id}#/cart`, `/api/v1/profiles/${id}#/cart/lines`, `/api/v1/profiles/${id}?x=/cart`]) {
      const res = await raw('DELETE', target, authOf('agent'));
      expect(res.status, target).toBe(403);
    }
    // Forms the router does not match at all are no route.
    for (const target of [`/api/v1/profiles/${id};/cart`, `/api/v1/profiles/${id}%2Fcart`, `//api/v1/profiles/${id}#/cart`]) {
      const res = await raw('DELETE', target, authOf('agent'));
      expect([403, 404], target).toContain(res.status);
    }
    // The cart route the agent may use still works for them.
    const cart = await raw('DELETE', `/api/v1/profiles/${id}/cart/lines?channelId=${fixtures.channels}`, authOf('agent'));
    expect(cart.status).toBe(200);
    await must(ws.admin, 'GET', `/api/v1/profiles/${id}`);
  });
});

describe('personal-data and code exports', () => {
  it('only a role with personal_data.export gets a customer export, and each export is in the audit trail (who, when, what)', async () => {
    const id = fixtures.profile!;
    for (const role of ['viewer', 'marketer', 'agent'] as const) {
      expect((await raw('GET', `/api/v1/profiles/${id}/export`, authOf(role))).status, role).toBe(403);
    }
    // Reading the profile itself stays open to every role (business data).
    expect((await raw('GET', `/api/v1/profiles/${id}`, authOf('viewer'))).status).toBe(200);
    const res = await raw('GET', `/api/v1/profiles/${id}/export`, authOf('admin'));
    expect(res.status).toBe(200);
    const audit = await must<{ data: { actor: string; action: string; subjectType: string; subjectId: string; at: string; requestId: string }[] }>(
      ws.admin,
      'GET',
      '/api/v1/audit?action=personal_data.exported',
    );
    expect(audit.data[0]).toMatchObject({ actor: `user:${sessions.get('admin')!.userId}`, action: 'personal_data.exported', subjectType: 'profile', subjectId: id });
    expect(Date.now() - Date.parse(audit.data[0]!.at)).toBeLessThan(60_000);
    // Refused exports were not recorded as exports.
    expect(audit.data).toHaveLength(1);
    // The audit trail itself is the admin's.
    expect((await raw('GET', '/api/v1/audit', authOf('viewer'))).status).toBe(403);
  });

  it('unused single-use codes are masked for readers without promotion_codes.export; their CSV is refused; an admin\'s export is audited', async () => {
    const url = `/api/v1/promotions/${fixtures.promotions}/codes`;
    const seen = await call<{ data: { code: string; masked: boolean }[] }>(authOf('viewer'), 'GET', url);
    expect(seen.status).toBe(200);
    expect(seen.body.data).toHaveLength(3);
    for (const c of seen.body.data) {
      expect(c.masked).toBe(true);
      expect(c.code).toMatch(/^•{4,}.{2}$/);
    }
    for (const role of ['viewer', 'marketer', 'agent'] as const) {
      expect((await raw('GET', `${url}?format=csv`, authOf(role))).status, role).toBe(403);
    }
    const clear = await call<{ data: { code: string; masked: boolean }[] }>(ws.admin, 'GET', url);
    expect(clear.body.data.every((c) => !c.masked && !c.code.includes('•'))).toBe(true);
    const csv = await server.app.inject({ method: 'GET', url: `${url}?format=csv`, headers: authOf('admin') });
    expect(csv.statusCode).toBe(200);
    for (const c of clear.body.data) expect(csv.body).toContain(c.code);
    const audit = await must<{ data: { actor: string; details: { format: string; unusedCodes: number } }[] }>(ws.admin, 'GET', '/api/v1/audit?action=promotion_codes.exported');
    expect(audit.data.map((a) => a.details.format).sort()).toEqual(['csv', 'json']);
    expect(audit.data.find((a) => a.details.format === 'csv')).toMatchObject({ actor: `user:${sessions.get('admin')!.userId}`, details: { unusedCodes: 3 } });
  });

  it('the session lists the role\'s permissions for the console', async () => {
    const viewer = await call<{ permissions: string[] }>(authOf('viewer'), 'GET', '/api/v1/session');
    expect(viewer.body.permissions).toContain('profiles.read');
    expect(viewer.body.permissions).not.toContain('personal_data.export');
    expect(viewer.body.permissions.every((p) => !p.endsWith('.write') && !p.endsWith('.manage'))).toBe(true);
  });
});

describe('another workspace', () => {
  it('an admin of one workspace reaches nothing of another, whatever the URL', async () => {
    const other = await createTestWorkspace(server);
    const id = fixtures.profile!;
    for (const target of [`/api/v1/profiles/${id}`, `/api/v1/profiles/${id}/export`, `/api/v1/profiles/${id}#x`, `/api/v1/promotions/${fixtures.promotions}/codes?format=csv`]) {
      const res = await raw('GET', target, { Authorization: other.admin.authorization });
      expect(res.status, target).toBe(404);
    }
    expect((await raw('DELETE', `/api/v1/profiles/${id}#/cart`, { Authorization: other.admin.authorization })).status).toBe(404);
    await must(ws.admin, 'GET', `/api/v1/profiles/${id}`);
  });
});
