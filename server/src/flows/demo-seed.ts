/**
 * Demo data: a Vietnamese retailer with stores in Hà Nội and TP.HCM, a website, an app, POS,
 * Shopee, Facebook and Zalo shops, products with stock, ~200 customers with Vietnamese names and
 * phones, their events and orders over the last 90 days — so the console is alive on first
 * open. Everything goes through the public API (in process), so it is what a real integration
 * would send. Deterministic (seeded random) and idempotent: SKUs, order external ids and
 * message ids repeat, so a second run (or a run resumed after a crash) adds nothing.
 * Runs only on a workspace that is empty or whose demo seed was interrupted.
 */
import type { Database } from '../db/client';
import type { App } from '../platform/context';
import { appendDomainEvents, hasDomainEvent, latestDomainEvent } from '../platform/domain-log';
import { seededRandom } from '../platform/random';
import { listProducts } from '../modules/catalog';
import { normalizePhone } from '../modules/profiles';
import { createApiToken, DEFAULT_WORKSPACE_NAME, firstWorkspaceId, revokeApiToken } from '../modules/workspaces';
import type { Executor } from '../db/client';

/** Domain log marker holding the Website source's write key, for the demo store page. */
const DEMO_STORE_KEY = 'demo.store_key';
/** Marker: the phone numbers (E.164) of the customers the seed made up — who the demo sign-in may sign in. */
const DEMO_CUSTOMERS = 'demo.customers';
/** The demo retailer's name (also the demo store's). */
export const DEMO_SHOP_NAME = 'Nhà Omni';

/** Every demo customer's email is on this domain (`khach<n>@example.vn`). */
export const DEMO_EMAIL_DOMAIN = 'example.vn';
/** Every demo customer's first visit was under an anonymous id with this prefix. */
export const DEMO_ANONYMOUS_ID_PREFIX = 'demo-anon-';

/** Did the demo seed fill this workspace (the marker it leaves before anything else)? */
export function isDemoWorkspace(ex: Executor, workspaceId: string): Promise<boolean> {
  return hasDomainEvent(ex, workspaceId, 'demo.started');
}

/** The workspace the demo lives in: the first one, as the server seeds it at start, if the seed ran there. */
export async function demoWorkspaceId(ex: Executor): Promise<string | undefined> {
  const first = await firstWorkspaceId(ex);
  return first && (await isDemoWorkspace(ex, first)) ? first : undefined;
}

/** The write key of the demo's Website source (undefined when the seed that made it kept none, e.g. an older version). */
/** The phones (E.164) of the demo's own customers; undefined when the seed that ran kept none. */
export async function demoCustomerPhones(ex: Executor, workspaceId: string): Promise<Set<string> | undefined> {
  const marker = await latestDomainEvent(ex, workspaceId, DEMO_CUSTOMERS);
  const phones = marker?.data.phones;
  return Array.isArray(phones) ? new Set(phones.filter((p): p is string => typeof p === 'string')) : undefined;
}

export async function demoStoreWriteKey(ex: Executor, workspaceId: string): Promise<string | undefined> {
  const marker = await latestDomainEvent(ex, workspaceId, DEMO_STORE_KEY);
  const key = marker?.data.writeKey;
  return typeof key === 'string' ? key : undefined;
}

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Ngọc', 'Thu', 'Đức', 'Hồng', 'Quang', 'Thanh', 'Gia'];
const GIVEN = ['An', 'Bình', 'Chi', 'Dũng', 'Hà', 'Hạnh', 'Hùng', 'Lan', 'Linh', 'Mai', 'Nam', 'Phương', 'Quân', 'Trang', 'Tuấn', 'Vy', 'Khoa', 'Thảo', 'Long', 'Nhung'];
const CITIES = ['Hà Nội', 'TP.HCM', 'Đà Nẵng', 'Hải Phòng', 'Cần Thơ'];
const PREFIXES = ['090', '091', '093', '094', '096', '097', '098', '086', '088', '070', '079', '077', '083', '084', '085'];

interface DemoProduct {
  title: string;
  category: string;
  variants: { sku: string; title?: string; price: number }[];
}

