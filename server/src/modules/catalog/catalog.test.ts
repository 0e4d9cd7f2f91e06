import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, startTestServer, type TestServer, type TestWorkspace } from '../../../test/helpers';
import { AppError } from '../../platform/errors';
import { findVariantsBySku, getChannel, getLocation, getVariantsByIds, priceFor, type CatalogVariant, type SalesChannel } from './index';
import { createProduct as createProductDirect, type Category, type Product, type StockLocation, type Variant } from './catalog.service';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

type Body = Record<string, unknown>;
type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

interface ErrorBody {
  error: { code: string; message: string; field?: string; sku?: string; barcode?: string; channelCurrency?: string; variantCurrency?: string };
}

async function call(ws: TestWorkspace, method: Method, url: string, payload?: Body) {
  return server.app.inject({ method, url, headers: ws.admin, ...(payload ? { payload } : {}) });
}

/** A request that must succeed with `status`; its JSON body. */
async function ok<T>(ws: TestWorkspace, method: Method, url: string, payload?: Body, status = method === 'POST' ? 201 : 200): Promise<T> {
  const res = await call(ws, method, url, payload);
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
}

/** A request that must fail with `status`; its error. */
async function fails(ws: TestWorkspace, method: Method, url: string, payload: Body | undefined, status: number): Promise<ErrorBody['error']> {
  const res = await call(ws, method, url, payload);
  expect(res.statusCode, res.body).toBe(status);
  return (res.json() as ErrorBody).error;
}

const createLocation = (ws: TestWorkspace, body: Body) => ok<StockLocation>(ws, 'POST', '/api/v1/locations', body);
const createChannel = (ws: TestWorkspace, body: Body) => ok<SalesChannel>(ws, 'POST', '/api/v1/channels', body);
const createCategory = (ws: TestWorkspace, body: Body) => ok<Category>(ws, 'POST', '/api/v1/categories', body);
const createProduct = (ws: TestWorkspace, body: Body) => ok<Product>(ws, 'POST', '/api/v1/products', body);
const listProducts = (ws: TestWorkspace, query = '') => ok<{ data: Product[]; nextCursor: string | null }>(ws, 'GET', `/api/v1/products${query}`);

/** A product with one variant. */
const simpleProduct = (title: string, sku: string, price = 150_000, extra: Body = {}) => ({ title, variants: [{ sku, price, ...extra }] });

// ---------------------------------------------------------------------------------------------

describe('POST /api/v1/locations', () => {
  describe('when given a store and a warehouse', () => {
    it('creates them, lists them, reads and changes one', async () => {
      const ws = await createTestWorkspace(server);
      const store = await createLocation(ws, { name: 'Cửa hàng Quận 1', kind: 'store', address: '12 Lê Lợi', city: 'Hồ Chí Minh' });
      expect(store).toMatchObject({ name: 'Cửa hàng Quận 1', kind: 'store', address: '12 Lê Lợi', city: 'Hồ Chí Minh' });
      expect(store.id).toMatch(/^loc_/);
      const warehouse = await createLocation(ws, { name: 'Kho Bình Dương', kind: 'warehouse' });
      expect(warehouse).toMatchObject({ address: null, city: null });

      const list = await ok<{ data: StockLocation[] }>(ws, 'GET', '/api/v1/locations');
      expect(list.data.map((l) => l.id)).toEqual([store.id, warehouse.id]);
      expect(await ok<StockLocation>(ws, 'GET', `/api/v1/locations/${store.id}`)).toEqual(store);

      const changed = await ok<StockLocation>(ws, 'PATCH', `/api/v1/locations/${warehouse.id}`, { name: 'Kho Thủ Đức', city: 'Thủ Đức' });
      expect(changed).toMatchObject({ id: warehouse.id, name: 'Kho Thủ Đức', kind: 'warehouse', city: 'Thủ Đức' });
      expect((await ok<StockLocation>(ws, 'GET', `/api/v1/locations/${warehouse.id}`)).name).toBe('Kho Thủ Đức');
    });
  });

  describe('when the kind is unknown or the id does not exist', () => {
    it('answers 400 validation_failed and 404 location_not_found', async () => {
      const ws = await createTestWorkspace(server);
      expect((await fails(ws, 'POST', '/api/v1/locations', { name: 'X', kind: 'garage' }, 400)).code).toBe('validation_failed');
      expect((await fails(ws, 'GET', '/api/v1/locations/loc_missing', undefined, 404)).code).toBe('location_not_found');
      expect((await fails(ws, 'PATCH', '/api/v1/locations/loc_missing', { name: 'Y' }, 404)).code).toBe('location_not_found');
    });
  });
});

