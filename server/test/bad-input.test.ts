/**
 * Bad input is a 4xx, never a 500: each input that once got a 500 (or a 400 it should not have)
 * from the running server, sent over a real socket. The mechanisms are in app.ts (JSON parser,
 * hooks) and platform/input-guard.ts, platform/cursor.ts; test/fuzz.test.ts throws generated
 * input at every route.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRequest, encodeLoose } from './fuzz-kit';
import { basicAuth, createTestWorkspace, startTestServer, type TestServer, type TestWorkspace } from './helpers';
import { adjustStock, MAX_ON_HAND } from '../src/modules/inventory';
import { encodeCursor } from '../src/platform/cursor';

let server: TestServer;
let port: number;
beforeAll(async () => {
  server = await startTestServer();
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  port = (server.app.server.address() as { port: number }).port;
});
afterAll(async () => server.close());

type Answer = { status: number; json: { error?: { code: string; message: string; field?: string } } & Record<string, unknown> };

async function send(method: string, path: string, headers: Record<string, string> = {}, body?: unknown, timeoutMs = 10_000): Promise<Answer> {
  const res = await sendRequest(
    port,
    {
      method,
      path,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    },
    timeoutMs,
  );
  let json: Answer['json'] = {};
  try {
    json = JSON.parse(res.body) as Answer['json'];
  } catch {
    /* HEAD, streams */
  }
  return { status: res.status, json };
}

/** A 400 `code` that names `field`. */
function expectRefused(res: Answer, field: string, code = 'invalid_field'): void {
  expect(res.status, JSON.stringify(res.json)).toBe(400);
  expect(res.json.error?.code).toBe(code);
  expect(res.json.error?.field).toBe(field);
  expect(res.json.error?.message).toContain(field);
}

interface Shop {
  ws: TestWorkspace;
  web: string;
  warehouse: string;
  sku: string;
  promotionId: string;
  /** Store API headers of a guest. */
  guest: Record<string, string>;
}

/** A workspace selling one SKU on a web channel linked to its write key, with an active promotion. */
async function openShop(): Promise<Shop> {
  const ws = await createTestWorkspace(server);
  const post = async (url: string, body: unknown) => {
    const res = await send('POST', url, ws.admin, body);
    if (res.status >= 300) throw new Error(`${url} → ${res.status} ${JSON.stringify(res.json)}`);
    return res.json as { id: string };
  };
  const warehouse = (await post('/api/v1/locations', { name: 'Kho', kind: 'warehouse' })).id;
  const web = (await post('/api/v1/channels', { name: 'Website', type: 'web', sourceId: ws.sourceId, locationIds: [warehouse], shippingMethods: [{ id: 'standard', name: 'Giao tiêu chuẩn', fee: 30_000 }] })).id;
  const sku = `AO-${Date.now()}`;
  await post('/api/v1/products', { title: 'Áo thun', variants: [{ sku, price: 150_000 }] });
  await post('/api/v1/inventory/adjustments', { sku, locationId: warehouse, count: 100, reason: 'stock_take' });
  const promotionId = (await post('/api/v1/promotions', { name: 'Giảm', status: 'active', requiresCode: true, reward: { type: 'fixed', amount: 10_000 } })).id;
  await post(`/api/v1/promotions/${promotionId}/codes`, { code: 'GIAM10' });
  return { ws, web, warehouse, sku, promotionId, guest: { 'x-omni-write-key': ws.writeKey, 'x-omni-anonymous-id': `anon-${Date.now()}` } };
}

