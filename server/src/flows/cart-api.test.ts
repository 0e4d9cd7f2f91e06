/**
 * One cart per customer, over both APIs: the store API (write key + anonymous id or customer
 * token) and the admin API (agent, POS, chatbot). Versions, bad input, guest → customer merge,
 * checkout into an order, and live sync over SSE (across two server instances on PostgreSQL).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, redactQuery, type BuiltApp } from '../app';
import { startCartMergeConsumer } from '../modules/carts';
import { sql } from 'drizzle-orm';
import { openDb, rows } from '../db/client';
import { createTestWorkspace, eventually, jsonClient, DB_KIND, startTestServer, testConfig, type TestServer, type TestWorkspace } from '../../test/helpers';
import { expireReservations } from '../modules/inventory';
import type { Cart } from '../modules/carts';
import { inject } from 'vitest';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ runWorkers: false });
});
afterAll(async () => server.close());

type ErrorBody = { error: { code: string; message: string; cart?: Cart; [k: string]: unknown } };

const { call, must } = jsonClient({
  get app() {
    return server.app;
  },
});

interface Shop {
  ws: TestWorkspace;
  warehouse: string;
  web: string;
  app: string;
  phone: string;
  /** Store API headers for the web source (add the shopper header). */
  webKey: Record<string, string>;
  appKey: Record<string, string>;
  tee: string;
  mug: string;
}

/** A shop: web and app sources linked to channels, a phone channel for agents, two products. */
async function openShop(stock: { tee: number; mug: number } = { tee: 10, mug: 10 }): Promise<Shop> {
  const ws = await createTestWorkspace(server);
  const appSource = await ws.addSource('app');
  const id = async (url: string, body: unknown) => (await must<{ id: string }>(ws.admin, 'POST', url, body)).id;
  const warehouse = await id('/api/v1/locations', { name: 'Kho Thủ Đức', kind: 'warehouse' });
  const shippingMethods = [
    { id: 'giao-hang-nhanh', name: 'Giao hàng nhanh', fee: 30000 },
    { id: 'tieu-chuan', name: 'Giao tiêu chuẩn', fee: 20000, freeAbove: 500000 },
  ];
  const web = await id('/api/v1/channels', { name: 'Website', type: 'web', sourceId: ws.sourceId, locationIds: [warehouse], shippingMethods });
  const app = await id('/api/v1/channels', { name: 'App', type: 'app', sourceId: appSource.sourceId, locationIds: [warehouse] });
  const phone = await id('/api/v1/channels', { name: 'Hotline', type: 'phone', locationIds: [warehouse] });
  const suffix = Math.random().toString(36).slice(2, 7).toUpperCase();
  const tee = `TEE-${suffix}`;
  const mug = `MUG-${suffix}`;
  await id('/api/v1/products', { title: 'Áo thun', variants: [{ sku: tee, title: 'M', price: 150000, channelPrices: { [app]: 135000 } }] });
  await id('/api/v1/products', { title: 'Cốc sứ', variants: [{ sku: mug, price: 80000 }] });
  await must(ws.admin, 'POST', '/api/v1/inventory/adjustments', { sku: tee, locationId: warehouse, count: stock.tee, reason: 'stock_take' });
  await must(ws.admin, 'POST', '/api/v1/inventory/adjustments', { sku: mug, locationId: warehouse, count: stock.mug, reason: 'stock_take' });
  return { ws, warehouse, web, app, phone, webKey: { 'x-omni-write-key': ws.writeKey }, appKey: { 'x-omni-write-key': appSource.writeKey }, tee, mug };
}

const guest = (shop: Shop, anonymousId: string, key = shop.webKey) => ({ ...key, 'x-omni-anonymous-id': anonymousId });
const customer = (secret: string, key: Record<string, string>) => ({ ...key, 'x-omni-customer-token': secret });
const anon = () => `anon-${Math.random().toString(36).slice(2)}`;

