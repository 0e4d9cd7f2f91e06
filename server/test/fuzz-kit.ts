/**
 * What the fuzz test (test/fuzz.test.ts) and the fuzz benchmark (bench/fuzz.ts) share: real
 * fixtures so requests reach deep code, a fast-check arbitrary of hostile HTTP requests for every
 * route of the app, a plain HTTP client (a listening server, sockets and all) and the tally.
 *
 * A request is built from the route's own schema (so most are well-formed and get past
 * validation into handlers, with ids, SKUs and codes that exist), then often spoiled in one
 * place: NUL, lone surrogates, ±1e308, 2^53+1, -0, deep nesting, 3,000-item arrays, Vietnamese
 * text, `__proto__` keys, malformed JSON, huge strings, wrong content types; path params like
 * `%00`, `%E0`, `..%2F` or very long ones; tampered pagination cursors.
 */
import http from 'node:http';
import fc from 'fast-check';
import type { RouteEntry } from '../src/platform/permissions';
import type { Database } from '../src/db/client';
import { createApiToken, createSource, createWorkspace } from '../src/modules/workspaces';

// ---------------------------------------------------------------------------------------------
// HTTP

export interface FuzzRequest {
  method: string;
  /** Raw request target, sent as is (may hold `%E0`, `#`, `..`). */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** The route pattern it was made for, for the tally. */
  route: string;
}

export interface FuzzResponse {
  status: number;
  body: string;
  /** Set for an event stream: we read its head and hang up. */
  stream?: boolean;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One request over a real socket; an event stream answers at its head; a hang fails after
 * `timeoutMs`. A connection closed without an answer is retried once, as HTTP clients do: a
 * kept-alive socket can be closed by the server just as the next request goes out on it (it
 * closes after answering a request whose body it did not read). Twice is a failure.
 */
export async function sendRequest(port: number, req: Pick<FuzzRequest, 'method' | 'path' | 'headers' | 'body'>, timeoutMs = 15_000): Promise<FuzzResponse> {
  try {
    return await sendOnce(port, req, timeoutMs);
  } catch (err) {
    if (!(err instanceof StaleSocketError)) throw err;
    return sendOnce(port, req, timeoutMs);
  }
}

class StaleSocketError extends Error {}

function sendOnce(port: number, req: Pick<FuzzRequest, 'method' | 'path' | 'headers' | 'body'>, timeoutMs: number): Promise<FuzzResponse> {
  return new Promise((resolve, reject) => {
    // Always framed by Content-Length: Node sends a DELETE or OPTIONS body unframed otherwise.
    const headers = req.body === undefined ? req.headers : { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) };
    const r = http.request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers, agent }, (res) => {
      if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        resolve({ status: res.statusCode ?? 0, body: '', stream: true });
        r.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    r.on('error', (err: NodeJS.ErrnoException) => {
      const stale = err.code === 'ECONNRESET' || err.code === 'EPIPE' || err.message === 'socket hang up';
      reject(stale ? new StaleSocketError(err.message) : err);
    });
    r.end(req.body);
  });
}

