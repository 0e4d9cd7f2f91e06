import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, startTestServer, type TestServer, type TestWorkspace } from '../../../test/helpers';
import { findChannelOfSourceCached, findVariantsBySkuCached, getChannelCached, type Product, type SalesChannel, type Variant } from './index';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

async function ok<T>(ws: TestWorkspace, method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: Record<string, unknown>): Promise<T> {
  const res = await server.app.inject({ method, url, headers: ws.admin, ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json() as T;
}

/** Change a row behind the catalog's back, as another process would: the cache does not hear of it. */
const renameBehindTheCatalog = (ws: TestWorkspace, channelId: string, name: string) =>
  server.db.orm.execute(sql`UPDATE sales_channels SET name = ${name} WHERE workspace_id = ${ws.workspaceId} AND id = ${channelId}`);

describe('getChannelCached', () => {
  describe('when the channel changes in another process, then through this catalog', () => {
    it('keeps what it read until this process changes the channel, then reads it again', async () => {
      const ws = await createTestWorkspace(server);
      const orm = server.db.orm;
      const web = await ok<SalesChannel>(ws, 'POST', '/api/v1/channels', { name: 'Web', type: 'web' });
      expect((await getChannelCached(orm, ws.workspaceId, web.id)).name).toBe('Web');
      await renameBehindTheCatalog(ws, web.id, 'Renamed elsewhere');
      expect((await getChannelCached(orm, ws.workspaceId, web.id)).name).toBe('Web');

      await ok(ws, 'PATCH', `/api/v1/channels/${web.id}`, { name: 'Website' });
      expect((await getChannelCached(orm, ws.workspaceId, web.id)).name).toBe('Website');
      await ok(ws, 'DELETE', `/api/v1/channels/${web.id}`);
      expect((await getChannelCached(orm, ws.workspaceId, web.id)).archivedAt).not.toBeNull();
    });
  });

  describe('when the channel is unknown or of another workspace', () => {
    it('throws channel_not_found each time', async () => {
      const ws = await createTestWorkspace(server);
      const other = await createTestWorkspace(server);
      const theirs = await ok<SalesChannel>(other, 'POST', '/api/v1/channels', { name: 'Web', type: 'web' });
      await expect(getChannelCached(server.db.orm, ws.workspaceId, 'ch_missing')).rejects.toMatchObject({ code: 'channel_not_found' });
      await expect(getChannelCached(server.db.orm, ws.workspaceId, theirs.id)).rejects.toMatchObject({ code: 'channel_not_found' });
    });
  });

  describe('when many callers ask at once', () => {
    it('gives them all the same channel object (one load)', async () => {
      const ws = await createTestWorkspace(server);
      const pos = await ok<SalesChannel>(ws, 'POST', '/api/v1/channels', { name: 'POS', type: 'pos' });
      const got = await Promise.all(Array.from({ length: 10 }, () => getChannelCached(server.db.orm, ws.workspaceId, pos.id)));
      expect(new Set(got).size).toBe(1);
    });
  });
});

describe('findChannelOfSourceCached', () => {
  describe('when a source is linked, relinked and unlinked', () => {
    it('answers the channel naming it, sees this process’s changes at once, and does not keep "none"', async () => {
      const ws = await createTestWorkspace(server);
      const orm = server.db.orm;
      expect(await findChannelOfSourceCached(orm, ws.workspaceId, ws.sourceId)).toBeUndefined();
      const app = await ok<SalesChannel>(ws, 'POST', '/api/v1/channels', { name: 'App', type: 'app', sourceId: ws.sourceId });
      expect((await findChannelOfSourceCached(orm, ws.workspaceId, ws.sourceId))?.id).toBe(app.id);

      await renameBehindTheCatalog(ws, app.id, 'Renamed elsewhere');
      expect((await findChannelOfSourceCached(orm, ws.workspaceId, ws.sourceId))?.name).toBe('App');

      const second = await ws.addSource('web');
      await ok(ws, 'PATCH', `/api/v1/channels/${app.id}`, { sourceId: second.sourceId });
      expect(await findChannelOfSourceCached(orm, ws.workspaceId, ws.sourceId)).toBeUndefined();
      expect((await findChannelOfSourceCached(orm, ws.workspaceId, second.sourceId))?.name).toBe('Renamed elsewhere');
      await ok(ws, 'DELETE', `/api/v1/channels/${app.id}`);
      expect(await findChannelOfSourceCached(orm, ws.workspaceId, second.sourceId)).toBeUndefined();
    });
  });
});

describe('findVariantsBySkuCached', () => {
  describe('when prices change through this catalog', () => {
    it('answers the new price at once; unknown SKUs are absent and not kept', async () => {
      const ws = await createTestWorkspace(server);
      const orm = server.db.orm;
      const shopee = await ok<SalesChannel>(ws, 'POST', '/api/v1/channels', { name: 'Shopee', type: 'marketplace', platform: 'shopee' });
      const p = await ok<Product>(ws, 'POST', '/api/v1/products', { title: 'Áo', variants: [{ sku: 'A-1', price: 100_000 }] });
      const vid = p.variants[0]!.id;

      const first = await findVariantsBySkuCached(orm, ws.workspaceId, ['A-1', 'A-2', 'A-1']);
      expect([...first.keys()]).toEqual(['A-1']);
      expect(first.get('A-1')).toMatchObject({ price: 100_000, channelPrices: {} });

      await ok<Variant>(ws, 'PATCH', `/api/v1/variants/${vid}`, { price: 120_000 });
      expect((await findVariantsBySkuCached(orm, ws.workspaceId, ['A-1'])).get('A-1')?.price).toBe(120_000);
      await ok<Variant>(ws, 'PUT', `/api/v1/variants/${vid}/prices/${shopee.id}`, { price: 110_000 });
      expect((await findVariantsBySkuCached(orm, ws.workspaceId, ['A-1'])).get('A-1')?.channelPrices).toEqual({ [shopee.id]: 110_000 });
      await ok<Variant>(ws, 'DELETE', `/api/v1/variants/${vid}/prices/${shopee.id}`);
      expect((await findVariantsBySkuCached(orm, ws.workspaceId, ['A-1'])).get('A-1')?.channelPrices).toEqual({});
      await ok<Product>(ws, 'PATCH', `/api/v1/products/${p.id}`, { title: 'Áo thun' });
      expect((await findVariantsBySkuCached(orm, ws.workspaceId, ['A-1'])).get('A-1')?.productTitle).toBe('Áo thun');

      await ok(ws, 'POST', `/api/v1/products/${p.id}/variants`, { sku: 'A-2', price: 90_000 });
      expect((await findVariantsBySkuCached(orm, ws.workspaceId, ['A-2'])).get('A-2')?.price).toBe(90_000);
    });
  });
});