describe('checkStorableInput', () => {
  describe('when a string holds NUL (\\u0000)', () => {
    it('refuses sign-in email and password with 400 naming the field', async () => {
      expectRefused(await send('POST', '/api/v1/session', {}, { email: 'admin\u0000@omni.local', password: 'mat-khau-dai-du' }), 'body.email');
      expectRefused(await send('POST', '/api/v1/session', {}, { email: 'admin@omni.local', password: 'mat\u0000khau' }), 'body.password');
    });

    it('refuses a promotion code, a SKU, an idempotency key and a promotion name', async () => {
      const shop = await openShop();
      expectRefused(await send('POST', '/store/v1/cart/codes', shop.guest, { code: 'GIAM\u000010' }), 'body.code');
      expectRefused(await send('POST', '/store/v1/cart/lines', shop.guest, { sku: `${shop.sku}\u0000`, quantity: 1 }), 'body.sku');
      expectRefused(await send('POST', '/api/v1/orders', shop.ws.admin, { channelId: shop.web, externalId: 'HD-1', lines: [{ sku: '\u0000', quantity: 1 }] }), 'body.lines[0].sku');
      expectRefused(await send('POST', '/store/v1/cart/order', shop.guest, { idempotencyKey: 'k\u00001' }), 'body.idempotencyKey');
      expectRefused(await send('POST', '/api/v1/promotions', shop.ws.admin, { name: 'Sale\u0000', reward: { type: 'fixed', amount: 1 } }), 'body.name');
      expectRefused(await send('PATCH', `/api/v1/promotions/${shop.promotionId}`, shop.ws.admin, { reward: { type: 'fixed', amount: 1, 'x\u0000': 1 } }), 'body.reward["x\\u0000"]');
    });

    it('refuses it in a query string (?q=%00) and in a path parameter (%00)', async () => {
      const shop = await openShop();
      expectRefused(await send('GET', '/api/v1/products?q=%00', shop.ws.admin), 'query.q');
      expectRefused(await send('GET', '/store/v1/products?q=%00', { 'x-omni-write-key': shop.ws.writeKey }), 'query.q');
      expectRefused(await send('GET', '/api/v1/profiles/lookup?type=anonymous_id&value=%00', shop.ws.admin), 'query.value');
      expectRefused(await send('GET', '/api/v1/profiles/%00/merges', shop.ws.admin), 'params.id');
      expectRefused(await send('POST', '/api/v1/profiles/%00/cart/lines', shop.ws.admin, { channelId: shop.web, sku: shop.sku, quantity: 1 }), 'params.id');
      expectRefused(await send('GET', `/store/v1/cart?writeKey=${shop.ws.writeKey}&anonymousId=%00`), 'query.anonymousId');
    });

    it("never reaches the ingest writer, so another workspace's events are all stored", async () => {
      const victim = await createTestWorkspace(server);
      const attacker = await createTestWorkspace(server);
      // Customer tokens identify through the shared group commit: one poisoned item once failed the whole flush.
      const poison = Array.from({ length: 10 }, (_, i) => send('POST', '/api/v1/customer-tokens', attacker.admin, { userId: `u${i}\u0000`, email: `a${i}@x.vn` }, 30_000));
      const events = Array.from({ length: 60 }, (_, i) => send('POST', '/v1/track', basicAuth(victim.writeKey), { userId: `khach-${i}`, event: 'Product Viewed' }, 30_000));
      const [poisoned, stored] = await Promise.all([Promise.all(poison), Promise.all(events)]);
      expect(poisoned.map((r) => r.status)).toEqual(poisoned.map(() => 400));
      expect(stored.map((r) => r.status)).toEqual(stored.map(() => 200));
    });
  });

  describe('when the route stores such text cleaned (the Segment tracking API)', () => {
    it('leaves it to the route: every route that takes events opts out', () => {
      const tracking = server.routes.filter((r) => (r.url.startsWith('/v1/') || r.url.startsWith('/beacon/')) && r.method === 'POST');
      expect(tracking.map((r) => r.url).sort()).toEqual(['/beacon/v1/batch', '/v1/a', '/v1/alias', '/v1/b', '/v1/batch', '/v1/g', '/v1/group', '/v1/i', '/v1/identify', '/v1/p', '/v1/page', '/v1/s', '/v1/screen', '/v1/t', '/v1/track']);
      for (const r of tracking) expect(r.config?.cleansText, r.url).toBe(true);
      expect(server.routes.filter((r) => r.config?.cleansText).every((r) => tracking.includes(r))).toBe(true);
    });
  });

  describe('when a string is not well-formed Unicode (a lone surrogate)', () => {
    it('refuses it in text and in JSON columns, naming the place', async () => {
      const shop = await openShop();
      expectRefused(await send('POST', '/api/v1/products', shop.ws.admin, { title: 'Áo \ud800', variants: [{ sku: 'X-1', price: 1 }] }), 'body.title');
      await send('POST', '/store/v1/cart/lines', shop.guest, { sku: shop.sku, quantity: 1 });
      expectRefused(await send('POST', '/store/v1/cart/checkout', shop.guest, { step: 'shipping', method: 'standard', address: { street: '12 Lý Thường Kiệt \udfff' } }), 'body.address.street');
      expectRefused(await send('GET', `/api/v1/products?q=${encodeLoose('áo \ud800')}`, shop.ws.admin), 'url', 'bad_request');
    });
  });

  describe('when a body nests deeper than 64 levels', () => {
    it('refuses it with 400 instead of handing it to the database', async () => {
      const shop = await openShop();
      await send('POST', '/store/v1/cart/lines', shop.guest, { sku: shop.sku, quantity: 1 });
      const deep = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;
      const res = await send('POST', '/store/v1/cart/checkout', shop.guest, `{"step":"shipping","method":"standard","address":${deep}}`);
      expect(res.status).toBe(400);
      expect(res.json.error?.code).toBe('invalid_field');
      expect(res.json.error?.message).toContain('nested deeper than 64 levels');
    });
  });

  describe('when schema coercion turns "Infinity" into a number', () => {
    it('refuses the number that is not finite (Ajv lets it past maximum)', async () => {
      const shop = await openShop();
      expectRefused(await send('POST', '/store/v1/cart/lines', shop.guest, { sku: shop.sku, quantity: 'Infinity' }), 'body.quantity');
      expectRefused(await send('GET', '/api/v1/orders?limit=-Infinity', shop.ws.admin), 'query.limit');
    });
  });
});