/** JSON call for setting fixtures up: throws on anything but 2xx. */
async function must<T>(port: number, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<T> {
  const res = await sendRequest(port, {
    method,
    path,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status >= 300) throw new Error(`fixture ${method} ${path} → ${res.status} ${res.body}`);
  return JSON.parse(res.body) as T;
}

// ---------------------------------------------------------------------------------------------
// Fixtures

export interface Fixtures {
  workspaceId: string;
  adminToken: string;
  writeKey: string;
  /** A console session (cookie + CSRF token) of a marketer. */
  session: { cookie: string; csrf: string };
  signIn: { email: string; password: string };
  customerToken: string;
  /** Guest anonymous ids that have a cart. */
  guests: string[];
  /** Known values by field or param name: `sku`, `channelId`, `profileId`, `code` … */
  values: Record<string, string[]>;
  /** Ids that may be deleted or changed without breaking the rest of the batch, by collection. */
  spare: Record<string, string[]>;
  /** Cursors each list endpoint handed out. */
  cursors: string[];
}

let fixtureCounter = 0;

/**
 * A workspace full of things to reach: a web channel selling on the write key's source and a POS
 * channel, stock in a warehouse and a store, a category, two products (three SKUs, stocked), an
 * automatic promotion and a code promotion with codes, a signed-in customer and a guest with
 * carts (one in checkout), orders, events, a console user; plus spare ones to delete. `more`
 * adds known values (e.g. the demo shop's customers) to those of the same name.
 */
export async function setUpFixtures(db: Database, port: number, more: Record<string, string[]> = {}): Promise<Fixtures> {
  const n = ++fixtureCounter;
  const ws = await createWorkspace(db.orm, { name: `fuzz ${n}`, defaultCountry: 'VN' });
  const token = await createApiToken(db.orm, { workspaceId: ws.id, name: 'fuzz' });
  const spareToken = await createApiToken(db.orm, { workspaceId: ws.id, name: 'fuzz spare' });
  const source = await createSource(db.orm, { workspaceId: ws.id, name: 'web', channel: 'web' });
  const spareSource = await createSource(db.orm, { workspaceId: ws.id, name: 'spare', channel: 'app' });
  const admin = { authorization: `Bearer ${token.secret}` };
  const call = <T>(method: string, path: string, body?: unknown) => must<T>(port, method, path, admin, body);

  const warehouse = (await call<{ id: string }>('POST', '/api/v1/locations', { name: 'Kho Thủ Đức', kind: 'warehouse' })).id;
  const store = (await call<{ id: string }>('POST', '/api/v1/locations', { name: 'Cửa hàng Quận 1', kind: 'store' })).id;
  const web = (await call<{ id: string }>('POST', '/api/v1/channels', {
    name: 'Website',
    type: 'web',
    sourceId: source.source.id,
    locationIds: [warehouse, store],
    shippingMethods: [{ id: 'standard', name: 'Giao tiêu chuẩn', fee: 30_000, freeAbove: 500_000 }, { id: 'express', name: 'Giao nhanh 2h', fee: 60_000 }],
    cashOnDelivery: true,
  })).id;
  const pos = (await call<{ id: string }>('POST', '/api/v1/channels', { name: 'POS Quận 1', type: 'pos', locationIds: [store] })).id;
  const spareChannel = (await call<{ id: string }>('POST', '/api/v1/channels', { name: 'Shopee', type: 'marketplace', platform: 'shopee', locationIds: [warehouse] })).id;
  const category = (await call<{ id: string }>('POST', '/api/v1/categories', { name: 'Áo thun' })).id;
  const spareCategory = (await call<{ id: string }>('POST', '/api/v1/categories', { name: 'Phụ kiện' })).id;
  const skus = [`FZ${n}-DO-M`, `FZ${n}-DO-L`, `FZ${n}-NON`];
  const tee = await call<{ id: string; variants: { id: string; sku: string }[] }>('POST', '/api/v1/products', {
    title: 'Áo thun cotton',
    categoryIds: [category],
    variants: [
      { sku: skus[0], price: 150_000, options: { 'Màu': 'Đỏ', Size: 'M' } },
      { sku: skus[1], price: 160_000, options: { 'Màu': 'Đỏ', Size: 'L' }, barcode: `893${n}0001` },
    ],
  });
  const hat = await call<{ id: string; variants: { id: string; sku: string }[] }>('POST', '/api/v1/products', { title: 'Nón bảo hiểm', variants: [{ sku: skus[2], price: 250_000 }] });
  const spareProduct = (await call<{ id: string }>('POST', '/api/v1/products', { title: 'Sản phẩm thử', variants: [{ sku: `FZ${n}-SPARE`, price: 10_000 }] })).id;
  for (const sku of skus) {
    for (const locationId of [warehouse, store]) await call('POST', '/api/v1/inventory/adjustments', { sku, locationId, count: 1_000_000, reason: 'stock_take', lowStockThreshold: 5 });
  }
  const auto = (await call<{ id: string }>('POST', '/api/v1/promotions', {
    name: 'Giảm 10% áo thun', status: 'active', reward: { type: 'percentage', percent: 10, target: { scope: 'categories', categoryIds: [category] } },
  })).id;
  const coded = (await call<{ id: string }>('POST', '/api/v1/promotions', {
    name: 'Mã giảm 50.000 ₫', status: 'active', requiresCode: true, reward: { type: 'fixed', amount: 50_000, target: { scope: 'order' } }, conditions: { cartSubtotal: { gte: 100_000 } },
  })).id;
  const draft = (await call<{ id: string }>('POST', '/api/v1/promotions', { name: 'Freeship', reward: { type: 'free_shipping', maxAmount: 30_000 } })).id;
  const shared = `FUZZ${n}SALE`;
  await call('POST', `/api/v1/promotions/${coded}/codes`, { code: shared });
  const batch = await call<{ batchId: string; codes: string[] }>('POST', `/api/v1/promotions/${coded}/codes`, { count: 3, prefix: `FZ${n}`, maxUses: 1000 });

  // People: a signed-in customer with a cart in checkout, a guest with a cart, a spare one to erase.
  const basic = { authorization: `Basic ${Buffer.from(`${source.writeKey}:`).toString('base64')}` };
  const email = `khach.fuzz${n}@example.vn`;
  const customer = await call<{ token: { profileId: string; id: string }; secret: string }>('POST', '/api/v1/customer-tokens', { userId: `user-fuzz-${n}`, email, phone: `09120${String(n).padStart(5, '0')}` });
  const spareCustomerToken = await call<{ token: { id: string } }>('POST', '/api/v1/customer-tokens', { profileId: customer.token.profileId });
  const store_ = { 'x-omni-write-key': source.writeKey };
  const asCustomer = { ...store_, 'x-omni-customer-token': customer.secret };
  await must(port, 'POST', '/store/v1/cart/lines', asCustomer, { sku: skus[0], quantity: 2 });
  await must(port, 'POST', '/store/v1/cart/codes', asCustomer, { code: shared });
  await must(port, 'POST', '/store/v1/cart/checkout', asCustomer, { step: 'started' });
  const guest = `anon-fuzz-${n}-guest`;
  await must(port, 'POST', '/store/v1/cart/lines', { ...store_, 'x-omni-anonymous-id': guest }, { sku: skus[2], quantity: 1 });
  await must(port, 'POST', '/v1/identify', basic, { anonymousId: guest, traits: { name: 'Trần Thị Hoa', city: 'Hà Nội' } });
  await must(port, 'POST', '/v1/track', basic, { userId: `user-fuzz-${n}`, event: 'Product Viewed', properties: { sku: skus[1], price: 160_000 } });
  const spareProfile = (await call<{ token: { profileId: string } }>('POST', '/api/v1/customer-tokens', { email: `xoa.fuzz${n}@example.vn` })).token.profileId;
  const guestProfile = (await call<{ id: string }>('GET', `/api/v1/profiles/lookup?type=anonymous_id&value=${encodeURIComponent(guest)}`)).id;

  // Orders from a store and the web, and a hold.
  const orders: string[] = [];
  for (let o = 0; o < 2; o++) {
    const order = await call<{ id: string }>('POST', '/api/v1/orders', {
      channelId: o === 1 ? web : pos, externalId: `FZ${n}-HD-${o}`, customer: { phone: `09120${String(n).padStart(5, '0')}` }, lines: [{ sku: skus[o % 3], quantity: 1 }], status: 'paid',
    });
    orders.push(order.id);
  }
  const holder = `giu-hang-${n}`;
  await call('POST', '/api/v1/reservations', { channelId: web, holder, lines: [{ sku: skus[1], quantity: 1 }], ttlSeconds: 600 });

  // A console user (marketer: most changes, not user admin) and a spare one to change.
  const password = `mat-khau-fuzz-${n}-dai`;
  const invited = await call<{ user: { id: string; email: string }; inviteToken: string }>('POST', '/api/v1/users', { email: `nhanvien.fuzz${n}@example.vn`, name: 'Nhân viên', role: 'marketer' });
  const accepted = await sendRequest(port, { method: 'POST', path: '/api/v1/invites/accept', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: invited.inviteToken, password }) });
  if (accepted.status !== 200) throw new Error(`fixture invite accept → ${accepted.status} ${accepted.body}`);
  const spareUser = (await call<{ user: { id: string } }>('POST', '/api/v1/users', { email: `du.phong.fuzz${n}@example.vn`, name: 'Dự phòng', role: 'viewer' })).user.id;
  const { csrfToken } = JSON.parse(accepted.body) as { csrfToken: string };
  // The session cookie comes back in Set-Cookie; sign in again to read it over this client.
  const session = await signInCookie(port, invited.user.email, password);

  // Cursors that the list endpoints hand out (pages of one).
  const cursors: string[] = [];
  for (const path of ['/api/v1/products?limit=1', `/api/v1/orders?limit=1`, '/api/v1/profiles?limit=1', `/api/v1/profiles/${customer.token.profileId}/events?limit=1`, '/api/v1/inventory?limit=1']) {
    const page = await call<{ nextCursor?: string | null }>('GET', path);
    if (page.nextCursor) cursors.push(page.nextCursor);
  }
  const variantIds = [...tee.variants, ...hat.variants].map((v) => v.id);
  return {
    workspaceId: ws.id,
    adminToken: token.secret,
    writeKey: source.writeKey,
    session: { cookie: session.cookie, csrf: session.csrf || csrfToken },
    signIn: { email: invited.user.email, password },
    customerToken: customer.secret,
    guests: [guest],
    values: {
      sku: skus,
      channelId: [web, pos],
      locationId: [warehouse, store],
      categoryId: [category],
      productId: [tee.id, hat.id],
      variantId: variantIds,
      profileId: [customer.token.profileId, guestProfile],
      promotionId: [auto, coded, draft],
      orderId: orders,
      code: [shared, ...batch.codes],
      batchId: [batch.batchId],
      holder: [holder],
      sourceId: [spareSource.source.id],
      userId: [`user-fuzz-${n}`],
      anonymousId: [guest],
      email: [email, `KHACH.FUZZ${n}@EXAMPLE.VN`, invited.user.email, ...(more.email ?? [])],
      phone: [`09120${String(n).padStart(5, '0')}`, `+84 912 0${String(n).padStart(5, '0')}`, ...(more.phone ?? [])],
      currency: ['VND'],
      timeZone: ['Asia/Ho_Chi_Minh'],
      password: [password],
      method: ['standard', 'express', 'cod', 'momo'],
      provider: ['momo', 'vnpay', 'cod'],
    },
    spare: {
      profiles: [spareProfile],
      products: [spareProduct],
      channels: [spareChannel],
      categories: [spareCategory],
      sources: [spareSource.source.id],
      tokens: [spareToken.token.id],
      users: [spareUser],
      'customer-tokens': [spareCustomerToken.token.id],
    },
    cursors,
  };
}