async function mintToken(shop: Shop, body: Record<string, unknown>): Promise<{ secret: string; token: { id: string; profileId: string } }> {
  const res = await call<{ secret: string; token: { id: string; profileId: string } }>(shop.ws.admin, 'POST', '/api/v1/customer-tokens', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

interface Stock {
  onHand: number;
  reserved: number;
  available: number;
}
const stockOf = (shop: Shop, sku: string) => must<Stock>(shop.ws.admin, 'GET', `/api/v1/inventory/${sku}`);

describe('store API: a guest cart', () => {
  it('a guest adds, reads and changes their cart; totals and prices come from the catalog and the channel', async () => {
    const shop = await openShop();
    const a = anon();
    const empty = await must<Cart>(guest(shop, a), 'GET', '/store/v1/cart');
    expect(empty).toMatchObject({ id: null, version: 0, lines: [], total: 0, pricedForChannelId: shop.web });

    const one = await must<Cart>(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 2, version: 0 });
    expect(one.version).toBe(1);
    expect(one.lines).toEqual([expect.objectContaining({ sku: shop.tee, quantity: 2, unitPrice: 150000, total: 300000, available: 10, addedOnChannelId: shop.web })]);
    const two = await must<Cart>(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.mug, quantity: 1, version: 1 });
    expect(two).toMatchObject({ version: 2, itemCount: 3, subtotal: 380000, total: 380000, currency: 'VND' });
    const set = await must<Cart>(guest(shop, a), 'PUT', `/store/v1/cart/lines/${shop.tee}`, { quantity: 1, version: 2 });
    expect(set.lines.find((l) => l.sku === shop.tee)?.quantity).toBe(1);
    const removed = await must<Cart>(guest(shop, a), 'DELETE', `/store/v1/cart/lines/${shop.mug}?version=3`);
    expect(removed).toMatchObject({ version: 4, itemCount: 1, subtotal: 150000 });
    expect(await must<Cart>(guest(shop, a), 'GET', '/store/v1/cart')).toMatchObject({ id: removed.id, version: 4 });

    // The same customer seen from the admin API, priced for the app (its own price).
    const asApp = await must<Cart>(shop.ws.admin, 'GET', `/api/v1/profiles/${removed.profileId}/cart?channelId=${shop.app}`);
    expect(asApp.lines[0]).toMatchObject({ sku: shop.tee, unitPrice: 135000 });
    // Stock untouched: the workspace reserves at checkout.
    expect(await stockOf(shop, shop.tee)).toMatchObject({ onHand: 10, reserved: 0 });
  });

  it('another anonymous id sees its own, empty cart', async () => {
    const shop = await openShop();
    await must(guest(shop, anon()), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 1 });
    expect(await must<Cart>(guest(shop, anon()), 'GET', '/store/v1/cart')).toMatchObject({ id: null, lines: [] });
  });

  it('a stale version gets 409 cart_conflict with the current cart, and changes nothing', async () => {
    const shop = await openShop();
    const a = anon();
    await must(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 1, version: 0 });
    await must(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 1, version: 1 });
    // A second device still at version 1:
    const res = await call<ErrorBody>(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.mug, quantity: 1, version: 1 });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('cart_conflict');
    expect(res.body.error.cart).toMatchObject({ version: 2, itemCount: 2 });
    expect(res.body.error.cart?.lines.map((l) => l.sku)).toEqual([shop.tee]);
    const now = await must<Cart>(guest(shop, a), 'GET', '/store/v1/cart');
    expect(now).toMatchObject({ version: 2, itemCount: 2 });
    // Creating when the client believes there is no cart yet, while there is one:
    expect((await call<ErrorBody>(guest(shop, a), 'PUT', `/store/v1/cart/lines/${shop.tee}`, { quantity: 5, version: 0 })).status).toBe(409);
  });

  it('concurrent writers: against one version exactly one wins; without a version none is lost', async () => {
    const shop = await openShop({ tee: 100, mug: 100 });
    const a = anon();
    await must(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 1, version: 0 });
    const raced = await Promise.all(Array.from({ length: 8 }, () => call(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.mug, quantity: 1, version: 1 })));
    expect(raced.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    await Promise.all(Array.from({ length: 8 }, () => must(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 1 })));
    const cart = await must<Cart>(guest(shop, a), 'GET', '/store/v1/cart');
    expect(cart.lines.find((l) => l.sku === shop.tee)?.quantity).toBe(9);
    expect(cart.version).toBe(10);
  });

  it('bad input: a clear 4xx with a stable code; the cart and the stock are unchanged', async () => {
    const shop = await openShop({ tee: 3, mug: 10 });
    const a = anon();
    await must(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 1 });
    const cases: [unknown, number, string][] = [
      [{ sku: 'NOPE', quantity: 1 }, 400, 'unknown_sku'],
      [{ sku: shop.tee, quantity: 0 }, 400, 'validation_failed'],
      [{ sku: shop.tee, quantity: -2 }, 400, 'validation_failed'],
      [{ sku: shop.tee, quantity: 1.5 }, 400, 'validation_failed'],
      [{ sku: shop.tee }, 400, 'validation_failed'],
      [{ sku: shop.tee, quantity: 3 }, 409, 'insufficient_stock'],
    ];
    for (const [body, status, code] of cases) {
      const res = await call<ErrorBody>(guest(shop, a), 'POST', '/store/v1/cart/lines', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.code).toBe(code);
    }
    const short = await call<ErrorBody>(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 3 });
    expect(short.body.error).toMatchObject({ sku: shop.tee, available: 3 });
    const cart = await must<Cart>(guest(shop, a), 'GET', '/store/v1/cart');
    expect(cart).toMatchObject({ version: 1, itemCount: 1 });
    expect(await stockOf(shop, shop.tee)).toMatchObject({ onHand: 3, reserved: 0 });
    // A channel selling in another currency cannot touch a VND cart.
    const usd = await must<{ id: string }>(shop.ws.admin, 'POST', '/api/v1/channels', { name: 'US site', type: 'web', currency: 'USD', locationIds: [shop.warehouse] });
    const mismatch = await call<ErrorBody>(shop.ws.admin, 'POST', `/api/v1/profiles/${cart.profileId}/cart/lines`, { channelId: usd.id, sku: shop.mug, quantity: 1 });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.code).toBe('currency_mismatch');
    // Admin writes must say which channel acts.
    const noChannel = await call<ErrorBody>(shop.ws.admin, 'POST', `/api/v1/profiles/${cart.profileId}/cart/lines`, { sku: shop.mug, quantity: 1 });
    expect(noChannel.status).toBe(400);
  });
});

describe('store API: the catalog', () => {
  it('lists active products with the channel price and what the channel can sell, with the write key alone', async () => {
    const shop = await openShop({ tee: 7, mug: 0 });
    const app = await must<{ data: { title: string; variants: { sku: string; price: number; available: number }[] }[] }>(shop.appKey, 'GET', '/store/v1/products?q=ao%20thun');
    expect(app.data).toHaveLength(1);
    expect(app.data[0]!.variants[0]).toMatchObject({ sku: shop.tee, price: 135000, available: 7 });
    const web = await must<{ data: { variants: { sku: string; price: number; available: number }[] }[] }>(shop.webKey, 'GET', '/store/v1/products');
    const all = web.data.flatMap((p) => p.variants);
    expect(all.find((v) => v.sku === shop.tee)).toMatchObject({ price: 150000, available: 7 });
    expect(all.find((v) => v.sku === shop.mug)).toMatchObject({ available: 0 });
    expect((await call(shop.appKey, 'GET', '/store/v1/products', undefined)).status).toBe(200);
    expect((await call({}, 'GET', '/store/v1/products')).status).toBe(401);
  });
});