const PRODUCTS: DemoProduct[] = [
  { title: 'Áo thun cotton', category: 'Thời trang', variants: [{ sku: 'AO-THUN-TRANG-M', title: 'Trắng / M', price: 199_000 }, { sku: 'AO-THUN-DEN-L', title: 'Đen / L', price: 199_000 }] },
  { title: 'Áo sơ mi linen', category: 'Thời trang', variants: [{ sku: 'SO-MI-LINEN-M', title: 'Be / M', price: 459_000 }] },
  { title: 'Quần jean slim', category: 'Thời trang', variants: [{ sku: 'JEAN-SLIM-30', title: 'Size 30', price: 549_000 }, { sku: 'JEAN-SLIM-32', title: 'Size 32', price: 549_000 }] },
  { title: 'Váy hoa nhí', category: 'Thời trang', variants: [{ sku: 'VAY-HOA-S', title: 'S', price: 389_000 }] },
  { title: 'Áo khoác gió', category: 'Thời trang', variants: [{ sku: 'KHOAC-GIO-L', title: 'L', price: 690_000 }] },
  { title: 'Giày thể thao', category: 'Giày dép', variants: [{ sku: 'GIAY-TT-40', title: '40', price: 890_000 }, { sku: 'GIAY-TT-42', title: '42', price: 890_000 }] },
  { title: 'Dép quai hậu', category: 'Giày dép', variants: [{ sku: 'DEP-QH-39', title: '39', price: 259_000 }] },
  { title: 'Nồi chiên không dầu 5L', category: 'Nhà bếp', variants: [{ sku: 'NOI-CHIEN-5L', price: 1_990_000 }] },
  { title: 'Bình giữ nhiệt 500ml', category: 'Nhà bếp', variants: [{ sku: 'BINH-GN-500', price: 249_000 }] },
  { title: 'Bộ dao inox', category: 'Nhà bếp', variants: [{ sku: 'DAO-INOX-5', price: 599_000 }] },
  { title: 'Kem chống nắng SPF50', category: 'Mỹ phẩm', variants: [{ sku: 'KCN-SPF50', price: 329_000 }] },
  { title: 'Son môi lì', category: 'Mỹ phẩm', variants: [{ sku: 'SON-LI-DO', title: 'Đỏ gạch', price: 279_000 }] },
  { title: 'Sữa rửa mặt trà xanh', category: 'Mỹ phẩm', variants: [{ sku: 'SRM-TRA-XANH', price: 159_000 }] },
];

export interface DemoSummary {
  seeded: boolean;
  customers: number;
  orders: number;
  events: number;
}

