/**
 * The customer list: search, the channel filter (profiles) and the orders filter (commerce
 * facts of the orders module), keyset pages that hold with filters, and bad filter values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, jsonClient, startTestServer, type TestServer, type TestWorkspace } from '../../test/helpers';

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

interface Row {
  id: string;
  traits: { name?: string };
  channels: Record<string, { count: number }>;
  commerce: { orderCount: number; totalSpent: number; currency: string; lastOrderAt: string | null };
}
interface Page {
  data: Row[];
  nextCursor: string | null;
}
type ErrorBody = { error: { code: string; message: string; field?: string } };

const day = (n: number) => `2026-01-${String(n).padStart(2, '0')}T09:00:00.000Z`;

interface Shop {
  ws: TestWorkspace;
  web: string;
  pos: string;
  sku: string;
  posBasic: { authorization: string };
}

/**
 * Customers, most recently seen first:
 *  u4 Phạm Dũng       — pos only (identified at the counter, day 6), no orders
 *  u1 Nguyễn Văn An   — web (day 1) + a POS sale (day 5)
 *  u5 Nguyễn Thị Em   — web (day 4.5 via a web order that was cancelled)
 *  u3 Lê Minh Châu    — web (day 3) + a web order (day 4)
 *  u2 Trần Thị Bình   — web (day 2), no orders
 */
async function openShop(): Promise<Shop> {
  const ws = await createTestWorkspace(server);
  const pos = await ws.addSource('pos');
  const id = async (url: string, body: unknown) => (await must<{ id: string }>(ws.admin, 'POST', url, body)).id;
  const store = await id('/api/v1/locations', { name: 'Cửa hàng Quận 1', kind: 'store' });
  const web = await id('/api/v1/channels', { name: 'Website', type: 'web', sourceId: ws.sourceId, locationIds: [store] });
  const posChannel = await id('/api/v1/channels', { name: 'POS Quận 1', type: 'pos', locationIds: [store] });
  const sku = `AO-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
  await id('/api/v1/products', { title: 'Áo thun', variants: [{ sku, price: 150000 }] });
  await must(ws.admin, 'POST', '/api/v1/inventory/adjustments', { sku, locationId: store, count: 50, reason: 'stock_take' });
  return { ws, web, pos: posChannel, sku, posBasic: pos.basic };
}

async function identify(auth: { authorization: string }, userId: string, name: string, timestamp: string): Promise<void> {
  const res = await server.app.inject({ method: 'POST', url: '/v1/identify', headers: auth, payload: { userId, traits: { name }, timestamp } });
  expect(res.statusCode, res.body).toBe(200);
}

let receipt = 0;
async function order(shop: Shop, channelId: string, userId: string, quantity: number, placedAt: string): Promise<string> {
  const body = { channelId, externalId: `R-${++receipt}`, customer: { userId }, lines: [{ sku: shop.sku, quantity }], status: 'paid', placedAt };
  return (await must<{ id: string }>(shop.ws.admin, 'POST', '/api/v1/orders', body)).id;
}

async function seed(): Promise<Shop> {
  const shop = await openShop();
  await identify(shop.ws.basic, 'u1', 'Nguyễn Văn An', day(1));
  await identify(shop.ws.basic, 'u2', 'Trần Thị Bình', day(2));
  await identify(shop.ws.basic, 'u3', 'Lê Minh Châu', day(3));
  await identify(shop.ws.basic, 'u5', 'Nguyễn Thị Em', day(3));
  await order(shop, shop.web, 'u3', 1, day(4));
  const cancelled = await order(shop, shop.web, 'u5', 1, '2026-01-04T12:00:00.000Z');
  await must(shop.ws.admin, 'POST', `/api/v1/orders/${cancelled}/transitions`, { to: 'cancelled' });
  await order(shop, shop.pos, 'u1', 2, day(5));
  await identify(shop.posBasic, 'u4', 'Phạm Dũng', day(6));
  return shop;
}

const names = (p: Page) => p.data.map((r) => r.traits.name);
const search = (shop: Shop, query: string) => must<Page>(shop.ws.admin, 'GET', `/api/v1/profiles${query}`);

/** Every row over all pages of a query, following nextCursor. */
async function allPages(shop: Shop, query: string): Promise<{ names: (string | undefined)[]; pages: number }> {
  const out: (string | undefined)[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Page = await search(shop, `${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...names(page));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 20);
  return { names: out, pages };
}