describe('store API: who may touch which cart', () => {
  it('needs a valid write key, a linked source and a shopper credential', async () => {
    const shop = await openShop();
    expect((await call<ErrorBody>({ 'x-omni-anonymous-id': 'x' }, 'GET', '/store/v1/cart')).body.error.code).toBe('invalid_write_key');
    expect((await call<ErrorBody>({ 'x-omni-write-key': 'wk_nope', 'x-omni-anonymous-id': 'x' }, 'GET', '/store/v1/cart')).status).toBe(401);
    expect((await call<ErrorBody>(shop.webKey, 'GET', '/store/v1/cart')).status).toBe(401);
    const unlinked = await shop.ws.addSource('web');
    const res = await call<ErrorBody>({ 'x-omni-write-key': unlinked.writeKey, 'x-omni-anonymous-id': 'x' }, 'GET', '/store/v1/cart');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('source_not_linked');
    expect((await call<ErrorBody>(customer('ct_forged', shop.webKey), 'GET', '/store/v1/cart')).body.error.code).toBe('invalid_customer_token');
  });

  it("a customer token reaches only its customer's cart; not from another workspace; not once revoked", async () => {
    const shop = await openShop();
    const other = await openShop();
    const alice = await mintToken(shop, { userId: 'alice' });
    const bob = await mintToken(shop, { userId: 'bob' });
    await must(customer(alice.secret, shop.webKey), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 1 });
    expect(await must<Cart>(customer(bob.secret, shop.webKey), 'GET', '/store/v1/cart')).toMatchObject({ lines: [] });
    // Alice's token with another workspace's write key:
    expect((await call<ErrorBody>(customer(alice.secret, other.webKey), 'GET', '/store/v1/cart')).body.error.code).toBe('invalid_customer_token');
    await must(shop.ws.admin, 'DELETE', `/api/v1/customer-tokens/${alice.token.id}`);
    expect((await call<ErrorBody>(customer(alice.secret, shop.webKey), 'GET', '/store/v1/cart')).status).toBe(401);
  });

  it("an anonymous id never opens a signed-in customer's cart: a token is required once the profile has a user id", async () => {
    const shop = await openShop();
    const victim = await mintToken(shop, { userId: 'victim-1', email: 'victim@example.vn' });
    await must(customer(victim.secret, shop.webKey), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 2 });
    // An attacker ties their anonymous id to the victim's user id through the public tracking API…
    const a = anon();
    const identify = await server.app.inject({ method: 'POST', url: '/v1/identify', headers: shop.ws.basic, payload: { userId: 'victim-1', anonymousId: a } });
    expect(identify.statusCode).toBe(200);
    // …and still cannot read or change the victim's cart.
    const res = await call<ErrorBody>(guest(shop, a), 'GET', '/store/v1/cart');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('customer_token_required');
    expect((await call<ErrorBody>(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.mug, quantity: 1 })).status).toBe(403);
  });
});

describe('guest → customer: carts merge through identity resolution', () => {
  it('signing in joins the guest cart to the customer cart: quantities added, capped by availability', async () => {
    const shop = await openShop({ tee: 3, mug: 10 });
    // The customer, signed in on the app: 2 tees.
    const app = await mintToken(shop, { userId: 'khach-1', phone: '0912345678' });
    await must(customer(app.secret, shop.appKey), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 2 });
    // The same person as a guest on the website: 2 tees and a mug.
    const a = anon();
    await must(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 2 });
    await must(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.mug, quantity: 1 });
    // They sign in on the website: the merchant's backend mints a token with the browser's anonymous id.
    const web = await mintToken(shop, { userId: 'khach-1', anonymousId: a });
    const merged = await must<Cart>(customer(web.secret, shop.webKey), 'GET', '/store/v1/cart');
    // 2 + 2 tees, capped at the 3 the website can sell; the mug comes along.
    expect(Object.fromEntries(merged.lines.map((l) => [l.sku, l.quantity]))).toEqual({ [shop.tee]: 3, [shop.mug]: 1 });
    // The app sees the same single cart (at the app's price).
    const fromApp = await must<Cart>(customer(app.secret, shop.appKey), 'GET', '/store/v1/cart');
    expect(fromApp).toMatchObject({ id: merged.id, version: merged.version });
    expect(fromApp.lines.find((l) => l.sku === shop.tee)?.unitPrice).toBe(135000);
    // The guest's anonymous id alone no longer opens it.
    expect((await call<ErrorBody>(guest(shop, a), 'GET', '/store/v1/cart')).status).toBe(403);
  });

  it('a guest cart moves to the customer when the customer had none', async () => {
    const shop = await openShop();
    const a = anon();
    await must(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.mug, quantity: 2 });
    const t = await mintToken(shop, { email: 'lan@example.vn', userId: 'lan', anonymousId: a });
    const cart = await must<Cart>(customer(t.secret, shop.webKey), 'GET', '/store/v1/cart');
    expect(cart.lines).toEqual([expect.objectContaining({ sku: shop.mug, quantity: 2 })]);
  });

  it('records the sign-in on the channel the shopper signs in on (default server); an unknown channel is a 400', async () => {
    const shop = await openShop();
    const a = anon();
    await must(guest(shop, a, shop.appKey), 'POST', '/store/v1/cart/lines', { sku: shop.mug, quantity: 1 });
    const t = await mintToken(shop, { userId: 'vy', anonymousId: a, channel: 'app' });
    const profile = await must<{ channels: Record<string, unknown> }>(shop.ws.admin, 'GET', `/api/v1/profiles/${t.token.profileId}`);
    expect(Object.keys(profile.channels).sort()).toEqual(['app']);
    const bad = await call<{ error: { message: string } }>(shop.ws.admin, 'POST', '/api/v1/customer-tokens', { userId: 'vy', channel: 'telepathy' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('channel');
  });
});