async function signInCookie(port: number, email: string, password: string): Promise<{ cookie: string; csrf: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/session', headers: { 'content-type': 'application/json' }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`fixture sign-in → ${res.statusCode}`));
        const set = [res.headers['set-cookie'] ?? []].flat()[0] ?? '';
        resolve({ cookie: set.split(';')[0] ?? '', csrf: (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { csrfToken: string }).csrfToken });
      });
    });
    r.on('error', reject);
    r.end(JSON.stringify({ email, password }));
  });
}

// ---------------------------------------------------------------------------------------------
// Hostile values

/**
 * A value spliced into the JSON text as is: lets a body carry `-0`, `1e400`, malformed JSON or
 * 3,000 levels of nesting without building them as JS values first.
 */
const RAW = '\u0001raw:';
const raw = (text: string) => `${RAW}${text}\u0001`;
const RAW_IN_JSON = /"\\u0001raw:((?:[^"\\]|\\.)*?)\\u0001"/g;

/** JSON text of a value, with raw splices put in. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value).replace(RAW_IN_JSON, (_m, inner: string) => JSON.parse(`"${inner}"`) as string);
}

const deepArray = (levels: number) => raw(`${'['.repeat(levels)}${']'.repeat(levels)}`);
const deepObject = (levels: number) => raw(`${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`);

const hostileStrings = [
  '\u0000',
  'Áo\u0000thun',
  '\ud800',
  'x\udfff',
  '\udbff\ud800',
  'Nguyễn Thị Ánh Tuyết — Áo dài lụa Hà Đông 🇻🇳',
  'ÁO THUN ĐỎ',
  '',
  ' ',
  'NaN',
  'Infinity',
  '-0',
  '1e308',
  '9007199254740993',
  '-1',
  'null',
  'true',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00',
  '%E0',
  '0000-00-00T00:00:00Z',
  '275760-09-13T00:00:00Z',
  '2024-02-30T25:61:00Z',
  '-271821-04-20',
  '1',
  'Asia/Không_Có',
  '__proto__',
  'constructor',
  '\u202e\u200b\ufeff',
  '\u{10FFFF}',
];

const hostileNumbers: unknown[] = [1e308, -1e308, 2 ** 53 + 1, -(2 ** 53 + 1), 2 ** 31, -(2 ** 31) - 1, 2 ** 63, 0.5, -1, 0, raw('-0'), raw('1e400'), raw('-1e400'), raw('1E-400'), raw('123456789012345678901234567890')];

const hostileShapes: unknown[] = [
  true,
  null,
  [],
  {},
  [null],
  { a: 1 },
  deepArray(3000),
  deepObject(3000),
  deepArray(70),
  raw('{"__proto__":{"isAdmin":true}}'),
  raw('{"constructor":{"prototype":{"isAdmin":true}}}'),
  raw('{"a":1,"a":2}'),
];

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...hostileStrings) },
  { weight: 3, arbitrary: fc.constantFrom(...hostileNumbers) },
  { weight: 2, arbitrary: fc.constantFrom(...hostileShapes) },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(70_000), 'ă'.repeat(20_000)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);

/** Whole bodies that are not JSON, or not what the route expects at all. */
const hostileBodyText: fc.Arbitrary<string | Buffer> = fc.constantFrom<string | Buffer>(
  '{',
  '{"a":',
  '[1,2',
  'nul',
  '{"a":1}}',
  "{'a':1}",
  '\ufeff{}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"__proto__":{"x":1}}',
  '',
  '   ',
  'null',
  '0',
  '-0',
  '1e400',
  '"text"',
  '[]',
  `[${Array.from({ length: 3000 }, () => '{}').join(',')}]`,
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  Buffer.from([0xff, 0xfe, 0x7b, 0x7d]),
  Buffer.from('{"a":"\xc3\x28"}', 'latin1'),
  `{"a":"${'x'.repeat(1_100_000)}"}`,
);

