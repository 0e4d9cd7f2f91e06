import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, startTestServer, type TestServer, type TestWorkspace } from '../../test/helpers';
import { IngestWriter, type WriteResult } from '../modules/ingest';
import { expireReservations } from '../modules/inventory';
import { placeOrder } from './place-order';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ runWorkers: false });
});
afterAll(async () => server.close());

interface Shop {
  ws: TestWorkspace;
  warehouse: string;
  store: string;
  web: string;
  shopee: string;
  pos: string;
  sku: string;
}

async function call<T = Record<string, unknown>>(ws: TestWorkspace, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) {
  const res = await server.app.inject({ method, url, headers: ws.admin, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  return { status: res.statusCode, body: res.json<T>() };
}

async function created(ws: TestWorkspace, url: string, payload: unknown): Promise<string> {
  const res = await call<{ id: string }>(ws, 'POST', url, payload);
  if (res.status !== 201) throw new Error(`${url} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** A shop: a warehouse (web + Shopee with 2 units of safety stock) and a store (POS). */
async function openShop(stock: { warehouse: number; store: number }): Promise<Shop> {
  const ws = await createTestWorkspace(server);
  const warehouse = await created(ws, '/api/v1/locations', { name: 'Kho Thủ Đức', kind: 'warehouse', city: 'TP.HCM' });
  const store = await created(ws, '/api/v1/locations', { name: 'Cửa hàng Quận 1', kind: 'store', city: 'TP.HCM' });
  const web = await created(ws, '/api/v1/channels', { name: 'Website', type: 'web', locationIds: [warehouse, store] });
  const shopee = await created(ws, '/api/v1/channels', {
    name: 'Shopee',
    type: 'marketplace',
    platform: 'shopee',
    allocation: { mode: 'safety_stock', value: 2 },
    locationIds: [warehouse],
  });
  const pos = await created(ws, '/api/v1/channels', { name: 'POS Quận 1', type: 'pos', locationIds: [store] });
  const sku = `AO-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
  await created(ws, '/api/v1/products', { title: 'Áo thun cotton', variants: [{ sku, title: 'Trắng / M', price: 150000 }] });
  for (const [locationId, count] of [[warehouse, stock.warehouse], [store, stock.store]] as const) {
    const res = await call(ws, 'POST', '/api/v1/inventory/adjustments', { sku, locationId, count, reason: 'stock_take' });
    if (res.status !== 200) throw new Error(`adjust → ${res.status} ${JSON.stringify(res.body)}`);
  }
  return { ws, warehouse, store, web, shopee, pos, sku };
}

interface Availability {
  onHand: number;
  reserved: number;
  available: number;
  locations: { locationId: string; onHand: number; reserved: number; available: number }[];
  channels: { channelId: string; available: number }[];
}

const availability = async (shop: Shop) => (await call<Availability>(shop.ws, 'GET', `/api/v1/inventory/${shop.sku}`)).body;
const at = (a: Availability, locationId: string) => a.locations.find((l) => l.locationId === locationId);
const forChannel = (a: Availability, channelId: string) => a.channels.find((c) => c.channelId === channelId)?.available;

let receipt = 0;
const order = (shop: Shop, body: Record<string, unknown>) =>
  call<Record<string, unknown> & { id: string; error?: Record<string, unknown> }>(shop.ws, 'POST', '/api/v1/orders', {
    externalId: `R-${++receipt}-${Date.now()}`,
    ...body,
  });

describe('GET /api/v1/inventory/:sku', () => {
  it('shows stock per location and what each channel may sell under its allocation rule', async () => {
    const shop = await openShop({ warehouse: 10, store: 4 });
    const a = await availability(shop);
    expect(a).toMatchObject({ onHand: 14, reserved: 0, available: 14 });
    expect(at(a, shop.warehouse)).toMatchObject({ onHand: 10, available: 10 });
    expect(forChannel(a, shop.web)).toBe(14);
    expect(forChannel(a, shop.shopee)).toBe(8); // 10 − 2 safety stock
    expect(forChannel(a, shop.pos)).toBe(4);
  });

  describe('when the SKU is unknown', () => {
    it('answers 400 unknown_sku', async () => {
      const shop = await openShop({ warehouse: 1, store: 0 });
      const res = await call(shop.ws, 'GET', '/api/v1/inventory/NOPE-1');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'unknown_sku', skus: ['NOPE-1'] } });
    });
  });
});

