/**
 * One promotion truth over HTTP: definitions and their bad input, lifecycle and audit, codes,
 * the same amounts from the cart, checkout, the quote and the offers endpoint, purchase history
 * from a store enabling a web offer, budgets and the last code under concurrency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, eventually, jsonClient, startTestServer, type TestServer, type TestWorkspace } from '../../test/helpers';
import type { Cart } from '../modules/carts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ runWorkers: false });
});
afterAll(async () => server.close());

type ErrorBody = { error: { code: string; message: string; field?: string; reason?: string; coupon?: string } };

const { call, must } = jsonClient({
  get app() {
    return server.app;
  },
});

interface Shop {
  ws: TestWorkspace;
  admin: Record<string, string>;
  web: string;
  pos: string;
  store: string;
  webKey: Record<string, string>;
  ao: string;
  aoSku: string;
  quan: string;
  quanSku: string;
  fashion: string;
  kitchen: string;
  noi: string;
  noiSku: string;
}

async function openShop(): Promise<Shop> {
  const ws = await createTestWorkspace(server);
  const admin = ws.admin;
  const id = async (url: string, body: unknown) => (await must<{ id: string }>(admin, 'POST', url, body)).id;
  const warehouse = await id('/api/v1/locations', { name: 'Kho', kind: 'warehouse' });
  const store = await id('/api/v1/locations', { name: 'Cửa hàng Hoàn Kiếm', kind: 'store' });
  const web = await id('/api/v1/channels', { name: 'Website', type: 'web', sourceId: ws.sourceId, locationIds: [warehouse] });
  const pos = await id('/api/v1/channels', { name: 'POS Hoàn Kiếm', type: 'pos', locationIds: [store] });
  const fashion = await id('/api/v1/categories', { name: 'Thời trang' });
  const kitchen = await id('/api/v1/categories', { name: 'Nhà bếp' });
  const s = Math.random().toString(36).slice(2, 7).toUpperCase();
  const product = async (title: string, sku: string, price: number, categoryId: string) => {
    const p = await must<{ id: string }>(admin, 'POST', '/api/v1/products', { title, categoryIds: [categoryId], variants: [{ sku, price }] });
    for (const locationId of [warehouse, store]) await must(admin, 'POST', '/api/v1/inventory/adjustments', { sku, locationId, count: 500, reason: 'stock_take' });
    return p.id;
  };
  const ao = await product('Áo thun', `AO-${s}`, 200_000, fashion);
  const quan = await product('Quần jean', `QUAN-${s}`, 450_000, fashion);
  const noi = await product('Nồi chiên', `NOI-${s}`, 1_500_000, kitchen);
  return { ws, admin, web, pos, store, webKey: { 'x-omni-write-key': ws.writeKey }, ao, aoSku: `AO-${s}`, quan, quanSku: `QUAN-${s}`, fashion, kitchen, noi, noiSku: `NOI-${s}` };
}

const promo = (shop: Shop, body: Record<string, unknown>) => must<{ id: string; status: string }>(shop.admin, 'POST', '/api/v1/promotions', { status: 'active', ...body });

/** A customer whose traits the shop's own backend (a trusted server source) set. */
async function customer(shop: Shop, userId: string, traits: Record<string, unknown> = {}): Promise<{ profileId: string; headers: Record<string, string> }> {
  if (Object.keys(traits).length > 0) {
    const backend = await shop.ws.addSource('server', { trust: 'server' });
    const r = await server.app.inject({ method: 'POST', url: '/v1/identify', headers: backend.basic, payload: { userId, traits } });
    expect(r.statusCode).toBe(200);
  }
  const t = await must<{ secret: string; token: { profileId: string } }>(shop.admin, 'POST', '/api/v1/customer-tokens', { userId });
  return { profileId: t.token.profileId, headers: { ...shop.webKey, 'x-omni-customer-token': t.secret } };
}

