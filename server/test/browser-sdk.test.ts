/**
 * The browser SDK in a real browser (Debian's chromium, driven by playwright-core): a shop's
 * page on another origin loads /sdk/omni.js, sends events, and keeps one live cart across two
 * windows — a phone and a tablet — and through sign-in.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, jsonClient, launchBrowser, startTestServer, type TestServer, type TestWorkspace } from './helpers';

let server: TestServer;
let api: string;
let shopPage: http.Server;
let shop: string;
let browser: Browser;

const { must } = jsonClient({
  get app() {
    return server.app;
  },
});

beforeAll(async () => {
  server = await startTestServer({ runWorkers: true });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  api = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  // The shop's own site, on another origin: the SDK's requests are cross-origin, as in real life.
  shopPage = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="vi"><head><title>Cửa hàng</title><script src="${api}/sdk/omni.js"></script></head><body>Shop</body></html>`);
  });
  await new Promise<void>((r) => shopPage.listen(0, '127.0.0.1', r));
  shop = `http://127.0.0.1:${(shopPage.address() as AddressInfo).port}/`;
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => shopPage?.close(r));
  await server?.close();
});

interface Shop {
  ws: TestWorkspace;
  sku: string;
}

async function openShop(): Promise<Shop> {
  const ws = await createTestWorkspace(server);
  const warehouse = (await must<{ id: string }>(ws.admin, 'POST', '/api/v1/locations', { name: 'Kho', kind: 'warehouse' })).id;
  await must(ws.admin, 'POST', '/api/v1/channels', { name: 'Website', type: 'web', sourceId: ws.sourceId, locationIds: [warehouse] });
  const sku = `AO-${Math.random().toString(36).slice(2, 7).toUpperCase()}`;
  await must(ws.admin, 'POST', '/api/v1/products', { title: 'Áo thun', variants: [{ sku, price: 199_000 }] });
  await must(ws.admin, 'POST', '/api/v1/inventory/adjustments', { sku, locationId: warehouse, count: 50, reason: 'stock_take' });
  return { ws, sku };
}

/** A window on the shop's site with the SDK started. */
async function openWindow(s: Shop): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(shop);
  await page.evaluate(([host, writeKey]) => {
    const w = globalThis as unknown as { omni: unknown; Omni: { init(o: { host: string; writeKey: string; flushIntervalMs: number }): unknown } };
    w.omni = w.Omni.init({ host, writeKey, flushIntervalMs: 50 });
  }, [api, s.ws.writeKey] as const);
  return page;
}

type Omni = {
  anonymousId: string;
  identify(userId?: string, traits?: Record<string, unknown>): void;
  track(event: string, properties?: Record<string, unknown>): void;
  page(name?: string): void;
  flush(): Promise<void>;
  setCustomerToken(token: string | null): void;
  cart: {
    add(sku: string, quantity?: number): Promise<{ version: number; itemCount: number }>;
    get(): Promise<{ version: number; itemCount: number }>;
    subscribe(cb: (cart: { version: number; itemCount: number }) => void): () => void;
  };
};

describe('browser SDK', () => {
  it('sends page, track and identify from the page; the anonymous id is a first-party cookie', async () => {
    const s = await openShop();
    const page = await openWindow(s);
    const anonymousId = await page.evaluate(async () => {
      const omni = (globalThis as unknown as { omni: Omni }).omni;
      omni.page('Trang chủ');
      omni.track('Product Viewed', { sku: 'AO-1' });
      omni.identify('kh-42', { email: 'lan@example.vn', phone: '0912 345 678' });
      await omni.flush();
      return omni.anonymousId;
    });
    expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).toContain(`omni_aid=${anonymousId}`);
    const profile = await must<{ id: string; identifiers: { type: string; value: string }[] }>(s.ws.admin, 'GET', '/api/v1/profiles/lookup?type=phone&value=0912345678');
    expect(profile.identifiers).toEqual(expect.arrayContaining([{ type: 'anonymous_id', value: anonymousId }, { type: 'user_id', value: 'kh-42' }]));
    const events = await must<{ data: { type: string; event: string | null }[] }>(s.ws.admin, 'GET', `/api/v1/profiles/${profile.id}/events`);
    expect(events.data.map((e) => e.event ?? e.type).sort()).toEqual(['Product Viewed', 'identify', 'page']);
    await page.context().close();
  });

  it('answers as window.analytics with analytics.js call shapes: identify(traits), page(category, name, props)', async () => {
    const s = await openShop();
    const page = await openWindow(s);
    await page.evaluate(async () => {
      const analytics = (globalThis as unknown as { analytics: Omni & { page(category: string, name: string, props?: Record<string, unknown>): void; identify(traits: Record<string, unknown>): void } }).analytics;
      analytics.identify({ phone: '0977000111', name: 'Lý Thu Hà' });
      analytics.page('Sản phẩm', 'Áo thun', { sku: 'AO-1' });
      analytics.track('Product Viewed', { sku: 'AO-1' });
      await analytics.flush();
    });
    const profile = await must<{ id: string; traits: { name?: string } }>(s.ws.admin, 'GET', '/api/v1/profiles/lookup?type=phone&value=0977000111');
    expect(profile.traits.name).toBe('Lý Thu Hà');
    const events = await must<{ data: { type: string; event: string | null; name: string | null; properties: Record<string, unknown> }[] }>(
      s.ws.admin,
      'GET',
      `/api/v1/profiles/${profile.id}/events`,
    );
    const viewed = events.data.find((e) => e.type === 'page');
    expect(viewed).toMatchObject({ name: 'Áo thun', properties: { category: 'Sản phẩm', sku: 'AO-1' } });
    expect(events.data.map((e) => e.event ?? e.type).sort()).toEqual(['Product Viewed', 'identify', 'page']);
    await page.context().close();
  });

  it('two windows of one customer share one live cart; a guest keeps the cart through sign-in', async () => {
    const s = await openShop();
    const phone = await openWindow(s);
    const tablet = await openWindow(s);
    // A guest on the phone adds to the cart, then signs in: the shop's backend mints a token with the phone's anonymous id.
    const anonymousId = await phone.evaluate(async (sku) => {
      const omni = (globalThis as unknown as { omni: Omni }).omni;
      await omni.cart.add(sku, 2);
      return omni.anonymousId;
    }, s.sku);
    const token = await must<{ secret: string }>(s.ws.admin, 'POST', '/api/v1/customer-tokens', { userId: 'kh-live', anonymousId });
    const afterSignIn = await phone.evaluate(async (secret) => {
      const omni = (globalThis as unknown as { omni: Omni }).omni;
      omni.setCustomerToken(secret);
      return omni.cart.get();
    }, token.secret);
    expect(afterSignIn.itemCount).toBe(2);
    // The tablet signs in as the same customer and watches the cart.
    await tablet.evaluate((secret) => {
      const w = globalThis as unknown as { omni: Omni; seen: number[] };
      w.seen = [];
      w.omni.setCustomerToken(secret);
      w.omni.cart.subscribe((cart) => w.seen.push(cart.itemCount));
    }, token.secret);
    await tablet.waitForFunction(() => (globalThis as unknown as { seen: number[] }).seen.includes(2));
    // The phone adds one more; the tablet sees it.
    await phone.evaluate((sku) => (globalThis as unknown as { omni: Omni }).omni.cart.add(sku, 1), s.sku);
    await tablet.waitForFunction(() => (globalThis as unknown as { seen: number[] }).seen.includes(3), undefined, { timeout: 5000 });
    await phone.context().close();
    await tablet.context().close();
  });
});
