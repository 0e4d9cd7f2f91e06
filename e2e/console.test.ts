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
import { createTestWorkspace, DB_KIND, launchBrowser, startTestServer, type TestServer, type TestWorkspace } from '../server/test/helpers';
import { CONSOLE_DIST } from '../server/src/console';
import { seedDemo } from '../server/src/flows/demo-seed';
import { inviteUser } from '../server/src/modules/users';
import { acceptInvite } from '../server/src/modules/users/users.service';

const SHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');
const ADMIN = { email: 'quanly@demo.omni.vn', password: 'quan-ly-mat-khau-dai' };
const VIEWER = { email: 'xem@demo.omni.vn', password: 'nguoi-xem-mat-khau' };

let server: TestServer;
let base: string;
let browser: Browser;
let ws: TestWorkspace;

beforeAll(async () => {
  if (!fs.existsSync(path.join(CONSOLE_DIST, 'index.html'))) {
    throw new Error(`The console is not built (${CONSOLE_DIST}): run \`npm run build -w console\` (npm test does it)`);
  }
  server = await startTestServer({ runWorkers: true, demo: true });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  ws = await createTestWorkspace(server);
  await seedDemo(server.app, server.db, ws.workspaceId, { customers: 40 });
  for (const [who, role] of [[ADMIN, 'admin'], [VIEWER, 'viewer']] as const) {
    const { inviteToken } = await inviteUser(server.db.orm, ws.workspaceId, { email: who.email, name: role === 'admin' ? 'Trần Quản Lý' : 'Lê Người Xem', role });
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
    await context.close();
  });
});