describe('definitions: bad input names the field', () => {
  it('refuses invalid rules with 400 and the field', async () => {
    const shop = await openShop();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x', reward: { type: 'percentage', percent: 120 } }, 'reward.percent'],
      [{ name: 'x', reward: { type: 'percentage', percent: 0 } }, 'reward.percent'],
      [{ name: 'x', reward: { type: 'buy_x_get_y', buy: { items: { scope: 'products', productIds: [] }, quantity: 1 }, get: { items: { scope: 'products', productIds: [shop.ao] }, quantity: 1 } } }, 'reward.buy.items.productIds'],
      [{ name: 'x', reward: { type: 'fixed', amount: 1000 }, startsAt: '2027-02-01T00:00:00Z', endsAt: '2027-01-01T00:00:00Z' }, 'endsAt'],
      [{ name: 'x', reward: { type: 'percentage', percent: 10, target: { scope: 'categories', categoryIds: ['cat_nope'] } } }, 'categoryId'],
      [{ name: 'x', reward: { type: 'tiered_spend', tiers: [{ minSpend: 2_000_000, amountOff: 250_000 }, { minSpend: 1_000_000, amountOff: 100_000 }] } }, 'reward.tiers[1].minSpend'],
      [{ name: 'x', reward: { type: 'wholesale' } }, 'reward.type'],
      [{ name: 'x', reward: { type: 'fixed', amount: 1000 }, conditions: { all: [{ tier: { in: ['gold'] } }, { boughtCategory: { categoryIds: [shop.fashion], withinDays: 0 } }] } }, 'conditions.all[1].boughtCategory.withinDays'],
      [{ name: 'x', reward: { type: 'fixed', amount: 1000 }, conditions: { sometimes: true } }, 'conditions.sometimes'],
    ];
    for (const [body, field] of cases) {
      const res = await call<ErrorBody>(shop.admin, 'POST', '/api/v1/promotions', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.field, res.body.error.message).toBe(field);
    }
    expect((await must<{ data: unknown[] }>(shop.admin, 'GET', '/api/v1/promotions')).data).toHaveLength(0);
  });
});

describe('lifecycle and audit', () => {
  it('draft → active → paused → active → ended, each change audited; scheduled shows from the start date', async () => {
    const shop = await openShop();
    const p = await must<{ id: string; status: string }>(shop.admin, 'POST', '/api/v1/promotions', { name: 'Giảm 10%', reward: { type: 'percentage', percent: 10 } });
    expect(p.status).toBe('draft');
    for (const status of ['active', 'paused', 'active', 'ended']) {
      expect((await must<{ status: string }>(shop.admin, 'POST', `/api/v1/promotions/${p.id}/status`, { status })).status).toBe(status);
    }
    const bad = await call<ErrorBody>(shop.admin, 'POST', `/api/v1/promotions/${p.id}/status`, { status: 'active' });
    expect(bad.status).toBe(409);
    expect(bad.body.error.code).toBe('invalid_transition');
    const audit = await must<{ data: { action: string; actor: string }[] }>(shop.admin, 'GET', `/api/v1/promotions/${p.id}/audit`);
    expect(audit.data.map((a) => a.action)).toEqual(['created', 'status:active', 'status:paused', 'status:active', 'status:ended']);
    expect(audit.data[0]!.actor).toMatch(/^token:/);
    const later = await promo(shop, { name: 'Tết', reward: { type: 'fixed', amount: 50_000 }, startsAt: '2099-01-01T00:00:00Z' });
    expect(later.status).toBe('scheduled');
  });
});