describe('POST /api/v1/channels', () => {
  describe('when only a name and type are given', () => {
    it('uses the workspace currency, no allocation, no platform and no locations', async () => {
      const ws = await createTestWorkspace(server);
      const ch = await createChannel(ws, { name: 'Website', type: 'web' });
      expect(ch.id).toMatch(/^ch_/);
      expect(ch).toMatchObject({
        name: 'Website',
        type: 'web',
        platform: null,
        currency: 'VND',
        sourceId: null,
        allocation: { mode: 'none', value: 0 },
        locations: [],
        archivedAt: null,
      });
      expect(Date.parse(ch.createdAt)).not.toBeNaN();
    });
  });

  describe('when locations are given', () => {
    it('keeps them in order of preference with their names and kinds', async () => {
      const ws = await createTestWorkspace(server);
      const a = await createLocation(ws, { name: 'Kho Hà Nội', kind: 'warehouse' });
      const b = await createLocation(ws, { name: 'Kho Đà Nẵng', kind: 'warehouse' });
      const ch = await createChannel(ws, { name: 'Shopee', type: 'marketplace', platform: 'shopee', locationIds: [b.id, a.id] });
      expect(ch.locations).toEqual([
        { id: b.id, name: 'Kho Đà Nẵng', kind: 'warehouse', priority: 0 },
        { id: a.id, name: 'Kho Hà Nội', kind: 'warehouse', priority: 1 },
      ]);
      expect(ch.platform).toBe('shopee');
    });

    it('answers 404 location_not_found for an unknown location', async () => {
      const ws = await createTestWorkspace(server);
      const err = await fails(ws, 'POST', '/api/v1/channels', { name: 'Web', type: 'web', locationIds: ['loc_missing'] }, 404);
      expect(err.code).toBe('location_not_found');
      expect(err.message).toContain('loc_missing');
    });
  });

  describe('when a pos channel is given two locations', () => {
    it('answers 400 naming locationIds, and accepts one store', async () => {
      const ws = await createTestWorkspace(server);
      const s1 = await createLocation(ws, { name: 'Cửa hàng 1', kind: 'store' });
      const s2 = await createLocation(ws, { name: 'Cửa hàng 2', kind: 'store' });
      const err = await fails(ws, 'POST', '/api/v1/channels', { name: 'POS', type: 'pos', locationIds: [s1.id, s2.id] }, 400);
      expect(err).toMatchObject({ code: 'validation_failed', field: 'locationIds' });
      const pos = await createChannel(ws, { name: 'POS Quận 1', type: 'pos', locationIds: [s1.id] });
      expect(pos.locations.map((l) => l.id)).toEqual([s1.id]);
      const patch = await fails(ws, 'PATCH', `/api/v1/channels/${pos.id}`, { locationIds: [s1.id, s2.id] }, 400);
      expect(patch).toMatchObject({ code: 'validation_failed', field: 'locationIds' });
    });
  });

  describe('when the platform does not fit the type', () => {
    it.each([
      [{ name: 'Sàn', type: 'marketplace' }],
      [{ name: 'Sàn', type: 'marketplace', platform: 'facebook' }],
      [{ name: 'Fanpage', type: 'social', platform: 'shopee' }],
      [{ name: 'Web', type: 'web', platform: 'shopee' }],
    ])('answers 400 naming platform for %j', async (body) => {
      const ws = await createTestWorkspace(server);
      expect(await fails(ws, 'POST', '/api/v1/channels', body, 400)).toMatchObject({ code: 'validation_failed', field: 'platform' });
    });

    it('accepts social channels on zalo and tiktok', async () => {
      const ws = await createTestWorkspace(server);
      expect((await createChannel(ws, { name: 'Zalo OA', type: 'social', platform: 'zalo' })).platform).toBe('zalo');
      expect((await createChannel(ws, { name: 'TikTok Shop', type: 'marketplace', platform: 'tiktok' })).platform).toBe('tiktok');
    });
  });

  describe('when an allocation is given', () => {
    it('keeps a safety stock or a percentage in range', async () => {
      const ws = await createTestWorkspace(server);
      const a = await createChannel(ws, { name: 'Lazada', type: 'marketplace', platform: 'lazada', allocation: { mode: 'safety_stock', value: 5 } });
      expect(a.allocation).toEqual({ mode: 'safety_stock', value: 5 });
      const b = await createChannel(ws, { name: 'Tiki', type: 'marketplace', platform: 'tiki', allocation: { mode: 'percentage', value: 80 } });
      expect(b.allocation).toEqual({ mode: 'percentage', value: 80 });
    });

    it.each([
      [{ mode: 'percentage', value: 0 }],
      [{ mode: 'percentage', value: 101 }],
      [{ mode: 'percentage' }],
      [{ mode: 'safety_stock' }],
      [{ mode: 'none', value: 3 }],
    ])('answers 400 naming allocation.value for %j', async (allocation) => {
      const ws = await createTestWorkspace(server);
      const err = await fails(ws, 'POST', '/api/v1/channels', { name: 'Web', type: 'web', allocation }, 400);
      expect(err).toMatchObject({ code: 'validation_failed', field: 'allocation.value' });
    });

    it('answers 400 for a negative safety stock', async () => {
      const ws = await createTestWorkspace(server);
      const err = await fails(ws, 'POST', '/api/v1/channels', { name: 'Web', type: 'web', allocation: { mode: 'safety_stock', value: -1 } }, 400);
      expect(err.code).toBe('validation_failed');
      expect(err.message).toContain('allocation.value');
    });
  });

  describe('when a source or currency is given', () => {
    it('links a source of this workspace and keeps the currency', async () => {
      const ws = await createTestWorkspace(server);
      const ch = await createChannel(ws, { name: 'App', type: 'app', sourceId: ws.sourceId, currency: 'USD' });
      expect(ch).toMatchObject({ sourceId: ws.sourceId, currency: 'USD' });
    });

    it('answers 404 source_not_found for another workspace’s source and 400 for a bad currency', async () => {
      const ws = await createTestWorkspace(server);
      const other = await createTestWorkspace(server);
      expect((await fails(ws, 'POST', '/api/v1/channels', { name: 'App', type: 'app', sourceId: other.sourceId }, 404)).code).toBe('source_not_found');
      expect((await fails(ws, 'POST', '/api/v1/channels', { name: 'App', type: 'app', currency: 'vnd' }, 400)).code).toBe('validation_failed');
      expect((await fails(ws, 'POST', '/api/v1/channels', { name: 'App', type: 'kiosk' }, 400)).code).toBe('validation_failed');
    });
  });
});

describe('GET /api/v1/channels', () => {
  describe('when channels of several types exist and one is archived', () => {
    it('filters by type and shows archived channels only with ?archived=true', async () => {
      const ws = await createTestWorkspace(server);
      const web = await createChannel(ws, { name: 'Web', type: 'web' });
      const phone = await createChannel(ws, { name: 'Hotline', type: 'phone' });
      const old = await createChannel(ws, { name: 'Web cũ', type: 'web' });
      const archived = await ok<SalesChannel>(ws, 'DELETE', `/api/v1/channels/${old.id}`);
      expect(archived.archivedAt).not.toBeNull();

      const ids = async (q: string) => (await ok<{ data: SalesChannel[] }>(ws, 'GET', `/api/v1/channels${q}`)).data.map((c) => c.id);
      expect(await ids('')).toEqual([web.id, phone.id]);
      expect(await ids('?type=web')).toEqual([web.id]);
      expect(await ids('?archived=true')).toEqual([web.id, phone.id, old.id]);
      expect((await ok<SalesChannel>(ws, 'GET', `/api/v1/channels/${old.id}`)).archivedAt).toBe(archived.archivedAt);
    });
  });
});

