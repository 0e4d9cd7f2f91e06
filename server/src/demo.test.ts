/**
 * The demo endpoints: the store page's config and the demo sign-in, which mints a customer token
 * from an email alone and so must answer only in the demo workspace, only for demo customers,
 * only while the demo is on. The demo workspace is the first one (as the server seeds it), so
 * each case here gets a database of its own: a PGlite copy or a new PostgreSQL database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from './flows/demo-seed';
import type { Config } from './config';
import { basicAuth, jsonClient, startFreshServer } from '../test/helpers';
import crypto from 'node:crypto';
import { createSource } from './modules/workspaces';
import { getProfile, lookupProfile } from './modules/profiles';
import { demoGuestAnonymousId } from './demo';

type Server = Awaited<ReturnType<typeof startFreshServer>>;

/** A server over a database of its own (its first workspace is the bootstrap one). */
const startServer = (overrides: Partial<Config> = {}): Promise<Server> => startFreshServer({ runWorkers: false, ...overrides });

interface DemoConfig {
  writeKey: string;
  currency: string;
  customers: { profileId: string; name: string | null; email: string | null; tier: string | null }[];
  anonymousId: string;
}
interface Cart {
  profileId: string | null;
  lines: { sku: string; quantity: number }[];
}
type ErrorBody = { error: { code: string; message: string } };
interface SignedIn {
  token: string;
  customer: { profileId: string; email: string };
  guestJoined: boolean;
}

/** A browser on the demo page: its cookie jar (the guest cookie) and its guest's anonymous id. */
interface Browser {
  cookie: string;
  anonymousId: string;
  config: DemoConfig;
}

/** Open the demo page as a browser would: the config answers with this browser's guest and its cookie. */
async function openPage(server: Server, cookie = ''): Promise<Browser> {
  const res = await server.app.inject({ method: 'GET', url: '/demo/v1/config', headers: cookie ? { cookie } : {} });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['cache-control']).toBe('no-store');
  const setCookie = res.headers['set-cookie'];
  const config = res.json<DemoConfig>();
  return { cookie: setCookie ? String(setCookie).split(';')[0]! : cookie, anonymousId: config.anonymousId, config };
}

