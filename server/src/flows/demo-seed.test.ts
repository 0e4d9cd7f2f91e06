import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, jsonClient, startTestServer, type TestServer } from '../../test/helpers';
import { seedDemo } from './demo-seed';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ runWorkers: false });
});
afterAll(async () => server.close());

const { must } = jsonClient({
  get app() {
    return server.app;
  },
});

describe('demo seed', () => {
  it('seeds a Vietnamese retailer once: customers on several channels, orders, stock; a second run adds nothing', async () => {
    const ws = await createTestWorkspace(server);
    const first = await seedDemo(server.app, server.db, ws.workspaceId, { customers: 30 });
    expect(first).toMatchObject({ seeded: true, customers: 30 });
    expect(first.orders).toBeGreaterThan(5);
    const again = await seedDemo(server.app, server.db, ws.workspaceId, { customers: 30 });
    expect(again.seeded).toBe(false);

    const channels = await must<{ data: { type: string; platform: string | null }[] }>(ws.admin, 'GET', '/api/v1/channels');
    expect(channels.data.map((c) => c.platform ?? c.type).sort()).toEqual(['app', 'facebook', 'pos', 'pos', 'shopee', 'web', 'zalo']);
    const orders = await must<{ data: { externalId: string }[] }>(ws.admin, 'GET', '/api/v1/orders?limit=200');
    expect(orders.data.length).toBe(first.orders);
    const found = await must<{ data: { traits: { name?: string }; channels: Record<string, unknown> }[] }>(ws.admin, 'GET', '/api/v1/profiles?q=nguyen&limit=50');
    expect(found.data.length).toBeGreaterThan(0);
    expect(found.data.every((p) => (p.traits.name ?? '').startsWith('Nguyễn'))).toBe(true);
    const promotions = await must<{ data: { name: string; status: string }[] }>(ws.admin, 'GET', '/api/v1/promotions?limit=100');
    expect(promotions.data.map((p) => p.status)).toEqual(['active', 'active', 'active', 'active']);
    // The point of the demo: some customers are seen on several channels.
    const all = await must<{ data: { channels: Record<string, unknown> }[] }>(ws.admin, 'GET', '/api/v1/profiles?limit=100');
    expect(all.data.some((p) => Object.keys(p.channels).length >= 3)).toBe(true);
  });

  it('leaves a workspace with its own data alone', async () => {
    const ws = await createTestWorkspace(server);
    await must(ws.admin, 'POST', '/api/v1/products', { title: 'Hàng thật', variants: [{ sku: 'REAL-1', price: 1000 }] });
    expect((await seedDemo(server.app, server.db, ws.workspaceId, { customers: 5 })).seeded).toBe(false);
  });
});