describe('PATCH /api/v1/channels/:id', () => {
  describe('when name, allocation, locations and source change', () => {
    it('replaces the location list and keeps the new order', async () => {
      const ws = await createTestWorkspace(server);
      const a = await createLocation(ws, { name: 'A', kind: 'warehouse' });
      const b = await createLocation(ws, { name: 'B', kind: 'store' });
      const c = await createLocation(ws, { name: 'C', kind: 'warehouse' });
      const ch = await createChannel(ws, { name: 'Web', type: 'web', locationIds: [a.id, b.id] });
      const changed = await ok<SalesChannel>(ws, 'PATCH', `/api/v1/channels/${ch.id}`, {
        name: 'Website chính',
        allocation: { mode: 'percentage', value: 50 },
        locationIds: [c.id, a.id],
        sourceId: ws.sourceId,
      });
      expect(changed).toMatchObject({ name: 'Website chính', allocation: { mode: 'percentage', value: 50 }, sourceId: ws.sourceId });
      expect(changed.locations.map((l) => [l.id, l.priority])).toEqual([[c.id, 0], [a.id, 1]]);
      expect(await ok<SalesChannel>(ws, 'GET', `/api/v1/channels/${ch.id}`)).toEqual(changed);

      const cleared = await ok<SalesChannel>(ws, 'PATCH', `/api/v1/channels/${ch.id}`, { sourceId: null, locationIds: [] });
      expect(cleared).toMatchObject({ sourceId: null, locations: [], name: 'Website chính' });
    });
  });

  describe('when the channel does not exist', () => {
    it('answers 404 channel_not_found for PATCH, GET and DELETE', async () => {
      const ws = await createTestWorkspace(server);
      expect((await fails(ws, 'PATCH', '/api/v1/channels/ch_missing', { name: 'X' }, 404)).code).toBe('channel_not_found');
      expect((await fails(ws, 'GET', '/api/v1/channels/ch_missing', undefined, 404)).code).toBe('channel_not_found');
      expect((await fails(ws, 'DELETE', '/api/v1/channels/ch_missing', undefined, 404)).code).toBe('channel_not_found');
    });
  });
});

describe('POST /api/v1/categories', () => {
  describe('when no slug is given', () => {
    it('derives it from the name: diacritics folded, đ → d, lower-case, hyphens', async () => {
      const ws = await createTestWorkspace(server);
      expect((await createCategory(ws, { name: 'Áo Đầm' })).slug).toBe('ao-dam');
      expect((await createCategory(ws, { name: '  Quần jean & Váy  (Nữ) ' })).slug).toBe('quan-jean-vay-nu');
      expect((await createCategory(ws, { name: 'Phụ kiện điện thoại' })).slug).toBe('phu-kien-dien-thoai');
    });

    it('adds -2, -3 when the derived slug is taken', async () => {
      const ws = await createTestWorkspace(server);
      const nam = await createCategory(ws, { name: 'Nam' });
      const nu = await createCategory(ws, { name: 'Nữ' });
      expect(nu.slug).toBe('nu');
      expect((await createCategory(ws, { name: 'Áo', parentId: nam.id })).slug).toBe('ao');
      expect((await createCategory(ws, { name: 'Áo', parentId: nu.id })).slug).toBe('ao-2');
      expect((await createCategory(ws, { name: 'ÁO' })).slug).toBe('ao-3');
    });
  });

  describe('when the slug or parent is wrong', () => {
    it('answers 409 conflict for a taken slug, 400 for a malformed one, 404 for an unknown parent', async () => {
      const ws = await createTestWorkspace(server);
      await createCategory(ws, { name: 'Giày', slug: 'giay' });
      expect(await fails(ws, 'POST', '/api/v1/categories', { name: 'Giày dép', slug: 'giay' }, 409)).toMatchObject({ code: 'conflict', field: 'slug' });
      expect((await fails(ws, 'POST', '/api/v1/categories', { name: 'X', slug: 'Giày' }, 400)).code).toBe('validation_failed');
      expect((await fails(ws, 'POST', '/api/v1/categories', { name: 'X', parentId: 'cat_missing' }, 404)).code).toBe('category_not_found');
    });
  });
});

describe('PATCH /api/v1/categories/:id', () => {
  describe('when renamed and moved', () => {
    it('changes name, slug and parent, and refuses a cycle', async () => {
      const ws = await createTestWorkspace(server);
      const root = await createCategory(ws, { name: 'Thời trang' });
      const child = await createCategory(ws, { name: 'Áo', parentId: root.id });
      const changed = await ok<Category>(ws, 'PATCH', `/api/v1/categories/${child.id}`, { name: 'Áo sơ mi', slug: 'ao-so-mi', parentId: null });
      expect(changed).toMatchObject({ id: child.id, name: 'Áo sơ mi', slug: 'ao-so-mi', parentId: null });

      await ok(ws, 'PATCH', `/api/v1/categories/${child.id}`, { parentId: root.id });
      const cycle = await fails(ws, 'PATCH', `/api/v1/categories/${root.id}`, { parentId: child.id }, 400);
      expect(cycle).toMatchObject({ code: 'validation_failed', field: 'parentId' });
      expect((await fails(ws, 'PATCH', `/api/v1/categories/${root.id}`, { parentId: root.id }, 400)).field).toBe('parentId');

      const list = await ok<{ data: Category[] }>(ws, 'GET', '/api/v1/categories');
      expect(list.data.map((c) => [c.name, c.parentId])).toEqual([
        ['Áo sơ mi', root.id],
        ['Thời trang', null],
      ]);
      expect((await fails(ws, 'PATCH', '/api/v1/categories/cat_missing', { name: 'X' }, 404)).code).toBe('category_not_found');
    });
  });
});

