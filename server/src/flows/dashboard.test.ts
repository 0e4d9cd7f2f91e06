/**
 * The dashboard over a small shop with known events and orders on several channels and days:
 * exact counts per day and channel in the workspace's time zone (Asia/Ho_Chi_Minh, UTC+7),
 * cancelled orders left out, the multi-channel share, paths to a first order, the previous
 * period, and bad ranges refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, jsonClient, startTestServer, type TestServer, type TestWorkspace } from '../../test/helpers';
import { resolveRange, type Dashboard } from './dashboard';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ runWorkers: false });
});
afterAll(async () => server.close());

const { call, must } = jsonClient({
  get app() {
    return server.app;
  },
});

interface Shop {
  ws: TestWorkspace;
  web: string;
  pos: string;
  sku: string;
  keys: Record<string, { authorization: string }>;
}

/** Web, app and email sources; a web channel and a store (POS) channel; one product in stock. */
async function openShop(): Promise<Shop> {
  const ws = await createTestWorkspace(server);
  const app = await ws.addSource('app');
  const email = await ws.addSource('email');
  const id = async (url: string, body: unknown) => (await must<{ id: string }>(ws.admin, 'POST', url, body)).id;
  const warehouse = await id('/api/v1/locations', { name: 'Kho', kind: 'warehouse' });
  const store = await id('/api/v1/locations', { name: 'Cửa hàng Quận 1', kind: 'store' });
  const web = await id('/api/v1/channels', { name: 'Website', type: 'web', sourceId: ws.sourceId, locationIds: [warehouse] });
  const pos = await id('/api/v1/channels', { name: 'POS Quận 1', type: 'pos', locationIds: [store] });
  const sku = `TEE-${Math.random().toString(36).slice(2, 7).toUpperCase()}`;
  await id('/api/v1/products', { title: 'Áo thun', variants: [{ sku, price: 100000 }] });
  for (const locationId of [warehouse, store]) {
    await must(ws.admin, 'POST', '/api/v1/inventory/adjustments', { sku, locationId, count: 50, reason: 'stock_take' });
  }
  return { ws, web, pos, sku, keys: { web: ws.basic, app: app.basic, email: email.basic } };
}

async function track(shop: Shop, channel: 'web' | 'app' | 'email', userId: string, timestamp: string): Promise<void> {
  const body = await must<{ accepted?: number }>(shop.keys[channel]!, 'POST', '/v1/track', { userId, event: 'Product Viewed', timestamp });
  expect(body).toBeDefined();
}

async function order(shop: Shop, channelId: string, userId: string, placedAt: string, quantity: number): Promise<string> {
  const res = await must<{ id: string }>(shop.ws.admin, 'POST', '/api/v1/orders', {
    channelId,
    externalId: `ext-${userId}-${placedAt}`,
    customer: { userId },
    lines: [{ sku: shop.sku, quantity }],
    placedAt,
  });
  return res.id;
}

const dashboard = (shop: Shop, query: string) => must<Dashboard>(shop.ws.admin, 'GET', `/api/v1/dashboard${query}`);

