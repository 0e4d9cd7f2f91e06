import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, startTestServer, type TestServer, type TestWorkspace } from '../../test/helpers';
import type { Category, Product, SalesChannel, StockLocation } from '../modules/catalog';
import type { Adjustment } from '../modules/inventory';
import { importCatalogCsv, resolveCatalogColumns, type CatalogImportProgress } from './import-catalog';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-import-catalog-'));
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let fileCount = 0;

/** Write a CSV (lines joined with CRLF, like spreadsheet exports) and return its path. */
function csv(lines: string[]): string {
  const file = path.join(dir, `catalog-${++fileCount}.csv`);
  fs.writeFileSync(file, lines.join('\r\n') + '\r\n');
  return file;
}

function importFile(ws: TestWorkspace, file: string, opts: { batchSize?: number; onProgress?: (p: CatalogImportProgress) => void } = {}) {
  return importCatalogCsv({ db: server.db, workspaceId: ws.workspaceId, file, ...opts });
}

async function api<T>(ws: TestWorkspace, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>, status = method === 'POST' ? 201 : 200): Promise<T> {
  const res = await server.app.inject({ method, url, headers: ws.admin, ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
}

/** A workspace with a store, a warehouse and a web channel selling from the store. */
async function shop() {
  const ws = await createTestWorkspace(server);
  const store = await api<StockLocation>(ws, 'POST', '/api/v1/locations', { name: 'Cửa hàng Quận 1', kind: 'store' });
  const warehouse = await api<StockLocation>(ws, 'POST', '/api/v1/locations', { name: 'Kho Bình Dương', kind: 'warehouse' });
  const web = await api<SalesChannel>(ws, 'POST', '/api/v1/channels', { name: 'Website', type: 'web', locationIds: [store.id] });
  return { ws, store, warehouse, web };
}

async function products(ws: TestWorkspace): Promise<Product[]> {
  return (await api<{ data: Product[] }>(ws, 'GET', '/api/v1/products?limit=200')).data;
}

async function categories(ws: TestWorkspace): Promise<Category[]> {
  return (await api<{ data: Category[] }>(ws, 'GET', '/api/v1/categories')).data;
}

interface Availability {
  onHand: number;
  locations: { locationId: string; onHand: number; reserved: number }[];
}

const stockOf = (ws: TestWorkspace, sku: string) => api<Availability>(ws, 'GET', `/api/v1/inventory/${encodeURIComponent(sku)}`);
const adjustmentsOf = async (ws: TestWorkspace, sku: string) =>
  (await api<{ data: Adjustment[] }>(ws, 'GET', `/api/v1/inventory/${encodeURIComponent(sku)}/adjustments`)).data;

const onHandAt = (a: Availability, locationId: string) => a.locations.find((l) => l.locationId === locationId)?.onHand;

describe('importCatalogCsv', () => {
  describe('when every row is good', () => {
    it('creates products from rows sharing a handle, with prices, channel prices, categories and stock', async () => {
      const { ws, store, warehouse, web } = await shop();
      const file = csv([
        `handle,product,variant,sku,price,barcode,category,price:${web.id},stock:${store.id},stock:${warehouse.id}`,
        'ao-thun,Áo thun cổ tròn,Trắng / M,AT-TRANG-M,150000,8930000000011,Thời trang > Áo,145000,5,20',
        'ao-thun,Áo thun cổ tròn,Đen / M,AT-DEN-M,150000,,Thời trang > Áo,,0,7',
        'non-la,Nón lá Huế,,NL-01,90000,,Phụ kiện,,3,',
      ]);

      const result = await importFile(ws, file);

      expect(result).toMatchObject({ rows: 3, created: 3, updated: 0, unchanged: 0, failed: 0, errors: [], productsCreated: 2, categoriesCreated: 3 });
      expect(result.stockLevelsSet).toBe(4);
      const list = await products(ws);
      expect(list.map((p) => p.title).sort()).toEqual(['Áo thun cổ tròn', 'Nón lá Huế'].sort());
      const ao = list.find((p) => p.title === 'Áo thun cổ tròn')!;
      expect(ao.variants.map((v) => [v.sku, v.title, v.price, v.currency, v.barcode])).toEqual([
        ['AT-TRANG-M', 'Trắng / M', 150000, 'VND', '8930000000011'],
        ['AT-DEN-M', 'Đen / M', 150000, 'VND', null],
      ]);
      expect(ao.variants[0]!.channelPrices).toEqual({ [web.id]: 145000 });
      expect(ao.variants[1]!.channelPrices).toEqual({});

      const cats = await categories(ws);
      const fashion = cats.find((c) => c.name === 'Thời trang')!;
      const shirts = cats.find((c) => c.name === 'Áo')!;
      expect(fashion).toMatchObject({ parentId: null, slug: 'thoi-trang' });
      expect(shirts.parentId).toBe(fashion.id);
      expect(ao.categoryIds).toEqual([shirts.id]);
      expect(list.find((p) => p.title === 'Nón lá Huế')!.categoryIds).toEqual([cats.find((c) => c.name === 'Phụ kiện')!.id]);

      const white = await stockOf(ws, 'AT-TRANG-M');
      expect(onHandAt(white, store.id)).toBe(5);
      expect(onHandAt(white, warehouse.id)).toBe(20);
      const black = await stockOf(ws, 'AT-DEN-M');
      expect(black.onHand).toBe(7);
      expect(onHandAt(black, store.id)).toBeUndefined();
      const audit = await adjustmentsOf(ws, 'AT-TRANG-M');
      expect(audit.map((a) => [a.locationId, a.onHandDelta, a.onHandAfter, a.reason, a.actor, a.ref]).sort()).toEqual(
        [
          [store.id, 5, 5, 'import', 'system', path.basename(file)],
          [warehouse.id, 20, 20, 'import', 'system', path.basename(file)],
        ].sort(),
      );
    });
  });

  describe('when rows have no handle', () => {
    it('makes the rows with the same product title variants of one product', async () => {
      const { ws } = await shop();
      const file = csv([
        'sku,product,variant,price',
        'DAM-S,Đầm suông,S,320000',
        'QUAN-1,Quần jean,,450000',
        'DAM-M,Đầm suông,M,320000',
        'DAM-L,đầm suông,L,330000',
      ]);

      expect(await importFile(ws, file)).toMatchObject({ rows: 4, created: 4, failed: 0, productsCreated: 2 });

      const list = await products(ws);
      expect(list).toHaveLength(2);
      expect(list.find((p) => p.title === 'Đầm suông')!.variants.map((v) => v.sku)).toEqual(['DAM-S', 'DAM-M', 'DAM-L']);
    });
  });

  describe('when the same file is imported twice', () => {
    it('changes nothing the second time and says so', async () => {
      const { ws, store, web } = await shop();
      const file = csv([
        `sku,product,variant,handle,price,category,price:${web.id},stock:${store.id}`,
        'SM-01-S,Sơ mi linen,S,so-mi,390000,Thời trang > Sơ mi,370000,4',
        'SM-01-M,Sơ mi linen,M,so-mi,390000,Thời trang > Sơ mi,370000,0',
      ]);
      const first = await importFile(ws, file);
      expect(first).toMatchObject({ rows: 2, created: 2, updated: 0, unchanged: 0, failed: 0, productsCreated: 1, categoriesCreated: 2, stockLevelsSet: 1 });
      const before = await products(ws);

      const second = await importFile(ws, file);

      expect(second).toMatchObject({ rows: 2, created: 0, updated: 0, unchanged: 2, failed: 0, productsCreated: 0, categoriesCreated: 0, stockLevelsSet: 0 });
      expect(await products(ws)).toEqual(before);
      expect(await categories(ws)).toHaveLength(2);
      expect(await adjustmentsOf(ws, 'SM-01-S')).toHaveLength(1);
      expect(await adjustmentsOf(ws, 'SM-01-M')).toHaveLength(0);
    });
  });

  describe('when a price changed since the last import', () => {
    it('updates that variant in place and leaves the others alone', async () => {
      const { ws, web } = await shop();
      await importFile(ws, csv([`sku,product,price,price:${web.id}`, 'A-1,Balo,500000,480000', 'A-2,Túi,200000,']));
      const [before] = (await products(ws)).filter((p) => p.title === 'Balo');

      const result = await importFile(ws, csv([`sku,product,price,price:${web.id}`, 'A-1,Balo,550000,480000', 'A-2,Túi,200000,190000']));

      expect(result).toMatchObject({ rows: 2, created: 0, updated: 2, unchanged: 0, failed: 0, productsCreated: 0 });
      const list = await products(ws);
      const balo = list.find((p) => p.title === 'Balo')!;
      expect(balo.id).toBe(before!.id);
      expect(balo.variants[0]).toMatchObject({ id: before!.variants[0]!.id, price: 550000, channelPrices: { [web.id]: 480000 } });
      expect(list.find((p) => p.title === 'Túi')!.variants[0]).toMatchObject({ price: 200000, channelPrices: { [web.id]: 190000 } });
      expect(list).toHaveLength(2);
    });
  });

  describe('when the stock of an existing variant differs from the file', () => {
    it('sets on hand to the count through an audited stock take', async () => {
      const { ws, store } = await shop();
      await importFile(ws, csv([`sku,product,price,stock:${store.id}`, 'G-1,Giày,800000,10']));

      const result = await importFile(ws, csv([`sku,product,price,stock:${store.id}`, 'G-1,Giày,800000,6']));

      expect(result).toMatchObject({ rows: 1, created: 0, updated: 1, unchanged: 0, failed: 0, stockLevelsSet: 1 });
      expect(onHandAt(await stockOf(ws, 'G-1'), store.id)).toBe(6);
      const [latest] = await adjustmentsOf(ws, 'G-1');
      expect(latest).toMatchObject({ onHandDelta: -4, onHandAfter: 6, reason: 'import', actor: 'system' });
      expect(latest!.note).toMatch(/line 2$/);
    });
  });

  describe('when a count is below what open checkouts reserve', () => {
    it('refuses that row and keeps the reservation whole', async () => {
      const { ws, store, web } = await shop();
      await importFile(ws, csv([`sku,product,price,stock:${store.id}`, 'R-1,Ví da,300000,5', 'R-2,Ví vải,100000,5']));
      await api(ws, 'POST', '/api/v1/reservations', { channelId: web.id, holder: 'cart-1', lines: [{ sku: 'R-1', quantity: 3 }] });

      const result = await importFile(ws, csv([`sku,product,price,stock:${store.id}`, 'R-1,Ví da,310000,2', 'R-2,Ví vải,100000,1']));

      expect(result).toMatchObject({ rows: 2, updated: 1, failed: 1 });
      expect(result.errors).toEqual([{ line: 2, field: `stock:${store.id}`, message: 'cannot be set to 2: 3 reserved for open checkouts' }]);
      expect(await stockOf(ws, 'R-1')).toMatchObject({ onHand: 5 });
      expect((await products(ws)).find((p) => p.title === 'Ví da')!.variants[0]!.price).toBe(300000);
      expect(await stockOf(ws, 'R-2')).toMatchObject({ onHand: 1 });
    });
  });

  describe('when some rows are bad', () => {
    it('reports each problem as line, field and problem, and imports the other rows', async () => {
      const { ws, store, web } = await shop();
      const file = csv([
        `sku,product,price,price:${web.id},price:ch_nowhere,stock:${store.id},stock:loc_nowhere`, // 1
        'OK-1,Khăn,120000,,,3,', // 2
        ',Khăn,120000,,,,', // 3: no sku
        'BAD-2,Khăn,120.000,,,,', // 4: separators
        'BAD-3,Khăn,-5,,,,', // 5: negative
        'BAD-4,Khăn,1000,,99,,', // 6: unknown channel
        'BAD-5,Khăn,1000,,,,4', // 7: unknown location
        'BAD-6,Khăn,1000,,,-2,', // 8: negative stock
        '', // 9: blank
        'OK-2,"Khăn\nlụa",99000,95000,,,', // 10-11: a line break inside a quoted cell
        'BAD-7,,abc,,,,', // 12: two problems
        'OK-1,Khăn,120000,,,,', // 13: the same SKU again
      ]);

      const result = await importFile(ws, file);

      expect(result).toMatchObject({ rows: 10, created: 2, updated: 0, unchanged: 0, failed: 8 });
      expect(result.errors.map((e) => `line ${e.line}: ${e.field}: ${e.message}`)).toEqual([
        'line 3: sku: required',
        'line 4: price: must be a whole number without separators, e.g. 150000 (got "120.000")',
        'line 5: price: must not be negative (got -5)',
        'line 6: price:ch_nowhere: unknown channel ch_nowhere',
        'line 7: stock:loc_nowhere: unknown location loc_nowhere',
        `line 8: stock:${store.id}: must not be negative (got -2)`,
        'line 12: product: required',
        'line 12: price: must be a whole number without separators, e.g. 150000 (got "abc")',
        'line 13: sku: "OK-1" is already on line 2',
      ]);
      const list = await products(ws);
      expect(list.flatMap((p) => p.variants.map((v) => v.sku)).sort()).toEqual(['OK-1', 'OK-2']);
      expect(list.find((p) => p.title === 'Khăn\nlụa')!.variants[0]!.channelPrices).toEqual({ [web.id]: 95000 });
      expect(await stockOf(ws, 'OK-1')).toMatchObject({ onHand: 3 });
    });
  });

  describe('when the catalog refuses a row', () => {
    it('reports a barcode another SKU holds, a currency that cannot change and a channel in another currency', async () => {
      const { ws } = await shop();
      const usd = await api<SalesChannel>(ws, 'POST', '/api/v1/channels', { name: 'Amazon', type: 'marketplace', platform: 'other', currency: 'USD' });
      await importFile(ws, csv(['sku,product,price,barcode', 'B-1,Bình giữ nhiệt,250000,8930000000099']));

      const result = await importFile(
        ws,
        csv([
          `sku,product,price,barcode,currency,price:${usd.id}`,
          'B-2,Bình giữ nhiệt,250000,8930000000099,,', // 2: barcode of B-1
          'B-1,Bình giữ nhiệt,250000,,USD,', // 3: B-1 is in VND
          'B-3,Bình giữ nhiệt,250000,,,10', // 4: VND variant, USD channel
          'B-4,Bình giữ nhiệt,10,,USD,10', // 5: fine
        ]),
      );

      expect(result).toMatchObject({ rows: 4, created: 1, failed: 3 });
      expect(result.errors).toEqual([
        { line: 2, field: 'barcode', message: 'Barcode "8930000000099" is already used by SKU "B-1"' },
        { line: 3, field: 'currency', message: 'SKU "B-1" is priced in VND; a variant\'s currency cannot change to USD' },
        { line: 4, field: `price:${usd.id}`, message: `Channel ${usd.id} sells in USD but variant B-3 is in VND` },
      ]);
      const [product] = await products(ws);
      expect(product!.variants.map((v) => [v.sku, v.currency, v.channelPrices])).toEqual([
        ['B-1', 'VND', {}],
        ['B-4', 'USD', { [usd.id]: 10 }],
      ]);
    });
  });

  describe('when the database refuses a row the checks let through', () => {
    it('writes the batch again product by product, so only that product\'s rows fail', async () => {
      const { ws } = await shop();
      // PostgreSQL text cannot hold U+0000: the batch's transaction fails.
      const file = csv(['sku,product,price', 'N-1,Nến thơm,90000', 'N-2,Nến\u0000lỗi,90000', 'N-3,Nến ly,95000']);

      const result = await importFile(ws, file);

      expect(result).toMatchObject({ rows: 3, created: 2, failed: 1, productsCreated: 2 });
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ line: 3, field: 'row' });
      expect(result.errors[0]!.message).toMatch(/0x00/);
      expect(result.errors[0]!.message).not.toMatch(/insert into/i);
      expect((await products(ws)).map((p) => p.title).sort()).toEqual(['Nến ly', 'Nến thơm'].sort());
    });
  });

  describe('when the header has unknown or missing columns', () => {
    it('refuses the file naming them, before importing anything', async () => {
      const { ws } = await shop();
      const file = csv(['sku,product,colour,compare_at_price,price', 'X-1,Áo,đỏ,200000,150000']);

      await expect(importFile(ws, file)).rejects.toThrow(
        /^unknown columns "colour", "compare_at_price" \(compare_at_price: the catalog has no compare-at price\); the columns are sku, product, price, variant/,
      );
      await expect(importFile(ws, csv(['SKU,Variant,Stock:', 'X-1,M,1']))).rejects.toThrow(/unknown column "Stock:".*; missing required columns: product, price$/);
      expect(await products(ws)).toEqual([]);
    });
  });

  describe('when a file adds a variant to a product imported before', () => {
    it('joins the product through a SKU it already has, and takes the new title and category', async () => {
      const { ws } = await shop();
      await importFile(ws, csv(['handle,sku,product,price', 'mu,MU-1,Mũ lưỡi trai,120000']));
      const [before] = await products(ws);

      const result = await importFile(ws, csv(['handle,sku,product,price,category', 'mu,MU-1,Mũ lưỡi trai unisex,120000,Phụ kiện', 'mu,MU-2,Mũ lưỡi trai unisex,125000,']));

      expect(result).toMatchObject({ rows: 2, created: 1, updated: 1, unchanged: 0, failed: 0, productsCreated: 0, categoriesCreated: 1 });
      const list = await products(ws);
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ id: before!.id, title: 'Mũ lưỡi trai unisex', categoryIds: [(await categories(ws))[0]!.id] });
      expect(list[0]!.variants.map((v) => v.sku)).toEqual(['MU-1', 'MU-2']);
      const search = await api<{ data: Product[] }>(ws, 'GET', '/api/v1/products?q=MU-2');
      expect(search.data.map((p) => p.id)).toEqual([before!.id]);
    });
  });

  describe('when a category already exists', () => {
    it('files products under it (names compared without regard to case) instead of creating another', async () => {
      const { ws } = await shop();
      const fashion = await api<Category>(ws, 'POST', '/api/v1/categories', { name: 'Thời trang' });

      const result = await importFile(ws, csv(['sku,product,price,category', 'C-1,Áo khoác,700000,thời trang']));

      expect(result).toMatchObject({ created: 1, categoriesCreated: 0 });
      expect((await products(ws))[0]!.categoryIds).toEqual([fashion.id]);
    });
  });

  describe('when a product spans several batches', () => {
    it('keeps one product and reports progress after each batch', async () => {
      const { ws, store } = await shop();
      const lines = [`handle,sku,product,variant,price,stock:${store.id}`];
      for (let i = 1; i <= 7; i++) lines.push(`dep,DEP-${i},Dép tổ ong,Size ${35 + i},60000,${i}`);
      lines.push('dep,,Dép tổ ong,Size 50,60000,1');
      const calls: CatalogImportProgress[] = [];

      const result = await importFile(ws, csv(lines), { batchSize: 2, onProgress: (p) => calls.push(p) });

      expect(result).toMatchObject({ rows: 8, created: 7, failed: 1, productsCreated: 1, stockLevelsSet: 7 });
      expect(calls.length).toBeGreaterThanOrEqual(4);
      const done = calls.map((c) => c.created + c.updated + c.unchanged + c.failed);
      for (let i = 1; i < done.length; i++) expect(done[i]!).toBeGreaterThanOrEqual(done[i - 1]!);
      expect(calls.at(-1)).toMatchObject({ rows: 8, created: 7, failed: 1 });
      const list = await products(ws);
      expect(list).toHaveLength(1);
      expect(list[0]!.variants).toHaveLength(7);
      expect(await stockOf(ws, 'DEP-7')).toMatchObject({ onHand: 7 });
    });
  });
});

describe('resolveCatalogColumns', () => {
  describe('when the header is valid', () => {
    it('reads names in any case and order, ids as written, and ignores blank headers', () => {
      expect(resolveCatalogColumns([' Price ', 'SKU', 'product', 'price:ch_Web', 'STOCK: loc_1', ''])).toEqual([
        { kind: 'field', field: 'price' },
        { kind: 'field', field: 'sku' },
        { kind: 'field', field: 'product' },
        { kind: 'channelPrice', channelId: 'ch_Web' },
        { kind: 'stock', locationId: 'loc_1' },
        { kind: 'blank' },
      ]);
    });
  });

  describe('when a column repeats', () => {
    it('refuses the header', () => {
      expect(() => resolveCatalogColumns(['sku', 'product', 'price', 'stock:loc_1', 'Stock:loc_1'])).toThrow('column "Stock:loc_1" appears more than once');
    });
  });
});