describe('DELETE /api/v1/categories/:id', () => {
  describe('when a product uses the category', () => {
    it('answers 409 conflict until the product leaves it, then deletes it', async () => {
      const ws = await createTestWorkspace(server);
      const cat = await createCategory(ws, { name: 'Áo thun' });
      const p = await createProduct(ws, { ...simpleProduct('Áo thun trơn', 'AT-1'), categoryIds: [cat.id] });
      expect((await fails(ws, 'DELETE', `/api/v1/categories/${cat.id}`, undefined, 409)).code).toBe('conflict');

      await ok(ws, 'PATCH', `/api/v1/products/${p.id}`, { categoryIds: [] });
      expect((await ok<Category>(ws, 'DELETE', `/api/v1/categories/${cat.id}`)).id).toBe(cat.id);
      expect((await ok<{ data: Category[] }>(ws, 'GET', '/api/v1/categories')).data).toEqual([]);
      expect((await fails(ws, 'DELETE', `/api/v1/categories/${cat.id}`, undefined, 404)).code).toBe('category_not_found');
    });
  });

  describe('when the category has subcategories', () => {
    it('answers 409 conflict', async () => {
      const ws = await createTestWorkspace(server);
      const root = await createCategory(ws, { name: 'Nam' });
      await createCategory(ws, { name: 'Áo nam', parentId: root.id });
      expect((await fails(ws, 'DELETE', `/api/v1/categories/${root.id}`, undefined, 409)).code).toBe('conflict');
    });
  });
});

describe('POST /api/v1/products', () => {
  describe('when given variants, categories and channel prices', () => {
    it('creates the product with its variants in the workspace currency', async () => {
      const ws = await createTestWorkspace(server);
      const cat = await createCategory(ws, { name: 'Áo' });
      const shopee = await createChannel(ws, { name: 'Shopee', type: 'marketplace', platform: 'shopee' });
      const p = await createProduct(ws, {
        title: 'Áo thun cổ tròn',
        description: 'Cotton 100%',
        categoryIds: [cat.id],
        variants: [
          { sku: 'AT-DO-M', barcode: '8930000000011', title: 'Đỏ / M', options: { Màu: 'Đỏ', Size: 'M' }, price: 150_000, channelPrices: { [shopee.id]: 165_000 } },
          { sku: 'AT-DO-L', options: { Màu: 'Đỏ', Size: 'L' }, price: 160_000 },
        ],
      });
      expect(p.id).toMatch(/^prod_/);
      expect(p).toMatchObject({ title: 'Áo thun cổ tròn', description: 'Cotton 100%', status: 'active', categoryIds: [cat.id] });
      expect(p.variants).toHaveLength(2);
      expect(p.variants[0]).toMatchObject({
        productId: p.id,
        sku: 'AT-DO-M',
        barcode: '8930000000011',
        title: 'Đỏ / M',
        options: { Màu: 'Đỏ', Size: 'M' },
        price: 150_000,
        currency: 'VND',
        channelPrices: { [shopee.id]: 165_000 },
      });
      expect(p.variants[0]!.id).toMatch(/^var_/);
      expect(p.variants[1]).toMatchObject({ sku: 'AT-DO-L', barcode: null, title: '', price: 160_000, channelPrices: {} });
      expect(await ok<Product>(ws, 'GET', `/api/v1/products/${p.id}`)).toEqual(p);
    });
  });

  describe('when a SKU is already used in the workspace', () => {
    it('answers 409 duplicate_sku naming the sku', async () => {
      const ws = await createTestWorkspace(server);
      await createProduct(ws, simpleProduct('Quần jean', 'QJ-30'));
      const err = await fails(ws, 'POST', '/api/v1/products', { title: 'Quần jean 2', variants: [{ sku: 'QJ-31', price: 1 }, { sku: 'QJ-30', price: 1 }] }, 409);
      expect(err).toMatchObject({ code: 'duplicate_sku', sku: 'QJ-30' });
      expect(err.message).toContain('QJ-30');
      expect((await listProducts(ws)).data).toHaveLength(1);
    });

    it('answers 409 duplicate_sku for a barcode already used', async () => {
      const ws = await createTestWorkspace(server);
      await createProduct(ws, simpleProduct('Nón', 'NON-1', 50_000, { barcode: '8931234567890' }));
      const err = await fails(ws, 'POST', '/api/v1/products', simpleProduct('Nón 2', 'NON-2', 50_000, { barcode: '8931234567890' }), 409);
      expect(err).toMatchObject({ code: 'duplicate_sku', barcode: '8931234567890', sku: 'NON-2' });
    });
  });

  describe('when two variants in one request share a SKU', () => {
    it('answers 409 duplicate_sku naming it and creates nothing', async () => {
      const ws = await createTestWorkspace(server);
      const err = await fails(ws, 'POST', '/api/v1/products', { title: 'Váy', variants: [{ sku: 'V-1', price: 1 }, { sku: 'V-1', price: 2 }] }, 409);
      expect(err).toMatchObject({ code: 'duplicate_sku', sku: 'V-1' });
      expect((await listProducts(ws)).data).toEqual([]);
    });
  });

  describe('when another transaction inserts the same SKU at the same time', () => {
    it('lets the unique index decide: 409 duplicate_sku naming the sku', async () => {
      const ws = await createTestWorkspace(server);
      const create = createProductDirect;
      const orm = server.db.orm;
      let second: Promise<unknown> | undefined;
      await orm.transaction(async (tx) => {
        await create(tx, ws.workspaceId, simpleProduct('Áo khoác', 'AK-1'));
        // Not yet committed: the second writer's check sees nothing and its insert waits on the index.
        second = create(orm, ws.workspaceId, simpleProduct('Áo khoác 2', 'AK-1')).then(
          () => 'created',
          (err: unknown) => err,
        );
        await new Promise((r) => setTimeout(r, 300));
      });
      const outcome = await second;
      expect(outcome).toBeInstanceOf(AppError);
      expect(outcome).toMatchObject({ code: 'duplicate_sku', details: { sku: 'AK-1' } });
    });
  });

  describe('when a price is negative or not an integer', () => {
    it.each([[-1], [1.5], ['abc']])('answers 400 validation_failed naming the price field for %j', async (price) => {
      const ws = await createTestWorkspace(server);
      const err = await fails(ws, 'POST', '/api/v1/products', { title: 'Áo', variants: [{ sku: 'A-1', price: 1 }, { sku: 'A-2', price }] }, 400);
      expect(err.code).toBe('validation_failed');
      expect(err.message).toContain('variants.1.price');
    });

    it('answers 400 naming the channel price field', async () => {
      const ws = await createTestWorkspace(server);
      const ch = await createChannel(ws, { name: 'Web', type: 'web' });
      const err = await fails(ws, 'POST', '/api/v1/products', simpleProduct('Áo', 'A-1', 1, { channelPrices: { [ch.id]: -5 } }), 400);
      expect(err.code).toBe('validation_failed');
      expect(err.message).toContain('channelPrices');
    });
  });

  describe('when a channel price is for a channel in another currency', () => {
    it('answers 400 currency_mismatch naming both currencies', async () => {
      const ws = await createTestWorkspace(server);
      const usd = await createChannel(ws, { name: 'Amazon', type: 'marketplace', platform: 'other', currency: 'USD' });
      const err = await fails(ws, 'POST', '/api/v1/products', simpleProduct('Nón lá', 'NL-1', 80_000, { channelPrices: { [usd.id]: 500 } }), 400);
      expect(err).toMatchObject({ code: 'currency_mismatch', channelCurrency: 'USD', variantCurrency: 'VND' });
      expect(err.message).toContain('USD');
      expect(err.message).toContain('VND');
      // A USD variant may carry a price for the USD channel.
      const p = await createProduct(ws, simpleProduct('Nón lá', 'NL-1', 80_000, { currency: 'USD', channelPrices: { [usd.id]: 500 } }));
      expect(p.variants[0]).toMatchObject({ currency: 'USD', channelPrices: { [usd.id]: 500 } });
    });
  });

  describe('when a referenced id is unknown or variants are missing', () => {
    it('answers 404 for an unknown category or channel and 400 for no variants', async () => {
      const ws = await createTestWorkspace(server);
      expect((await fails(ws, 'POST', '/api/v1/products', { ...simpleProduct('Áo', 'A-1'), categoryIds: ['cat_missing'] }, 404)).code).toBe('category_not_found');
      expect((await fails(ws, 'POST', '/api/v1/products', simpleProduct('Áo', 'A-1', 1, { channelPrices: { ch_missing: 1 } }), 404)).code).toBe('channel_not_found');
      expect((await fails(ws, 'POST', '/api/v1/products', { title: 'Áo', variants: [] }, 400)).code).toBe('validation_failed');
      expect((await listProducts(ws)).data).toEqual([]);
    });
  });
});

