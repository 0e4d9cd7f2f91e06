/**
 * Console sign-in: the bootstrap admin, sessions in HttpOnly cookies with a CSRF token for
 * changes, invites, and roles enforced by the server on every route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, DB_KIND, startTestServer, type TestServer } from '../../../test/helpers';
import { inviteUser } from './index';
import { acceptInvite } from './users.service';

// Emails are unique across workspaces and the PostgreSQL test database is shared by the test
// files of a run: each run of this file uses its own addresses.
const run = Math.random().toString(36).slice(2, 8);
const email = (who: string) => `${who}.${run}@example.vn`;

let server: TestServer;
const ADMIN = { email: email('chu-cua-hang'), password: 'mat-khau-rat-dai-2026' };
beforeAll(async () => {
  server = await startTestServer({ runWorkers: false, adminEmail: ADMIN.email, adminPassword: ADMIN.password });
  if (!server.consoleAdmin) {
    // Another file's server made this database's first admin: make ours in a workspace of our own.
    const ws = await createTestWorkspace(server);
    const { inviteToken } = await inviteUser(server.db.orm, ws.workspaceId, { email: ADMIN.email, name: 'Chủ cửa hàng', role: 'admin' });
    await acceptInvite(server.db.orm, { token: inviteToken, password: ADMIN.password });
  }
});
afterAll(async () => server.close());

interface Session {
  cookie: string;
  csrf: string;
}

async function signIn(email: string, password: string): Promise<Session> {
  const res = await server.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password } });
  expect(res.statusCode, res.body).toBe(200);
  const setCookie = String(res.headers['set-cookie']);
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Lax/);
  return { cookie: setCookie.split(';')[0]!, csrf: res.json<{ csrfToken: string }>().csrfToken };
}

const as = (s: Session, csrf = true) => ({ cookie: s.cookie, ...(csrf ? { 'x-csrf-token': s.csrf } : {}) });

describe('console sessions', () => {
  it('the bootstrap admin signs in, reads, changes with the CSRF token, and signs out', async () => {
    // On a fresh embedded database the first admin comes from OMNI_ADMIN_EMAIL / OMNI_ADMIN_PASSWORD.
    if (DB_KIND === 'pglite') expect(server.consoleAdmin).toEqual({ email: ADMIN.email, password: ADMIN.password, generated: false });
    const s = await signIn(ADMIN.email.toUpperCase(), ADMIN.password);
    const me = await server.app.inject({ method: 'GET', url: '/api/v1/session', headers: as(s, false) });
    expect(me.json()).toMatchObject({ user: { email: ADMIN.email, role: 'admin' } });
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/workspace', headers: as(s, false) })).statusCode).toBe(200);
    // A change without the CSRF token (what a forged cross-site form would send) is refused.
    const forged = await server.app.inject({ method: 'POST', url: '/api/v1/categories', headers: as(s, false), payload: { name: 'Giả mạo' } });
    expect(forged.statusCode).toBe(403);
    const made = await server.app.inject({ method: 'POST', url: '/api/v1/categories', headers: as(s), payload: { name: 'Áo khoác' } });
    expect(made.statusCode).toBe(201);
    const out = await server.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: as(s) });
    expect(out.statusCode).toBe(204);
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/workspace', headers: as(s, false) })).statusCode).toBe(401);
  });

  it('a wrong password or unknown email gets the same 401', async () => {
    const a = await server.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: ADMIN.email, password: 'wrong-password-123' } });
    const b = await server.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: email('nobody'), password: 'wrong-password-123' } });
    expect([a.statusCode, b.statusCode]).toEqual([401, 401]);
    expect(a.json<{ error: { message: string } }>().error.message).toBe(b.json<{ error: { message: string } }>().error.message);
  });
});

describe('roles are enforced by the server', () => {
  it('an invited viewer signs in, reads, and cannot change anything even through the API', async () => {
    const admin = await signIn(ADMIN.email, ADMIN.password);
    const invited = await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: as(admin), payload: { email: email('xem'), name: 'Người xem', role: 'viewer' } });
    expect(invited.statusCode, invited.body).toBe(201);
    const { inviteToken } = invited.json<{ inviteToken: string }>();
    expect((await server.app.inject({ method: 'POST', url: '/api/v1/invites/accept', payload: { token: inviteToken, password: 'short' } })).statusCode).toBe(400);
    expect((await server.app.inject({ method: 'POST', url: '/api/v1/invites/accept', payload: { token: inviteToken, password: 'xem-mat-khau-dai' } })).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'POST', url: '/api/v1/invites/accept', payload: { token: inviteToken, password: 'xem-mat-khau-dai' } })).statusCode).toBe(401);

    const viewer = await signIn(email('xem'), 'xem-mat-khau-dai');
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/promotions', headers: as(viewer, false) })).statusCode).toBe(200);
    for (const [method, url, payload] of [
      ['POST', '/api/v1/categories', { name: 'X' }],
      ['POST', '/api/v1/promotions', { name: 'X', reward: { type: 'fixed', amount: 1000 } }],
      ['POST', '/api/v1/promotions', {}], // refused for the role before the body is read: no validation hints
      ['PATCH', '/api/v1/workspace', { name: 'Đổi tên' }],
      ['POST', '/api/v1/users', { email: 'a@b.vn', name: 'A', role: 'admin' }],
    ] as const) {
      const res = await server.app.inject({ method, url, headers: as(viewer), payload });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('forbidden');
    }
  });

  it('accepting an invite sets the name and signs in: the cookie and CSRF token work at once', async () => {
    const admin = await signIn(ADMIN.email, ADMIN.password);
    const invited = await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: as(admin), payload: { email: email('moi'), name: 'Tên tạm', role: 'marketer' } });
    const { inviteToken } = invited.json<{ inviteToken: string }>();
    const res = await server.app.inject({ method: 'POST', url: '/api/v1/invites/accept', payload: { token: inviteToken, password: 'moi-mat-khau-dai', name: '  Nguyễn Thị Mai ' } });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ user: { email: string; name: string; status: string; role: string }; csrfToken: string }>();
    expect(body.user).toMatchObject({ email: email('moi'), name: 'Nguyễn Thị Mai', status: 'active', role: 'marketer' });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    const s: Session = { cookie: setCookie.split(';')[0]!, csrf: body.csrfToken };
    const me = await server.app.inject({ method: 'GET', url: '/api/v1/session', headers: as(s, false) });
    expect(me.json()).toMatchObject({ user: { email: email('moi'), name: 'Nguyễn Thị Mai' }, csrfToken: body.csrfToken });
    const made = await server.app.inject({ method: 'POST', url: '/api/v1/promotions', headers: as(s), payload: { name: 'Giảm 5%', reward: { type: 'percentage', percent: 5 } } });
    expect(made.statusCode, made.body).toBe(201);
    // Without a name the invite's name stays.
    const second = await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: as(admin), payload: { email: email('giu-ten'), name: 'Giữ tên', role: 'viewer' } });
    const kept = await server.app.inject({ method: 'POST', url: '/api/v1/invites/accept', payload: { token: second.json<{ inviteToken: string }>().inviteToken, password: 'giu-mat-khau-dai' } });
    expect(kept.json<{ user: { name: string } }>().user.name).toBe('Giữ tên');
  });

  it('a marketer manages promotions but not users; an agent edits carts but not promotions', async () => {
    const admin = await signIn(ADMIN.email, ADMIN.password);
    const make = async (address: string, role: string) => {
      const r = await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: as(admin), payload: { email: address, name: role, role } });
      const token = r.json<{ inviteToken: string }>().inviteToken;
      await server.app.inject({ method: 'POST', url: '/api/v1/invites/accept', payload: { token, password: `${role}-mat-khau-dai` } });
      return signIn(address, `${role}-mat-khau-dai`);
    };
    const marketer = await make(email('mkt'), 'marketer');
    const agent = await make(email('cskh'), 'agent');
    expect((await server.app.inject({ method: 'POST', url: '/api/v1/promotions', headers: as(marketer), payload: { name: 'Giảm 10%', reward: { type: 'percentage', percent: 10 } } })).statusCode).toBe(201);
    expect((await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: as(marketer), payload: { email: email('x'), name: 'X', role: 'viewer' } })).statusCode).toBe(403);
    expect((await server.app.inject({ method: 'POST', url: '/api/v1/promotions', headers: as(agent), payload: { name: 'X', reward: { type: 'percentage', percent: 10 } } })).statusCode).toBe(403);
    // The agent's change reaches the cart route (and fails there only for want of a real profile).
    const cart = await server.app.inject({ method: 'POST', url: '/api/v1/profiles/prf_missing/cart/lines', headers: as(agent), payload: { channelId: 'ch_x', sku: 'X', quantity: 1 } });
    expect(cart.statusCode).toBe(404);
  });

  it('disabling a user ends their sessions; the last admin cannot be demoted', async () => {
    const admin = await signIn(ADMIN.email, ADMIN.password);
    const invited = await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: as(admin), payload: { email: email('tam'), name: 'Tạm', role: 'agent' } });
    const { user, inviteToken } = invited.json<{ user: { id: string; workspaceId: string }; inviteToken: string }>();
    await server.app.inject({ method: 'POST', url: '/api/v1/invites/accept', payload: { token: inviteToken, password: 'tam-mat-khau-dai' } });
    const tam = await signIn(email('tam'), 'tam-mat-khau-dai');
    expect((await server.app.inject({ method: 'PATCH', url: `/api/v1/users/${user.id}`, headers: as(admin), payload: { status: 'disabled' } })).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/workspace', headers: as(tam, false) })).statusCode).toBe(401);
    const me = await server.app.inject({ method: 'GET', url: '/api/v1/session', headers: as(admin, false) });
    const adminId = me.json<{ user: { id: string } }>().user.id;
    const demote = await server.app.inject({ method: 'PATCH', url: `/api/v1/users/${adminId}`, headers: as(admin), payload: { role: 'viewer' } });
    expect(demote.statusCode).toBe(409);
  });

  it('an invite is for one workspace: its users see only that workspace', async () => {
    const other = await createTestWorkspace(server);
    const { inviteToken } = await inviteUser(server.db.orm, other.workspaceId, { email: email('khac'), name: 'Khác', role: 'admin' });
    await server.app.inject({ method: 'POST', url: '/api/v1/invites/accept', payload: { token: inviteToken, password: 'khac-mat-khau-dai' } });
    const s = await signIn(email('khac'), 'khac-mat-khau-dai');
    const me = await server.app.inject({ method: 'GET', url: '/api/v1/workspace', headers: as(s, false) });
    expect(me.json<{ id: string }>().id).toBe(other.workspaceId);
  });
});
