/**
 * Screenshot console pages of a running Omni (for looking at screens while building them):
 *   npx tsx e2e/shoot.ts [--base http://127.0.0.1:3000] [--email E --password P] [--lang vi|en] /path out.png [/path2 out2.png …]
 * Signs in through the sign-in form once, then visits each path (full page, 1440×900).
 */
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
function flag(name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = args[i + 1] ?? fallback;
  args.splice(i, 2);
  return v;
}
const base = flag('base', 'http://127.0.0.1:3000');
const email = flag('email', 'admin@demo.vn');
const password = flag('password', 'matkhau-demo-123');
const lang = flag('lang', 'vi');
const wait = Number(flag('wait', '1500'));

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: lang === 'vi' ? 'vi-VN' : 'en-US' });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.log('[browser error]', m.text());
  });
  page.on('pageerror', (e) => console.log('[page error]', e.message));
  await page.goto(base + '/');
  await page.evaluate((l) => localStorage.setItem('omni.lang', l), lang);
  await page.reload();
  await page.waitForSelector('input[name=email], [data-testid=user-menu]');
  if (await page.locator('input[name=email]').count()) {
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=user-menu]', { timeout: 15_000 });
  }
  for (let i = 0; i + 1 < args.length; i += 2) {
    await page.goto(base + args[i]);
    await page.waitForTimeout(wait);
    await page.screenshot({ path: args[i + 1]!, fullPage: true });
    console.log('saved', args[i + 1]);
  }
} finally {
  await browser.close();
}