describe('the browser never decides money', () => {
  it('refuses a shipping fee or a paid status from a storefront, naming the field; nothing changes', async () => {
    const shop = await openShop();
    const me = guest(shop, anon());
    const cart = await must<Cart>(me, 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 1 });
    for (const [body, field] of [
      [{ step: 'shipping', method: 'giao-hang-nhanh', fee: 0 }, 'body.fee'],
      [{ step: 'shipping', method: 'giao-hang-nhanh', fee: -30000 }, 'body.fee'],
    ] as const) {
      const res = await call<ErrorBody>(me, 'POST', '/store/v1/cart/checkout', body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(field);
    }
    const paid = await call<ErrorBody>(me, 'POST', '/store/v1/cart/order', { idempotencyKey: `k-${anon()}`, status: 'paid' });
    expect(paid.status).toBe(400);
    expect(paid.body.error.message).toContain('body.status');
    const unknown = await call<ErrorBody>(me, 'POST', '/store/v1/cart/checkout', { step: 'shipping', method: 'free-for-me' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'invalid_field', field: 'method', allowed: ['giao-hang-nhanh', 'tieu-chuan'] });
    const after = await must<Cart>(me, 'GET', '/store/v1/cart');
    expect(after).toMatchObject({ version: cart.version, shippingTotal: 0, checkout: { step: 'none', shipping: null } });
  });

  it("takes the fee from the channel's shipping method, free above its subtotal, and follows the cart as it changes", async () => {
    const shop = await openShop({ tee: 10, mug: 10 });
    const me = guest(shop, anon());
    await must(me, 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 1 });
    const chosen = await must<Cart>(me, 'POST', '/store/v1/cart/checkout', { step: 'shipping', method: 'tieu-chuan', address: { city: 'Hà Nội' } });
    expect(chosen).toMatchObject({ subtotal: 150000, shippingTotal: 20000, total: 170000 });
    expect(chosen.checkout.shipping).toMatchObject({ method: 'tieu-chuan', name: 'Giao tiêu chuẩn', fee: 20000, freeAbove: 500000, custom: false });
    // Four tees: 600.000 ₫ ≥ 500.000 ₫, shipping is free; back to one, it is charged again.
    const four = await must<Cart>(me, 'PUT', `/store/v1/cart/lines/${shop.tee}`, { quantity: 4 });
    expect(four).toMatchObject({ subtotal: 600000, shippingTotal: 0, total: 600000 });
    const one = await must<Cart>(me, 'PUT', `/store/v1/cart/lines/${shop.tee}`, { quantity: 1 });
    expect(one).toMatchObject({ shippingTotal: 20000 });
    // The merchant raises the fee: the cart follows the channel's method, and so does the order.
    const channel = await must<{ shippingMethods: unknown[] }>(shop.ws.admin, 'PATCH', `/api/v1/channels/${shop.web}`, {
      shippingMethods: [{ id: 'tieu-chuan', name: 'Giao tiêu chuẩn', fee: 25000, freeAbove: 500000 }],
    });
    expect(channel.shippingMethods).toEqual([{ id: 'tieu-chuan', name: 'Giao tiêu chuẩn', fee: 25000, freeAbove: 500000 }]);
    const order = await must<{ shippingTotal: number; total: number }>(me, 'POST', '/store/v1/cart/order', { idempotencyKey: `k-${anon()}` });
    expect(order).toMatchObject({ shippingTotal: 25000, total: 175000 });
  });

  it('lets an agent quote a fee through the admin API (staff, not a browser)', async () => {
    const shop = await openShop();
    const t = await mintToken(shop, { userId: `fee-${anon()}` });
    await must(shop.ws.admin, 'POST', `/api/v1/profiles/${t.token.profileId}/cart/lines`, { channelId: shop.phone, sku: shop.mug, quantity: 1 });
    const cart = await must<Cart>(shop.ws.admin, 'POST', `/api/v1/profiles/${t.token.profileId}/cart/checkout`, { channelId: shop.phone, step: 'shipping', method: 'xe-om', fee: 15000 });
    expect(cart).toMatchObject({ shippingTotal: 15000, checkout: { shipping: { method: 'xe-om', fee: 15000, custom: true } } });
  });

  it('places a storefront order awaiting payment; only the admin API marks it paid', async () => {
    const shop = await openShop();
    const t = await mintToken(shop, { userId: `pay-${anon()}` });
    const me = customer(t.secret, shop.webKey);
    await must(me, 'POST', '/store/v1/cart/lines', { sku: shop.mug, quantity: 1 });
    // This channel does not take cash on delivery: choosing it is refused.
    const cod = await call<ErrorBody>(me, 'POST', '/store/v1/cart/checkout', { step: 'payment', provider: 'cod', method: 'cod' });
    expect(cod.status).toBe(400);
    expect(cod.body.error).toMatchObject({ code: 'invalid_field', field: 'method' });
    const order = await must<{ id: string; status: string; paymentStatus: string; paymentMethod: string | null }>(me, 'POST', '/store/v1/cart/order', { idempotencyKey: `k-${anon()}` });
    expect(order).toMatchObject({ status: 'placed', paymentStatus: 'awaiting_payment', paymentMethod: null });
    const paid = await must<{ status: string; paymentStatus: string; paidAt: string | null }>(shop.ws.admin, 'POST', `/api/v1/orders/${order.id}/transitions`, { to: 'paid' });
    expect(paid).toMatchObject({ status: 'paid', paymentStatus: 'paid' });
    expect(paid.paidAt).not.toBeNull();
  });

  it('models cash on delivery: confirmed without prepayment, paid when delivered', async () => {
    const shop = await openShop();
    await must(shop.ws.admin, 'PATCH', `/api/v1/channels/${shop.web}`, { cashOnDelivery: true });
    const me = guest(shop, anon());
    await must(me, 'POST', '/store/v1/cart/lines', { sku: shop.mug, quantity: 2 });
    const order = await must<{ id: string; status: string; paymentMethod: string; paymentStatus: string; paidAt: string | null }>(me, 'POST', '/store/v1/cart/order', {
      idempotencyKey: `k-${anon()}`,
    });
    expect(order).toMatchObject({ status: 'placed', paymentMethod: 'cod', paymentStatus: 'due_on_delivery', paidAt: null });
    // Delivered: the courier collected the cash.
    const delivered = await must<{ status: string; paymentStatus: string; paidAt: string | null }>(shop.ws.admin, 'POST', `/api/v1/orders/${order.id}/transitions`, { to: 'fulfilled' });
    expect(delivered).toMatchObject({ status: 'fulfilled', paymentStatus: 'paid' });
    expect(delivered.paidAt).not.toBeNull();
    // A prepaid method chosen on a COD channel is awaiting payment, and cannot be delivered unpaid.
    const other = guest(shop, anon());
    await must(other, 'POST', '/store/v1/cart/lines', { sku: shop.mug, quantity: 1 });
    await must(other, 'POST', '/store/v1/cart/checkout', { step: 'payment', provider: 'vnpay', method: 'card' });
    const prepaid = await must<{ id: string; paymentMethod: string; paymentStatus: string }>(other, 'POST', '/store/v1/cart/order', { idempotencyKey: `k-${anon()}` });
    expect(prepaid).toMatchObject({ paymentMethod: 'card', paymentStatus: 'awaiting_payment' });
    const early = await call<ErrorBody>(shop.ws.admin, 'POST', `/api/v1/orders/${prepaid.id}/transitions`, { to: 'fulfilled' });
    expect(early.status).toBe(409);
  });
});

