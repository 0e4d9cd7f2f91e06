/**
 * Journeys through the console and the demo pages in a real browser (Debian's chromium driven by
 * playwright-core), against a server with the Vietnamese demo data. Screenshots of the main
 * screens go to e2e/screenshots/ (not committed) — look at them.
 * The console must be built first (`npm test` does it: `npm run build -w console`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KIND, jsonClient, launchBrowser, startFreshServer } from '../server/test/helpers';
import { CONSOLE_DIST } from '../server/src/console';
import { seedDemo } from '../server/src/flows/demo-seed';
import { inviteUser } from '../server/src/modules/users';
import { acceptInvite } from '../server/src/modules/users/users.service';

const SHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');
const ADMIN = { email: 'quanly@demo.omni.vn', password: 'quan-ly-mat-khau-dai' };
const VIEWER = { email: 'xem@demo.omni.vn', password: 'nguoi-xem-mat-khau' };

let server: Awaited<ReturnType<typeof startFreshServer>>;
let base: string;
let browser: Browser;
let admin: { authorization: string };
const { must } = jsonClient({
  get app() {
    return server.app;
  },
});

beforeAll(async () => {
  if (!fs.existsSync(path.join(CONSOLE_DIST, 'index.html'))) {
    throw new Error(`The console is not built (${CONSOLE_DIST}): run \`npm run build -w console\` (npm test does it)`);
  }
  // The demo pages serve the first workspace: a database of our own, seeded like `npm start` does.
  server = await startFreshServer({ runWorkers: true, demo: true });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  admin = { authorization: `Bearer ${server.bootstrap!.adminToken}` };
  await seedDemo(server.app, server.db, server.workspaceId, { customers: 40 });
  for (const [who, role] of [[ADMIN, 'admin'], [VIEWER, 'viewer']] as const) {
    const { inviteToken } = await inviteUser(server.db.orm, server.workspaceId, { email: who.email, name: role === 'admin' ? 'Trần Quản Lý' : 'Lê Người Xem', role });
    await acceptInvite(server.db.orm, { token: inviteToken, password: who.password });
  }
  browser = await launchBrowser();
  fs.mkdirSync(SHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function newWindow(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
  return { context, page };
}

async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${base}/`);
  await page.fill('input[name=email]', who.email);
  await page.fill('input[name=password]', who.password);
  await page.click('button[type=submit]');
  await page.getByTestId('user-menu').waitFor();
}

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400); // charts finish their entry animation
  await page.screenshot({ path: path.join(SHOTS, `${DB_KIND}-${name}.png`), fullPage: true });
}

describe('console', () => {
  it('signs in in Vietnamese, switches to English and back', async () => {
    const { context, page } = await newWindow();
    await page.goto(`${base}/`);
    expect(await page.locator('button[type=submit]').textContent()).toBe('Đăng nhập');
    await shot(page, '00-sign-in');
    await page.fill('input[name=email]', ADMIN.email);
    await page.fill('input[name=password]', 'wrong-password-here');
    await page.click('button[type=submit]');
    await page.getByTestId('sign-in-error').waitFor();
    await signIn(page, ADMIN);
    const nav = page.locator('nav');
    await nav.getByText('Khách hàng').waitFor();
    expect(await page.getByTestId('workspace-name').textContent()).toContain('Nhà Omni');
    await page.getByTestId('language-switch').getByText('EN').click();
    await nav.getByText('Customers').waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.getByTestId('language-switch').getByText('VI').click();
    await nav.getByText('Khách hàng').waitFor();
    await context.close();
  });

  it('refuses a viewer’s change, in the screen and through the API', async () => {
    const { context, page } = await newWindow();
    await signIn(page, VIEWER);
    const status = await page.evaluate(async () => {
      const s = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const r = await fetch('/api/v1/promotions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken },
        body: JSON.stringify({ name: 'Giảm 10%', reward: { type: 'percentage', percent: 10 } }),
      });
      return r.status;
    });
    expect(status).toBe(403);
    // The screens offer no change the server would refuse.
    await page.goto(`${base}/promotions`);
    await page.getByTestId('promotion-row').first().waitFor();
    expect(await page.getByTestId('new-promotion').count()).toBe(0);
    await page.goto(`${base}/demo/pos`);
    await page.getByTestId('pos-read-only').waitFor();
    await context.close();
  });
});

interface Profile {
  id: string;
  traits: { name?: string; phone?: string };
  channels: Record<string, unknown>;
  eventCount: number;
}

describe('customers', () => {
  it('finds "Nguyễn" by typing "nguyen" and shows a customer seen on 3+ channels', async () => {
    const { context, page } = await newWindow();
    await signIn(page, ADMIN);
    await page.goto(`${base}/customers`);
    await page.getByTestId('customer-row').first().waitFor();
    await shot(page, '02-customers');
    await page.getByTestId('customer-search').fill('nguyen');
    await page.waitForURL(/q=nguyen/);
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid=customer-row]')];
      return rows.length > 0 && rows.every((r) => r.textContent?.includes('Nguyễn'));
    });

    // A customer seen on three or more channels, with few enough events for one timeline page.
    const all = await must<{ data: Profile[] }>(admin, 'GET', '/api/v1/profiles?limit=200');
    const multi = all.data.filter((p) => Object.keys(p.channels).length >= 3).sort((a, b) => a.eventCount - b.eventCount)[0];
    expect(multi, 'the demo data has a customer on 3+ channels').toBeDefined();
    await page.goto(`${base}/customers/${multi!.id}`);
    await page.getByTestId('profile-name').waitFor();
    expect(await page.getByTestId('profile-channel').count()).toBeGreaterThanOrEqual(3);
    await page.getByTestId('timeline-event').first().waitFor();
    const channels = await page.getByTestId('timeline-event').evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-channel')))]);
    expect(channels.length, `timeline channels: ${channels.join(', ')}`).toBeGreaterThanOrEqual(3);
    await shot(page, '03-customer-360');
    await context.close();
  });
});

/** The demo store in a window of its own (its own cookies: another device). */
async function openStore(): Promise<{ context: BrowserContext; page: Page }> {
  const w = await newWindow();
  await w.page.goto(`${base}/demo/store`);
  await w.page.getByTestId('product-card').first().waitFor();
  return w;
}

