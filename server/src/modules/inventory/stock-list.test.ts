import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, jsonClient, startTestServer, type TestServer, type TestWorkspace } from '../../../test/helpers';
import type { StockList } from './stock-list';

let server: TestServer;
let call: ReturnType<typeof jsonClient>['call'];
let must: ReturnType<typeof jsonClient>['must'];
beforeAll(async () => {
  server = await startTestServer({ runWorkers: false });
  ({ call, must } = jsonClient(server));
  await server.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => server.close());

interface Shop {
  ws: TestWorkspace;
  warehouse: string;
  store: string;
  web: string;
  shopee: string;
  pos: string;
  tee: string;
  mug: string;
}

const id = async (ws: TestWorkspace, url: string, payload: unknown) => (await must<{ id: string }>(ws.admin, 'POST', url, payload)).id;

/** Website (warehouse + store), Shopee (warehouse, 2 units of safety stock), POS (store); a tee and a mug. */
async function openShop(): Promise<Shop> {
  const ws = await createTestWorkspace(server);
  const warehouse = await id(ws, '/api/v1/locations', { name: 'Kho Thủ Đức', kind: 'warehouse' });
  const store = await id(ws, '/api/v1/locations', { name: 'Cửa hàng Quận 1', kind: 'store' });
  const web = await id(ws, '/api/v1/channels', { name: 'Website', type: 'web', locationIds: [warehouse, store] });
  const shopee = await id(ws, '/api/v1/channels', { name: 'Shopee', type: 'marketplace', platform: 'shopee', allocation: { mode: 'safety_stock', value: 2 }, locationIds: [warehouse] });
  const pos = await id(ws, '/api/v1/channels', { name: 'POS Quận 1', type: 'pos', locationIds: [store] });
  const suffix = Math.random().toString(36).slice(2, 8).toUpperCase();
  const tee = `AO-${suffix}`;
  const mug = `LY-${suffix}`;
  await id(ws, '/api/v1/products', { title: 'Áo thun cotton', variants: [{ sku: tee, title: 'Trắng / M', price: 150000 }] });
  await id(ws, '/api/v1/products', { title: 'Ly sứ', variants: [{ sku: mug, title: 'Xanh', price: 90000 }] });
  const stock: [string, string, number][] = [[tee, warehouse, 10], [tee, store, 8], [mug, warehouse, 3]];
  for (const [sku, locationId, count] of stock) await must(ws.admin, 'POST', '/api/v1/inventory/adjustments', { sku, locationId, count, reason: 'stock_take' });
  return { ws, warehouse, store, web, shopee, pos, tee, mug };
}

const list = async (shop: Shop, query = '') => must<StockList>(shop.ws.admin, 'GET', `/api/v1/inventory${query}`);
const row = (l: StockList, sku: string) => l.data.find((r) => r.sku === sku);
const sellable = (l: StockList, sku: string, channelId: string) => row(l, sku)?.channels.find((c) => c.channelId === channelId)?.sellable;

describe('GET /api/v1/inventory', () => {
  it('lists every SKU with stock per location and what each channel may sell', async () => {
    const shop = await openShop();
    const l = await list(shop);
    expect(l.locations.map((x) => x.id).sort()).toEqual([shop.warehouse, shop.store].sort());
    expect(l.channels.map((c) => c.name).sort()).toEqual(['POS Quận 1', 'Shopee', 'Website']);
    expect(row(l, shop.tee)).toMatchObject({ productTitle: 'Áo thun cotton', title: 'Trắng / M', price: 150000, onHand: 18, reserved: 0, available: 18, isLowStock: false });
    expect(row(l, shop.tee)?.levels.map((x) => [x.locationId, x.available]).sort()).toEqual([[shop.warehouse, 10], [shop.store, 8]].sort());
    expect(sellable(l, shop.tee, shop.web)).toBe(18);
    expect(sellable(l, shop.tee, shop.shopee)).toBe(8); // 10 minus 2 units of safety stock
    expect(sellable(l, shop.tee, shop.pos)).toBe(8);
    expect(row(l, shop.mug)).toMatchObject({ available: 3, isLowStock: true }); // 3 ≤ the default threshold of 5
    expect(sellable(l, shop.mug, shop.shopee)).toBe(1);
    expect(sellable(l, shop.mug, shop.pos)).toBe(0);
  });

  it('never shows another workspace’s stock', async () => {
    const a = await openShop();
    const b = await openShop();
    const l = await list(a);
    expect(l.data.map((r) => r.sku).sort()).toEqual([a.mug, a.tee].sort());
    expect(l.channels.some((c) => c.id === b.web)).toBe(false);
    expect((await call(a.ws.admin, 'GET', `/api/v1/inventory?locationId=${b.warehouse}`)).status).toBe(404);
  });

  describe('when filtered', () => {
    it('searches by title or SKU without accents', async () => {
      const shop = await openShop();
      expect((await list(shop, '?q=ao%20thun')).data.map((r) => r.sku)).toEqual([shop.tee]);
      expect((await list(shop, `?q=${shop.mug.toLowerCase()}`)).data.map((r) => r.sku)).toEqual([shop.mug]);
    });

    it('shows one location’s stock, keeping what channels sell over all their locations', async () => {
      const shop = await openShop();
      const l = await list(shop, `?locationId=${shop.store}`);
      expect(row(l, shop.tee)).toMatchObject({ onHand: 8, available: 8, isLowStock: false });
      expect(row(l, shop.tee)?.levels.map((x) => x.locationId)).toEqual([shop.store]);
      expect(sellable(l, shop.tee, shop.web)).toBe(18);
      expect(row(l, shop.mug)).toMatchObject({ onHand: 0, levels: [], isLowStock: false }); // not stocked at the store
    });

    it('keeps low stock only, by the level’s own threshold or the default', async () => {
      const shop = await openShop();
      expect((await list(shop, '?lowStock=true')).data.map((r) => r.sku)).toEqual([shop.mug]);
      expect((await list(shop, '?lowStock=true&threshold=2')).data).toEqual([]);
      await must(shop.ws.admin, 'POST', '/api/v1/inventory/adjustments', { sku: shop.tee, locationId: shop.warehouse, lowStockThreshold: 10, reason: 'correction' });
      const low = await list(shop, '?lowStock=true&threshold=2');
      expect(low.data.map((r) => r.sku)).toEqual([shop.tee]);
      expect(row(low, shop.tee)?.levels.find((x) => x.locationId === shop.warehouse)).toMatchObject({ lowStockThreshold: 10, isLowStock: true });
      expect((await list(shop, `?lowStock=true&locationId=${shop.store}`)).data).toEqual([]);
      expect((await list(shop, `?lowStock=true&threshold=8&locationId=${shop.store}`)).data.map((r) => r.sku)).toEqual([shop.tee]);
    });

    it('pages with a cursor, in both modes', async () => {
      const shop = await openShop();
      const first = await list(shop, '?limit=1');
      expect(first.data).toHaveLength(1);
      expect(first.nextCursor).not.toBeNull();
      const second = await list(shop, `?limit=1&cursor=${first.nextCursor}`);
      expect([...first.data, ...second.data].map((r) => r.sku).sort()).toEqual([shop.mug, shop.tee].sort());
      expect(second.nextCursor).toBeNull();
      const lowFirst = await list(shop, '?lowStock=true&threshold=100&limit=1');
      const lowSecond = await list(shop, `?lowStock=true&threshold=100&limit=1&cursor=${lowFirst.nextCursor}`);
      expect([...lowFirst.data, ...lowSecond.data].map((r) => r.sku)).toEqual([shop.tee, shop.mug]); // Áo before Ly
      expect(lowSecond.nextCursor).toBeNull();
      expect((await call(shop.ws.admin, 'GET', '/api/v1/inventory?cursor=nonsense')).status).toBe(400);
    });
  });
});

interface Stream {
  next(predicate: (skus: string[]) => boolean, timeoutMs?: number): Promise<string[]>;
  close(): void;
}

function openStream(headers: Record<string, string>): Promise<Stream> {
  const { port } = server.app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const seen: string[][] = [];
    const waiters: { predicate: (s: string[]) => boolean; resolve: (s: string[]) => void }[] = [];
    const req = http.get({ host: '127.0.0.1', port, path: '/api/v1/inventory/stream', headers }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream → ${res.statusCode}`));
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) !== -1) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (block.includes('event: ready')) resolve(stream);
          const data = block.split('\n').find((x) => x.startsWith('data: '));
          if (!block.includes('event: stock') || !data) continue;
          const skus = (JSON.parse(data.slice(6)) as { skus: string[] }).skus;
          seen.push(skus);
          for (const w of [...waiters]) {
            if (!w.predicate(skus)) continue;
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(skus);
          }
        }
      });
    });
    req.on('error', reject);
    const stream: Stream = {
      next(predicate, timeoutMs = 5000) {
        const found = seen.find(predicate);
        if (found) return Promise.resolve(found);
        return new Promise((res2, rej2) => {
          const timer = setTimeout(() => rej2(new Error(`no matching stock event within ${timeoutMs} ms; got ${JSON.stringify(seen)}`)), timeoutMs);
          waiters.push({ predicate, resolve: (s) => (clearTimeout(timer), res2(s)) });
        });
      },
      close: () => req.destroy(),
    };
  });
}

describe('GET /api/v1/inventory/stream', () => {
  it('tells the console which SKUs changed when an order on any channel takes stock', async () => {
    const shop = await openShop();
    const other = await openShop();
    const watching = await openStream(shop.ws.admin);
    const elsewhere = await openStream(other.ws.admin);
    try {
      await must(shop.ws.admin, 'POST', '/api/v1/orders', { channelId: shop.pos, externalId: `R-${Date.now()}`, lines: [{ sku: shop.tee, quantity: 1 }], status: 'paid' });
      expect(await watching.next((s) => s.includes(shop.tee))).toEqual([shop.tee]);
      expect(sellable(await list(shop), shop.tee, shop.web)).toBe(17);
      await must(shop.ws.admin, 'POST', '/api/v1/inventory/adjustments', { sku: shop.mug, locationId: shop.warehouse, delta: 5, reason: 'received' });
      await watching.next((s) => s.includes(shop.mug));
      // A refused change (rolled back) says nothing; another workspace hears nothing of ours.
      expect((await call(shop.ws.admin, 'POST', '/api/v1/inventory/adjustments', { sku: shop.mug, locationId: shop.store, delta: -1, reason: 'damaged' })).status).toBe(409);
      await expect(elsewhere.next(() => true, 400)).rejects.toThrow(/no matching stock event/);
    } finally {
      watching.close();
      elsewhere.close();
    }
  });

  it('refuses a caller without credentials', async () => {
    await expect(openStream({})).rejects.toThrow(/stream → 401/);
  });
});