describe('checkout: progress on the cart, then the order', () => {
  it('records each step so an agent sees where the customer is stuck, holds the units, and places the order once', async () => {
    const shop = await openShop({ tee: 5, mug: 5 });
    const t = await mintToken(shop, { userId: 'mai', phone: '0987654321' });
    const me = customer(t.secret, shop.webKey);
    await must(me, 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 2 });
    const started = await must<Cart>(me, 'POST', '/store/v1/cart/checkout', { step: 'started' });
    expect(started.checkout).toMatchObject({ step: 'started' });
    expect(started.checkout.reservedUntil).not.toBeNull();
    expect(await stockOf(shop, shop.tee)).toMatchObject({ onHand: 5, reserved: 2, available: 3 });

    await must(me, 'POST', '/store/v1/cart/checkout', { step: 'shipping', method: 'giao-hang-nhanh' });
    await must(me, 'POST', '/store/v1/cart/checkout', { step: 'payment', provider: 'momo', method: 'wallet' });
    const failed = await must<Cart>(me, 'POST', '/store/v1/cart/checkout', { step: 'payment_failed', provider: 'momo', reason: 'Insufficient balance', code: '1001' });
    expect(failed).toMatchObject({ shippingTotal: 30000, total: 330000 });
    expect(failed.checkout.paymentFailures).toEqual([expect.objectContaining({ provider: 'momo', reason: 'Insufficient balance', code: '1001', channelId: shop.web })]);

    // The agent on the hotline sees the same cart and where it failed.
    const seen = await must<Cart>(shop.ws.admin, 'GET', `/api/v1/profiles/${t.token.profileId}/cart`);
    expect(seen.checkout.step).toBe('payment_failed');
    expect(seen.checkout.history.map((h) => h.step)).toEqual(['started', 'shipping', 'payment', 'payment_failed']);
    // Missing fields of a step are named.
    const bad = await call<ErrorBody>(me, 'POST', '/store/v1/cart/checkout', { step: 'payment_failed', provider: 'momo' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('reason');

    const key = `chk-${Date.now()}`;
    const placed = await call<{ id: string; total: number; shippingTotal: number; cartId: string; lines: { sku: string; quantity: number; unitPrice: number }[] }>(
      me,
      'POST',
      '/store/v1/cart/order',
      { idempotencyKey: key },
    );
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ total: 330000, shippingTotal: 30000, cartId: seen.id, status: 'placed', paymentMethod: 'wallet', paymentStatus: 'awaiting_payment', paidAt: null });
    expect(placed.body.lines).toEqual([expect.objectContaining({ sku: shop.tee, quantity: 2, unitPrice: 150000 })]);
    expect(await stockOf(shop, shop.tee)).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    // A retry returns the same order and changes nothing.
    const again = await call<{ id: string }>(me, 'POST', '/store/v1/cart/order', { idempotencyKey: key });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(placed.body.id);
    expect(await stockOf(shop, shop.tee)).toMatchObject({ onHand: 3, reserved: 0 });
    // The cart closed; the next one starts empty.
    expect(await must<Cart>(me, 'GET', '/store/v1/cart')).toMatchObject({ id: null, lines: [] });
    // An empty cart cannot be ordered.
    expect((await call<ErrorBody>(me, 'POST', '/store/v1/cart/order', { idempotencyKey: `${key}-2` })).body.error.code).toBe('cart_empty');

    // The timeline has the whole story, with its channel.
    const timeline = await must<{ data: { event: string | null; channel: string }[] }>(shop.ws.admin, 'GET', `/api/v1/profiles/${t.token.profileId}/events?limit=100`);
    const events = timeline.data.map((e) => e.event).filter(Boolean);
    for (const name of ['Product Added', 'Checkout Started', 'Checkout Step Completed', 'Payment Info Entered', 'Payment Failed', 'Order Completed']) {
      expect(events, name).toContain(name);
    }
    expect(timeline.data.find((e) => e.event === 'Product Added')?.channel).toBe('web');
  });

  it('concurrent retries with one idempotency key place one order', async () => {
    const shop = await openShop({ tee: 5, mug: 5 });
    const t = await mintToken(shop, { userId: 'retry-1' });
    const me = customer(t.secret, shop.webKey);
    await must(me, 'POST', '/store/v1/cart/lines', { sku: shop.mug, quantity: 1 });
    const results = await Promise.all(Array.from({ length: 5 }, () => call<{ id: string }>(me, 'POST', '/store/v1/cart/order', { idempotencyKey: 'same-key' })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await stockOf(shop, shop.mug)).toMatchObject({ onHand: 4 });
  });

  it('a hold that expired: the order takes the stock directly, or refuses if it is gone', async () => {
    const shop = await openShop({ tee: 1, mug: 5 });
    const t = await mintToken(shop, { userId: 'slow-1' });
    const me = customer(t.secret, shop.webKey);
    const cart = await must<Cart>(me, 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 1 });
    await must(me, 'POST', '/store/v1/cart/checkout', { step: 'started' });
    await server.db.orm.execute(
      sql`UPDATE reservations SET expires_at = now() - interval '1 second' WHERE holder = ${`cart:${cart.id}`}`,
    );
    expect(await expireReservations(server.db)).toBeGreaterThanOrEqual(1);
    // Someone else buys the last unit at the counter meanwhile.
    const sold = await call(shop.ws.admin, 'POST', '/api/v1/orders', { channelId: shop.phone, externalId: `P-${Date.now()}`, lines: [{ sku: shop.tee, quantity: 1 }] });
    expect(sold.status).toBe(201);
    const late = await call<ErrorBody>(me, 'POST', '/store/v1/cart/order', { idempotencyKey: 'late' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('insufficient_stock');
    expect(await must<Cart>(me, 'GET', '/store/v1/cart')).toMatchObject({ id: cart.id, itemCount: 1 });
    expect(await stockOf(shop, shop.tee)).toMatchObject({ onHand: 0, reserved: 0 });
  });

  it('reserveOn add_to_cart holds units as soon as they are added and lets them go when removed', async () => {
    const shop = await openShop({ tee: 4, mug: 4 });
    await must(shop.ws.admin, 'PATCH', '/api/v1/workspace', { commerce: { reserveOn: 'add_to_cart' } });
    const a = anon();
    await must(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 3 });
    expect(await stockOf(shop, shop.tee)).toMatchObject({ reserved: 3, available: 1 });
    const other = await call<ErrorBody>(guest(shop, anon()), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 2 });
    expect(other.body.error.code).toBe('insufficient_stock');
    await must(guest(shop, a), 'PUT', `/store/v1/cart/lines/${shop.tee}`, { quantity: 1 });
    expect(await stockOf(shop, shop.tee)).toMatchObject({ reserved: 1, available: 3 });
    await must(guest(shop, a), 'DELETE', '/store/v1/cart/lines');
    expect(await stockOf(shop, shop.tee)).toMatchObject({ reserved: 0, available: 4 });
  });
});