describe('POST /api/v1/inventory/adjustments', () => {
  it('records every change with its reason and actor', async () => {
    const shop = await openShop({ warehouse: 5, store: 0 });
    const res = await call<Availability>(shop.ws, 'POST', '/api/v1/inventory/adjustments', { sku: shop.sku, locationId: shop.warehouse, delta: -1, reason: 'damaged', note: 'rách' });
    expect(res.status).toBe(200);
    expect(at(res.body, shop.warehouse)?.onHand).toBe(4);
    const trail = await call<{ data: { reason: string; onHandDelta: number; onHandAfter: number; actor: string; note: string | null }[] }>(
      shop.ws,
      'GET',
      `/api/v1/inventory/${shop.sku}/adjustments`,
    );
    expect(trail.body.data[0]).toMatchObject({ reason: 'damaged', onHandDelta: -1, onHandAfter: 4, note: 'rách' });
    expect(trail.body.data[0]?.actor).toMatch(/^token:/);
    expect(trail.body.data.map((d) => d.reason)).toContain('stock_take');
  });

  describe('when it would take on hand below zero', () => {
    it('answers 409 and changes nothing', async () => {
      const shop = await openShop({ warehouse: 2, store: 0 });
      const res = await call(shop.ws, 'POST', '/api/v1/inventory/adjustments', { sku: shop.sku, locationId: shop.warehouse, delta: -3, reason: 'correction' });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ error: { code: 'insufficient_stock', onHand: 2 } });
      expect(at(await availability(shop), shop.warehouse)?.onHand).toBe(2);
    });
  });

  describe('when both delta and count are given', () => {
    it('answers 400', async () => {
      const shop = await openShop({ warehouse: 2, store: 0 });
      const res = await call(shop.ws, 'POST', '/api/v1/inventory/adjustments', { sku: shop.sku, locationId: shop.warehouse, delta: 1, count: 3, reason: 'correction' });
      expect(res.status).toBe(400);
    });
  });
});