const hostileParams = ['%00', '%E0', '%ED%A0%80', '%', '%zz', '..%2F..%2Fetc%2Fpasswd', '..', '%2e%2e', 'a%2Fb', encodeURIComponent('Áo thun'), '%F0%9F%98%80', 'x'.repeat(5_000), '-1', '1e308', ';x=1', '%23x', 'null', '__proto__', 'constructor'];

const contentTypes = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/octet-stream',
  'application/jsonx',
  'application/vnd.api+json',
];

/**
 * encodeURIComponent, except that a lone surrogate is sent as the bytes a careless encoder makes
 * of it (WTF-8: \ud800 → %ED%A0%80) instead of throwing.
 */
export function encodeLoose(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    else out += encodeURIComponent(ch);
  }
  return out;
}

function tamperedCursor(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

const tamperedCursors = [
  tamperedCursor({ id: 1e300 }),
  tamperedCursor({ id: -1 }),
  tamperedCursor({ id: 'x'.repeat(300) }),
  tamperedCursor({ id: '\u0000' }),
  tamperedCursor({ id: '\ud800' }),
  tamperedCursor({ timestamp: '1', id: 1 }),
  tamperedCursor({ timestamp: '2024-01-01T00:00:00Z', id: 1e300 }),
  tamperedCursor({ timestamp: '2024-01-01T00:00:00Z', id: 1.5 }),
  tamperedCursor({ placedAt: '2024-02-30T00:00:00Z', id: 'ord_x' }),
  tamperedCursor({ placedAt: '275760-09-13T00:00:00Z', id: 'ord_x' }),
  tamperedCursor({ placedAt: '1', id: 'ord_x' }),
  tamperedCursor({ lastSeenAt: 'Tue, 01 Jan 0000 00:00:00 GMT', id: 'p' }),
  tamperedCursor({ lastSeenAt: '2024-01-01T00:00:00Z', id: { $gt: '' } }),
  tamperedCursor({ low: 1e300 }),
  tamperedCursor({ low: -5 }),
  tamperedCursor({ low: 2 ** 53 + 1 }),
  tamperedCursor([]),
  tamperedCursor('"x"'),
  tamperedCursor('{"__proto__":{"id":"x"}}'),
  '!!!not-base64!!!',
  '%00',
  'x'.repeat(2000),
];

// ---------------------------------------------------------------------------------------------
// Generating from a route's schema

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
}