/** Seed the demo shop into `workspaceId` unless it holds other data. */
export async function seedDemo(app: App, db: Database, workspaceId: string, opts: { customers?: number; now?: Date; log?: (line: string) => void } = {}): Promise<DemoSummary> {
  const none: DemoSummary = { seeded: false, customers: 0, orders: 0, events: 0 };
  const done = await hasDomainEvent(db.orm, workspaceId, 'demo.seeded');
  const started = await hasDomainEvent(db.orm, workspaceId, 'demo.started');
  const hasProducts = (await listProducts(db.orm, workspaceId, { limit: 1 })).data.length > 0;
  if (done || (hasProducts && !started)) return none;
  if (!started) await appendDomainEvents(db.orm, [{ workspaceId, type: 'demo.started' }]);

  const log = opts.log ?? (() => {});
  const now = opts.now ?? new Date();
  const rnd = seededRandom(20261125);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const token = await createApiToken(db.orm, { workspaceId, name: 'Demo seed (revoked when done)' });
  const admin = { authorization: `Bearer ${token.secret}`, 'content-type': 'application/json' };
  const call = async <T>(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers: Record<string, string> = admin): Promise<{ status: number; body: T }> => {
    const res = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
    return { status: res.statusCode, body: res.json<T>() };
  };
  const must = async <T>(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers?: Record<string, string>): Promise<T> => {
    const res = await call<T>(method, url, payload, headers);
    if (res.status >= 300) throw new Error(`demo seed: ${method} ${url} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  /** Find by name or create: resources without a natural key of their own. */
  const ensure = async (list: string, name: string, body: Record<string, unknown>): Promise<string> => {
    const found = (await must<{ data: { id: string; name: string }[] }>('GET', `/api/v1/${list}`)).data.find((x) => x.name === name);
    return found?.id ?? (await must<{ id: string }>('POST', `/api/v1/${list}`, { name, ...body })).id;
  };

  try {
    // The shop's own name instead of the bootstrap's, unless someone already chose one.
    if ((await must<{ name: string }>('GET', '/api/v1/workspace')).name === DEFAULT_WORKSPACE_NAME) await must('PATCH', '/api/v1/workspace', { name: DEMO_SHOP_NAME });
    log('demo: stores, channels and catalog');
    const warehouse = await ensure('locations', 'Kho Bình Dương', { kind: 'warehouse', city: 'Bình Dương' });
    const hanoi = await ensure('locations', 'Cửa hàng Hoàn Kiếm', { kind: 'store', city: 'Hà Nội', address: '25 Hàng Bài, Hoàn Kiếm' });
    const saigon = await ensure('locations', 'Cửa hàng Quận 1', { kind: 'store', city: 'TP.HCM', address: '72 Lê Thánh Tôn, Quận 1' });
    const sources = (await must<{ data: { id: string; name: string }[] }>('GET', '/api/v1/sources')).data;
    const source = async (name: string, channel: string, trust: 'client' | 'server' = 'client') => {
      const found = sources.find((s) => s.name === name);
      if (found) return { id: found.id, writeKey: undefined as string | undefined };
      const made = await must<{ source: { id: string }; writeKey: string }>('POST', '/api/v1/sources', { name, channel, trust });
      return { id: made.source.id, writeKey: made.writeKey };
    };
    const webSource = await source('Website', 'web');
    // The demo store page (/demo/store) sells on the Website channel; keys are stored hashed, so
    // the seed keeps this one in its marker (a write key is public: every shop's HTML holds one).
    if (webSource.writeKey) await appendDomainEvents(db.orm, [{ workspaceId, type: DEMO_STORE_KEY, data: { sourceId: webSource.id, writeKey: webSource.writeKey } }]);
    const appSource = await source('App', 'app');
    // The shop's loyalty system: a backend, so the tiers and birthdays it sets are trusted (what a browser claims is not).
    const crmSource = await source('CRM (loyalty)', 'server', 'server');
    // Online channels: the shop's shipping methods (the fee always comes from here, never from a browser) and cash on delivery, as most Vietnamese shops take it.
    const online = {
      cashOnDelivery: true,
      shippingMethods: [
        { id: 'tieu-chuan', name: 'Giao tiêu chuẩn (2–4 ngày)', fee: 30_000, freeAbove: 500_000 },
        { id: 'nhanh', name: 'Giao nhanh trong ngày', fee: 50_000 },
      ],
    };
    const web = await ensure('channels', 'Website', { type: 'web', sourceId: webSource.id, locationIds: [warehouse, saigon, hanoi], ...online });
    const appChannel = await ensure('channels', 'App', { type: 'app', sourceId: appSource.id, locationIds: [warehouse, saigon, hanoi], ...online });
    const posHanoi = await ensure('channels', 'POS Hoàn Kiếm', { type: 'pos', locationIds: [hanoi] });
    const posSaigon = await ensure('channels', 'POS Quận 1', { type: 'pos', locationIds: [saigon] });
    const shopee = await ensure('channels', 'Shopee', { type: 'marketplace', platform: 'shopee', allocation: { mode: 'safety_stock', value: 2 }, locationIds: [warehouse] });
    const facebook = await ensure('channels', 'Facebook shop', { type: 'social', platform: 'facebook', locationIds: [warehouse] });
    const zalo = await ensure('channels', 'Zalo shop', { type: 'social', platform: 'zalo', locationIds: [warehouse] });
    const categories = new Map<string, string>();
    for (const name of new Set(PRODUCTS.map((p) => p.category))) categories.set(name, await ensure('categories', name, {}));
    for (const p of PRODUCTS) {
      const res = await call('POST', '/api/v1/products', { title: p.title, categoryIds: [categories.get(p.category)], variants: p.variants });
      if (res.status !== 201 && res.status !== 409) throw new Error(`demo seed: product ${p.title} → ${res.status}`);
      if (res.status === 201) {
        for (const v of p.variants) {
          for (const [locationId, count] of [[warehouse, 120], [hanoi, 25], [saigon, 30]] as const) {
            await must('POST', '/api/v1/inventory/adjustments', { sku: v.sku, locationId, count, reason: 'stock_take', note: 'Demo stock' });
          }
        }
      }
    }
    const skus = PRODUCTS.flatMap((p) => p.variants.map((v) => v.sku));

    // Promotions, so the cart, the offers and the reports have something to show.
    log('demo: promotions');
    const promotions = (await must<{ data: { id: string; name: string }[] }>('GET', '/api/v1/promotions?limit=100')).data;
    const promotion = async (body: Record<string, unknown> & { name: string }, code?: string) => {
      if (promotions.some((p) => p.name === body.name)) return;
      const made = await must<{ id: string }>('POST', '/api/v1/promotions', { status: 'active', ...body });
      if (code) await must('POST', `/api/v1/promotions/${made.id}/codes`, { code });
    };
    const cosmetics = { scope: 'categories', categoryIds: [categories.get('Mỹ phẩm')] };
    await promotion({
      name: 'Mua 1 tặng 1 mỹ phẩm cho khách Vàng',
      description: 'Khách hạng Vàng: mua một sản phẩm mỹ phẩm, tặng một (trên mọi kênh trừ sàn TMĐT)',
      priority: 10,
      reward: { type: 'buy_x_get_y', buy: { items: cosmetics, quantity: 1 }, get: { items: cosmetics, quantity: 1, percent: 100 } },
      conditions: { all: [{ tier: { in: ['gold'] } }, { not: { channelType: { in: ['marketplace'] } } }] },
    });
    await promotion({
      name: 'Chi 1 triệu giảm 100k',
      description: 'Đơn từ 1.000.000 ₫ giảm 100.000 ₫, từ 2.000.000 ₫ giảm 250.000 ₫',
      reward: { type: 'tiered_spend', tiers: [{ minSpend: 1_000_000, amountOff: 100_000 }, { minSpend: 2_000_000, amountOff: 250_000 }] },
    });
    await promotion({ name: 'Quà sinh nhật 50k', description: 'Giảm 50.000 ₫ trong tháng sinh nhật', reward: { type: 'fixed', amount: 50_000 }, conditions: { birthdayMonth: true } });
    await promotion(
      { name: 'Chào bạn mới', description: 'Mã CHAOBAN: giảm 10% đơn đầu tiên, tối đa 100.000 ₫', requiresCode: true, reward: { type: 'percentage', percent: 10, maxDiscount: 100_000 }, conditions: { firstOrder: true } },
      'CHAOBAN',
    );

    // Customers: events from the web and app, orders from every channel, over 90 days.
    const writeKeys = new Map<string, string>();
    const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`, 'content-type': 'application/json' });
    // Sources made by an earlier, interrupted run have keys we cannot read back: events then go through a fresh source.
    writeKeys.set('web', webSource.writeKey ?? (await must<{ writeKey: string }>('POST', '/api/v1/sources', { name: 'Website (demo resume)', channel: 'web' })).writeKey);
    writeKeys.set('app', appSource.writeKey ?? (await must<{ writeKey: string }>('POST', '/api/v1/sources', { name: 'App (demo resume)', channel: 'app' })).writeKey);
    writeKeys.set('crm', crmSource.writeKey ?? (await must<{ writeKey: string }>('POST', '/api/v1/sources', { name: 'CRM (demo resume)', channel: 'server', trust: 'server' })).writeKey);
    const count = opts.customers ?? 200;
    const day = 24 * 3600 * 1000;
    let orders = 0;
    let events = 0;
    const phones: string[] = [];
    log(`demo: ${count} customers with events and orders over 90 days`);
    for (let i = 0; i < count; i++) {
      const name = `${pick(FAMILY)} ${pick(MIDDLE)} ${pick(GIVEN)}`;
      const phone = `${pick(PREFIXES)}${String(Math.floor(rnd() * 10_000_000)).padStart(7, '0')}`;
      const e164 = normalizePhone(phone, 'VN');
      if (e164) phones.push(e164);
      const email = rnd() < 0.6 ? `khach${i + 1}@${DEMO_EMAIL_DOMAIN}` : undefined;
      const city = pick(CITIES);
      const tier = rnd() < 0.15 ? 'gold' : rnd() < 0.35 ? 'silver' : 'member';
      const anon = `${DEMO_ANONYMOUS_ID_PREFIX}${i + 1}`;
      const userId = rnd() < 0.5 ? `kh-${1000 + i}` : undefined;
      const firstSeen = now.getTime() - Math.floor(rnd() * 88 * day) - day;
      const device = rnd() < 0.6 ? 'web' : 'app';
      const batch: Record<string, unknown>[] = [];
      const at = (offsetDays: number) => new Date(Math.min(firstSeen + offsetDays * day, now.getTime() - 60_000)).toISOString();
      /** A moment between the first visit and now (0: first visit, 1: a minute ago). */
      const later = (share: number) => new Date(firstSeen + share * (now.getTime() - 60_000 - firstSeen)).toISOString();
      batch.push({ type: 'page', anonymousId: anon, name: 'Trang chủ', messageId: `demo-${i}-p0`, timestamp: at(0) });
      const viewed = [pick(skus), pick(skus)];
      viewed.forEach((sku, k) => batch.push({ type: 'track', anonymousId: anon, event: 'Product Viewed', properties: { sku }, messageId: `demo-${i}-v${k}`, timestamp: at(0.01 * (k + 1)) }));
      const birthday = rnd() < 0.5 ? `19${70 + Math.floor(rnd() * 30)}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}` : undefined;
      // What the shopper types on the site: self-reported.
      batch.push({
        type: 'identify',
        anonymousId: anon,
        ...(userId ? { userId } : {}),
        traits: { name, phone, ...(email ? { email } : {}), city },
        messageId: `demo-${i}-id`,
        timestamp: at(0.05),
      });
      const res = await call<{ accepted: number; duplicates: number }>('POST', '/v1/batch', { batch }, basic(writeKeys.get(device)!));
      if (res.status !== 200) throw new Error(`demo seed: events → ${res.status} ${JSON.stringify(res.body)}`);
      // What the loyalty system knows: trusted (tier and birthday decide promotions).
      const crm = { type: 'identify', anonymousId: anon, ...(userId ? { userId } : {}), traits: { phone, tier, ...(birthday ? { birthday } : {}) }, messageId: `demo-${i}-crm`, timestamp: at(0.06) };
      const fromCrm = await call('POST', '/v1/batch', { batch: [crm] }, basic(writeKeys.get('crm')!));
      if (fromCrm.status !== 200) throw new Error(`demo seed: CRM events → ${fromCrm.status} ${JSON.stringify(fromCrm.body)}`);
      events += batch.length + 1;
      // Orders: a store visit, a Shopee or social order, a web order — some customers on several channels.
      const plan: [string, number][] = [];
      if (rnd() < 0.45) plan.push([city === 'Hà Nội' ? posHanoi : posSaigon, 0.1 + rnd() * 0.9]);
      if (rnd() < 0.3) plan.push([pick([shopee, facebook, zalo]), 0.1 + rnd() * 0.9]);
      if (rnd() < 0.35) plan.push([device === 'web' ? web : appChannel, 0.05 + rnd() * 0.95]);
      for (let k = 0; k < plan.length; k++) {
        const [channelId, offset] = plan[k]!;
        const lines = [{ sku: pick(skus), quantity: 1 + Math.floor(rnd() * 2) }];
        if (rnd() < 0.4) lines.push({ sku: pick(skus), quantity: 1 });
        const o = await call('POST', '/api/v1/orders', {
          channelId,
          externalId: `DEMO-${i + 1}-${k + 1}`,
          customer: { phone, ...(userId ? { userId } : {}), name },
          lines: [...new Map(lines.map((l) => [l.sku, l])).values()],
          status: 'paid',
          placedAt: later(offset),
        });
        if (o.status === 201 || o.status === 200) orders += 1;
        else if (o.status !== 409) throw new Error(`demo seed: order → ${o.status} ${JSON.stringify(o.body)}`);
      }
      if ((i + 1) % 50 === 0) log(`demo: ${i + 1} of ${count} customers`);
    }
    await appendDomainEvents(db.orm, [
      { workspaceId, type: DEMO_CUSTOMERS, data: { phones } },
      { workspaceId, type: 'demo.seeded', data: { customers: count, orders, events } },
    ]);
    return { seeded: true, customers: count, orders, events };
  } finally {
    await revokeApiToken(db.orm, workspaceId, token.token.id);
  }
}