describe('POST /api/v1/orders', () => {
  describe('when a POS sale names the phone a web visitor gave', () => {
    it('lands on the web visitor’s profile, takes stock from the store and updates the customer’s facts', async () => {
      const shop = await openShop({ warehouse: 10, store: 4 });
      const identify = await server.app.inject({
        method: 'POST',
        url: '/v1/identify',
        headers: shop.ws.basic,
        payload: { anonymousId: 'web-visitor-1', traits: { phone: '0912 345 678', name: 'Nguyễn Văn An' } },
      });
      expect(identify.statusCode).toBe(200);
      const visitor = await call<{ id: string }>(shop.ws, 'GET', '/api/v1/profiles/lookup?type=anonymous_id&value=web-visitor-1');

      const res = await order(shop, { channelId: shop.pos, customer: { phone: '+84912345678' }, lines: [{ sku: shop.sku, quantity: 2 }], status: 'paid' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ profileId: visitor.body.id, channelType: 'pos', storeLocationId: shop.store, status: 'paid', total: 300000, currency: 'VND' });
      expect(at(await availability(shop), shop.store)?.onHand).toBe(2);
      expect(at(await availability(shop), shop.warehouse)?.onHand).toBe(10);

      const timeline = await call<{ data: { event: string | null; channel: string; properties: Record<string, unknown> }[] }>(
        shop.ws,
        'GET',
        `/api/v1/profiles/${visitor.body.id}/events?type=track`,
      );
      expect(timeline.body.data[0]).toMatchObject({ event: 'Order Completed', channel: 'pos', properties: { order_id: res.body.id, total: 300000 } });

      const orders = await call<{ data: { id: string }[] }>(shop.ws, 'GET', `/api/v1/profiles/${visitor.body.id}/orders`);
      expect(orders.body.data.map((o) => o.id)).toEqual([res.body.id]);
      const facts = await call(shop.ws, 'GET', `/api/v1/profiles/${visitor.body.id}/commerce`);
      expect(facts.body).toMatchObject({ totalSpent: 300000, orderCount: 1, lastStoreLocationId: shop.store, byChannel: { [shop.pos]: { orders: 1, spent: 300000 } } });
    });
  });

  describe('when the channel repeats an external id', () => {
    it('returns the first order with 200 and takes no more stock', async () => {
      const shop = await openShop({ warehouse: 10, store: 0 });
      const body = { channelId: shop.web, externalId: 'WEB-1001', customer: { email: 'an@example.vn' }, lines: [{ sku: shop.sku, quantity: 3 }] };
      const first = await call<{ id: string }>(shop.ws, 'POST', '/api/v1/orders', body);
      const again = await call<{ id: string }>(shop.ws, 'POST', '/api/v1/orders', body);
      expect(first.status).toBe(201);
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);
      expect((await availability(shop)).onHand).toBe(7);
    });
  });

  describe('when concurrent repeats of one external id race', () => {
    it('creates one order and takes the stock once', async () => {
      const shop = await openShop({ warehouse: 10, store: 0 });
      const body = { channelId: shop.web, externalId: 'WEB-RACE', lines: [{ sku: shop.sku, quantity: 1 }] };
      const results = await Promise.all(Array.from({ length: 8 }, () => call<{ id: string }>(shop.ws, 'POST', '/api/v1/orders', body)));
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect((await availability(shop)).onHand).toBe(9);
    });
  });

  describe('when concurrent repeats of one external id race for the last unit', () => {
    it('answers every repeat with the one order, and nothing stays held', async () => {
      const shop = await openShop({ warehouse: 1, store: 0 });
      const body = { channelId: shop.web, externalId: 'WEB-LAST', customer: { phone: '0903 000 003' }, lines: [{ sku: shop.sku, quantity: 1 }] };
      const results = await Promise.all(Array.from({ length: 6 }, () => call<{ id: string }>(shop.ws, 'POST', '/api/v1/orders', body)));
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(await availability(shop)).toMatchObject({ onHand: 0, reserved: 0 });
    });
  });

  describe('when the stock is gone', () => {
    it('refuses at once and leaves nothing behind: no hold, no customer, no order', async () => {
      const shop = await openShop({ warehouse: 1, store: 0 });
      const sold = await order(shop, { channelId: shop.web, customer: { phone: '0903 000 001' }, lines: [{ sku: shop.sku, quantity: 1 }] });
      expect(sold.status).toBe(201);
      const refused = await order(shop, { channelId: shop.web, externalId: 'WEB-LATE', customer: { phone: '0903 000 002' }, lines: [{ sku: shop.sku, quantity: 1 }] });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ error: { code: 'insufficient_stock', sku: shop.sku, requested: 1, available: 0 } });

      const lookup = (phone: string) => call(shop.ws, 'GET', `/api/v1/profiles/lookup?type=phone&value=${encodeURIComponent(phone)}`);
      expect((await lookup('0903000001')).status).toBe(200);
      expect((await lookup('0903000002')).status).toBe(404);
      const orders = await call<{ data: { id: string }[] }>(shop.ws, 'GET', `/api/v1/orders?channelId=${shop.web}`);
      expect(orders.body.data.map((o) => o.id)).toEqual([sold.body.id]);
      const held = await call<{ data: unknown[] }>(shop.ws, 'GET', `/api/v1/reservations/${encodeURIComponent(`order:${shop.web}:WEB-LATE`)}`);
      expect(held.body.data).toEqual([]);
      const trail = await call<{ data: { reason: string }[] }>(shop.ws, 'GET', `/api/v1/inventory/${shop.sku}/adjustments`);
      expect(trail.body.data.filter((d) => d.reason === 'reservation')).toHaveLength(1); // the sale's own hold
      expect(await availability(shop)).toMatchObject({ onHand: 0, reserved: 0 });
    });
  });

  describe('when listing orders by the days they were placed', () => {
    it('keeps the days of the range in the workspace time zone (Asia/Ho_Chi_Minh), inclusive', async () => {
      const shop = await openShop({ warehouse: 10, store: 0 });
      const place = async (externalId: string, placedAt: string) =>
        (await order(shop, { channelId: shop.web, externalId, customer: { phone: '0903 000 111' }, lines: [{ sku: shop.sku, quantity: 1 }], placedAt })).body.id;
      const before = await place('D-1', '2026-03-01T16:59:00Z'); // 23:59 on 1 March, local
      const first = await place('D-2', '2026-03-01T17:00:00Z'); // 00:00 on 2 March, local
      const last = await place('D-3', '2026-03-03T16:30:00Z'); // 23:30 on 3 March, local
      const after = await place('D-4', '2026-03-03T17:00:00Z'); // 00:00 on 4 March, local
      const ids = async (q: string) => (await call<{ data: { id: string }[] }>(shop.ws, 'GET', `/api/v1/orders?${q}`)).body.data.map((o) => o.id);
      expect(await ids('from=2026-03-02&to=2026-03-03')).toEqual([last, first]);
      expect(await ids('from=2026-03-04')).toEqual([after]);
      expect(await ids('to=2026-03-01')).toEqual([before]);
    });

    it('answers 400 naming the field for a bad day or a range that ends before it starts', async () => {
      const shop = await openShop({ warehouse: 1, store: 0 });
      const bad = await call<{ error: { code: string; message: string } }>(shop.ws, 'GET', '/api/v1/orders?from=2026-13-01');
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('from');
      const backwards = await call<{ error: { code: string; field?: string } }>(shop.ws, 'GET', '/api/v1/orders?from=2026-03-05&to=2026-03-01');
      expect(backwards.status).toBe(400);
      expect(backwards.body.error).toMatchObject({ code: 'invalid_field', field: 'to' });
    });
  });

  describe('when something fails after the stock is held', () => {
    class FailingWriter extends IngestWriter {
      override writeResolved(): Promise<WriteResult[]> {
        return Promise.reject(new Error('identity store unavailable'));
      }
    }

    it('gives the units back, and the order can be placed again', async () => {
      const shop = await openShop({ warehouse: 2, store: 0 });
      const body = { channelId: shop.web, externalId: 'WEB-FAIL', customer: { phone: '0903 000 004' }, lines: [{ sku: shop.sku, quantity: 2 }] };
      const writer = new FailingWriter(server.db, server.ctx.log, 10);
      await expect(placeOrder({ ctx: server.ctx, writer }, { workspaceId: shop.ws.workspaceId, actor: 'test', body })).rejects.toThrow('identity store unavailable');
      expect(await availability(shop)).toMatchObject({ onHand: 2, reserved: 0, available: 2 });
      const trail = await call<{ data: { reason: string; reservedDelta: number }[] }>(shop.ws, 'GET', `/api/v1/inventory/${shop.sku}/adjustments`);
      expect(trail.body.data.slice(0, 2).map((d) => [d.reason, d.reservedDelta])).toEqual([['release', -2], ['reservation', 2]]);

      const again = await call(shop.ws, 'POST', '/api/v1/orders', body);
      expect(again.status).toBe(201);
      expect(await availability(shop)).toMatchObject({ onHand: 0, reserved: 0 });
    });
  });

  describe('when there is not enough stock', () => {
    it('answers 409 insufficient_stock naming the SKU and what the channel has, and changes nothing', async () => {
      const shop = await openShop({ warehouse: 5, store: 1 });
      const res = await order(shop, { channelId: shop.shopee, lines: [{ sku: shop.sku, quantity: 4 }] });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ error: { code: 'insufficient_stock', sku: shop.sku, requested: 4, available: 3 } });
      const a = await availability(shop);
      expect(a.onHand).toBe(6);
      const ok = await order(shop, { channelId: shop.shopee, lines: [{ sku: shop.sku, quantity: 3 }] });
      expect(ok.status).toBe(201);
      expect(forChannel(await availability(shop), shop.shopee)).toBe(0); // 2 kept back for other channels
      expect(forChannel(await availability(shop), shop.web)).toBe(3);
    });
  });

  describe('when the input is wrong', () => {
    it.each([
      ['an unknown SKU', (s: Shop) => ({ channelId: s.web, lines: [{ sku: 'NO-SUCH', quantity: 1 }] }), 400, 'unknown_sku'],
      ['a zero quantity', (s: Shop) => ({ channelId: s.web, lines: [{ sku: s.sku, quantity: 0 }] }), 400, 'validation_failed'],
      ['a negative quantity', (s: Shop) => ({ channelId: s.web, lines: [{ sku: s.sku, quantity: -2 }] }), 400, 'validation_failed'],
      ['another currency', (s: Shop) => ({ channelId: s.web, currency: 'USD', lines: [{ sku: s.sku, quantity: 1 }] }), 400, 'currency_mismatch'],
      ['a location the channel does not fulfil', (s: Shop) => ({ channelId: s.pos, locationId: s.warehouse, lines: [{ sku: s.sku, quantity: 1 }] }), 400, 'location_not_in_channel'],
      ['an unknown channel', () => ({ channelId: 'ch_nope', lines: [{ sku: 'X', quantity: 1 }] }), 404, 'channel_not_found'],
      ['no lines', (s: Shop) => ({ channelId: s.web, lines: [] }), 400, 'validation_failed'],
      ['a unit price too large to total exactly', (s: Shop) => ({ channelId: s.web, lines: [{ sku: s.sku, quantity: 1, unitPrice: 1e15 }] }), 400, 'validation_failed'],
    ])('answers %s with a clear error and leaves stock alone', async (_label, make, status, code) => {
      const shop = await openShop({ warehouse: 3, store: 3 });
      const res = await order(shop, make(shop));
      expect(res.status).toBe(status);
      expect(res.body.error?.code).toBe(code);
      expect((await availability(shop)).onHand).toBe(6);
    });
  });

  describe('when many channels race for the last units', () => {
    it('sells exactly what there is: no oversell, on hand ends at 0', async () => {
      const shop = await openShop({ warehouse: 0, store: 0 });
      // Ten units in one warehouse that web, Shopee (no safety stock here) and a second web shop all sell.
      await call(shop.ws, 'POST', '/api/v1/inventory/adjustments', { sku: shop.sku, locationId: shop.warehouse, count: 10, reason: 'received' });
      const app2 = await created(shop.ws, '/api/v1/channels', { name: 'App', type: 'app', locationIds: [shop.warehouse] });
      const lazada = await created(shop.ws, '/api/v1/channels', { name: 'Lazada', type: 'marketplace', platform: 'lazada', locationIds: [shop.warehouse] });
      const channels = [shop.web, app2, lazada];
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => order(shop, { channelId: channels[i % 3], lines: [{ sku: shop.sku, quantity: 1 }] })),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(10);
      expect(results.filter((r) => r.status === 409 && r.body.error?.code === 'insufficient_stock')).toHaveLength(30);
      const a = await availability(shop);
      expect(at(a, shop.warehouse)).toMatchObject({ onHand: 0, reserved: 0 });
    });
  });
});