describe('GET /api/v1/profiles (customer search)', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await seed();
  });

  it('lists everyone, most recently seen first, each with their commerce facts', async () => {
    const page = await search(shop, '');
    expect(names(page)).toEqual(['Phạm Dũng', 'Nguyễn Văn An', 'Nguyễn Thị Em', 'Lê Minh Châu', 'Trần Thị Bình']);
    const an = page.data.find((r) => r.traits.name === 'Nguyễn Văn An')!;
    expect(an.commerce).toEqual({ orderCount: 1, totalSpent: 300000, currency: 'VND', lastOrderAt: day(5) });
    expect(Object.keys(an.channels).sort()).toEqual(['pos', 'web']);
    expect(page.data.find((r) => r.traits.name === 'Trần Thị Bình')!.commerce).toMatchObject({ orderCount: 0, totalSpent: 0, lastOrderAt: null });
  });

  it('ignores accents: "nguyen" finds "Nguyễn"', async () => {
    expect(names(await search(shop, '?q=nguyen'))).toEqual(['Nguyễn Văn An', 'Nguyễn Thị Em']);
    expect(names(await search(shop, `?q=${encodeURIComponent('nguyễn văn')}`))).toEqual(['Nguyễn Văn An']);
  });

  describe('when filtering by channel', () => {
    it('keeps the customers who used it', async () => {
      expect(names(await search(shop, '?channel=pos'))).toEqual(['Phạm Dũng', 'Nguyễn Văn An']);
      expect(names(await search(shop, '?channel=web'))).toEqual(['Nguyễn Văn An', 'Nguyễn Thị Em', 'Lê Minh Châu', 'Trần Thị Bình']);
      expect(names(await search(shop, '?channel=zalo'))).toEqual([]);
    });

    it('combines with the search text', async () => {
      expect(names(await search(shop, '?channel=pos&q=nguyen'))).toEqual(['Nguyễn Văn An']);
    });
  });

  describe('when filtering by orders', () => {
    it('hasOrders=true keeps customers with a counted order (a cancelled one does not count)', async () => {
      expect(names(await search(shop, '?hasOrders=true'))).toEqual(['Nguyễn Văn An', 'Lê Minh Châu']);
    });

    it('hasOrders=false keeps the others', async () => {
      expect(names(await search(shop, '?hasOrders=false'))).toEqual(['Phạm Dũng', 'Nguyễn Thị Em', 'Trần Thị Bình']);
    });

    it('combines with the channel filter', async () => {
      expect(names(await search(shop, '?hasOrders=true&channel=pos'))).toEqual(['Nguyễn Văn An']);
      expect(names(await search(shop, '?hasOrders=false&channel=pos'))).toEqual(['Phạm Dũng']);
    });
  });

  describe('when a filtered list has more than one page', () => {
    it('pages with nextCursor without skipping or repeating anyone', async () => {
      expect((await allPages(shop, '?hasOrders=true&limit=1')).names).toEqual(['Nguyễn Văn An', 'Lê Minh Châu']);
      expect((await allPages(shop, '?hasOrders=false&limit=2')).names).toEqual(['Phạm Dũng', 'Nguyễn Thị Em', 'Trần Thị Bình']);
      expect((await allPages(shop, '?channel=web&limit=3')).names).toEqual(['Nguyễn Văn An', 'Nguyễn Thị Em', 'Lê Minh Châu', 'Trần Thị Bình']);
    });

    it('fills a page past customers that do not match', async () => {
      const first = await search(shop, '?hasOrders=true&limit=2');
      expect(names(first)).toEqual(['Nguyễn Văn An', 'Lê Minh Châu']);
      const rest = await search(shop, `?hasOrders=true&limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
      expect(rest).toEqual({ data: [], nextCursor: null });
    });
  });

  describe('when asking for given ids (e.g. the customers of a page of orders)', () => {
    it('returns those customers, a merged-away id finding the profile it was merged into', async () => {
      const shop = await seed(); // its own: this test merges profiles
      const all = await search(shop, '?limit=50');
      const byName = new Map(all.data.map((r) => [r.traits.name, r.id]));
      const ids = [byName.get('Lê Minh Châu')!, byName.get('Phạm Dũng')!];
      expect(names(await search(shop, `?ids=${ids.join(',')}`)).sort()).toEqual(['Lê Minh Châu', 'Phạm Dũng']);

      // A visitor merged into Trần Thị Bình: their old id finds her.
      const visitor = await server.app.inject({ method: 'POST', url: '/v1/track', headers: shop.ws.basic, payload: { anonymousId: 'anon-binh', event: 'Product Viewed', timestamp: day(7) } });
      expect(visitor.statusCode).toBe(200);
      const old = (await must<{ id: string }>(shop.ws.admin, 'GET', '/api/v1/profiles/lookup?type=anonymous_id&value=anon-binh')).id;
      await identify(shop.ws.basic, 'u2', 'Trần Thị Bình', day(8));
      const link = await server.app.inject({ method: 'POST', url: '/v1/identify', headers: shop.ws.basic, payload: { userId: 'u2', anonymousId: 'anon-binh', timestamp: day(8) } });
      expect(link.statusCode).toBe(200);
      const found = await search(shop, `?ids=${old}`);
      expect(names(found)).toEqual(['Trần Thị Bình']);
      expect(found.data[0]!.id).toBe(byName.get('Trần Thị Bình'));
    });

    it('answers 400 naming ids for a malformed list', async () => {
      const res = await call<ErrorBody>(shop.ws.admin, 'GET', '/api/v1/profiles?ids=a,,b');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('ids');
    });

    it('finds nothing of another workspace', async () => {
      const other = await openShop();
      const mine = (await search(shop, '?limit=1')).data[0]!.id;
      expect((await search(other, `?ids=${mine}`)).data).toEqual([]);
    });
  });

  describe('when a filter value is bad', () => {
    it('answers 400 naming hasOrders', async () => {
      const res = await call<ErrorBody>(shop.ws.admin, 'GET', '/api/v1/profiles?hasOrders=maybe');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.message).toContain('hasOrders');
    });

    it('answers 400 naming channel', async () => {
      const res = await call<ErrorBody>(shop.ws.admin, 'GET', '/api/v1/profiles?channel=telepathy');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.message).toContain('channel');
    });

    it('answers 400 naming cursor for a cursor it did not issue', async () => {
      const res = await call<ErrorBody>(shop.ws.admin, 'GET', '/api/v1/profiles?hasOrders=true&cursor=nope');
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'validation_failed', field: 'cursor' });
    });
  });

  it('sees only its own workspace', async () => {
    const other = await openShop();
    expect((await search(other, '?hasOrders=false')).data).toEqual([]);
    expect((await search(other, '?channel=pos')).data).toEqual([]);
  });
});