describe('checkUrlEncoding', () => {
  describe('when the URL is not valid percent-encoding', () => {
    it('answers 400 (GET /x#%E0 once threw URIError in the console route)', async () => {
      for (const path of ['/x#%E0', '/customers/%E0']) expectRefused(await send('GET', path), 'url', 'bad_request');
      const ws = await createTestWorkspace(server);
      for (const path of ['/api/v1/profiles/%ED%A0%80', '/api/v1/products?q=%']) expectRefused(await send('GET', path, ws.admin), 'url', 'bad_request');
    });

    it('answers after authentication: without the permission it is the 401 or 403 of the clean URL', async () => {
      expect((await send('GET', '/api/v1/products?q=%ED%A0%80')).status).toBe(401);
      expect((await send('GET', '/api/v1/products#%E0')).status).toBe(401);
    });
  });
});

describe('the JSON body parser', () => {
  describe('when a DELETE says Content-Type: application/json and sends nothing', () => {
    it('accepts it like a DELETE without a body', async () => {
      const ws = await createTestWorkspace(server);
      const token = await send('POST', '/api/v1/tokens', ws.admin, { name: 'tạm' });
      const res = await send('DELETE', `/api/v1/tokens/${(token.json as { token: { id: string } }).token.id}`, { ...ws.admin, 'content-type': 'application/json' });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
    });
  });

  describe('when another method sends an empty JSON body or a poisoned one', () => {
    it('still answers 400 invalid_json', async () => {
      const ws = await createTestWorkspace(server);
      expect((await send('POST', '/api/v1/promotions', { ...ws.admin, 'content-type': 'application/json' })).json.error?.code).toBe('invalid_json');
      expect((await send('POST', '/api/v1/promotions', ws.admin, '{"__proto__":{"isAdmin":true}}')).json.error?.code).toBe('invalid_json');
    });
  });
});

describe('integers a column or the engine cannot hold', () => {
  it('are refused by the route schemas with 400', async () => {
    const shop = await openShop();
    const big = 2 ** 40;
    const quote = { channelId: shop.web, lines: [{ sku: shop.sku, quantity: 1 }] };
    expectRefused(await send('POST', '/api/v1/pricing/quote', shop.ws.admin, { ...quote, shippingFee: 2 ** 53 + 1 }), 'body.shippingFee', 'validation_failed');
    expectRefused(await send('POST', '/api/v1/promotions', shop.ws.admin, { name: 'x', usageLimit: big, reward: { type: 'fixed', amount: 1 } }), 'body.usageLimit', 'validation_failed');
    expectRefused(await send('POST', '/api/v1/promotions', shop.ws.admin, { name: 'x', perCustomerLimit: big, reward: { type: 'fixed', amount: 1 } }), 'body.perCustomerLimit', 'validation_failed');
    expectRefused(await send('POST', `/api/v1/promotions/${shop.promotionId}/codes`, shop.ws.admin, { code: 'NHIEULAN', maxUses: big }), 'body.maxUses', 'validation_failed');
    expectRefused(await send('POST', '/api/v1/sources', shop.ws.admin, { name: 'pos', channel: 'pos', rateLimit: big }), 'body.rateLimit', 'validation_failed');
    expectRefused(await send('POST', '/api/v1/inventory/adjustments', shop.ws.admin, { sku: shop.sku, locationId: shop.warehouse, delta: 1, reason: 'received', lowStockThreshold: big }), 'body.lowStockThreshold', 'validation_failed');
    expectRefused(await send('PUT', `/store/v1/cart/lines/${shop.sku}`, shop.guest, { quantity: 1, version: big }), 'body.version', 'validation_failed');
  });

  it('stop stock on hand before its 32-bit counter overflows', async () => {
    const shop = await openShop();
    const variantId = ((await send('GET', `/api/v1/inventory/${shop.sku}`, shop.ws.admin)).json as { variantId: string }).variantId;
    const adjust = (delta: number) => adjustStock(server.db.orm, { workspaceId: shop.ws.workspaceId, variantId, sku: shop.sku, locationId: shop.warehouse, delta, reason: 'received', actor: 'test' });
    await expect(adjust(2 ** 31)).rejects.toMatchObject({ code: 'invalid_field', details: { field: 'delta' } });
    expect((await adjust(MAX_ON_HAND - 100)).onHand).toBe(MAX_ON_HAND);
    await expect(adjust(1)).rejects.toMatchObject({ code: 'invalid_field' });
  });
});