/** The fixture values a field of this name should often take. */
function knownValues(name: string | undefined, fx: Fixtures): string[] | undefined {
  if (!name) return undefined;
  const direct = fx.values[name];
  if (direct) return direct;
  // locationIds → locationId, codes → code, skus → sku
  const singular = name.endsWith('Ids') ? name.slice(0, -1) : name.endsWith('s') ? name.slice(0, -1) : undefined;
  if (singular && fx.values[singular]) return fx.values[singular];
  if (name === 'value') return [...(fx.values.email ?? []), ...(fx.values.phone ?? []), ...(fx.values.anonymousId ?? [])];
  if (name === 'cursor') return fx.cursors;
  return undefined;
}

const REWARDS = (fx: Fixtures): unknown[] => [
  { type: 'percentage', percent: 15, target: { scope: 'order' }, maxDiscount: 100_000 },
  { type: 'fixed', amount: 20_000, target: { scope: 'products', productIds: fx.values.productId } },
  { type: 'buy_x_get_y', buy: { items: { scope: 'categories', categoryIds: fx.values.categoryId }, quantity: 2 }, get: { items: { scope: 'order' }, quantity: 1, percent: 100 } },
  { type: 'tiered_spend', tiers: [{ minSpend: 200_000, amountOff: 20_000 }, { minSpend: 500_000, percentOff: 10 }] },
  { type: 'free_shipping', maxAmount: 30_000 },
  { type: 'gift', variantId: fx.values.variantId?.[0], quantity: 1 },
  { type: 'percentage', percent: 1e308, target: { scope: 'order' } },
  { type: 'fixed', amount: 2 ** 53 + 1, target: { scope: 'order' } },
  { type: 'tiered_spend', tiers: Array.from({ length: 3000 }, (_, i) => ({ minSpend: i, amountOff: 1 })) },
];

const CONDITIONS = (fx: Fixtures): unknown[] => [
  null,
  { tier: { in: ['gold'] } },
  { all: [{ channel: { in: fx.values.channelId } }, { cartSubtotal: { gte: 100_000 } }] },
  { any: [{ birthdayMonth: true }, { lastStore: { in: fx.values.locationId } }] },
  { not: { firstOrder: true } },
  { boughtCategory: { categoryIds: fx.values.categoryId, withinDays: 1e308 } },
  { trait: { key: 'city', op: 'eq', value: 'Hà Nội' } },
  { schedule: { days: ['mon', 'sat'], from: '08:00', to: '25:99' } },
  { totalSpent: { gte: 2 ** 53 + 1 } },
  deepObject(3000),
  { all: Array.from({ length: 3000 }, () => ({ firstOrder: true })) },
];

/** An arbitrary for values of a schema, mostly valid, with fixture values for known field names. */
export function fromSchema(schema: JsonSchema | undefined, fx: Fixtures, name?: string, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.jsonValue({ maxDepth: 2 });
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => fromSchema(s, fx, name, depth + 1)));
  if (name === 'reward') return fc.constantFrom(...REWARDS(fx));
  if (name === 'conditions') return fc.constantFrom(...CONDITIONS(fx));
  if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((t) => fromSchema({ ...schema, type: t }, fx, name, depth)));
  const known = knownValues(name, fx);
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? -1_000_000;
      const max = schema.maximum ?? 1_000_000;
      const lo = Math.max(min, -1_000_000_000);
      const hi = Math.min(max, 1_000_000_000);
      // The edges the schema allows; without a bound, numbers a 32-bit column or JS cannot hold.
      const edges = [min, max, Math.min(Math.max(0, min), max)];
      if (schema.maximum === undefined) edges.push(2 ** 31, Number.MAX_SAFE_INTEGER);
      if (schema.minimum === undefined) edges.push(-(2 ** 31) - 1, Number.MIN_SAFE_INTEGER);
      return fc.oneof(
        { weight: 5, arbitrary: fc.integer({ min: Math.ceil(Math.min(lo, hi)), max: Math.floor(Math.max(lo, hi)) }) },
        { weight: 2, arbitrary: fc.constantFrom(...edges) },
      );
    }
    case 'string': {
      if (known && known.length > 0) return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: plainString(schema) });
      return plainString(schema);
    }
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 4, 4));
      return fc.array(fromSchema(schema.items, fx, name, depth + 1), { minLength, maxLength });
    }
    case 'object':
    case undefined: {
      if (!schema.properties) {
        const valueSchema = schema.patternProperties ? Object.values(schema.patternProperties)[0] : undefined;
        return fc.dictionary(fc.constantFrom('ghi_chu', 'Màu', 'city', 'size', 'k'), fromSchema(valueSchema, fx, undefined, depth + 1), { maxKeys: 3 });
      }
      const required = new Set(schema.required ?? []);
      const entries = Object.entries(schema.properties).map(([key, s]) => {
        const value = fromSchema(s, fx, key, depth + 1);
        return [key, required.has(key) ? value : fc.option(value, { nil: undefined, freq: 2 })] as const;
      });
      return fc.record(Object.fromEntries(entries)).map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function plainString(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 24, 24));
  if (schema.format === 'date-time') {
    return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
  }
  if (schema.format === 'date') {
    return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  }
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
  return fc.oneof(
    fc.string({ minLength, maxLength }),
    fc.constantFrom('Áo thun cotton', 'Hà Nội', 'Giao hàng nhanh', 'momo', 'cod', 'nguyen.van.an@gmail.com', '0912 345 678').filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity)),
  );
}

