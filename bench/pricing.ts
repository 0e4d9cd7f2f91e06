/**
 * `npm run bench -- pricing`: the promotion engine under the load of a real catalog.
 *  1. Quote: price a 20-line cart for a customer with purchase history (orders from the web
 *     and a store) against 200 active promotions of every kind, through
 *     `POST /api/v1/pricing/quote` — one client (latency) and 8 clients (throughput). The raw
 *     floor in the same run: `GET /health` over the same HTTP connection. The engine alone
 *     (in this process, same 200 promotions) is printed too.
 *  2. The last code: `concurrency` shoppers check out carts holding one code limited to a
 *     single use, all at once → exactly one order gets it.
 */
import os from 'node:os';
import { priceCart } from '../server/src/modules/promotions/engine';
import type { PromotionRule, Reward, Condition } from '../server/src/modules/promotions/promotions.types';
import { benchBackend, fmt, percentile, request, startServer } from './lib';

export interface PricingBenchOptions {
  backends: ('postgres' | 'pglite')[];
  quotes: number;
  promotions: number;
  raceShoppers: number;
}

const ADMIN_TOKEN = 'omni_bench_admin_token_0123456789';
const WRITE_KEY = 'wk_bench_write_key';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

async function must<T>(port: number, method: string, url: string, body?: unknown, headers: Record<string, string> = admin): Promise<T> {
  const res = await request({ port, method, path: url, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${res.body}`);
  return JSON.parse(res.body) as T;
}

/** 200 promotions of every kind, most with conditions, a few code-only. */
function definitions(n: number, ids: { products: string[]; categories: string[]; channel: string; store: string }): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const cat = ids.categories[i % ids.categories.length]!;
    const prod = ids.products[i % ids.products.length]!;
    const kinds: Reward[] = [
      { type: 'percentage', percent: 5 + (i % 20), target: { scope: 'categories', categoryIds: [cat] } },
      { type: 'fixed', amount: 10_000 + (i % 10) * 5_000, target: { scope: 'products', productIds: [prod] } },
      { type: 'buy_x_get_y', buy: { items: { scope: 'products', productIds: [prod] }, quantity: 1 }, get: { items: { scope: 'products', productIds: [prod] }, quantity: 1, percent: 100 } },
      { type: 'tiered_spend', tiers: [{ minSpend: 1_000_000, amountOff: 50_000 + i * 100 }, { minSpend: 3_000_000, amountOff: 200_000 }] },
      { type: 'free_shipping', maxAmount: 30_000 },
    ];
    const conditions: (Condition | null)[] = [
      null,
      { tier: { in: ['gold', 'silver'] } },
      { boughtCategory: { categoryIds: [cat], withinDays: 90 } },
      { all: [{ totalSpent: { gte: 500_000 } }, { channel: { in: [ids.channel] } }] },
      { any: [{ birthdayMonth: true }, { lastStore: { in: [ids.store] } }] },
      { not: { firstOrder: true } },
    ];
    out.push({
      name: `Bench promotion ${i}`,
      status: 'active',
      priority: i % 7,
      stacking: i % 9 === 0 ? 'exclusive' : 'combinable',
      requiresCode: i % 25 === 0,
      reward: kinds[i % kinds.length],
      conditions: conditions[i % conditions.length],
    });
  }
  return out;
}

export async function runPricingBench(opts: PricingBenchOptions): Promise<void> {
  console.log(`\n# pricing — ${os.cpus().length} cores, ${opts.promotions} active promotions, 20-line cart, customer with purchase history`);
  for (const backend of opts.backends) {
    const { env, cleanup } = await benchBackend(backend, 10);
    const server = await startServer({ ...env, OMNI_ADMIN_TOKEN: ADMIN_TOKEN, OMNI_WRITE_KEY: WRITE_KEY });
    const port = server.port;
    try {
      const [source] = (await must<{ data: { id: string }[] }>(port, 'GET', '/api/v1/sources')).data;
      const warehouse = (await must<{ id: string }>(port, 'POST', '/api/v1/locations', { name: 'Kho', kind: 'warehouse' })).id;
      const store = (await must<{ id: string }>(port, 'POST', '/api/v1/locations', { name: 'Cửa hàng', kind: 'store' })).id;
      const web = (await must<{ id: string }>(port, 'POST', '/api/v1/channels', { name: 'Website', type: 'web', sourceId: source!.id, locationIds: [warehouse] })).id;
      const pos = (await must<{ id: string }>(port, 'POST', '/api/v1/channels', { name: 'POS', type: 'pos', locationIds: [store] })).id;
      const categories: string[] = [];
      for (let c = 0; c < 8; c++) categories.push((await must<{ id: string }>(port, 'POST', '/api/v1/categories', { name: `Danh mục ${c}` })).id);
      const products: string[] = [];
      const skus: string[] = [];
      for (let p = 0; p < 40; p++) {
        const sku = `BP-${p}`;
        products.push((await must<{ id: string }>(port, 'POST', '/api/v1/products', { title: `Sản phẩm ${p}`, categoryIds: [categories[p % 8]], variants: [{ sku, price: 50_000 + p * 10_000 }] })).id);
        skus.push(sku);
        for (const locationId of [warehouse, store]) await must(port, 'POST', '/api/v1/inventory/adjustments', { sku, locationId, count: 100_000, reason: 'stock_take' });
      }
      for (const d of definitions(opts.promotions, { products, categories, channel: web, store })) await must(port, 'POST', '/api/v1/promotions', d);
      // A customer with history on the web and in the store.
      const identify = await request({ port, method: 'POST', path: '/v1/identify', headers: { authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`, 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'bench-customer', traits: { phone: '0912000111', tier: 'gold', birthday: '1990-06-15' } }) });
      if (identify.status !== 200) throw new Error(`identify → ${identify.status}`);
      for (let o = 0; o < 6; o++) {
        await must(port, 'POST', '/api/v1/orders', { channelId: o % 2 ? pos : web, externalId: `H-${o}`, customer: { phone: '0912000111' }, lines: [{ sku: skus[o * 3], quantity: 2 }, { sku: skus[o * 3 + 1], quantity: 1 }] });
      }
      const token = await must<{ token: { profileId: string } }>(port, 'POST', '/api/v1/customer-tokens', { userId: 'bench-customer' });
      const body = JSON.stringify({ channelId: web, profileId: token.token.profileId, lines: skus.slice(0, 20).map((sku, i) => ({ sku, quantity: 1 + (i % 3) })) });

      const quote = async () => {
        const t0 = performance.now();
        const res = await request({ port, method: 'POST', path: '/api/v1/pricing/quote', headers: admin, body });
        if (res.status !== 200) throw new Error(`quote → ${res.status} ${res.body}`);
        return performance.now() - t0;
      };
      const explained = JSON.stringify({ ...(JSON.parse(body) as Record<string, unknown>), explain: true });
      const sample = JSON.parse((await request({ port, method: 'POST', path: '/api/v1/pricing/quote', headers: admin, body: explained })).body) as { promotions: unknown[]; notApplied: unknown[]; discountTotal: number };
      for (let i = 0; i < 50; i++) await quote(); // warm-up
      const serial: number[] = [];
      for (let i = 0; i < opts.quotes; i++) serial.push(await quote());
      serial.sort((a, b) => a - b);
      const floor: number[] = [];
      for (let i = 0; i < opts.quotes; i++) {
        const t0 = performance.now();
        await request({ port, method: 'GET', path: '/health' });
        floor.push(performance.now() - t0);
      }
      floor.sort((a, b) => a - b);
      let next = 0;
      const start = performance.now();
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (next++ < opts.quotes) await quote();
      }));
      const perSecond = opts.quotes / ((performance.now() - start) / 1000);

      // The engine alone, on rules of the same shapes.
      const rules: PromotionRule[] = definitions(opts.promotions, { products, categories, channel: web, store }).map((d, i) => ({
        id: `promo_${String(i).padStart(4, '0')}`,
        name: String(d.name),
        priority: Number(d.priority),
        stacking: d.stacking as PromotionRule['stacking'],
        requiresCode: Boolean(d.requiresCode),
        reward: d.reward as Reward,
        conditions: (d.conditions ?? null) as Condition | null,
        startsAt: null,
        endsAt: null,
        status: 'active',
        usesLeft: null,
        customerUsesLeft: null,
        budgetLeft: null,
      }));
      const lines = skus.slice(0, 20).map((sku, i) => ({ variantId: `v${i}`, productId: products[i]!, sku, categoryIds: [categories[i % 8]!], quantity: 1 + (i % 3), unitPrice: 50_000 + i * 10_000 }));
      const engine: number[] = [];
      for (let i = 0; i < opts.quotes; i++) {
        const t0 = performance.now();
        priceCart({
          lines,
          promotions: rules,
          customer: { profileId: 'p', traits: { tier: 'gold', birthday: '1990-06-15' }, totalSpent: 2_000_000, orderCount: 6, lastStoreLocationId: store, lastBoughtByCategory: Object.fromEntries(categories.map((c) => [c, new Date().toISOString()])) },
          ctx: { channelId: web, channelType: 'web', now: new Date(), timeZone: 'Asia/Ho_Chi_Minh', currency: 'VND', shippingFee: 30_000, codes: [] },
        });
        engine.push(performance.now() - t0);
      }
      engine.sort((a, b) => a - b);

      // The last code.
      const promo = await must<{ id: string }>(port, 'POST', '/api/v1/promotions', { name: 'Một mã', status: 'active', requiresCode: true, reward: { type: 'fixed', amount: 100_000 } });
      await must(port, 'POST', `/api/v1/promotions/${promo.id}/codes`, { code: 'LASTONE', maxUses: 1 });
      const shoppers: Record<string, string>[] = [];
      for (let s = 0; s < opts.raceShoppers; s++) {
        const t = await must<{ secret: string }>(port, 'POST', '/api/v1/customer-tokens', { userId: `race-${s}` });
        const h = { 'x-omni-write-key': WRITE_KEY, 'x-omni-customer-token': t.secret, 'content-type': 'application/json' };
        await must(port, 'POST', '/store/v1/cart/lines', { sku: skus[39], quantity: 1 }, h);
        await must(port, 'POST', '/store/v1/cart/codes', { code: 'LASTONE' }, h);
        shoppers.push(h);
      }
      const results = await Promise.all(
        shoppers.map((h, s) => request({ port, method: 'POST', path: '/store/v1/cart/order', headers: h, body: JSON.stringify({ idempotencyKey: `race-${s}` }) })),
      );
      const won = results.filter((r) => r.status === 201 && (JSON.parse(r.body) as { discountTotal: number }).discountTotal === 100_000).length;
      const refused = results.filter((r) => r.status === 409).length;
      const report = await must<{ uses: number }>(port, 'GET', `/api/v1/promotions/${promo.id}/report`);

      console.log(`\n## ${backend}`);
      console.log(`(sample quote: ${sample.promotions.length} applied, ${sample.notApplied.length} not applied, discount ${fmt(sample.discountTotal)} ₫)`);
      console.log('| measure | value |');
      console.log('|---|---:|');
      console.log(`| quote over HTTP, one client: p50 / p99 ms | ${fmt(percentile(serial, 50), 2)} / ${fmt(percentile(serial, 99), 2)} |`);
      console.log(`| quotes/s, 8 clients | ${fmt(perSecond)} |`);
      console.log(`| raw floor: GET /health on the same connection, p50 / p99 ms | ${fmt(percentile(floor, 50), 2)} / ${fmt(percentile(floor, 99), 2)} |`);
      console.log(`| the engine alone (in process): p50 / p99 ms | ${fmt(percentile(engine, 50), 3)} / ${fmt(percentile(engine, 99), 3)} |`);
      console.log(`| last code: ${opts.raceShoppers} concurrent checkouts → orders with the code / refused / uses counted | ${won} / ${refused} / ${report.uses} |`);
      if (won !== 1 || report.uses !== 1) process.exitCode = 1;
    } finally {
      await server.stop();
      await cleanup();
    }
  }
}