async function cartSkus(page: Page): Promise<Record<string, string>> {
  return page.getByTestId('cart-line').evaluateAll((els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute('data-sku') ?? '', e.querySelector('[data-testid=cart-qty]')?.textContent?.trim() ?? ''])),
  );
}

describe('demo store', () => {
  it('keeps a guest’s cart through sign-in, and one live cart in two windows of one customer', async () => {
    const phone = await openStore();
    const [first, second] = await phone.page.getByTestId('product-card').evaluateAll((els) => els.map((e) => e.getAttribute('data-sku')!).slice(0, 2));
    expect(first && second).toBeTruthy();
    // A guest adds to the cart, then signs in: the cart stays.
    await phone.page.locator(`[data-testid=product-card][data-sku="${first}"] [data-testid=add-to-cart]`).click();
    await phone.page.locator(`[data-testid=cart-line][data-sku="${first}"]`).waitFor();
    await phone.page.getByTestId('sign-in-open').click();
    const email = await phone.page.getByTestId('sign-in-pick').first().getAttribute('data-email');
    expect(email).toMatch(/@example\.vn$/);
    await phone.page.getByTestId('sign-in-email').fill(email!);
    await phone.page.getByTestId('sign-in-submit').click();
    await phone.page.getByTestId('signed-in-as').waitFor();
    await phone.page.locator(`[data-testid=cart-line][data-sku="${first}"]`).waitFor();

    // The same customer on a tablet: the same cart; a change on one shows on the other at once.
    const tablet = await openStore();
    await tablet.page.getByTestId('sign-in-open').click();
    await tablet.page.getByTestId('sign-in-email').fill(email!);
    await tablet.page.getByTestId('sign-in-submit').click();
    await tablet.page.getByTestId('signed-in-as').waitFor();
    await tablet.page.locator(`[data-testid=cart-line][data-sku="${first}"]`).waitFor();
    await tablet.page.locator(`[data-testid=product-card][data-sku="${second}"] [data-testid=add-to-cart]`).click();
    // 5 s is plenty on an idle machine; both backends' browser runs share 2 cores in CI.
    await phone.page.locator(`[data-testid=cart-line][data-sku="${second}"]`).waitFor({ timeout: 20_000 });
    expect(await cartSkus(phone.page)).toEqual(await cartSkus(tablet.page));
    await shot(phone.page, '10-demo-store-phone');
    await shot(tablet.page, '11-demo-store-tablet');
    await phone.context.close();
    await tablet.context.close();
  });
});