describe('one engine, every channel', () => {
  it('the cart, the quote, the offers and the checkout give the same amounts', async () => {
    const shop = await openShop();
    await promo(shop, {
      name: 'Mua 1 tặng 1 áo thun',
      priority: 10,
      reward: { type: 'buy_x_get_y', buy: { items: { scope: 'products', productIds: [shop.ao] }, quantity: 1 }, get: { items: { scope: 'products', productIds: [shop.ao] }, quantity: 1, percent: 100 } },
    });
    await promo(shop, { name: 'Chi 1 triệu giảm 100k', reward: { type: 'tiered_spend', tiers: [{ minSpend: 1_000_000, amountOff: 100_000 }, { minSpend: 2_000_000, amountOff: 250_000 }] } });
    const c = await customer(shop, 'same-amounts');
    await must(c.headers, 'POST', '/store/v1/cart/lines', { sku: shop.aoSku, quantity: 3 });
    const cart = await must<Cart>(c.headers, 'POST', '/store/v1/cart/lines', { sku: shop.quanSku, quantity: 1 });
    // 3 tees (1 free: 200k) + jeans 450k = subtotal 1,050,000; tiered on 1,050,000 → 100k.
    expect(cart.subtotal).toBe(1_050_000);
    expect(cart.discountTotal).toBe(300_000);
    expect(cart.promotions.map((p) => p.amount).sort()).toEqual([100_000, 200_000]);
    // The tee line carries the free tee (200k) and its share of the tiered 100k.
    const teeDiscount = cart.lines.find((l) => l.sku === shop.aoSku)?.discount;
    expect(teeDiscount).toBeGreaterThanOrEqual(200_000);
    expect(teeDiscount).toBeLessThanOrEqual(300_000);

    const quote = await must<{ discountTotal: number; total: number }>(shop.admin, 'POST', '/api/v1/pricing/quote', {
      channelId: shop.web,
      profileId: c.profileId,
      lines: [{ sku: shop.aoSku, quantity: 3 }, { sku: shop.quanSku, quantity: 1 }],
    });
    expect(quote).toMatchObject({ discountTotal: cart.discountTotal, total: cart.total });

    const offers = await must<{ data: { name: string; eligible: boolean; saving: number }[] }>(shop.admin, 'GET', `/api/v1/profiles/${c.profileId}/offers?channel=${shop.web}`);
    const saving = offers.data.filter((o) => o.eligible).reduce((n, o) => n + o.saving, 0);
    expect(saving).toBe(cart.discountTotal);

    // The same basket sold at the store counter to the same customer: the same discount.
    const pos = await must<{ discountTotal: number; subtotal: number; profileId: string }>(shop.admin, 'POST', '/api/v1/orders', {
      channelId: shop.pos,
      externalId: `HD-${Date.now()}`,
      customer: { userId: 'same-amounts' },
      lines: [{ sku: shop.aoSku, quantity: 3 }, { sku: shop.quanSku, quantity: 1 }],
    });
    expect(pos).toMatchObject({ subtotal: cart.subtotal, discountTotal: cart.discountTotal, profileId: c.profileId });

    const order = await must<{ discountTotal: number; total: number; lines: { sku: string; discount: number }[] }>(c.headers, 'POST', '/store/v1/cart/order', { idempotencyKey: 'k1' });
    expect(order).toMatchObject({ discountTotal: cart.discountTotal, total: cart.total });
    expect(order.lines.reduce((n, l) => n + l.discount, 0)).toBe(cart.discountTotal);
  });

  it('offers say what is missing, in money', async () => {
    const shop = await openShop();
    await promo(shop, { name: 'Chi 1 triệu giảm 100k', reward: { type: 'tiered_spend', tiers: [{ minSpend: 1_000_000, amountOff: 100_000 }] } });
    const c = await customer(shop, 'missing');
    await must(c.headers, 'POST', '/store/v1/cart/lines', { sku: shop.quanSku, quantity: 1 });
    const offers = await must<{ data: { eligible: boolean; potentialSaving: number; missing: string[] }[] }>(shop.admin, 'GET', `/api/v1/profiles/${c.profileId}/offers?channel=${shop.web}`);
    expect(offers.data[0]).toMatchObject({ eligible: false, potentialSaving: 100_000 });
    expect(offers.data[0]!.missing.join(' ')).toMatch(/550[.,]000/);
  });

  it('a purchase in the store enables a web offer (purchase history from every channel)', async () => {
    const shop = await openShop();
    await promo(shop, {
      name: 'Đã mua đồ bếp tại cửa hàng: giảm 15% thời trang',
      reward: { type: 'percentage', percent: 15, target: { scope: 'categories', categoryIds: [shop.fashion] } },
      conditions: { boughtCategory: { categoryIds: [shop.kitchen], withinDays: 30 } },
    });
    const c = await customer(shop, 'in-store', { phone: '0911222333' });
    const before = await must<Cart>(c.headers, 'POST', '/store/v1/cart/lines', { sku: shop.quanSku, quantity: 1 });
    expect(before.discountTotal).toBe(0);
    // A POS sale by phone, in the store.
    const sale = await call(shop.admin, 'POST', '/api/v1/orders', { channelId: shop.pos, externalId: `HD-${Date.now()}`, customer: { phone: '0911 222 333' }, lines: [{ sku: shop.noiSku, quantity: 1 }] });
    expect(sale.status).toBe(201);
    const after = await must<Cart>(c.headers, 'GET', '/store/v1/cart');
    expect(after.discountTotal).toBe(67_500);
  });

  it('birthday month and tier come from the profile', async () => {
    const shop = await openShop();
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', month: '2-digit' }).format(new Date());
    await promo(shop, { name: 'Sinh nhật', reward: { type: 'fixed', amount: 50_000 }, conditions: { all: [{ birthdayMonth: true }, { tier: { in: ['gold'] } }] } });
    const gold = await customer(shop, 'bday-gold', { birthday: `1990-${month}-15`, tier: 'Gold' });
    const silver = await customer(shop, 'bday-silver', { birthday: `1990-${month}-15`, tier: 'silver' });
    expect((await must<Cart>(gold.headers, 'POST', '/store/v1/cart/lines', { sku: shop.aoSku, quantity: 1 })).discountTotal).toBe(50_000);
    const s = await must<Cart>(silver.headers, 'POST', '/store/v1/cart/lines', { sku: shop.aoSku, quantity: 1 });
    expect(s.discountTotal).toBe(0);
    const explained = await must<Cart>(silver.headers, 'GET', '/store/v1/cart?explain=true');
    expect(explained.notApplied?.[0]).toMatchObject({ reason: 'conditions_not_met' });
  });
});