describe('POST /api/v1/orders/:id/transitions', () => {
  it('moves an order placed → paid → fulfilled → returned, restocking when asked, and records each step', async () => {
    const shop = await openShop({ warehouse: 5, store: 0 });
    const placed = await order(shop, { channelId: shop.web, customer: { email: 'binh@example.vn' }, lines: [{ sku: shop.sku, quantity: 2 }] });
    for (const to of ['paid', 'fulfilled']) {
      expect((await call(shop.ws, 'POST', `/api/v1/orders/${placed.body.id}/transitions`, { to })).status).toBe(200);
    }
    expect((await availability(shop)).onHand).toBe(3);
    const returned = await call<{ status: string; transitions: { from: string | null; to: string; restocked: boolean | null }[] }>(
      shop.ws,
      'POST',
      `/api/v1/orders/${placed.body.id}/transitions`,
      { to: 'returned', restock: true, note: 'khách đổi ý' },
    );
    expect(returned.body.status).toBe('returned');
    expect(returned.body.transitions.map((t) => [t.from, t.to])).toEqual([[null, 'placed'], ['placed', 'paid'], ['paid', 'fulfilled'], ['fulfilled', 'returned']]);
    expect((await availability(shop)).onHand).toBe(5);
    const profileId = placed.body.profileId as string;
    const facts = await call(shop.ws, 'GET', `/api/v1/profiles/${profileId}/commerce`);
    expect(facts.body).toMatchObject({ totalSpent: 0, orderCount: 0 });
    const timeline = await call<{ data: { event: string | null }[] }>(shop.ws, 'GET', `/api/v1/profiles/${profileId}/events?type=track`);
    expect(timeline.body.data.map((e) => e.event)).toEqual(['Order Refunded', 'Order Completed']);
  });

  it('returns the stock of a cancelled order', async () => {
    const shop = await openShop({ warehouse: 5, store: 0 });
    const placed = await order(shop, { channelId: shop.web, lines: [{ sku: shop.sku, quantity: 4 }] });
    expect((await availability(shop)).onHand).toBe(1);
    expect((await call(shop.ws, 'POST', `/api/v1/orders/${placed.body.id}/transitions`, { to: 'cancelled' })).status).toBe(200);
    expect((await availability(shop)).onHand).toBe(5);
  });

  describe('when the step is not allowed', () => {
    it('answers 409 invalid_transition naming what is allowed', async () => {
      const shop = await openShop({ warehouse: 5, store: 0 });
      const placed = await order(shop, { channelId: shop.web, lines: [{ sku: shop.sku, quantity: 1 }] });
      const res = await call(shop.ws, 'POST', `/api/v1/orders/${placed.body.id}/transitions`, { to: 'returned' });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ error: { code: 'invalid_transition', from: 'placed', allowed: ['paid', 'cancelled'] } });
    });
  });

  describe('when another workspace asks', () => {
    it('cannot see or change the order', async () => {
      const shop = await openShop({ warehouse: 5, store: 0 });
      const placed = await order(shop, { channelId: shop.web, lines: [{ sku: shop.sku, quantity: 1 }] });
      const other = await createTestWorkspace(server);
      expect((await call(other, 'GET', `/api/v1/orders/${placed.body.id}`)).status).toBe(404);
      expect((await call(other, 'POST', `/api/v1/orders/${placed.body.id}/transitions`, { to: 'cancelled' })).status).toBe(404);
    });
  });
});