describe('the merge consumer', () => {
  it('merges the carts when it reads profile.merged from the domain log, before anyone looks', async () => {
    const shop = await openShop();
    const known = await mintToken(shop, { userId: 'consumer-1' });
    await must(customer(known.secret, shop.appKey), 'POST', '/store/v1/cart/lines', { sku: shop.mug, quantity: 1 });
    const a = anon();
    const guestCart = await must<Cart>(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 2 });
    await mintToken(shop, { userId: 'consumer-1', anonymousId: a });
    const consumer = await startCartMergeConsumer(server.db, server.app.log);
    let list: { id: string; status: string; merged_into: string | null }[];
    try {
      list = await eventually(
        async () => {
          await consumer.drain();
          return rows<{ id: string; status: string; merged_into: string | null }>(
            server.db.orm,
            sql`SELECT id, status, merged_into FROM carts WHERE workspace_id = ${shop.ws.workspaceId} ORDER BY created_at`,
          );
        },
        (l) => l.some((c) => c.status === 'merged'),
      );
    } finally {
      await consumer.stop();
    }
    expect(list.filter((c) => c.status === 'active')).toHaveLength(1);
    const closed = list.find((c) => c.status === 'merged');
    expect(closed).toBeDefined();
    expect([guestCart.id, list.find((c) => c.status === 'active')!.id]).toContain(closed!.id);
    expect(closed!.merged_into).toBe(list.find((c) => c.status === 'active')!.id);
  });
});

describe('admin API: the agent edits the customer cart', () => {
  it('an agent on the hotline adds to the cart the customer has open on the website', async () => {
    const shop = await openShop();
    const t = await mintToken(shop, { userId: 'hoa', phone: '0901234567' });
    const web = await must<Cart>(customer(t.secret, shop.webKey), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 1 });
    const agent = await must<Cart>(shop.ws.admin, 'POST', `/api/v1/profiles/${t.token.profileId}/cart/lines`, {
      channelId: shop.phone,
      sku: shop.mug,
      quantity: 2,
      version: web.version,
    });
    expect(agent).toMatchObject({ id: web.id, version: web.version + 1, channelId: shop.phone, itemCount: 3 });
    expect(agent.lines.find((l) => l.sku === shop.mug)?.addedOnChannelId).toBe(shop.phone);
    expect(await must<Cart>(customer(t.secret, shop.webKey), 'GET', '/store/v1/cart')).toMatchObject({ version: agent.version, itemCount: 3 });
    expect((await call<ErrorBody>(shop.ws.admin, 'GET', '/api/v1/profiles/prf_nope/cart')).status).toBe(404);
  });

  it('erasing the customer deletes their cart and lets held units go', async () => {
    const shop = await openShop({ tee: 2, mug: 2 });
    const t = await mintToken(shop, { userId: 'erase-me' });
    await must(customer(t.secret, shop.webKey), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 2 });
    await must(customer(t.secret, shop.webKey), 'POST', '/store/v1/cart/checkout', { step: 'started' });
    expect(await stockOf(shop, shop.tee)).toMatchObject({ reserved: 2 });
    await must(shop.ws.admin, 'DELETE', `/api/v1/profiles/${t.token.profileId}`);
    expect(await stockOf(shop, shop.tee)).toMatchObject({ reserved: 0, available: 2 });
    expect((await call<ErrorBody>(customer(t.secret, shop.webKey), 'GET', '/store/v1/cart')).status).toBe(401);
  });
});

// ---- live sync ------------------------------------------------------------------------------

interface Stream {
  next(predicate: (c: Cart) => boolean, timeoutMs?: number): Promise<Cart>;
  close(): void;
  /** When the server ends the stream: the names of the events it sent. */
  ended: Promise<string[]>;
}

function openStream(port: number, path: string, headers: Record<string, string>): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const carts: Cart[] = [];
    const waiters: { predicate: (c: Cart) => boolean; resolve: (c: Cart) => void }[] = [];
    const req = http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`stream → ${res.statusCode}`));
        return;
      }
      let buf = '';
      const events: string[] = [];
      const ended = new Promise<string[]>((done) => res.on('end', () => done(events)));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) !== -1) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const name = block.split('\n').find((l) => l.startsWith('event: '));
          if (name) events.push(name.slice(7));
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (!block.includes('event: cart') || !data) continue;
          const cart = JSON.parse(data.slice(6)) as Cart;
          carts.push(cart);
          for (const w of [...waiters]) {
            if (w.predicate(cart)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(cart);
            }
          }
        }
      });
      resolve({
        next(predicate, timeoutMs = 5000) {
          const seen = carts.find(predicate);
          if (seen) return Promise.resolve(seen);
          return new Promise((res2, rej2) => {
            const timer = setTimeout(() => rej2(new Error(`no matching cart event within ${timeoutMs} ms; got versions ${carts.map((c) => c.version).join(',')}`)), timeoutMs);
            waiters.push({ predicate, resolve: (c) => (clearTimeout(timer), res2(c)) });
          });
        },
        close: () => req.destroy(),
        ended,
      });
    });
    req.on('error', reject);
  });
}

describe('guessing promotion codes', () => {
  it('a shopper who enters 10 unknown codes waits (429 with Retry-After), a real code included; others are not held up', async () => {
    const shop = await openShop();
    const promo = await must<{ id: string }>(shop.ws.admin, 'POST', '/api/v1/promotions', { name: 'Mã', status: 'active', requiresCode: true, reward: { type: 'percentage', percent: 10 } });
    await must(shop.ws.admin, 'POST', `/api/v1/promotions/${promo.id}/codes`, { code: 'THAT-LA-MA' });
    const who = anon();
    const enter = (shopper: string, code: string, remoteAddress: string) =>
      server.app.inject({ method: 'POST', url: '/store/v1/cart/codes', remoteAddress, headers: guest(shop, shopper), payload: { code } });
    await must(guest(shop, who), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 1 });
    for (let i = 0; i < 10; i++) expect((await enter(who, `DOAN${i}XYZ`, '203.0.113.7')).statusCode).toBe(409);
    const blocked = await enter(who, 'THAT-LA-MA', '203.0.113.7');
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another shopper elsewhere is not held up by it.
    const other = anon();
    await must(guest(shop, other), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 1 });
    expect((await enter(other, 'THAT-LA-MA', '198.51.100.20')).statusCode).toBe(200);
    // Fresh anonymous ids do not reset the count of one address.
    let limited = 0;
    for (let i = 0; i < 105; i++) if ((await enter(anon(), `GUESS${i}ABC`, '192.0.2.99')).statusCode === 429) limited++;
    expect(limited).toBeGreaterThan(0);
  });
});