/** Every place (path of keys) inside a JSON value, the root first. */
function placesIn(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (value !== null && typeof value === 'object' && prefix.length < 6) {
    for (const [k, v] of Object.entries(value)) placesIn(v, [...prefix, Array.isArray(value) ? Number(k) : k], out);
  }
  return out;
}

/** A copy of `value` with the thing at `place` replaced (or a key added there). */
function spliceAt(value: unknown, place: (string | number)[], replacement: unknown, addKey?: string): unknown {
  if (place.length === 0) {
    if (addKey !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value)) return { ...value, [addKey]: replacement };
    return replacement;
  }
  const [head, ...rest] = place;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? spliceAt(v, rest, replacement, addKey) : v));
  if (value !== null && typeof value === 'object') return { ...value, [head!]: spliceAt((value as Record<string, unknown>)[head!], rest, replacement, addKey) };
  return replacement;
}

/** A body for the route: valid by its schema, or spoiled in one place, or replaced outright. */
function bodyArbitrary(schema: JsonSchema | undefined, fx: Fixtures): fc.Arbitrary<string | Buffer | undefined> {
  const valid = fromSchema(schema, fx);
  const spoiled = fc.tuple(valid, fc.nat(), hostileValue, fc.constantFrom<string | undefined>(undefined, undefined, 'extra', '__proto__', 'constructor', 'Thêm')).map(([v, i, bad, addKey]) => {
    const places = placesIn(v);
    return toJsonText(spliceAt(v, places[i % places.length]!, bad, addKey));
  });
  const thousands = valid.map((v) => {
    const places = placesIn(v).filter((p) => p.length > 0);
    const place = places[places.length - 1];
    return toJsonText(place ? spliceAt(v, place.slice(0, -1), Array.from({ length: 3000 }, () => v), undefined) : Array.from({ length: 3000 }, () => v));
  });
  return fc.oneof(
    { weight: 10, arbitrary: valid.map((v) => toJsonText(v)) },
    { weight: 8, arbitrary: spoiled },
    { weight: 1, arbitrary: thousands },
    { weight: 2, arbitrary: hostileBodyText },
    { weight: 1, arbitrary: hostileValue.map((v) => toJsonText(v)) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** A query string from the route's querystring schema, with cursors and hostile extras. */
function queryArbitrary(schema: JsonSchema | undefined, fx: Fixtures): fc.Arbitrary<string> {
  const props = schema?.properties ?? {};
  const encode = (v: unknown): string => encodeLoose(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
  const fields = Object.entries(props).map(([key, s]) => {
    const value = key === 'cursor' ? fc.constantFrom(...fx.cursors, ...tamperedCursors) : fromSchema(s, fx, key);
    return fc.option(
      value.map((v) => (Array.isArray(v) ? v.map((x) => `${key}=${encode(x)}`).join('&') : `${key}=${encode(v)}`)),
      { nil: undefined, freq: 2 },
    );
  });
  const extra = fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('q=%00', 'q=%E0', 'q=%ED%A0%80', 'q=%', '__proto__=x', 'constructor[prototype]=1', 'limit=1e308', 'limit=-0', 'limit=NaN', 'a=1&a=2&a=3') },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...Object.keys(props), 'x'), hostileValue).map(([k, v]) => `${k}=${encode(v)}`) },
    { weight: 1, arbitrary: fc.constantFrom(...tamperedCursors).map((c) => `cursor=${c}`) },
  );
  return fc.tuple(fc.tuple(...fields), extra).map(([given, more]) => [...given, more].filter((p): p is string => !!p).join('&'));
}

/** What fills a path parameter: a value that exists (a spare one when it may be destroyed), or a hostile one. */
function paramArbitrary(route: RouteEntry, name: string, fx: Fixtures): fc.Arbitrary<string> {
  const segments = route.url.split('/');
  const collection = segments[segments.indexOf(`:${name}`) - 1] ?? '';
  const destructive = route.method === 'DELETE' || route.method === 'PATCH';
  const spare = destructive && route.url.endsWith(`/:${name}`) ? fx.spare[collection] : undefined;
  const byCollection: Record<string, string[] | undefined> = {
    profiles: fx.values.profileId,
    products: fx.values.productId,
    promotions: fx.values.promotionId,
    channels: fx.values.channelId,
    categories: fx.values.categoryId,
    locations: fx.values.locationId,
    variants: fx.values.variantId,
    orders: fx.values.orderId,
    reservations: fx.values.holder,
    inventory: fx.values.sku,
    lines: fx.values.sku,
    codes: fx.values.code,
    prices: fx.values.channelId,
  };
  const real = spare ?? byCollection[collection] ?? fx.spare[collection] ?? ['x'];
  return fc.oneof(
    { weight: 7, arbitrary: fc.constantFrom(...real).map(encodeLoose) },
    { weight: 2, arbitrary: fc.constantFrom(...hostileParams) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20, unit: 'binary' }).map(encodeLoose) },
  );
}