describe('store counter', () => {
  it('a POS sale shows on the customer’s timeline and, live, in the website’s stock', async () => {
    const config = await (await fetch(`${base}/demo/v1/config`)).json() as { customers: { profileId: string; phone: string | null }[] };
    const customer = config.customers.find((c) => c.phone);
    expect(customer, 'a demo customer with a phone').toBeDefined();

    // The catalog screen, open while the sale happens elsewhere.
    const stock = await newWindow();
    await signIn(stock.page, ADMIN);
    await stock.page.goto(`${base}/catalog`);
    const sku = 'KCN-SPF50';
    const websiteCell = stock.page.locator(`[data-testid=stock-row][data-sku="${sku}"] [data-channel-name="Website"]`);
    await websiteCell.waitFor();
    const before = Number(await websiteCell.getAttribute('data-value'));
    expect(before).toBeGreaterThan(2);
    await shot(stock.page, '04-catalog-stock');

    const pos = await newWindow();
    await signIn(pos.page, ADMIN);
    await pos.page.goto(`${base}/demo/pos`);
    await pos.page.getByTestId('pos-store-select').click();
    await pos.page.getByRole('option', { name: /Quận 1/ }).click();
    await pos.page.getByTestId('pos-phone').fill(customer!.phone!);
    await pos.page.getByTestId('pos-lookup').click();
    await pos.page.getByTestId('pos-customer').waitFor();
    await pos.page.getByTestId('pos-product-search').fill('kem');
    const add = pos.page.locator(`[data-testid=pos-add][data-sku="${sku}"]`);
    await add.click();
    await add.click();
    await pos.page.locator(`[data-testid=pos-line][data-sku="${sku}"]`).waitFor();
    await pos.page.getByTestId('pos-total').waitFor();
    await pos.page.getByTestId('pos-sell').click();
    await pos.page.getByTestId('pos-receipt').waitFor();
    const orderId = (await pos.page.getByTestId('pos-receipt-order-id').textContent())?.trim() ?? '';
    expect(orderId).toMatch(/^ord_/);
    await shot(pos.page, '05-pos-receipt');

    // The website's stock drops by two on the open catalog screen, without a reload.
    await stock.page.waitForFunction(
      ([sel, want]) => document.querySelector(sel)?.getAttribute('data-value') === String(want),
      [`[data-testid=stock-row][data-sku="${sku}"] [data-channel-name="Website"]`, before - 2] as const,
      { timeout: 10_000 },
    );

    // The sale is on the customer's timeline, from the store.
    await pos.page.goto(`${base}/customers/${customer!.profileId}`);
    await pos.page.locator('[data-testid=timeline-event][data-channel=pos]').first().waitFor();
    await pos.page.locator(`[data-testid=profile-orders] [data-testid=order-row][data-order-id="${orderId}"]`).waitFor();
    await shot(pos.page, '06-customer-after-pos');
    await stock.context.close();
    await pos.context.close();
  });
});

describe('screens', () => {
  it('dashboard, orders, promotions and settings render in both languages', async () => {
    const { context, page } = await newWindow();
    await signIn(page, ADMIN);
    await page.getByTestId('chart-customers-by-channel').waitFor();
    await page.getByTestId('stat-customers').waitFor();
    await shot(page, '01-dashboard');
    await page.goto(`${base}/orders`);
    await page.getByTestId('order-row').first().waitFor();
    // Customer names come in one request for the page, then every row shows one.
    await page.waitForFunction(() => {
      const links = [...document.querySelectorAll('[data-testid=order-row] a[href^="/customers/"]')];
      return links.length > 0 && links.every((a) => (a.textContent ?? '').trim().length > 1 && !(a.textContent ?? '').includes('…'));
    });
    await shot(page, '07-orders');
    // A day range with no orders: the list says so (the filter is in the URL).
    await page.goto(`${base}/orders?from=2001-01-01&to=2001-01-31`);
    await page.waitForLoadState('networkidle');
    expect(await page.getByTestId('order-row').count()).toBe(0);
    expect(await page.getByTestId('orders-date-filter').textContent()).toContain('01/01/2001');
    await page.goto(`${base}/promotions`);
    await page.getByTestId('new-promotion').waitFor();
    await shot(page, '08-promotions');
    await page.goto(`${base}/settings`);
    await page.getByTestId('settings-tabs').waitFor();
    await shot(page, '09-settings');
    await page.getByTestId('language-switch').getByText('EN').click();
    await page.goto(`${base}/`);
    await page.getByTestId('chart-customers-by-channel').waitFor();
    await shot(page, '12-dashboard-en');
    await context.close();
  });
});