describe('promotions trust only trusted facts', () => {
  type Need = { code: string; [field: string]: unknown };
  type OfferBody = { data: { name: string; eligible: boolean; missing: string[]; needs: Need[] }[] };
  const thisMonth = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', month: '2-digit' }).format(new Date());

  it("a shopper's identify on the public write key cannot make them gold or give them a birthday this month", async () => {
    const shop = await openShop();
    await promo(shop, { name: 'Hạng Vàng', reward: { type: 'fixed', amount: 200_000 }, conditions: { tier: { in: ['gold'] } } });
    await promo(shop, { name: 'Sinh nhật', reward: { type: 'fixed', amount: 50_000 }, conditions: { birthdayMonth: true } });
    await promo(shop, { name: 'VIP', reward: { type: 'fixed', amount: 30_000 }, conditions: { trait: { key: 'vip', op: 'eq', value: true } } });
    // The attack: the write key is in every page of the shop.
    const claim = await server.app.inject({ method: 'POST', url: '/v1/identify', headers: shop.ws.basic, payload: { userId: 'cheat', traits: { tier: 'gold', birthday: `1990-${thisMonth()}-02`, vip: true } } });
    expect(claim.statusCode).toBe(200);
    const c = await customer(shop, 'cheat');
    const cart = await must<Cart>(c.headers, 'POST', '/store/v1/cart/lines', { sku: shop.quanSku, quantity: 1 });
    expect(cart).toMatchObject({ discountTotal: 0, promotions: [] });
    const quote = await must<{ discountTotal: number }>(shop.admin, 'POST', '/api/v1/pricing/quote', { channelId: shop.pos, profileId: c.profileId, lines: [{ sku: shop.quanSku, quantity: 1 }] });
    expect(quote.discountTotal).toBe(0);
    // The offers say why: the value is self-reported.
    const offers = new Map((await must<OfferBody>(shop.admin, 'GET', `/api/v1/profiles/${c.profileId}/offers?channel=${shop.web}`)).data.map((o) => [o.name, o]));
    expect(offers.get('Hạng Vàng')).toMatchObject({ eligible: false, needs: [{ code: 'self_reported', key: 'tier', value: 'gold' }] });
    expect(offers.get('Sinh nhật')).toMatchObject({ eligible: false, needs: [{ code: 'self_reported', key: 'birthday' }] });
    expect(offers.get('VIP')).toMatchObject({ eligible: false, needs: [{ code: 'self_reported', key: 'vip', value: true }] });
    expect(offers.get('Hạng Vàng')!.missing[0]).toContain('self-reported');
    // The profile still shows what the shopper said, marked as such.
    const profile = await must<{ traits: Record<string, unknown>; traitSources: Record<string, string> }>(shop.admin, 'GET', `/api/v1/profiles/${c.profileId}`);
    expect(profile.traits).toMatchObject({ tier: 'gold', vip: true });
    expect(profile.traitSources).toMatchObject({ tier: 'self_reported', birthday: 'self_reported', vip: 'self_reported' });
  });

  it("the shop's backend decides; a later claim from a browser changes what is shown, not what is trusted", async () => {
    const shop = await openShop();
    await promo(shop, { name: 'Hạng Vàng', reward: { type: 'fixed', amount: 200_000 }, conditions: { tier: { in: ['gold'] } } });
    await promo(shop, { name: 'Hạng Kim cương', reward: { type: 'fixed', amount: 300_000 }, conditions: { tier: { in: ['diamond'] } } });
    const c = await customer(shop, 'real-gold', { tier: 'gold' });
    expect((await must<Cart>(c.headers, 'POST', '/store/v1/cart/lines', { sku: shop.quanSku, quantity: 1 })).discountTotal).toBe(200_000);
    const claim = await server.app.inject({ method: 'POST', url: '/v1/identify', headers: shop.ws.basic, payload: { userId: 'real-gold', traits: { tier: 'diamond' } } });
    expect(claim.statusCode).toBe(200);
    const cart = await must<Cart>(c.headers, 'GET', '/store/v1/cart');
    expect(cart.promotions.map((p) => p.name)).toEqual(['Hạng Vàng']);
    const profile = await must<{ traits: Record<string, unknown>; traitSources: Record<string, string> }>(shop.admin, 'GET', `/api/v1/profiles/${c.profileId}`);
    expect(profile).toMatchObject({ traits: { tier: 'diamond' }, traitSources: { tier: 'self_reported' } });
    // Imports and POS orders are the shop's own systems: what they set is trusted too.
    const sale = await call(shop.admin, 'POST', '/api/v1/orders', { channelId: shop.pos, externalId: `HD-${Date.now()}`, customer: { userId: 'pos-buyer', name: 'Lê Văn Tám' }, lines: [{ sku: shop.aoSku, quantity: 1 }] });
    expect(sale.status).toBe(201);
    const buyer = await must<{ traitSources: Record<string, string> }>(shop.admin, 'GET', '/api/v1/profiles/lookup?type=user_id&value=pos-buyer');
    expect(buyer.traitSources).toMatchObject({ name: 'trusted' });
  });

  it('a new source is a client unless the admin says otherwise; only an admin can make a key trusted', async () => {
    const shop = await openShop();
    const made = await must<{ source: { id: string; trust: string }; writeKey: string }>(shop.admin, 'POST', '/api/v1/sources', { name: 'Website 2', channel: 'web' });
    expect(made.source.trust).toBe('client');
    const key = { authorization: `Basic ${Buffer.from(`${made.writeKey}:`).toString('base64')}` };
    await promo(shop, { name: 'Hạng Vàng', reward: { type: 'fixed', amount: 200_000 }, conditions: { tier: { in: ['gold'] } } });
    const send = async (userId: string) => expect((await server.app.inject({ method: 'POST', url: '/v1/identify', headers: key, payload: { userId, traits: { tier: 'gold' } } })).statusCode).toBe(200);
    await send('before');
    const patched = await must<{ trust: string }>(shop.admin, 'PATCH', `/api/v1/sources/${made.source.id}`, { trust: 'server' });
    expect(patched.trust).toBe('server');
    await send('after');
    const before = await customer(shop, 'before');
    const after = await customer(shop, 'after');
    expect((await must<Cart>(before.headers, 'POST', '/store/v1/cart/lines', { sku: shop.quanSku, quantity: 1 })).discountTotal).toBe(0);
    expect((await must<Cart>(after.headers, 'POST', '/store/v1/cart/lines', { sku: shop.quanSku, quantity: 1 })).discountTotal).toBe(200_000);
    const bad = await call<ErrorBody>(shop.admin, 'PATCH', `/api/v1/sources/${made.source.id}`, { trust: 'browser' });
    expect(bad.status).toBe(400);
  });
});