describe('GET /api/v1/dashboard', () => {
  describe('when customers use several channels over a few days', () => {
    let shop: Shop;
    let result: Dashboard;
    beforeAll(async () => {
      shop = await openShop();
      // Range: 1–3 March 2026 in Asia/Ho_Chi_Minh (UTC+7). Previous period: 26–28 February.
      // A: web on 1 Mar, app on 2 Mar, then a first order on the web (2 × 100 000) on 2 Mar.
      await track(shop, 'web', 'a', '2026-03-01T02:00:00Z');
      await track(shop, 'app', 'a', '2026-03-02T03:00:00Z');
      await order(shop, shop.web, 'a', '2026-03-02T05:00:00Z', 2);
      // B: web at 00:30 local on 2 Mar (still 1 Mar in UTC); a store order on 3 Mar, cancelled.
      await track(shop, 'web', 'b', '2026-03-01T17:30:00Z');
      const cancelled = await order(shop, shop.pos, 'b', '2026-03-03T04:00:00Z', 1);
      await must(shop.ws.admin, 'POST', `/api/v1/orders/${cancelled}/transitions`, { to: 'cancelled' });
      // C: app in the previous period and again on 3 Mar.
      await track(shop, 'app', 'c', '2026-02-27T03:00:00Z');
      await track(shop, 'app', 'c', '2026-03-03T03:00:00Z');
      // D: web at 00:30 local on 1 Mar (28 Feb in UTC), then a first order in the store that morning.
      await track(shop, 'web', 'd', '2026-02-28T17:30:00Z');
      await order(shop, shop.pos, 'd', '2026-03-01T01:00:00Z', 1);
      // F: a first order in the previous period, a second one on 3 Mar (no path: not a first order).
      await order(shop, shop.web, 'f', '2026-02-27T05:00:00Z', 1);
      await order(shop, shop.web, 'f', '2026-03-03T05:00:00Z', 1);
      // E: 00:30 local on 4 Mar: after the range.
      await track(shop, 'web', 'e', '2026-03-03T17:30:00Z');
      result = await dashboard(shop, '?from=2026-03-01&to=2026-03-03');
    });

    it('answers the range, its days and the previous period in the workspace time zone', () => {
      expect(result).toMatchObject({ from: '2026-03-01', to: '2026-03-03', timeZone: 'Asia/Ho_Chi_Minh', currency: 'VND', hasEvents: true });
      expect(result.days).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
      expect(result.previous).toEqual({ from: '2026-02-26', to: '2026-02-28' });
    });

    it('counts customers and events per local day and channel (orders add identify + Order Completed on their channel)', () => {
      expect(result.activity).toEqual([
        { day: '2026-03-01', channel: 'pos', customers: 1, events: 2 },
        { day: '2026-03-01', channel: 'web', customers: 2, events: 2 },
        { day: '2026-03-02', channel: 'app', customers: 1, events: 1 },
        { day: '2026-03-02', channel: 'web', customers: 2, events: 3 },
        { day: '2026-03-03', channel: 'app', customers: 1, events: 1 },
        { day: '2026-03-03', channel: 'pos', customers: 1, events: 2 },
        { day: '2026-03-03', channel: 'web', customers: 1, events: 2 },
      ]);
      expect(result.activityChannels).toEqual([
        { channel: 'web', customers: 4, events: 7 },
        { channel: 'app', customers: 2, events: 2 },
        { channel: 'pos', customers: 2, events: 4 },
      ]);
    });

    it('counts orders and revenue per day and sales channel, leaving the cancelled order out', () => {
      expect(result.sales).toEqual([
        { day: '2026-03-01', channelId: shop.pos, orders: 1, revenue: 100000 },
        { day: '2026-03-02', channelId: shop.web, orders: 1, revenue: 200000 },
        { day: '2026-03-03', channelId: shop.web, orders: 1, revenue: 100000 },
      ]);
      expect(result.salesChannels).toEqual([
        { id: shop.web, name: 'Website', type: 'web', platform: null, orders: 2, revenue: 300000 },
        { id: shop.pos, name: 'POS Quận 1', type: 'pos', platform: null, orders: 1, revenue: 100000 },
      ]);
    });

    it('totals the range and the previous period, with the multi-channel share', () => {
      // Active: A (web, app), B (web, pos), C (app), D (web, pos), F (web); new: A, B, D.
      expect(result.totals).toEqual({
        customers: 5,
        newCustomers: 3,
        events: 13,
        orders: 3,
        revenue: 400000,
        buyers: 3,
        multiChannelCustomers: 3,
        multiChannelShare: 0.6,
      });
      // Before: C (app) and F (its first order on the web: identify + Order Completed).
      expect(result.previousTotals).toEqual({
        customers: 2,
        newCustomers: 2,
        events: 3,
        orders: 1,
        revenue: 100000,
        buyers: 1,
        multiChannelCustomers: 0,
        multiChannelShare: 0,
      });
    });

    it('groups the paths of customers whose first order falls in the range', () => {
      expect(result.topPaths).toEqual({
        buyers: 2,
        paths: [
          // A: web (1 Mar 02:00Z) → app → web order (2 Mar 05:00Z): 27 hours.
          { steps: ['web', 'app', 'web'], customers: 1, medianDays: 1.1 },
          // D: web (28 Feb 17:30Z) → store order (1 Mar 01:00Z): 7.5 hours.
          { steps: ['web', 'pos'], customers: 1, medianDays: 0.3 },
        ],
      });
    });

    it('defaults to the last 30 days up to today', async () => {
      const d = await dashboard(shop, '');
      expect(d.days).toHaveLength(30);
      expect(d.to).toBe(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date()));
      expect(d.days[0]).toBe(d.from);
    });
  });

  describe('when a web visitor turns out to be a store customer', () => {
    it('counts the merged profiles as one customer on both channels, with one path', async () => {
      const shop = await openShop();
      const send = (type: string, body: Record<string, unknown>) => must(shop.keys.web!, 'POST', `/v1/${type}`, body);
      // 1 Mar: a visitor signs up on the website (email); 2 Mar: a store sale to a phone number (another profile).
      await send('identify', { anonymousId: 'v1', traits: { email: 'lan@example.vn' }, timestamp: '2026-03-01T02:00:00Z' });
      await must(shop.ws.admin, 'POST', '/api/v1/orders', {
        channelId: shop.pos,
        externalId: 'pos-lan',
        customer: { phone: '0912000111' },
        lines: [{ sku: shop.sku, quantity: 1 }],
        placedAt: '2026-03-02T05:00:00Z',
      });
      const before = await dashboard(shop, '?from=2026-03-01&to=2026-03-03');
      expect(before.totals).toMatchObject({ customers: 2, multiChannelCustomers: 0 });
      // Later that day she gives the website her phone: the two profiles merge.
      await send('identify', { anonymousId: 'v1', traits: { email: 'lan@example.vn', phone: '0912000111' }, timestamp: '2026-03-02T06:00:00Z' });

      const after = await dashboard(shop, '?from=2026-03-01&to=2026-03-03');
      expect(after.totals).toMatchObject({ customers: 1, newCustomers: 1, multiChannelCustomers: 1, multiChannelShare: 1, buyers: 1, orders: 1 });
      expect(after.topPaths.buyers).toBe(1);
      expect(after.topPaths.paths.map((p) => p.steps)).toEqual([['web', 'pos']]);
    });
  });

  describe('when a shop’s backend signs a customer in', () => {
    it('does not count its identify (channel server) as a touchpoint', async () => {
      const shop = await openShop();
      const today = new Date().toISOString();
      await must(shop.keys.web!, 'POST', '/v1/track', { anonymousId: 'g1', event: 'Product Viewed', timestamp: today });
      // The shop's backend mints a customer token at sign-in, joining the guest: an identify on channel `server`.
      await must(shop.ws.admin, 'POST', '/api/v1/customer-tokens', { userId: 'khoa', anonymousId: 'g1' });
      await must(shop.ws.admin, 'POST', '/api/v1/orders', { channelId: shop.pos, externalId: 'pos-khoa', customer: { userId: 'khoa' }, lines: [{ sku: shop.sku, quantity: 1 }] });
      const d = await dashboard(shop, '');
      expect(d.activityChannels.map((c) => c.channel).sort()).toEqual(['pos', 'web']);
      expect(d.topPaths.paths.map((p) => p.steps)).toEqual([['web', 'pos']]);
      expect(d.totals).toMatchObject({ customers: 1, multiChannelCustomers: 1 });
    });
  });

  describe('when paths are long or shared', () => {
    it('keeps the first touch and the last three steps, and takes the median over customers', async () => {
      const shop = await openShop();
      // G: web → app → email → web → store order: five steps, kept as web … email → web → pos.
      await track(shop, 'web', 'g', '2026-05-01T01:00:00Z');
      await track(shop, 'app', 'g', '2026-05-01T02:00:00Z');
      await track(shop, 'app', 'g', '2026-05-01T02:30:00Z');
      await track(shop, 'email', 'g', '2026-05-02T01:00:00Z');
      await track(shop, 'web', 'g', '2026-05-03T01:00:00Z');
      await order(shop, shop.pos, 'g', '2026-05-05T01:00:00Z', 1);
      // H, I, J: web → web order after 1, 2 and 6 days: median 2.
      for (const [user, days] of [['h', 1], ['i', 2], ['j', 6]] as const) {
        await track(shop, 'web', user, '2026-05-01T03:00:00Z');
        await order(shop, shop.web, user, new Date(Date.parse('2026-05-01T03:00:00Z') + days * 86_400_000).toISOString(), 1);
      }
      const d = await dashboard(shop, '?from=2026-05-01&to=2026-05-31');
      expect(d.topPaths).toEqual({
        buyers: 4,
        paths: [
          { steps: ['web'], customers: 3, medianDays: 2 },
          { steps: ['web', 'email', 'web', 'pos'], customers: 1, medianDays: 4 },
        ],
      });
    });
  });

  describe('when the workspace has no data', () => {
    it('answers zeros and hasEvents false', async () => {
      const ws = await createTestWorkspace(server);
      const d = await must<Dashboard>(ws.admin, 'GET', '/api/v1/dashboard?from=2026-01-01&to=2026-01-07');
      expect(d.hasEvents).toBe(false);
      expect(d.totals).toEqual({ customers: 0, newCustomers: 0, events: 0, orders: 0, revenue: 0, buyers: 0, multiChannelCustomers: 0, multiChannelShare: 0 });
      expect(d.activity).toEqual([]);
      expect(d.topPaths).toEqual({ buyers: 0, paths: [] });
    });
  });

  describe('when the range is bad', () => {
    let ws: TestWorkspace;
    beforeAll(async () => {
      ws = await createTestWorkspace(server);
    });
    const cases: [string, string, string][] = [
      ['to before from', '?from=2026-03-05&to=2026-03-01', 'to'],
      ['longer than 366 days', '?from=2025-01-01&to=2026-03-01', 'from'],
      ['not a calendar day', '?from=2026-02-30&to=2026-03-01', 'from'],
    ];
    it.each(cases)('refuses %s with 400 naming the field', async (_, query, field) => {
      const res = await call<{ error: { code: string; message: string; field: string } }>(ws.admin, 'GET', `/api/v1/dashboard${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_field', field });
      expect(res.body.error.message).toContain(field);
    });

    it('refuses a day not written YYYY-MM-DD', async () => {
      const res = await call<{ error: { code: string; message: string } }>(ws.admin, 'GET', '/api/v1/dashboard?to=3/1/2026');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.message).toContain('querystring.to');
    });

    it('accepts exactly 366 days', async () => {
      const res = await call<Dashboard>(ws.admin, 'GET', '/api/v1/dashboard?from=2025-03-01&to=2026-03-01');
      expect(res.status).toBe(200);
      expect(res.body.days).toHaveLength(366);
    });

    it('needs the admin token', async () => {
      const res = await call(ws.basic, 'GET', '/api/v1/dashboard');
      expect(res.status).toBe(401);
    });
  });
});

describe('resolveRange', () => {
  it('takes today in the time zone as the default end', () => {
    // 18:00 UTC on 31 Dec is already 1 Jan in Ho Chi Minh City.
    const r = resolveRange({}, 'Asia/Ho_Chi_Minh', new Date('2025-12-31T18:00:00Z'));
    expect(r).toMatchObject({ from: '2025-12-03', to: '2026-01-01', previous: { from: '2025-11-03', to: '2025-12-02' } });
  });
});