type Credential = Record<string, string>;

/** Who calls: mostly the right credential for the route's API, sometimes another or a broken one. */
function credentialArbitrary(route: RouteEntry, fx: Fixtures): fc.Arbitrary<{ headers: Credential; query: string }> {
  const none = { headers: {}, query: '' };
  const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` });
  const broken = fc.constantFrom<{ headers: Credential; query: string }>(
    none,
    { headers: { authorization: 'Bearer not-a-token' }, query: '' },
    { headers: { authorization: 'Basic %%%' }, query: '' },
    { headers: { cookie: 'omni_session=%E0%A4' }, query: '' },
    { headers: { cookie: 'omni_session=x; omni_session=%' }, query: '' },
    { headers: { authorization: `Bearer ${fx.adminToken}x` }, query: '' },
  );
  const url = route.url;
  const isOpen = (route.method === 'POST' && (url === '/api/v1/session' || url === '/api/v1/invites/accept')) || !url.startsWith('/api/v1/');
  if (url.startsWith('/api/v1/') && !isOpen) {
    const session = { cookie: fx.session.cookie, ...(route.method === 'GET' || route.method === 'HEAD' ? {} : { 'x-csrf-token': fx.session.csrf }) };
    return fc.oneof(
      { weight: 16, arbitrary: fc.constant({ headers: { authorization: `Bearer ${fx.adminToken}` }, query: '' }) },
      { weight: 2, arbitrary: fc.constant({ headers: session, query: '' }) },
      { weight: 1, arbitrary: broken },
    );
  }
  if (url.startsWith('/store/v1/')) {
    const wk = { 'x-omni-write-key': fx.writeKey };
    return fc.oneof(
      { weight: 8, arbitrary: fc.constant({ headers: { ...wk, 'x-omni-customer-token': fx.customerToken }, query: '' }) },
      { weight: 6, arbitrary: fc.constantFrom(...fx.guests).map((g) => ({ headers: { ...wk, 'x-omni-anonymous-id': g }, query: '' })) },
      { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => /^[\x21-\x7e]+$/.test(s)).map((a) => ({ headers: { ...wk, 'x-omni-anonymous-id': a }, query: '' })) },
      { weight: 2, arbitrary: fc.constantFrom(...fx.guests, '%00', '%ED%A0%80', 'x'.repeat(300)).map((a) => ({ headers: {}, query: `writeKey=${encodeURIComponent(fx.writeKey)}&anonymousId=${a.startsWith('%') ? a : encodeURIComponent(a)}` })) },
      { weight: 1, arbitrary: fc.constant({ headers: { ...wk, 'x-omni-customer-token': 'ct_forged' }, query: '' }) },
      { weight: 1, arbitrary: broken },
    );
  }
  if (url.startsWith('/v1/')) {
    return fc.oneof({ weight: 12, arbitrary: fc.constant({ headers: basic(fx.writeKey), query: '' }) }, { weight: 1, arbitrary: fc.constant({ headers: basic('wk_wrong'), query: '' }) }, { weight: 1, arbitrary: broken });
  }
  return fc.constant(none);
}

/** A request for one route of the app. */
export function routeRequest(route: RouteEntry, fx: Fixtures): fc.Arbitrary<FuzzRequest> {
  const schema = (route.schema ?? {}) as { body?: JsonSchema; querystring?: JsonSchema; params?: JsonSchema };
  const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const wildcard = route.url.endsWith('*');
  const params = fc.tuple(...names.map((n) => paramArbitrary(route, n, fx)));
  const tail = fc.oneof(fc.constantFrom('', 'customers/p_1', 'assets/x.js', 'index.html', '..%2F..%2Fpackage.json', '%E0', '%00', 'x#%E0', 'x;y', '/', 'a'.repeat(3000)), fc.webPath());
  const hasBody = !['GET', 'HEAD', 'OPTIONS'].includes(route.method);
  const body = hasBody ? bodyArbitrary(schema.body, fx) : fc.constant(undefined);
  const contentType = fc.oneof({ weight: 12, arbitrary: fc.constant('application/json') }, { weight: 2, arbitrary: fc.constantFrom(...contentTypes) }, { weight: 1, arbitrary: fc.constant(undefined) });
  return fc
    .record({
      params,
      tail,
      query: queryArbitrary(schema.querystring, fx),
      body,
      contentType,
      credential: credentialArbitrary(route, fx),
      extraHeaders: fc.oneof({ weight: 8, arbitrary: fc.constant<Record<string, string>>({}) }, { weight: 1, arbitrary: fc.constantFrom<Record<string, string>>({ 'idempotency-key': 'k-1' }, { 'idempotency-key': 'x'.repeat(300) }, { 'content-encoding': 'gzip' }, { 'x-request-id': '../../x' }, { origin: 'https://evil.example' }) }),
    })
    .map(({ params: values, tail: rest, query, body: b, contentType: ct, credential, extraHeaders }) => {
      let i = 0;
      let path = route.url.replace(/:(\w+)/g, () => values[i++]!);
      if (wildcard) path = `${path.slice(0, -1)}${rest.replace(/^\//, '')}`.replace(/^(?!\/)/, '/');
      const q = [query, credential.query].filter(Boolean).join('&');
      const headers: Record<string, string> = { ...credential.headers, ...extraHeaders };
      if (b !== undefined && ct) headers['content-type'] = ct;
      // The reported case: a DELETE saying JSON with nothing in it.
      if (route.method === 'DELETE' && b === undefined) headers['content-type'] = 'application/json';
      let target = q ? `${path}?${q}` : path;
      // Node answers a head over its 16 KB limit with a 431 that has a body, even to HEAD, which
      // no client can parse: GET covers long targets.
      if (route.method === 'HEAD' && target.length > 15_000) target = path.slice(0, 15_000);
      const request: FuzzRequest = { method: route.method, path: target, headers, ...(b === undefined ? {} : { body: b }), route: `${route.method} ${route.url}` };
      // fast-check prints a failing request this way: bodies can be a megabyte long.
      Object.defineProperty(request, fc.toStringMethod, { value: () => describeRequest(request), enumerable: false });
      return request;
    });
}