describe('codes', () => {
  it('a code applies on the cart; unknown, used and ended codes get a clear reason; Coupon events on the timeline', async () => {
    const shop = await openShop();
    const p = await promo(shop, { name: 'Mã TET', requiresCode: true, reward: { type: 'percentage', percent: 10 } });
    await must(shop.admin, 'POST', `/api/v1/promotions/${p.id}/codes`, { code: 'tet 2027' });
    const c = await customer(shop, 'codes');
    await must(c.headers, 'POST', '/store/v1/cart/lines', { sku: shop.quanSku, quantity: 2 });
    const applied = await must<Cart>(c.headers, 'POST', '/store/v1/cart/codes', { code: 'Tet2027' });
    expect(applied.codes).toEqual([expect.objectContaining({ code: 'TET2027', status: 'applied' })]);
    expect(applied.discountTotal).toBe(90_000);
    const unknown = await call<ErrorBody>(c.headers, 'POST', '/store/v1/cart/codes', { code: 'NOPE' });
    expect(unknown.status).toBe(409);
    expect(unknown.body.error).toMatchObject({ code: 'coupon_denied', coupon: 'NOPE', reason: 'unknown_code' });
    const removed = await must<Cart>(c.headers, 'DELETE', '/store/v1/cart/codes/TET2027');
    expect(removed.discountTotal).toBe(0);
    await must(shop.admin, 'POST', `/api/v1/promotions/${p.id}/status`, { status: 'ended' });
    const ended = await call<ErrorBody>(c.headers, 'POST', '/store/v1/cart/codes', { code: 'TET2027' });
    expect(ended.body.error).toMatchObject({ code: 'coupon_denied', reason: 'promotion_ended' });
    const events = await must<{ data: { event: string | null }[] }>(shop.admin, 'GET', `/api/v1/profiles/${c.profileId}/events?limit=100`);
    const names = events.data.map((e) => e.event);
    expect(names).toContain('Coupon Applied');
    expect(names).toContain('Coupon Denied');
    expect(names).toContain('Coupon Removed');
  });

  it('a batch of unique single-use codes exports as CSV', async () => {
    const shop = await openShop();
    const p = await promo(shop, { name: 'Thẻ quà', requiresCode: true, reward: { type: 'fixed', amount: 100_000 } });
    const batch = await must<{ batchId: string; count: number; codes: string[] }>(shop.admin, 'POST', `/api/v1/promotions/${p.id}/codes`, { count: 50, prefix: 'VIP', length: 8 });
    expect(batch.count).toBe(50);
    expect(new Set(batch.codes).size).toBe(50);
    for (const code of batch.codes) expect(code).toMatch(/^VIP[A-Z2-9]{8}$/);
    const csv = await server.app.inject({ method: 'GET', url: `/api/v1/promotions/${p.id}/codes?format=csv&batchId=${batch.batchId}`, headers: shop.admin });
    expect(csv.headers['content-type']).toContain('text/csv');
    const rows = csv.body.trim().split('\n');
    expect(rows[0]).toBe('code,batch_id,uses,max_uses,created_at');
    expect(rows).toHaveLength(51);
    expect(rows[1]).toMatch(new RegExp(`^VIP[A-Z2-9]{8},${batch.batchId},0,1,`));
  });

  it('the last use of a single-use code goes to exactly one order under concurrency', async () => {
    const shop = await openShop();
    const p = await promo(shop, { name: 'Một lần', requiresCode: true, reward: { type: 'fixed', amount: 100_000 } });
    await must(shop.admin, 'POST', `/api/v1/promotions/${p.id}/codes`, { code: 'ONCE', maxUses: 1 });
    const shoppers = await Promise.all(Array.from({ length: 12 }, (_, i) => customer(shop, `race-${i}`)));
    for (const s of shoppers) {
      await must(s.headers, 'POST', '/store/v1/cart/lines', { sku: shop.quanSku, quantity: 1 });
      expect((await must<Cart>(s.headers, 'POST', '/store/v1/cart/codes', { code: 'ONCE' })).discountTotal).toBe(100_000);
    }
    const results = await Promise.all(shoppers.map((s, i) => call<{ discountTotal: number } & ErrorBody>(s.headers, 'POST', '/store/v1/cart/order', { idempotencyKey: `race-${i}` })));
    const won = results.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    expect(won[0]!.body.discountTotal).toBe(100_000);
    for (const r of results.filter((x) => x.status !== 201)) expect(r.body.error.code).toBe('promotion_unavailable');
    const report = await must<{ uses: number; discountGiven: number; customers: number }>(shop.admin, 'GET', `/api/v1/promotions/${p.id}/report`);
    expect(report).toMatchObject({ uses: 1, discountGiven: 100_000, customers: 1 });
  });
});