describe('tampered pagination cursors', () => {
  it('are a 400 naming cursor on every list that takes one', async () => {
    const shop = await openShop();
    const customer = await send('POST', '/api/v1/customer-tokens', shop.ws.admin, { userId: 'khach-1' });
    const profileId = (customer.json as { token: { profileId: string } }).token.profileId;
    const tampered: [string, Record<string, unknown>][] = [
      [`/api/v1/profiles/${profileId}/events`, { timestamp: '2026-01-01T00:00:00Z', id: 1e300 }],
      [`/api/v1/profiles/${profileId}/events`, { timestamp: '1', id: 1 }],
      ['/api/v1/orders', { placedAt: '2024-02-30T00:00:00Z', id: 'ord_x' }],
      ['/api/v1/orders', { placedAt: '1', id: 'ord_x' }],
      [`/api/v1/profiles/${profileId}/orders`, { placedAt: '275760-09-13T00:00:00Z', id: 'ord_x' }],
      ['/api/v1/profiles', { lastSeenAt: 'Tue, 01 Jan 0000 00:00:00 GMT', id: 'p' }],
      ['/api/v1/products', { id: '\u0000' }],
      ['/store/v1/products', { id: 'x', extra: 1 }],
      ['/api/v1/inventory?lowStock=true', { low: 2 ** 53 + 1 }],
      ['/api/v1/audit', { at: '2024-02-30T00:00:00Z', id: 'aud_x' }],
      ['/api/v1/dead-letters', { at: '0000-01-01T00:00:00Z', id: 'dl_x' }],
    ];
    for (const [path, cursor] of tampered) {
      const headers = path.startsWith('/store') ? { 'x-omni-write-key': shop.ws.writeKey } : shop.ws.admin;
      const res = await send('GET', `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeCursor(cursor)}`, headers);
      expect(res.status, `${path} ${JSON.stringify(cursor)} → ${JSON.stringify(res.json)}`).toBe(400);
      expect(res.json.error?.field).toBe('cursor');
    }
  });
});

describe('the console session cookie', () => {
  describe('when it is not valid percent-encoding', () => {
    it('is an unknown session (401), not a URIError', async () => {
      const res = await send('GET', '/api/v1/channels', { cookie: 'omni_session=%E0%A4' });
      expect(res.status).toBe(401);
    });
  });
});

describe('event streams', () => {
  describe('when asked with HEAD', () => {
    it('answer the stream head and end instead of staying open', async () => {
      const shop = await openShop();
      const profileId = ((await send('POST', '/api/v1/customer-tokens', shop.ws.admin, { userId: 'khach-2' })).json as { token: { profileId: string } }).token.profileId;
      for (const [path, headers] of [
        ['/api/v1/inventory/stream', shop.ws.admin],
        [`/api/v1/profiles/${profileId}/cart/stream`, shop.ws.admin],
        ['/store/v1/cart/stream', shop.guest],
      ] as const) {
        // The whole answer, not only its head: a stream that stays open never ends.
        const answer = await new Promise<{ status: number; type: string }>((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port, method: 'HEAD', path, headers, agent: false }, (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']) }));
          });
          req.setTimeout(3_000, () => req.destroy(new Error(`HEAD ${path}: no end within 3 s`)));
          req.on('error', reject);
          req.end();
        });
        expect(answer, path).toEqual({ status: 200, type: 'text/event-stream; charset=utf-8' });
      }
    });
  });
});

describe('PATCH /api/v1/workspace', () => {
  describe('when the body changes nothing ({})', () => {
    it('answers the workspace as it is', async () => {
      const ws = await createTestWorkspace(server);
      const res = await send('PATCH', '/api/v1/workspace', ws.admin, {});
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      expect(res.json.id).toBe(ws.workspaceId);
    });
  });
});