describe('reservations', () => {
  it('hold units away from every channel until released', async () => {
    const shop = await openShop({ warehouse: 5, store: 0 });
    const held = await call<{ data: unknown[] }>(shop.ws, 'POST', '/api/v1/reservations', { channelId: shop.web, holder: 'cart_a', lines: [{ sku: shop.sku, quantity: 4 }] });
    expect(held.status).toBe(201);
    let a = await availability(shop);
    expect(a).toMatchObject({ onHand: 5, reserved: 4, available: 1 });
    expect(forChannel(a, shop.shopee)).toBe(0);
    const res = await order(shop, { channelId: shop.web, lines: [{ sku: shop.sku, quantity: 2 }] });
    expect(res.status).toBe(409);
    expect((await call(shop.ws, 'DELETE', '/api/v1/reservations/cart_a')).body).toEqual({ released: 1 });
    a = await availability(shop);
    expect(a).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
  });

  it('expire: the sweep puts expired holds back on the shelf', async () => {
    const shop = await openShop({ warehouse: 3, store: 0 });
    await call(shop.ws, 'POST', '/api/v1/reservations', { channelId: shop.web, holder: 'cart_b', lines: [{ sku: shop.sku, quantity: 3 }], ttlSeconds: 1 });
    expect((await availability(shop)).available).toBe(0);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await expireReservations(server.db)).toBeGreaterThanOrEqual(1);
    expect(await availability(shop)).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    expect((await call<{ data: unknown[] }>(shop.ws, 'GET', '/api/v1/reservations/cart_b')).body.data).toEqual([]);
  });

  it('are all or nothing when one line cannot be held', async () => {
    const shop = await openShop({ warehouse: 3, store: 0 });
    const other = `SO-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
    await created(shop.ws, '/api/v1/products', { title: 'Quần jean', variants: [{ sku: other, price: 450000 }] });
    await call(shop.ws, 'POST', '/api/v1/inventory/adjustments', { sku: other, locationId: shop.warehouse, count: 1, reason: 'received' });
    const res = await call(shop.ws, 'POST', '/api/v1/reservations', {
      channelId: shop.web,
      holder: 'cart_c',
      lines: [{ sku: shop.sku, quantity: 2 }, { sku: other, quantity: 2 }],
    });
    expect(res.status).toBe(409);
    expect((await availability(shop)).reserved).toBe(0);
  });
});