describe('the POS path', () => {
  it('a code given at the counter applies; one that does not apply is refused and the stock stays', async () => {
    const shop = await openShop();
    const p = await promo(shop, { name: 'Mã cửa hàng', requiresCode: true, reward: { type: 'fixed', amount: 40_000 }, conditions: { cartSubtotal: { gte: 300_000 } } });
    await must(shop.admin, 'POST', `/api/v1/promotions/${p.id}/codes`, { code: 'QUAY40' });
    const ok = await must<{ discountTotal: number; total: number }>(shop.admin, 'POST', '/api/v1/orders', {
      channelId: shop.pos,
      externalId: `HD-${Date.now()}-1`,
      codes: ['quay40'],
      lines: [{ sku: shop.quanSku, quantity: 1 }],
    });
    expect(ok).toMatchObject({ discountTotal: 40_000, total: 410_000 });
    const short = await call<ErrorBody>(shop.admin, 'POST', '/api/v1/orders', { channelId: shop.pos, externalId: `HD-${Date.now()}-2`, codes: ['QUAY40'], lines: [{ sku: shop.aoSku, quantity: 1 }] });
    expect(short.status).toBe(409);
    expect(short.body.error).toMatchObject({ code: 'coupon_denied', coupon: 'QUAY40', reason: 'conditions_not_met' });
    const stock = await must<{ reserved: number; onHand: number }>(shop.admin, 'GET', `/api/v1/inventory/${shop.aoSku}`);
    expect(stock).toMatchObject({ reserved: 0, onHand: 1000 });
    // A marketplace order priced by the marketplace keeps its own discount.
    const market = await must<{ discountTotal: number }>(shop.admin, 'POST', '/api/v1/orders', {
      channelId: shop.pos,
      externalId: `HD-${Date.now()}-3`,
      discountTotal: 12_345,
      lines: [{ sku: shop.quanSku, quantity: 1 }],
    });
    expect(market.discountTotal).toBe(12_345);
  });
});