describe("a shared email is not a key to someone's cart", () => {
  let port: number;
  beforeAll(async () => {
    if (!server.app.server.listening) await server.app.listen({ port: 0, host: '127.0.0.1' });
    port = (server.app.server.address() as AddressInfo).port;
  });
  const identify = async (shop: Shop, anonymousId: string, traits: Record<string, unknown>) => {
    const res = await server.app.inject({ method: 'POST', url: '/v1/identify', headers: shop.ws.basic, payload: { anonymousId, traits } });
    expect(res.statusCode, res.body).toBe(200);
  };
  const address = { name: 'Trần Thị Bích', phone: '0903 111 222', street: '12 Lý Thường Kiệt', city: 'Hà Nội' };

  it('an attacker who claims a guest\'s email joins their profile but not their cart: no read, no stream, no change, no order — and no address', async () => {
    const shop = await openShop();
    const victim = anon();
    await must(guest(shop, victim), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 2 });
    await must(guest(shop, victim), 'POST', '/store/v1/cart/checkout', { step: 'shipping', method: 'giao-hang-nhanh', address });
    await identify(shop, victim, { email: 'bich.tran@example.vn' });
    // The attack: a new device says it is the same person.
    const attacker = anon();
    await identify(shop, attacker, { email: 'bich.tran@example.vn' });
    const merged = await must<{ id: string; identifiers: { type: string; value: string }[] }>(shop.ws.admin, 'GET', `/api/v1/profiles/lookup?type=anonymous_id&value=${attacker}`);
    expect(merged.identifiers).toEqual(expect.arrayContaining([{ type: 'anonymous_id', value: victim }, { type: 'anonymous_id', value: attacker }]));

    const tries = [
      await call<ErrorBody>(guest(shop, attacker), 'GET', '/store/v1/cart'),
      await call<ErrorBody>(guest(shop, attacker), 'POST', '/store/v1/cart/lines', { sku: shop.mug, quantity: 1 }),
      await call<ErrorBody>(guest(shop, attacker), 'POST', '/store/v1/cart/checkout', { step: 'shipping', method: 'tieu-chuan' }),
      await call<ErrorBody>(guest(shop, attacker), 'POST', '/store/v1/cart/order', { idempotencyKey: `steal-${attacker}` }),
    ];
    for (const t of tries) {
      expect(t.status).toBe(403);
      expect(t.body.error.code).toBe('customer_token_required');
      expect(JSON.stringify(t.body)).not.toContain('Lý Thường Kiệt');
    }
    await expect(openStream(port, '/store/v1/cart/stream', guest(shop, attacker))).rejects.toThrow('403');
    // The victim's own device still shops as a guest, address and all.
    const own = await must<Cart>(guest(shop, victim), 'GET', '/store/v1/cart');
    expect(own).toMatchObject({ itemCount: 2, checkout: { shipping: { address } } });
    const order = await must<{ id: string; lines: unknown[] }>(guest(shop, victim), 'POST', '/store/v1/cart/order', { idempotencyKey: `mine-${victim}` });
    expect(order.lines).toHaveLength(1);
  });

  it('a cart two devices wrote to needs sign-in on both; the signed-in customer sees all of it', async () => {
    const shop = await openShop();
    const phone = anon();
    const tablet = anon();
    await must(guest(shop, phone), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 1 });
    await must(guest(shop, tablet), 'POST', '/store/v1/cart/lines', { sku: shop.mug, quantity: 1 });
    const watching = await openStream(port, '/store/v1/cart/stream', guest(shop, phone));
    await identify(shop, phone, { phone: '0912 000 111' });
    await identify(shop, tablet, { phone: '0912000111' });
    for (const device of [phone, tablet]) expect((await call<ErrorBody>(guest(shop, device), 'GET', '/store/v1/cart')).status).toBe(403);
    // The phone's open stream is told, once the carts merge, and ends.
    await must(shop.ws.admin, 'GET', `/api/v1/profiles/${(await must<{ id: string }>(shop.ws.admin, 'GET', `/api/v1/profiles/lookup?type=anonymous_id&value=${phone}`)).id}/cart`);
    expect(await watching.ended).toContain('refused');
    const t = await mintToken(shop, { phone: '0912000111', anonymousId: phone });
    const cart = await must<Cart>(customer(t.secret, shop.webKey), 'GET', '/store/v1/cart');
    expect(cart.lines.map((l) => l.sku).sort()).toEqual([shop.mug, shop.tee].sort());
  });

  it("a cart the shop's staff built for a guest is not opened by the guest's anonymous id", async () => {
    const shop = await openShop();
    const device = anon();
    await identify(shop, device, { phone: '0977 123 456' });
    const profile = await must<{ id: string }>(shop.ws.admin, 'GET', `/api/v1/profiles/lookup?type=anonymous_id&value=${device}`);
    await must(shop.ws.admin, 'POST', `/api/v1/profiles/${profile.id}/cart/lines`, { channelId: shop.phone, sku: shop.tee, quantity: 1 });
    expect((await call<ErrorBody>(guest(shop, device), 'GET', '/store/v1/cart')).body.error.code).toBe('customer_token_required');
  });
});