describe('GET /api/v1/products', () => {
  describe('when searching with or without accents', () => {
    it('finds products by folded title words and by SKU', async () => {
      const ws = await createTestWorkspace(server);
      const ao = await createProduct(ws, simpleProduct('Áo thun cổ tròn', 'AT-001'));
      const dam = await createProduct(ws, simpleProduct('Đầm dạ hội', 'DDH-01'));
      await createProduct(ws, simpleProduct('Quần tây', 'QT-01'));
      const titles = async (q: string) => (await listProducts(ws, `?q=${encodeURIComponent(q)}`)).data.map((p) => p.id);
      expect(await titles('ao thun')).toEqual([ao.id]);
      expect(await titles('ÁO THUN')).toEqual([ao.id]);
      expect(await titles('thun ao')).toEqual([ao.id]);
      expect(await titles('dam')).toEqual([dam.id]);
      expect(await titles('at-001')).toEqual([ao.id]);
      expect(await titles('DDH')).toEqual([dam.id]);
      expect(await titles('ao len')).toEqual([]);
      expect(await titles('%')).toEqual([]);
    });
  });

  describe('when filtering by category and status', () => {
    it('lists only matching products; archived ones only when asked for', async () => {
      const ws = await createTestWorkspace(server);
      const cat = await createCategory(ws, { name: 'Giày' });
      const a = await createProduct(ws, { ...simpleProduct('Giày thể thao', 'G-1'), categoryIds: [cat.id] });
      const b = await createProduct(ws, { ...simpleProduct('Giày tây', 'G-2'), categoryIds: [cat.id], status: 'draft' });
      const c = await createProduct(ws, simpleProduct('Dép', 'D-1'));
      const ids = async (q: string) => (await listProducts(ws, q)).data.map((p) => p.id);
      expect(await ids(`?categoryId=${cat.id}`)).toEqual([b.id, a.id]);
      expect(await ids('?status=draft')).toEqual([b.id]);

      const archived = await ok<Product>(ws, 'DELETE', `/api/v1/products/${c.id}`);
      expect(archived.status).toBe('archived');
      expect(await ids('')).toEqual([b.id, a.id]);
      expect(await ids('?status=archived')).toEqual([c.id]);
      expect((await ok<Product>(ws, 'GET', `/api/v1/products/${c.id}`)).status).toBe('archived');
    });
  });

  describe('when there are more products than the limit', () => {
    it('pages through all of them with the cursor, newest first, without repeats', async () => {
      const ws = await createTestWorkspace(server);
      const created: string[] = [];
      for (let i = 1; i <= 5; i++) created.push((await createProduct(ws, simpleProduct(`Sản phẩm ${i}`, `SP-${i}`))).id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { data: Product[]; nextCursor: string | null } = await listProducts(ws, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.data.map((p) => p.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual([...created].reverse());

      const filtered = await listProducts(ws, `?q=san+pham&limit=4`);
      expect(filtered.data).toHaveLength(4);
      const rest = await listProducts(ws, `?q=san+pham&limit=4&cursor=${filtered.nextCursor}`);
      expect(rest.data.map((p) => p.id)).toEqual([created[0]]);
      expect(rest.nextCursor).toBeNull();
    });

    it('answers 400 naming cursor for a cursor it did not issue, and for limit over 200', async () => {
      const ws = await createTestWorkspace(server);
      expect(await fails(ws, 'GET', '/api/v1/products?cursor=not-a-cursor', undefined, 400)).toMatchObject({ code: 'validation_failed', field: 'cursor' });
      expect((await fails(ws, 'GET', '/api/v1/products?limit=201', undefined, 400)).code).toBe('validation_failed');
    });
  });
});

describe('PATCH /api/v1/products/:id', () => {
  describe('when title, description, status and categories change', () => {
    it('changes them and the new title becomes searchable', async () => {
      const ws = await createTestWorkspace(server);
      const c1 = await createCategory(ws, { name: 'Túi' });
      const c2 = await createCategory(ws, { name: 'Ví' });
      const p = await createProduct(ws, { ...simpleProduct('Túi xách', 'TX-1'), categoryIds: [c1.id] });
      const changed = await ok<Product>(ws, 'PATCH', `/api/v1/products/${p.id}`, {
        title: 'Túi đeo chéo',
        description: 'Da thật',
        status: 'draft',
        categoryIds: [c2.id, c1.id],
      });
      expect(changed).toMatchObject({ title: 'Túi đeo chéo', description: 'Da thật', status: 'draft', categoryIds: [c1.id, c2.id].sort() });
      expect(changed.variants.map((v) => v.sku)).toEqual(['TX-1']);
      expect(Date.parse(changed.updatedAt)).toBeGreaterThanOrEqual(Date.parse(p.updatedAt));
      expect((await listProducts(ws, '?q=deo+cheo')).data.map((x) => x.id)).toEqual([p.id]);
      expect((await listProducts(ws, '?q=xach')).data).toEqual([]);
      expect((await listProducts(ws, '?q=tx-1')).data.map((x) => x.id)).toEqual([p.id]);
    });
  });

  describe('when the product or a category does not exist', () => {
    it('answers 404 product_not_found / category_not_found', async () => {
      const ws = await createTestWorkspace(server);
      const p = await createProduct(ws, simpleProduct('Ba lô', 'BL-1'));
      expect((await fails(ws, 'PATCH', '/api/v1/products/prod_missing', { title: 'X' }, 404)).code).toBe('product_not_found');
      expect((await fails(ws, 'PATCH', `/api/v1/products/${p.id}`, { categoryIds: ['cat_missing'] }, 404)).code).toBe('category_not_found');
      expect((await fails(ws, 'DELETE', '/api/v1/products/prod_missing', undefined, 404)).code).toBe('product_not_found');
    });
  });
});

describe('POST /api/v1/products/:id/variants', () => {
  describe('when a new SKU is added', () => {
    it('creates the variant, and the product finds it by SKU', async () => {
      const ws = await createTestWorkspace(server);
      const p = await createProduct(ws, simpleProduct('Áo polo', 'POLO-S'));
      const v = await ok<Variant>(ws, 'POST', `/api/v1/products/${p.id}/variants`, { sku: 'POLO-XL', title: 'XL', options: { Size: 'XL' }, price: 199_000 });
      expect(v).toMatchObject({ productId: p.id, sku: 'POLO-XL', title: 'XL', options: { Size: 'XL' }, price: 199_000, currency: 'VND' });
      expect((await ok<Product>(ws, 'GET', `/api/v1/products/${p.id}`)).variants.map((x) => x.sku)).toEqual(['POLO-S', 'POLO-XL']);
      expect((await listProducts(ws, '?q=polo-xl')).data.map((x) => x.id)).toEqual([p.id]);
    });

    it('answers 409 duplicate_sku for a taken SKU and 404 for an unknown product', async () => {
      const ws = await createTestWorkspace(server);
      const p = await createProduct(ws, simpleProduct('Áo polo', 'POLO-S'));
      expect(await fails(ws, 'POST', `/api/v1/products/${p.id}/variants`, { sku: 'POLO-S', price: 1 }, 409)).toMatchObject({ code: 'duplicate_sku', sku: 'POLO-S' });
      expect((await fails(ws, 'POST', '/api/v1/products/prod_missing/variants', { sku: 'X', price: 1 }, 404)).code).toBe('product_not_found');
    });
  });
});

describe('PATCH /api/v1/variants/:id', () => {
  describe('when price, barcode, title and options change', () => {
    it('changes them; a barcode used elsewhere is 409', async () => {
      const ws = await createTestWorkspace(server);
      const p = await createProduct(ws, { title: 'Sơ mi', variants: [{ sku: 'SM-1', price: 250_000 }, { sku: 'SM-2', price: 250_000, barcode: 'B-2' }] });
      const [v1] = p.variants;
      const changed = await ok<Variant>(ws, 'PATCH', `/api/v1/variants/${v1!.id}`, { price: 225_000, barcode: 'B-1', title: 'Trắng', options: { Màu: 'Trắng' } });
      expect(changed).toMatchObject({ id: v1!.id, sku: 'SM-1', price: 225_000, barcode: 'B-1', title: 'Trắng', options: { Màu: 'Trắng' } });
      expect(await fails(ws, 'PATCH', `/api/v1/variants/${v1!.id}`, { barcode: 'B-2' }, 409)).toMatchObject({ code: 'duplicate_sku', barcode: 'B-2' });
      expect((await ok<Variant>(ws, 'PATCH', `/api/v1/variants/${v1!.id}`, { barcode: 'B-1' })).barcode).toBe('B-1');
      expect((await ok<Variant>(ws, 'PATCH', `/api/v1/variants/${v1!.id}`, { barcode: null })).barcode).toBeNull();
      const err = await fails(ws, 'PATCH', `/api/v1/variants/${v1!.id}`, { price: -10 }, 400);
      expect(err.code).toBe('validation_failed');
      expect(err.message).toContain('price');
      expect((await fails(ws, 'PATCH', '/api/v1/variants/var_missing', { price: 1 }, 404)).code).toBe('variant_not_found');
    });
  });
});

describe('GET /api/v1/variants', () => {
  describe('when looking up by SKUs or barcode', () => {
    it('returns the known ones with product title and status', async () => {
      const ws = await createTestWorkspace(server);
      const cat = await createCategory(ws, { name: 'Áo' });
      const p = await createProduct(ws, {
        title: 'Áo len',
        categoryIds: [cat.id],
        variants: [{ sku: 'AL-1', price: 300_000, barcode: '893001' }, { sku: 'AL-2', price: 320_000 }],
      });
      const bySku = await ok<{ data: CatalogVariant[] }>(ws, 'GET', '/api/v1/variants?sku=AL-1&sku=AL-2&sku=NOPE');
      expect(bySku.data.map((v) => v.sku).sort()).toEqual(['AL-1', 'AL-2']);
      expect(bySku.data[0]).toMatchObject({ productId: p.id, productTitle: 'Áo len', productStatus: 'active', categoryIds: [cat.id] });
      const one = await ok<{ data: CatalogVariant[] }>(ws, 'GET', '/api/v1/variants?sku=AL-2');
      expect(one.data.map((v) => v.sku)).toEqual(['AL-2']);
      const byBarcode = await ok<{ data: CatalogVariant[] }>(ws, 'GET', '/api/v1/variants?barcode=893001');
      expect(byBarcode.data.map((v) => v.sku)).toEqual(['AL-1']);
      expect((await fails(ws, 'GET', '/api/v1/variants', undefined, 400)).code).toBe('validation_failed');
    });
  });
});

describe('PUT /api/v1/variants/:id/prices/:channelId', () => {
  describe('when the channel sells in the variant’s currency', () => {
    it('sets and removes the channel price', async () => {
      const ws = await createTestWorkspace(server);
      const fb = await createChannel(ws, { name: 'Facebook shop', type: 'social', platform: 'facebook' });
      const p = await createProduct(ws, simpleProduct('Mũ', 'MU-1', 90_000));
      const vid = p.variants[0]!.id;
      const set = await ok<Variant>(ws, 'PUT', `/api/v1/variants/${vid}/prices/${fb.id}`, { price: 99_000 });
      expect(set.channelPrices).toEqual({ [fb.id]: 99_000 });
      const again = await ok<Variant>(ws, 'PUT', `/api/v1/variants/${vid}/prices/${fb.id}`, { price: 95_000, currency: 'VND' });
      expect(again.channelPrices).toEqual({ [fb.id]: 95_000 });
      expect((await ok<Product>(ws, 'GET', `/api/v1/products/${p.id}`)).variants[0]!.channelPrices).toEqual({ [fb.id]: 95_000 });
      const removed = await ok<Variant>(ws, 'DELETE', `/api/v1/variants/${vid}/prices/${fb.id}`);
      expect(removed.channelPrices).toEqual({});
    });
  });

  describe('when currencies differ or ids are unknown', () => {
    it('answers 400 currency_mismatch naming both, 404 for unknown variant or channel', async () => {
      const ws = await createTestWorkspace(server);
      const usd = await createChannel(ws, { name: 'Export', type: 'web', currency: 'USD' });
      const vnd = await createChannel(ws, { name: 'Web', type: 'web' });
      const p = await createProduct(ws, simpleProduct('Mũ', 'MU-1', 90_000));
      const vid = p.variants[0]!.id;
      expect(await fails(ws, 'PUT', `/api/v1/variants/${vid}/prices/${usd.id}`, { price: 4 }, 400)).toMatchObject({
        code: 'currency_mismatch',
        channelCurrency: 'USD',
        variantCurrency: 'VND',
      });
      expect(await fails(ws, 'PUT', `/api/v1/variants/${vid}/prices/${vnd.id}`, { price: 4, currency: 'USD' }, 400)).toMatchObject({
        code: 'currency_mismatch',
        channelCurrency: 'VND',
        variantCurrency: 'USD',
      });
      expect((await fails(ws, 'PUT', `/api/v1/variants/${vid}/prices/${vnd.id}`, { price: -4 }, 400)).message).toContain('price');
      expect((await fails(ws, 'PUT', `/api/v1/variants/var_missing/prices/${vnd.id}`, { price: 4 }, 404)).code).toBe('variant_not_found');
      expect((await fails(ws, 'PUT', `/api/v1/variants/${vid}/prices/ch_missing`, { price: 4 }, 404)).code).toBe('channel_not_found');
      expect((await fails(ws, 'DELETE', `/api/v1/variants/${vid}/prices/ch_missing`, undefined, 404)).code).toBe('channel_not_found');
    });
  });
});

describe('tenant isolation', () => {
  describe('when workspace B asks for workspace A’s catalog', () => {
    it('answers 404 and lists nothing; B may reuse A’s SKU', async () => {
      const a = await createTestWorkspace(server);
      const b = await createTestWorkspace(server);
      const loc = await createLocation(a, { name: 'Kho A', kind: 'warehouse' });
      const ch = await createChannel(a, { name: 'Web A', type: 'web', locationIds: [loc.id] });
      const cat = await createCategory(a, { name: 'Áo' });
      const p = await createProduct(a, { ...simpleProduct('Áo A', 'SKU-SHARED', 100_000, { barcode: 'BC-SHARED' }), categoryIds: [cat.id] });
      const vid = p.variants[0]!.id;

      expect((await fails(b, 'GET', `/api/v1/products/${p.id}`, undefined, 404)).code).toBe('product_not_found');
      expect((await fails(b, 'PATCH', `/api/v1/products/${p.id}`, { title: 'hacked' }, 404)).code).toBe('product_not_found');
      expect((await fails(b, 'DELETE', `/api/v1/products/${p.id}`, undefined, 404)).code).toBe('product_not_found');
      expect((await fails(b, 'GET', `/api/v1/channels/${ch.id}`, undefined, 404)).code).toBe('channel_not_found');
      expect((await fails(b, 'PATCH', `/api/v1/channels/${ch.id}`, { name: 'hacked' }, 404)).code).toBe('channel_not_found');
      expect((await fails(b, 'GET', `/api/v1/locations/${loc.id}`, undefined, 404)).code).toBe('location_not_found');
      expect((await fails(b, 'PATCH', `/api/v1/variants/${vid}`, { price: 1 }, 404)).code).toBe('variant_not_found');
      expect((await fails(b, 'DELETE', `/api/v1/categories/${cat.id}`, undefined, 404)).code).toBe('category_not_found');
      expect((await fails(b, 'POST', '/api/v1/channels', { name: 'B', type: 'web', locationIds: [loc.id] }, 404)).code).toBe('location_not_found');
      expect((await fails(b, 'POST', '/api/v1/products', { ...simpleProduct('B', 'B-1'), categoryIds: [cat.id] }, 404)).code).toBe('category_not_found');
      expect((await listProducts(b)).data).toEqual([]);
      expect((await ok<{ data: SalesChannel[] }>(b, 'GET', '/api/v1/channels')).data).toEqual([]);
      expect((await ok<{ data: CatalogVariant[] }>(b, 'GET', '/api/v1/variants?sku=SKU-SHARED')).data).toEqual([]);

      const mine = await createProduct(b, simpleProduct('Áo B', 'SKU-SHARED', 120_000, { barcode: 'BC-SHARED' }));
      expect(mine.variants[0]!.sku).toBe('SKU-SHARED');
      expect((await ok<Product>(a, 'GET', `/api/v1/products/${p.id}`)).title).toBe('Áo A');
    });
  });

  describe('when no admin token is sent', () => {
    it('answers 401', async () => {
      const res = await server.app.inject({ method: 'GET', url: '/api/v1/products' });
      expect(res.statusCode).toBe(401);
    });
  });
});

describe('findVariantsBySku', () => {
  describe('when some SKUs exist and some do not', () => {
    it('returns the known ones keyed by SKU with product facts and channel prices', async () => {
      const ws = await createTestWorkspace(server);
      const cat = await createCategory(ws, { name: 'Áo' });
      const web = await createChannel(ws, { name: 'Web', type: 'web' });
      const p = await createProduct(ws, {
        title: 'Áo khoác gió',
        status: 'draft',
        categoryIds: [cat.id],
        variants: [
          { sku: 'AKG-M', price: 350_000, options: { Size: 'M' }, channelPrices: { [web.id]: 330_000 } },
          { sku: 'AKG-L', price: 360_000 },
        ],
      });
      const found = await findVariantsBySku(server.db.orm, ws.workspaceId, ['AKG-M', 'AKG-L', 'AKG-M', 'NOPE']);
      expect([...found.keys()].sort()).toEqual(['AKG-L', 'AKG-M']);
      expect(found.get('AKG-M')).toEqual({
        id: p.variants[0]!.id,
        productId: p.id,
        productTitle: 'Áo khoác gió',
        sku: 'AKG-M',
        barcode: null,
        title: '',
        options: { Size: 'M' },
        price: 350_000,
        currency: 'VND',
        categoryIds: [cat.id],
        channelPrices: { [web.id]: 330_000 },
        productStatus: 'draft',
      });
      expect(await findVariantsBySku(server.db.orm, ws.workspaceId, [])).toEqual(new Map());
      const other = await createTestWorkspace(server);
      expect((await findVariantsBySku(server.db.orm, other.workspaceId, ['AKG-M'])).size).toBe(0);
    });
  });
});

describe('getVariantsByIds', () => {
  describe('when given ids of this and another workspace', () => {
    it('returns only this workspace’s variants, keyed by id', async () => {
      const ws = await createTestWorkspace(server);
      const other = await createTestWorkspace(server);
      const p = await createProduct(ws, { title: 'Khăn', variants: [{ sku: 'K-1', price: 40_000 }, { sku: 'K-2', price: 45_000 }] });
      const foreign = await createProduct(other, simpleProduct('Khăn', 'K-1', 40_000));
      const ids = [...p.variants.map((v) => v.id), foreign.variants[0]!.id, 'var_missing'];
      const found = await getVariantsByIds(server.db.orm, ws.workspaceId, ids);
      expect([...found.keys()].sort()).toEqual(p.variants.map((v) => v.id).sort());
      expect(found.get(p.variants[1]!.id)).toMatchObject({ sku: 'K-2', price: 45_000, productTitle: 'Khăn', productStatus: 'active' });
    });
  });
});

describe('priceFor', () => {
  describe('when the channel has its own price', () => {
    it('returns it; otherwise the variant price', async () => {
      const ws = await createTestWorkspace(server);
      const shopee = await createChannel(ws, { name: 'Shopee', type: 'marketplace', platform: 'shopee' });
      const pos = await createChannel(ws, { name: 'POS', type: 'pos' });
      await createProduct(ws, simpleProduct('Dép lê', 'DL-1', 60_000, { channelPrices: { [shopee.id]: 0 } }));
      const v = (await findVariantsBySku(server.db.orm, ws.workspaceId, ['DL-1'])).get('DL-1')!;
      expect(priceFor(v, shopee.id)).toBe(0);
      expect(priceFor(v, pos.id)).toBe(60_000);
      expect(priceFor(v, 'toString')).toBe(60_000);
    });
  });
});

describe('getChannel', () => {
  describe('when the channel exists, is archived, or is unknown', () => {
    it('returns it with locations by priority (archived too) and throws channel_not_found otherwise', async () => {
      const ws = await createTestWorkspace(server);
      const store = await createLocation(ws, { name: 'Cửa hàng Hoàn Kiếm', kind: 'store' });
      const pos = await createChannel(ws, { name: 'POS Hoàn Kiếm', type: 'pos', locationIds: [store.id] });
      const got = await getChannel(server.db.orm, ws.workspaceId, pos.id);
      expect(got).toEqual(pos);
      expect(got.locations).toEqual([{ id: store.id, name: 'Cửa hàng Hoàn Kiếm', kind: 'store', priority: 0 }]);

      await ok(ws, 'DELETE', `/api/v1/channels/${pos.id}`);
      expect((await getChannel(server.db.orm, ws.workspaceId, pos.id)).archivedAt).not.toBeNull();

      const other = await createTestWorkspace(server);
      await expect(getChannel(server.db.orm, other.workspaceId, pos.id)).rejects.toMatchObject({ code: 'channel_not_found' });
      expect(await getLocation(server.db.orm, ws.workspaceId, store.id)).toEqual(store);
      await expect(getLocation(server.db.orm, other.workspaceId, store.id)).rejects.toMatchObject({ code: 'location_not_found' });
    });
  });
});

describe('GET /docs/json', () => {
  describe('when the catalog routes are registered', () => {
    it('documents them under the catalog tag', async () => {
      const res = await server.app.inject({ method: 'GET', url: '/docs/json' });
      expect(res.statusCode).toBe(200);
      const doc = res.json() as { paths: Record<string, Record<string, { tags?: string[] }>> };
      for (const path of ['/api/v1/channels', '/api/v1/locations/{id}', '/api/v1/categories', '/api/v1/products', '/api/v1/variants/{id}/prices/{channelId}']) {
        const ops = Object.values(doc.paths[path] ?? {});
        expect(ops.length, path).toBeGreaterThan(0);
        for (const op of ops) expect(op.tags).toEqual(['catalog']);
      }
    });
  });
});