describe('limits', () => {
  it('a budget is never overspent: the last order gets what is left', async () => {
    const shop = await openShop();
    const p = await promo(shop, { name: 'Ngân sách 150k', reward: { type: 'fixed', amount: 100_000 }, budget: 150_000 });
    const amounts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await customer(shop, `budget-${i}`);
      await must(c.headers, 'POST', '/store/v1/cart/lines', { sku: shop.quanSku, quantity: 1 });
      const order = await must<{ discountTotal: number }>(c.headers, 'POST', '/store/v1/cart/order', { idempotencyKey: `b-${i}` });
      amounts.push(order.discountTotal);
    }
    expect(amounts).toEqual([100_000, 50_000, 0]);
    const report = await must<{ uses: number; discountGiven: number; revenue: number; byChannel: { channelId: string }[] }>(shop.admin, 'GET', `/api/v1/promotions/${p.id}/report`);
    expect(report).toMatchObject({ uses: 2, discountGiven: 150_000, revenue: 350_000 + 400_000 });
    expect(report.byChannel.map((b) => b.channelId)).toEqual([shop.web]);
  });

  it('a checkout that names the total it showed is refused when promotions changed it', async () => {
    const shop = await openShop();
    const p = await promo(shop, { name: 'Giảm 50k', reward: { type: 'fixed', amount: 50_000 } });
    const c = await customer(shop, 'expected');
    const cart = await must<Cart>(c.headers, 'POST', '/store/v1/cart/lines', { sku: shop.quanSku, quantity: 1 });
    expect(cart.total).toBe(400_000);
    await must(shop.admin, 'POST', `/api/v1/promotions/${p.id}/status`, { status: 'paused' });
    const res = await call<ErrorBody & { error: { total?: number } }>(c.headers, 'POST', '/store/v1/cart/order', { idempotencyKey: 'e1', expectedTotal: cart.total });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'price_changed', total: 450_000 });
  });

  it('a cancelled order gives its promotion use and budget back', async () => {
    const shop = await openShop();
    const p = await promo(shop, { name: 'Một suất', reward: { type: 'fixed', amount: 20_000 }, usageLimit: 1 });
    const c = await customer(shop, 'cancel');
    await must(c.headers, 'POST', '/store/v1/cart/lines', { sku: shop.aoSku, quantity: 1 });
    const order = await must<{ id: string; discountTotal: number }>(c.headers, 'POST', '/store/v1/cart/order', { idempotencyKey: 'c1' });
    expect(order.discountTotal).toBe(20_000);
    await must(shop.admin, 'POST', `/api/v1/orders/${order.id}/transitions`, { to: 'cancelled' });
    const { startRedemptionReversalConsumer } = await import('../modules/promotions');
    const consumer = await startRedemptionReversalConsumer(server.db, server.app.log);
    let after: { uses: number; discountGiven: number };
    try {
      after = await eventually(
        async () => {
          await consumer.drain();
          return must<{ uses: number; discountGiven: number }>(shop.admin, 'GET', `/api/v1/promotions/${p.id}`);
        },
        (x) => x.uses === 0,
      );
    } finally {
      await consumer.stop();
    }
    expect(after).toMatchObject({ uses: 0, discountGiven: 0 });
  });

  it('per-customer limit: once per customer', async () => {
    const shop = await openShop();
    await promo(shop, { name: 'Khách mới', reward: { type: 'fixed', amount: 30_000 }, perCustomerLimit: 1 });
    const c = await customer(shop, 'once');
    await must(c.headers, 'POST', '/store/v1/cart/lines', { sku: shop.aoSku, quantity: 1 });
    expect((await must<{ discountTotal: number }>(c.headers, 'POST', '/store/v1/cart/order', { idempotencyKey: 'o1' })).discountTotal).toBe(30_000);
    const again = await must<Cart>(c.headers, 'POST', '/store/v1/cart/lines', { sku: shop.aoSku, quantity: 1 });
    expect(again.discountTotal).toBe(0);
  });
});