describe('a GET writes nothing; live streams are capped', () => {
  it('watching the cart with a new anonymous id creates no profile; the first change reaches the open stream', async () => {
    if (!server.app.server.listening) await server.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (server.app.server.address() as AddressInfo).port;
    const shop = await openShop();
    const a = anon();
    const watching = await openStream(port, '/store/v1/cart/stream', guest(shop, a));
    expect(await watching.next(() => true)).toMatchObject({ id: null, profileId: null, itemCount: 0 });
    expect(await must<Cart>(guest(shop, a), 'GET', '/store/v1/cart')).toMatchObject({ id: null, profileId: null });
    expect((await call(shop.ws.admin, 'GET', `/api/v1/profiles/lookup?type=anonymous_id&value=${a}`)).status).toBe(404);
    await must(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 1 });
    expect(await watching.next((c) => c.itemCount === 1)).toMatchObject({ lines: [expect.objectContaining({ sku: shop.tee })] });
    watching.close();
  });

  it('caps open streams per shopper and per client address (429 with Retry-After); a closed stream frees its place', async () => {
    const capped = await startTestServer({ runWorkers: false, storeStreamsPerShopper: 2, storeStreamsPerIp: 3 });
    try {
      await capped.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (capped.app.server.address() as AddressInfo).port;
      const ws = await createTestWorkspace(capped);
      const location = (await jsonClient(capped).must<{ id: string }>(ws.admin, 'POST', '/api/v1/locations', { name: 'Kho', kind: 'warehouse' })).id;
      await jsonClient(capped).must(ws.admin, 'POST', '/api/v1/channels', { name: 'Web', type: 'web', sourceId: ws.sourceId, locationIds: [location] });
      const key = { 'x-omni-write-key': ws.writeKey };
      const one = anon();
      const s1 = await openStream(port, '/store/v1/cart/stream', { ...key, 'x-omni-anonymous-id': one });
      const s2 = await openStream(port, '/store/v1/cart/stream', { ...key, 'x-omni-anonymous-id': one });
      const third = await fetch(`http://127.0.0.1:${port}/store/v1/cart/stream`, { headers: { ...key, 'x-omni-anonymous-id': one } });
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toBe('5');
      const s3 = await openStream(port, '/store/v1/cart/stream', { ...key, 'x-omni-anonymous-id': anon() });
      const overAddress = await fetch(`http://127.0.0.1:${port}/store/v1/cart/stream`, { headers: { ...key, 'x-omni-anonymous-id': anon() } });
      expect(overAddress.status).toBe(429);
      s1.close();
      await new Promise((r) => setTimeout(r, 200));
      const again = await openStream(port, '/store/v1/cart/stream', { ...key, 'x-omni-anonymous-id': one });
      for (const s of [s2, s3, again]) s.close();
    } finally {
      await capped.close();
    }
  });
});

describe('live sync (SSE)', () => {
  let port: number;
  beforeAll(async () => {
    if (!server.app.server.listening) await server.app.listen({ port: 0, host: '127.0.0.1' });
    port = (server.app.server.address() as AddressInfo).port;
  });

  it('a change on one device or channel reaches the other device at once', async () => {
    const shop = await openShop();
    const t = await mintToken(shop, { userId: 'live-1' });
    const tablet = await openStream(port, '/store/v1/cart/stream', customer(t.secret, shop.appKey));
    const first = await tablet.next(() => true);
    expect(first).toMatchObject({ version: 0, lines: [] });
    // The phone (website) adds; the tablet (app) sees it, priced for the app.
    await must(customer(t.secret, shop.webKey), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 1 });
    const seen = await tablet.next((c) => c.version === 1);
    expect(seen.lines[0]).toMatchObject({ sku: shop.tee, quantity: 1, unitPrice: 135000 });
    // The agent adds on the hotline; the tablet sees that too.
    await must(shop.ws.admin, 'POST', `/api/v1/profiles/${t.token.profileId}/cart/lines`, { channelId: shop.phone, sku: shop.mug, quantity: 1 });
    expect((await tablet.next((c) => c.version === 2)).itemCount).toBe(2);
    tablet.close();
  });

  it('a guest watching their cart follows it into the customer cart when they sign in', async () => {
    const shop = await openShop();
    const known = await mintToken(shop, { userId: 'live-2' });
    await must(customer(known.secret, shop.appKey), 'POST', '/store/v1/cart/lines', { sku: shop.mug, quantity: 1 });
    const a = anon();
    await must(guest(shop, a), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 1 });
    const watching = await openStream(port, '/store/v1/cart/stream', guest(shop, a));
    await watching.next((c) => c.itemCount === 1);
    const signedIn = await mintToken(shop, { userId: 'live-2', anonymousId: a });
    // The guest's anonymous stream does not follow into a signed-in customer's cart: it is told so
    // and ends; the page reconnects with the customer token and follows the merged cart.
    const asCustomer = await openStream(port, '/store/v1/cart/stream', customer(signedIn.secret, shop.webKey));
    // Whichever notices first (a reader merging lazily, or the merge consumer), the stream ends on one cart.
    await must(customer(known.secret, shop.webKey), 'GET', '/store/v1/cart');
    const merged = await asCustomer.next((c) => c.itemCount === 2);
    expect(merged.lines.map((l) => l.sku).sort()).toEqual([shop.mug, shop.tee].sort());
    expect(await watching.ended).toContain('refused');
    asCustomer.close();
  });

  it('EventSource clients authenticate with query parameters, which never reach the logs', async () => {
    const shop = await openShop();
    const t = await mintToken(shop, { userId: 'live-q' });
    const q = `writeKey=${encodeURIComponent(shop.ws.writeKey)}&customerToken=${encodeURIComponent(t.secret)}`;
    const s = await openStream(port, `/store/v1/cart/stream?${q}`, {});
    expect(await s.next(() => true)).toMatchObject({ profileId: t.token.profileId });
    s.close();
    const logged = redactQuery(`/store/v1/cart/stream?${q}&x=1`);
    expect(logged).not.toContain(t.secret);
    expect(logged).not.toContain(shop.ws.writeKey);
    expect(logged).toContain('x=1');
  });

  // PostgreSQL only: the embedded database serves one process (a second is refused), so there is no other process to reach.
  it.runIf(DB_KIND === 'postgres')('across two server processes: a write on one reaches a subscriber on the other (LISTEN/NOTIFY)', async () => {
    const shop = await openShop();
    const t = await mintToken(shop, { userId: 'live-3' });
    const db2 = await openDb({ databaseUrl: inject('databaseUrl'), dataDir: '', poolSize: 4 });
    let second: BuiltApp | undefined;
    try {
      second = await buildApp({ config: testConfig({ runWorkers: false }), db: db2, logger: false });
      await second.app.listen({ port: 0, host: '127.0.0.1' });
      const port2 = (second.app.server.address() as AddressInfo).port;
      const watching = await openStream(port2, '/store/v1/cart/stream', customer(t.secret, shop.appKey));
      await watching.next(() => true);
      await must(customer(t.secret, shop.webKey), 'POST', '/store/v1/cart/lines', { sku: shop.tee, quantity: 3 });
      expect((await watching.next((c) => c.version === 1)).itemCount).toBe(3);
      watching.close();
    } finally {
      await second?.app.close();
      await db2.close();
    }
  });
});