describe('demo endpoints', () => {
  describe('when the demo seed filled the first workspace', () => {
    let server: Server;
    const client = () => jsonClient(server);
    beforeAll(async () => {
      server = await startServer();
      await seedDemo(server.app, server.db, server.workspaceId, { customers: 12 });
    }, 120_000);
    afterAll(async () => server?.close());

    it('config gives the Website write key, which lists the demo catalog, and demo customers to pick', async () => {
      const config = await client().must<DemoConfig>({}, 'GET', '/demo/v1/config');
      expect(config.currency).toBe('VND');
      expect(config.customers.length).toBeGreaterThanOrEqual(3);
      expect(config.customers.every((c) => c.email?.endsWith('@example.vn') && c.name)).toBe(true);
      const products = await client().must<{ data: { variants: { sku: string }[] }[] }>({ 'x-omni-write-key': config.writeKey }, 'GET', '/store/v1/products?limit=100');
      expect(products.data.flatMap((p) => p.variants.map((v) => v.sku))).toContain('KCN-SPF50');
    });

    it("sign-in mints a token that opens the customer's cart, with the guest's lines joined", async () => {
      const { call, must } = client();
      const browser = await openPage(server);
      expect(browser.cookie).toMatch(/^omni_demo_guest=dg_\w+$/);
      expect(browser.anonymousId).toMatch(/^demo-guest-[0-9a-f]{32}$/);
      const key = { 'x-omni-write-key': browser.config.writeKey };
      await must({ ...key, 'x-omni-anonymous-id': browser.anonymousId }, 'POST', '/store/v1/cart/lines', { sku: 'KCN-SPF50', quantity: 2 });
      const picked = browser.config.customers[0]!;
      const res = await call<SignedIn>({ cookie: browser.cookie }, 'POST', '/demo/v1/sign-in', { email: picked.email, anonymousId: browser.anonymousId });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ customer: { profileId: picked.profileId, email: picked.email }, guestJoined: true });
      const cart = await must<Cart>({ ...key, 'x-omni-customer-token': res.body.token }, 'GET', '/store/v1/cart');
      expect(cart.lines).toEqual([expect.objectContaining({ sku: 'KCN-SPF50', quantity: 2 })]);
      // The customer's own profile holds the cart (the admin API sees it there too).
      const again = await call<SignedIn>({}, 'POST', '/demo/v1/sign-in', { email: picked.email!.toUpperCase() });
      expect(again.status).toBe(200);
      expect(again.body.guestJoined).toBe(false);
      expect((await must<Cart>({ ...key, 'x-omni-customer-token': again.body.token }, 'GET', '/store/v1/cart')).lines).toHaveLength(1);
    });

    it('keeps a browser its guest across visits, and gives it a new one after sign-out', async () => {
      const first = await openPage(server);
      const again = await openPage(server, first.cookie);
      expect(again.anonymousId).toBe(first.anonymousId);
      // Another browser is another guest; a cookie that is no guest secret gets a new one.
      expect((await openPage(server)).anonymousId).not.toBe(first.anonymousId);
      const forged = await openPage(server, 'omni_demo_guest=demo-guest-whatever');
      expect(forged.cookie).toMatch(/^omni_demo_guest=dg_/);
      expect(forged.anonymousId).not.toBe(first.anonymousId);
      const out = await server.app.inject({ method: 'POST', url: '/demo/v1/sign-out', headers: { cookie: first.cookie } });
      expect(out.statusCode).toBe(204);
      expect(String(out.headers['set-cookie'])).toMatch(/^omni_demo_guest=; Path=\/demo\/v1; HttpOnly; SameSite=Strict; Max-Age=0/);
      const next = await openPage(server);
      expect(next.anonymousId).not.toBe(first.anonymousId);
    });

    it("joins no guest but the browser's own: a visitor's anonymous id seen elsewhere stays theirs", async () => {
      const { call, must } = client();
      // A visitor's guest cart under their anonymous id…
      const victim = await openPage(server);
      const key = { 'x-omni-write-key': victim.config.writeKey };
      const asVictim = { ...key, 'x-omni-anonymous-id': victim.anonymousId };
      await must(asVictim, 'POST', '/store/v1/cart/lines', { sku: 'KCN-SPF50', quantity: 1 });
      // …which an attacker saw (a shared link, a log) and names at sign-in, with their own guest's cookie or none.
      const attacker = await openPage(server);
      const customer = attacker.config.customers[2]!;
      for (const cookie of [attacker.cookie, '']) {
        const res = await call<SignedIn>(cookie ? { cookie } : {}, 'POST', '/demo/v1/sign-in', { email: customer.email, anonymousId: victim.anonymousId });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.guestJoined).toBe(false);
        const cart = await must<Cart>({ ...key, 'x-omni-customer-token': res.body.token }, 'GET', '/store/v1/cart');
        expect(cart.lines).toEqual([]);
      }
      // An anonymous id the page never issued (an SDK-made UUID) does not join either.
      const sdkMade = crypto.randomUUID();
      await must({ ...key, 'x-omni-anonymous-id': sdkMade }, 'POST', '/store/v1/cart/lines', { sku: 'KCN-SPF50', quantity: 3 });
      const bySdkId = await call<SignedIn>({}, 'POST', '/demo/v1/sign-in', { email: customer.email, anonymousId: sdkMade });
      expect(bySdkId.body.guestJoined).toBe(false);
      // The visitor's guest and cart are untouched: still theirs, still a guest's.
      const still = await must<Cart>(asVictim, 'GET', '/store/v1/cart');
      expect(still.lines).toEqual([expect.objectContaining({ sku: 'KCN-SPF50', quantity: 1 })]);
      const profile = await lookupProfile(server.db.orm, { workspaceId: server.workspaceId, type: 'anonymous_id', value: victim.anonymousId, defaultCountry: 'VN' });
      expect(profile.identifiers.map((i) => i.type)).toEqual(['anonymous_id']);
    });

    it('joins a guest once: the same browser signing in as someone else does not tie two customers', async () => {
      const { call, must } = client();
      const browser = await openPage(server);
      const key = { 'x-omni-write-key': browser.config.writeKey };
      await must({ ...key, 'x-omni-anonymous-id': browser.anonymousId }, 'POST', '/store/v1/cart/lines', { sku: 'KCN-SPF50', quantity: 1 });
      const [a, b] = [browser.config.customers[1]!, browser.config.customers[3]!];
      const first = await call<SignedIn>({ cookie: browser.cookie }, 'POST', '/demo/v1/sign-in', { email: a.email, anonymousId: browser.anonymousId });
      expect(first.body.guestJoined).toBe(true);
      const second = await call<SignedIn>({ cookie: browser.cookie }, 'POST', '/demo/v1/sign-in', { email: b.email, anonymousId: browser.anonymousId });
      expect(second.status).toBe(200);
      expect(second.body.guestJoined).toBe(false);
      expect(second.body.customer.profileId).toBe(b.profileId);
      const profileB = await getProfile(server.db.orm, server.workspaceId, b.profileId);
      expect(profileB.id).toBe(b.profileId);
      expect(profileB.identifiers.map((i) => i.value)).not.toContain(browser.anonymousId);
    });

    it('derives the guest from the secret and the workspace', () => {
      const secret = 'dg_' + 'A'.repeat(32);
      expect(demoGuestAnonymousId('ws_a', secret)).toBe(demoGuestAnonymousId('ws_a', secret));
      expect(demoGuestAnonymousId('ws_a', secret)).not.toBe(demoGuestAnonymousId('ws_b', secret));
      expect(demoGuestAnonymousId('ws_a', secret)).not.toContain(secret.slice(3));
    });

    it('signs in by phone too', async () => {
      const { must } = client();
      const config = await must<DemoConfig>({}, 'GET', '/demo/v1/config');
      const phone = (await must<{ customer: { phone: string } }>({}, 'POST', '/demo/v1/sign-in', { email: config.customers[1]!.email })).customer.phone;
      const byPhone = await must<{ customer: { profileId: string } }>({}, 'POST', '/demo/v1/sign-in', { phone: phone.replace('+84', '0') });
      expect(byPhone.customer.profileId).toBe(config.customers[1]!.profileId);
    });

    it('refuses emails off the demo domain, and people the demo did not make', async () => {
      const { call, must } = client();
      const config = await must<DemoConfig>({}, 'GET', '/demo/v1/config');
      expect((await call<ErrorBody>({}, 'POST', '/demo/v1/sign-in', { email: 'admin@demo.vn' })).status).toBe(403);
      // Someone who identified with a demo-looking email through the public tracking API.
      await must(basicAuth(config.writeKey), 'POST', '/v1/identify', { userId: 'stranger-1', traits: { email: 'stranger@example.vn' } });
      const stranger = await call<ErrorBody>({}, 'POST', '/demo/v1/sign-in', { email: 'stranger@example.vn' });
      expect(stranger.status).toBe(403);
      expect(stranger.body.error.code).toBe('forbidden');
      expect((await call<ErrorBody>({}, 'POST', '/demo/v1/sign-in', { email: 'khach999@example.vn' })).status).toBe(404);
    });

    it('refuses a real customer someone tied to a demo anonymous id through the public API', async () => {
      const { call, must } = client();
      const config = await must<DemoConfig>({}, 'GET', '/demo/v1/config');
      const key = basicAuth(config.writeKey);
      // A shopper of the real shop, known by phone only (e.g. from the counter)…
      await must(key, 'POST', '/v1/identify', { userId: 'that-real-shopper', traits: { phone: '0987654321' } });
      // …whom an attacker joins to a demo anonymous id, hoping to sign in as them.
      await must(key, 'POST', '/v1/identify', { anonymousId: 'demo-anon-9999', traits: { phone: '0987654321' } });
      const res = await call<ErrorBody>({}, 'POST', '/demo/v1/sign-in', { phone: '0987654321' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    });

    it('bad input: 400 with what is wrong', async () => {
      const { call } = client();
      for (const body of [{}, { email: 'khach1@example.vn', phone: '0912345678' }, { email: 5 }, { email: 'khach1@example.vn', extra: true }]) {
        const res = await call<ErrorBody>({}, 'POST', '/demo/v1/sign-in', body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error.code).toBe('validation_failed');
      }
    });

    it('serves the store page, built on the browser SDK', async () => {
      const res = await server.app.inject({ method: 'GET', url: '/demo/store' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('/sdk/omni.js');
      expect((await server.app.inject({ method: 'GET', url: '/demo/store/store.js' })).statusCode).toBe(200);
    });
  });

  describe('when the first workspace is not the demo', () => {
    it('config and sign-in answer 404, even for a demo-looking customer', async () => {
      const server = await startServer();
      try {
        const { call, must } = jsonClient(server);
        expect((await call<ErrorBody>({}, 'GET', '/demo/v1/config')).status).toBe(404);
        // A customer with a demo-looking email and anonymous id in a real shop: never signed in by the demo.
        const { writeKey } = await createSource(server.db.orm, { workspaceId: server.workspaceId, name: 'Web', channel: 'web' });
        await must(basicAuth(writeKey), 'POST', '/v1/identify', { anonymousId: 'demo-anon-1', traits: { email: 'khach1@example.vn' } });
        expect((await call<ErrorBody>({}, 'POST', '/demo/v1/sign-in', { email: 'khach1@example.vn' })).status).toBe(404);
      } finally {
        await server.close();
      }
    });
  });

  describe('when the demo is off', () => {
    it('the demo paths do not exist (404)', async () => {
      const server = await startServer({ demo: false });
      try {
        await seedDemo(server.app, server.db, server.workspaceId, { customers: 3 });
        const { call } = jsonClient(server);
        expect((await call<ErrorBody>({}, 'GET', '/demo/v1/config')).status).toBe(404);
        expect((await call<ErrorBody>({}, 'POST', '/demo/v1/sign-in', { email: 'khach1@example.vn' })).status).toBe(404);
        expect((await server.app.inject({ method: 'GET', url: '/demo/store' })).statusCode).toBe(404);
      } finally {
        await server.close();
      }
    }, 60_000);
  });
});