/** Every route; HEAD twins (the GET handler without a body) a third as often as the others. */
export function anyRouteRequest(routes: readonly RouteEntry[], fx: Fixtures): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(...routes.map((r) => ({ weight: r.method === 'HEAD' ? 1 : 3, arbitrary: routeRequest(r, fx) })));
}

/** The routes worth fuzzing: all of them, except the interactive API docs' static files. */
export function fuzzableRoutes(routes: readonly RouteEntry[]): RouteEntry[] {
  return routes.filter((r) => !r.url.startsWith('/docs/static'));
}

// ---------------------------------------------------------------------------------------------
// Tally

/** One line: route, method, target, headers and the start of the body. */
export function describeRequest(request: FuzzRequest): string {
  const body = request.body === undefined ? '' : (Buffer.isBuffer(request.body) ? request.body.toString('latin1') : request.body);
  const shown = body.length > 300 ? `${body.slice(0, 300)}… (${body.length} chars)` : body;
  const path = request.path.length > 300 ? `${request.path.slice(0, 300)}… (${request.path.length} chars)` : request.path;
  return `[${request.route}] ${request.method} ${path} ${JSON.stringify(request.headers)} ${JSON.stringify(shown)}`;
}

/** Codes that mean the request was turned away before any handler did work. */
const AT_THE_DOOR = new Set(['validation_failed', 'invalid_json', 'invalid_field', 'bad_request', 'payload_too_large', 'unauthorized', 'forbidden', 'invalid_write_key', 'invalid_customer_token', 'unsupported_encoding']);

export class Tally {
  readonly byStatus = new Map<number, number>();
  readonly byCode = new Map<string, number>();
  readonly failures: { request: FuzzRequest; response: FuzzResponse | { error: string } }[] = [];
  total = 0;
  /** 2xx, or an answer only a handler gives (404 of a record, 409, a domain 400 …). */
  reachedHandlers = 0;

  add(request: FuzzRequest, response: FuzzResponse | { error: string }): void {
    this.total++;
    if ('error' in response) {
      this.failures.push({ request, response });
      this.byCode.set('(no answer)', (this.byCode.get('(no answer)') ?? 0) + 1);
      return;
    }
    this.byStatus.set(response.status, (this.byStatus.get(response.status) ?? 0) + 1);
    if (response.status >= 500) this.failures.push({ request, response });
    let code = response.status < 300 ? 'ok' : '?';
    try {
      const parsed = JSON.parse(response.body) as { error?: { code?: string; message?: string } };
      if (parsed.error?.code) code = parsed.error.code;
      if (code === 'not_found' && parsed.error?.message?.startsWith('No route')) code = 'not_found (no route)';
    } catch {
      /* not JSON: pages, CSV, streams */
    }
    this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
    if (response.status < 300 || (response.status < 500 && !AT_THE_DOOR.has(code) && code !== 'not_found (no route)' && code !== '?')) this.reachedHandlers++;
  }

  get serverErrors(): number {
    return this.failures.length;
  }

  /** Lines for a report: status counts and the most frequent codes. */
  summary(): string {
    const statuses = [...this.byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([s, c]) => `${s}: ${c}`).join(', ');
    const codes = [...this.byCode.entries()].sort((a, b) => b[1] - a[1]).map(([s, c]) => `${s} ${c}`).join(', ');
    const share = this.total ? Math.round((this.reachedHandlers / this.total) * 100) : 0;
    return `${this.total} requests; status: ${statuses}\ncodes: ${codes}\nreached handlers: ${this.reachedHandlers} (${share}%); 5xx or no answer: ${this.serverErrors}`;
  }

  /** The failures, one line each, bodies cut short. */
  describeFailures(limit = 20): string {
    return this.failures
      .slice(0, limit)
      .map(({ request, response }) => `${describeRequest(request)} → ${'error' in response ? response.error : `${response.status} ${response.body.slice(0, 200)}`}`)
      .join('\n');
  }
}
