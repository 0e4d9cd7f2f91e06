/**
 * Erasure leaves nothing recoverable: a person built through the public APIs (browser events,
 * identify, a second device, a guest cart with a shipping address and a single-use code, a web
 * order, a POS order by phone, a customer token), then erased — and every text and JSON column
 * of every table of the database searched for what identified them. Also: suppression hashes
 * keyed per workspace, re-keying of the unkeyed ones written before, and what must survive
 * (the orders, other people, other workspaces).
 */
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, jsonClient, startTestServer, type TestServer, type TestWorkspace } from '../../test/helpers';
import { rows } from '../db/client';
import { foldForSearch } from '../modules/profiles';
import { rekeyUnkeyedSuppressions } from './profile-privacy';

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

type Headers = Record<string, string>;
interface IngestBody {
  accepted: number;
  suppressed: number;
}
interface OrderBody {
  id: string;
  profileId: string | null;
  total: number;
  subtotal: number;
  discountTotal: number;
  status: string;
  lines: { sku: string; quantity: number }[];
  transitions: { note: string | null }[];
}
interface ProfileBody {
  id: string;
  eventCount: number;
  identifiers: { type: string; value: string }[];
  traits: Record<string, unknown>;
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const random = () => crypto.randomBytes(4).toString('hex');
const digits = (n: number) => Array.from({ length: n }, () => crypto.randomInt(10)).join('');

async function track(auth: Headers, type: string, body: Record<string, unknown>): Promise<IngestBody> {
  return must<IngestBody>(auth, 'POST', `/v1/${type}`, body);
}

interface Shop {
  ws: TestWorkspace;
  web: string;
  pos: string;
  webKey: Headers;
  sku: string;
  promotionId: string;
  code: string;
}

/** A shop with a website, a store's POS, one product in stock and a single-use code. */
async function openShop(): Promise<Shop> {
  const ws = await createTestWorkspace(server);
  const id = async (url: string, body: unknown) => (await must<{ id: string }>(ws.admin, 'POST', url, body)).id;
  const warehouse = await id('/api/v1/locations', { name: 'Kho', kind: 'warehouse' });
  const store = await id('/api/v1/locations', { name: 'Cửa hàng Hoàn Kiếm', kind: 'store' });
  const shippingMethods = [{ id: 'standard', name: 'Giao tiêu chuẩn', fee: 25_000 }];
  const web = await id('/api/v1/channels', { name: 'Website', type: 'web', sourceId: ws.sourceId, locationIds: [warehouse], shippingMethods, cashOnDelivery: true });
  const pos = await id('/api/v1/channels', { name: 'POS Hoàn Kiếm', type: 'pos', locationIds: [store] });
  const sku = `AO-${random().toUpperCase()}`;
  await id('/api/v1/products', { title: 'Áo thun', variants: [{ sku, price: 200_000 }] });
  for (const locationId of [warehouse, store]) await must(ws.admin, 'POST', '/api/v1/inventory/adjustments', { sku, locationId, count: 50, reason: 'stock_take' });
  const promotionId = await id('/api/v1/promotions', { name: 'Một lần', status: 'active', requiresCode: true, reward: { type: 'fixed', amount: 30_000 } });
  const code = `ONCE${random().toUpperCase()}`;
  await must(ws.admin, 'POST', `/api/v1/promotions/${promotionId}/codes`, { code, maxUses: 1 });
  return { ws, web, pos, webKey: { 'x-omni-write-key': ws.writeKey }, sku, promotionId, code };
}

/** What identifies one person, unique to this test run. */
function personValues() {
  const tag = random();
  const national = `09${digits(8)}`;
  return {
    email: `lan.${tag}@example.vn`,
    typedEmail: `Lan.${tag}@Example.VN`,
    phone: `+84${national.slice(1)}`,
    typedPhone: `${national.slice(0, 4)} ${national.slice(4, 7)} ${national.slice(7)}`,
    nationalPhone: national,
    name: `Phạm Thị Lan ${tag}`,
    userId: `u-lan-${tag}`,
    webAnon: `anon-laptop-${tag}`,
    phoneAnon: `anon-phone-${tag}`,
    street: `${digits(3)} ngõ Huế ${tag}`,
  };
}
type Person = ReturnType<typeof personValues>;

/**
 * The person, through the public APIs: browsing and signing up on a laptop; as a guest on their
 * phone a cart with a shipping address, the single-use code and a web order; then signing in on
 * the phone (the two devices' profiles merge), a second cart in checkout, a POS order by phone
 * with a note naming them, and an export of their data.
 */
async function buildPerson(shop: Shop, p: Person) {
  const { ws } = shop;
  await track(ws.basic, 'page', { anonymousId: p.webAnon, name: 'Trang chủ' });
  await track(ws.basic, 'track', { anonymousId: p.webAnon, event: 'Product Viewed', properties: { sku: shop.sku } });
  await track(ws.basic, 'identify', { anonymousId: p.webAnon, userId: p.userId, traits: { email: p.typedEmail, phone: p.typedPhone, name: p.name } });

  const guest = { ...shop.webKey, 'x-omni-anonymous-id': p.phoneAnon };
  await must(guest, 'POST', '/store/v1/cart/lines', { sku: shop.sku, quantity: 2 });
  await must(guest, 'POST', '/store/v1/cart/codes', { code: shop.code });
  const address = { name: p.name, phone: p.typedPhone, line1: p.street, city: 'Hà Nội' };
  await must(guest, 'POST', '/store/v1/cart/checkout', { step: 'started' });
  await must(guest, 'POST', '/store/v1/cart/checkout', { step: 'shipping', method: 'standard', address });
  const webOrder = await call<OrderBody>(guest, 'POST', '/store/v1/cart/order', { idempotencyKey: `checkout-${p.phoneAnon}` });
  expect(webOrder.status, JSON.stringify(webOrder.body)).toBe(201);
  expect(webOrder.body.discountTotal).toBe(30_000);

  const signedIn = await must<{ secret: string; token: { profileId: string } }>(ws.admin, 'POST', '/api/v1/customer-tokens', { userId: p.userId, anonymousId: p.phoneAnon, channel: 'web' });
  const me = { ...shop.webKey, 'x-omni-customer-token': signedIn.secret };
  await must(me, 'POST', '/store/v1/cart/lines', { sku: shop.sku, quantity: 1 });
  await must(me, 'POST', '/store/v1/cart/checkout', { step: 'started' });
  await must(me, 'POST', '/store/v1/cart/checkout', { step: 'shipping', method: 'standard', address });

  const posOrder = await call<OrderBody>(ws.admin, 'POST', '/api/v1/orders', {
    channelId: shop.pos,
    externalId: `HD-${random()}`,
    customer: { phone: p.typedPhone, name: p.name },
    lines: [{ sku: shop.sku, quantity: 1 }],
  });
  expect(posOrder.status, JSON.stringify(posOrder.body)).toBe(201);
  await must(ws.admin, 'POST', `/api/v1/orders/${posOrder.body.id}/transitions`, { to: 'paid', note: `${p.name} trả tiền mặt, gọi lại ${p.typedPhone}` });

  const profile = await must<ProfileBody & { mergedProfileIds: string[] }>(ws.admin, 'GET', `/api/v1/profiles/lookup?type=email&value=${encodeURIComponent(p.email)}`);
  expect(profile.mergedProfileIds).toHaveLength(1);
  expect(posOrder.body.profileId).toBe(profile.id);
  // An operator exported their data first (the audit trail records whose).
  await must(ws.admin, 'GET', `/api/v1/profiles/${profile.id}/export`);
  return { profileIds: [profile.id, ...profile.mergedProfileIds], orders: [webOrder.body, posOrder.body] };
}

interface Hit {
  table: string;
  column: string;
  needle: string;
  sample: string;
}

/**
 * Every row of every table (any schema but the system ones) whose text, character, JSON or array
 * columns contain one of the needles (case-insensitive), skipping the rows of `outside`.
 */
async function findInDatabase(needles: string[], opts: { outside?: string } = {}): Promise<Hit[]> {
  const ex = server.db.orm;
  const columns = await rows<{ schema: string; table: string; column: string; scoped: boolean }>(
    ex,
    sql`SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column,
               EXISTS (SELECT 1 FROM information_schema.columns w
                       WHERE w.table_schema = c.table_schema AND w.table_name = c.table_name AND w.column_name = 'workspace_id') AS scoped
        FROM information_schema.columns c
        JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
        WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')
          AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')
        ORDER BY 1, 2, 3`,
  );
  expect(columns.length).toBeGreaterThan(40);
  const hits: Hit[] = [];
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  for (const c of columns) {
    const table = sql.raw(`${quote(c.schema)}.${quote(c.table)}`);
    const column = sql.raw(`t.${quote(c.column)}`);
    const outside = opts.outside && c.scoped ? sql`AND t.workspace_id IS DISTINCT FROM ${opts.outside}` : sql``;
    const found = await rows<{ needle: string; sample: string }>(
      ex,
      sql`SELECT n.v AS needle, left(${column}::text, 300) AS sample
          FROM ${table} t, jsonb_array_elements_text(${JSON.stringify(needles)}::jsonb) AS n(v)
          WHERE strpos(lower(${column}::text), lower(n.v)) > 0 ${outside}`,
    );
    for (const f of found) hits.push({ table: `${c.schema}.${c.table}`, column: c.column, needle: f.needle, sample: f.sample });
  }
  return hits;
}

/** Per table and column, how many rows contain each needle. */
async function countInDatabase(needles: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const h of await findInDatabase(needles)) {
    const key = `${h.table}.${h.column} ∋ ${h.needle}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

describe('DELETE /api/v1/profiles/:id (erasure everywhere)', () => {
  describe('when the person has events, two devices, carts, a code, a web order and a POS order', () => {
    it('leaves none of their identifiers, names, address or profile ids in any column of any table', async () => {
      const shop = await openShop();
      const p = personValues();
      const person = await buildPerson(shop, p);

      const erased = await must<{ profileIds: string[]; orders: number; events: number }>(shop.ws.admin, 'DELETE', `/api/v1/profiles/${person.profileIds[0]}`);
      expect([...erased.profileIds].sort()).toEqual([...person.profileIds].sort());
      expect(erased.orders).toBe(2);
      expect(erased.events).toBeGreaterThan(5);

      const needles = [
        p.email, p.typedEmail, p.phone, p.typedPhone, p.nationalPhone, p.name, foldForSearch(p.name),
        p.userId, p.webAnon, p.phoneAnon, p.street, ...person.profileIds,
      ];
      expect(await findInDatabase(needles)).toEqual([]);
      // Who erased someone stays in the audit trail (whom does not).
      const audit = await must<{ data: { action: string; actor: string; subjectId: string | null; details: Record<string, number> }[] }>(shop.ws.admin, 'GET', '/api/v1/audit?action=profile.erased');
      expect(audit.data).toEqual([expect.objectContaining({ action: 'profile.erased', subjectId: null, details: { profiles: person.profileIds.length, events: erased.events, orders: 2 } })]);
      expect(audit.data[0]!.actor).toMatch(/^token:/);
    });

    it('keeps the orders with their lines and totals, without the person, and the code stays used', async () => {
      const shop = await openShop();
      const p = personValues();
      const person = await buildPerson(shop, p);
      const before = await Promise.all(person.orders.map((o) => must<OrderBody>(shop.ws.admin, 'GET', `/api/v1/orders/${o.id}`)));
      const reportBefore = await must<{ uses: number; discountGiven: number; customers: number }>(shop.ws.admin, 'GET', `/api/v1/promotions/${shop.promotionId}/report`);
      expect(reportBefore).toMatchObject({ uses: 1, discountGiven: 30_000, customers: 1 });

      await must(shop.ws.admin, 'DELETE', `/api/v1/profiles/${person.profileIds[0]}`);

      for (const o of before) {
        const after = await must<OrderBody>(shop.ws.admin, 'GET', `/api/v1/orders/${o.id}`);
        expect(after).toMatchObject({ profileId: null, status: o.status, subtotal: o.subtotal, discountTotal: o.discountTotal, total: o.total, lines: o.lines });
      }
      const paid = await must<OrderBody>(shop.ws.admin, 'GET', `/api/v1/orders/${before[1]!.id}`);
      expect(paid.transitions.map((t) => t.note)).toContain('[erased] trả tiền mặt, gọi lại [erased]');
      // The promotion's accounting keeps the use; no customer is left to count it against.
      expect(await must(shop.ws.admin, 'GET', `/api/v1/promotions/${shop.promotionId}/report`)).toMatchObject({ uses: 1, discountGiven: 30_000, customers: 0 });
      const someoneElse = { ...shop.webKey, 'x-omni-anonymous-id': `anon-${random()}` };
      await must(someoneElse, 'POST', '/store/v1/cart/lines', { sku: shop.sku, quantity: 1 });
      const reused = await call<{ error: { code: string } }>(someoneElse, 'POST', '/store/v1/cart/codes', { code: shop.code });
      expect(reused.status).toBe(409);
      expect(reused.body.error.code).toBe('coupon_denied');
    });

    it('drops a later event carrying their email, in any case', async () => {
      const shop = await openShop();
      const p = personValues();
      const person = await buildPerson(shop, p);
      await must(shop.ws.admin, 'DELETE', `/api/v1/profiles/${person.profileIds[0]}`);

      const later = await track(shop.ws.basic, 'identify', { anonymousId: `anon-${random()}`, traits: { email: p.email.toUpperCase() } });
      expect(later).toMatchObject({ accepted: 0, suppressed: 1 });
      expect((await call(shop.ws.admin, 'GET', `/api/v1/profiles/lookup?type=email&value=${encodeURIComponent(p.email)}`)).status).toBe(404);
    });

    it("leaves another person's rows in the workspace as they were", async () => {
      const shop = await openShop();
      const other = personValues();
      await track(shop.ws.basic, 'identify', { anonymousId: other.webAnon, userId: other.userId, traits: { email: other.email, name: other.name } });
      await must(shop.ws.admin, 'POST', '/api/v1/orders', { channelId: shop.pos, externalId: `HD-${random()}`, customer: { email: other.email }, lines: [{ sku: shop.sku, quantity: 1 }] });
      const them = await must<ProfileBody>(shop.ws.admin, 'GET', `/api/v1/profiles/lookup?type=email&value=${encodeURIComponent(other.email)}`);
      const person = await buildPerson(shop, personValues());
      const theirs = [other.email, other.name, other.webAnon, other.userId, them.id];
      const before = await countInDatabase(theirs);
      expect(Object.keys(before).some((k) => k.startsWith('public.domain_events.'))).toBe(true);

      await must(shop.ws.admin, 'DELETE', `/api/v1/profiles/${person.profileIds[0]}`);

      expect(await countInDatabase(theirs)).toEqual(before);
      expect(await must<ProfileBody>(shop.ws.admin, 'GET', `/api/v1/profiles/${them.id}`)).toEqual(them);
      const orders = await must<{ data: OrderBody[] }>(shop.ws.admin, 'GET', `/api/v1/profiles/${them.id}/orders`);
      expect(orders.data).toHaveLength(1);
      expect(await must(shop.ws.admin, 'GET', `/api/v1/profiles/${them.id}/commerce`)).toMatchObject({ orderCount: 1 });
    });

    it('leaves the same person in another workspace untouched', async () => {
      const shop = await openShop();
      const p = personValues();
      const elsewhere = await createTestWorkspace(server);
      await track(elsewhere.basic, 'identify', { anonymousId: p.webAnon, userId: p.userId, traits: { email: p.email, phone: p.typedPhone, name: p.name } });
      const inB = await must<ProfileBody>(elsewhere.admin, 'GET', `/api/v1/profiles/lookup?type=email&value=${encodeURIComponent(p.email)}`);
      const needles = [p.email, p.phone, p.name, p.webAnon, p.userId];
      const countB = async () => (await findInDatabase(needles)).length;
      const beforeB = await countB();
      expect(beforeB).toBeGreaterThan(0);

      const person = await buildPerson(shop, p);
      await must(shop.ws.admin, 'DELETE', `/api/v1/profiles/${person.profileIds[0]}`);

      expect(await findInDatabase([...needles, ...person.profileIds], { outside: elsewhere.workspaceId })).toEqual([]);
      expect(await countB()).toBe(beforeB);
      expect(await must<ProfileBody>(elsewhere.admin, 'GET', `/api/v1/profiles/${inB.id}`)).toEqual(inB);
      expect(await track(elsewhere.basic, 'track', { anonymousId: p.webAnon, event: 'Product Viewed' })).toMatchObject({ accepted: 1, suppressed: 0 });
    });
  });
});

describe('suppression hashes', () => {
  const suppressionsOf = (workspaceId: string) =>
    rows<{ hash: string; scheme: string; dropped_events: number | string }>(
      server.db.orm,
      sql`SELECT hash, scheme, dropped_events FROM suppressions WHERE workspace_id = ${workspaceId} ORDER BY hash`,
    );
  const keyOf = async (workspaceId: string) =>
    (await rows<{ k: string }>(server.db.orm, sql`SELECT suppression_key AS k FROM workspaces WHERE id = ${workspaceId}`))[0]!.k;

  describe('when the same email is erased in two workspaces', () => {
    it('keys each with its workspace secret: neither is the plain sha256 nor equal to the other', async () => {
      const email = `mai.${random()}@example.vn`;
      const hashes: string[] = [];
      for (const ws of [await createTestWorkspace(server), await createTestWorkspace(server)]) {
        await track(ws.basic, 'identify', { userId: `u-${random()}`, traits: { email } });
        const profile = await must<ProfileBody>(ws.admin, 'GET', `/api/v1/profiles/lookup?type=email&value=${encodeURIComponent(email)}`);
        await must(ws.admin, 'DELETE', `/api/v1/profiles/${profile.id}`);
        const found = await suppressionsOf(ws.workspaceId);
        expect(found.map((s) => s.scheme)).toEqual(['hmac-sha256', 'hmac-sha256']);
        const unkeyed = sha256(`email:${email}`);
        expect(found.map((s) => s.hash)).not.toContain(unkeyed);
        const keyed = crypto.createHmac('sha256', Buffer.from(await keyOf(ws.workspaceId), 'hex')).update(unkeyed).digest('hex');
        expect(found.map((s) => s.hash)).toContain(keyed);
        hashes.push(keyed);
      }
      expect(hashes[0]).not.toBe(hashes[1]);
    });
  });

  describe('when a suppression was written unkeyed (before keys, or by an older process)', () => {
    it('still drops the events carrying it, then re-keys it at start-up keeping its count', async () => {
      const ws = await createTestWorkspace(server);
      const email = `cu.${random()}@example.vn`;
      await server.db.orm.execute(sql`INSERT INTO suppressions (workspace_id, hash) VALUES (${ws.workspaceId}, ${sha256(`email:${email}`)})`);

      expect(await track(ws.basic, 'identify', { userId: `u-${random()}`, traits: { email } })).toMatchObject({ accepted: 0, suppressed: 1 });
      await rekeyUnkeyedSuppressions(server.db);
      const keyed = crypto.createHmac('sha256', Buffer.from(await keyOf(ws.workspaceId), 'hex')).update(sha256(`email:${email}`)).digest('hex');
      expect(await suppressionsOf(ws.workspaceId)).toEqual([{ hash: keyed, scheme: 'hmac-sha256', dropped_events: expect.anything() }]);
      expect(Number((await suppressionsOf(ws.workspaceId))[0]!.dropped_events)).toBe(1);

      expect(await track(ws.basic, 'identify', { userId: `u-${random()}`, traits: { email: email.toUpperCase() } })).toMatchObject({ accepted: 0, suppressed: 1 });
      expect(Number((await suppressionsOf(ws.workspaceId))[0]!.dropped_events)).toBe(2);
    });
  });

  describe('the workspace key', () => {
    it('is never returned by the workspace API', async () => {
      const ws = await createTestWorkspace(server);
      const key = await keyOf(ws.workspaceId);
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      const res = await server.app.inject({ method: 'GET', url: '/api/v1/workspace', headers: ws.admin });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain(key);
      expect(Object.keys(res.json() as object)).not.toContain('suppressionKey');
    });

    it('is random and distinct for workspaces made before keys existed (the column default)', async () => {
      const ids = [`ws_old_${random()}`, `ws_old_${random()}`];
      const made = await rows<{ k: string }>(
        server.db.orm,
        sql`INSERT INTO workspaces (id, name) VALUES (${ids[0]}, 'before keys'), (${ids[1]}, 'before keys') RETURNING suppression_key AS k`,
      );
      expect(made.map((m) => m.k)).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/), expect.stringMatching(/^[0-9a-f]{64}$/)]);
      expect(made[0]!.k).not.toBe(made[1]!.k);
    });
  });
});