describe('reasons in machine-readable form', () => {
  type Need = { code: string; [field: string]: unknown };
  type OfferBody = { data: { name: string; eligible: boolean; missing: string[]; needs: Need[]; conditionsMet: string[]; met: Need[] }[] };
  type Explained = { notApplied?: { name: string; reason: string; message: string; needs: Need[] }[]; codes: { code: string; status: string; message: string | null; needs: Need[] }[] };

  it('offers, the cart explanation and the quote carry needs next to the English words', async () => {
    const shop = await openShop();
    await promo(shop, { name: 'Hạng Vàng', reward: { type: 'fixed', amount: 50_000 }, conditions: { tier: { in: ['gold'] } } });
    await promo(shop, { name: 'Chi 1 triệu', reward: { type: 'tiered_spend', tiers: [{ minSpend: 1_000_000, amountOff: 100_000 }] } });
    await promo(shop, { name: 'Không sàn', reward: { type: 'fixed', amount: 10_000 }, conditions: { not: { channelType: { in: ['marketplace'] } } } });
    const coded = await promo(shop, { name: 'Mã ONE', requiresCode: true, reward: { type: 'percentage', percent: 10 } });
    await must(shop.admin, 'POST', `/api/v1/promotions/${coded.id}/codes`, { code: 'ONE', maxUses: 1 });
    const c = await customer(shop, 'needs', { tier: 'silver' });
    await must(c.headers, 'POST', '/store/v1/cart/lines', { sku: shop.quanSku, quantity: 1 });

    const offers = await must<OfferBody>(shop.admin, 'GET', `/api/v1/profiles/${c.profileId}/offers?channel=${shop.web}`);
    const byName = new Map(offers.data.map((o) => [o.name, o]));
    expect(byName.get('Hạng Vàng')).toMatchObject({ missing: ['needs tier gold'], needs: [{ code: 'tier', values: ['gold'] }] });
    expect(byName.get('Chi 1 triệu')!.needs).toEqual([{ code: 'spend_more', amount: 550_000, saving: 100_000 }]);
    expect(byName.get('Mã ONE')!.needs).toEqual([{ code: 'code_required' }]);
    expect(byName.get('Không sàn')).toMatchObject({ eligible: true, conditionsMet: ['not channel type marketplace'], met: [{ code: 'channel_type', values: ['marketplace'], negate: true }] });
    for (const o of offers.data) expect(o.needs).toHaveLength(o.missing.length);

    const cart = await must<Explained>(c.headers, 'GET', '/store/v1/cart?explain=true');
    const why = new Map((cart.notApplied ?? []).map((n) => [n.name, n]));
    expect(why.get('Hạng Vàng')).toMatchObject({ reason: 'conditions_not_met', message: 'needs tier gold', needs: [{ code: 'tier', values: ['gold'] }] });
    expect(why.get('Mã ONE')).toMatchObject({ reason: 'code_required', needs: [{ code: 'code_required' }] });

    const quote = (codes: string[]) =>
      must<Explained>(shop.admin, 'POST', '/api/v1/pricing/quote', { channelId: shop.pos, profileId: c.profileId, lines: [{ sku: shop.quanSku, quantity: 1 }], codes, explain: true });
    const unknown = await quote(['NOPE']);
    expect(unknown.codes).toEqual([expect.objectContaining({ code: 'NOPE', status: 'denied', needs: [{ code: 'code_unknown' }] })]);
    expect(unknown.notApplied?.find((n) => n.name === 'Chi 1 triệu')?.needs).toEqual([{ code: 'spend_more', amount: 550_000, saving: 100_000 }]);
    await must(shop.admin, 'POST', '/api/v1/orders', { channelId: shop.pos, externalId: `HD-${Date.now()}-needs`, codes: ['ONE'], lines: [{ sku: shop.quanSku, quantity: 1 }] });
    const used = await quote(['ONE']);
    expect(used.codes).toEqual([expect.objectContaining({ code: 'ONE', status: 'denied', needs: [{ code: 'code_used_up' }] })]);
  });
});
