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
import { createSource } from './modules/workspaces';

type Server = Awaited<ReturnType<typeof startFreshServer>>;

/** A server over a database of its own (its first workspace is the bootstrap one). */
const startServer = (overrides: Partial<Config> = {}): Promise<Server> => startFreshServer({ runWorkers: false, ...overrides });

interface DemoConfig {
  writeKey: string;
  currency: string;
  customers: { profileId: string; name: string | null; email: string | null; tier: string | null }[];
}
interface Cart {
  profileId: string | null;
  lines: { sku: string; quantity: number }[];
}
type ErrorBody = { error: { code: string; message: string } };

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
      const config = await must<DemoConfig>({}, 'GET', '/demo/v1/config');
      const key = { 'x-omni-write-key': config.writeKey };
      const anonymousId = `browser-${Math.random().toString(36).slice(2)}`;
      await must({ ...key, 'x-omni-anonymous-id': anonymousId }, 'POST', '/store/v1/cart/lines', { sku: 'KCN-SPF50', quantity: 2 });
      const picked = config.customers[0]!;
      const res = await call<{ token: string; customer: { profileId: string; email: string } }>({}, 'POST', '/demo/v1/sign-in', { email: picked.email, anonymousId });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.customer).toMatchObject({ profileId: picked.profileId, email: picked.email });
      const cart = await must<Cart>({ ...key, 'x-omni-customer-token': res.body.token }, 'GET', '/store/v1/cart');
      expect(cart.lines).toEqual([expect.objectContaining({ sku: 'KCN-SPF50', quantity: 2 })]);
      // The customer's own profile holds the cart (the admin API sees it there too).
      const again = await call<{ token: string }>({}, 'POST', '/demo/v1/sign-in', { email: picked.email!.toUpperCase() });
      expect(again.status).toBe(200);
      expect((await must<Cart>({ ...key, 'x-omni-customer-token': again.body.token }, 'GET', '/store/v1/cart')).lines).toHaveLength(1);
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
