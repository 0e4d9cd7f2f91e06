/**
 * The CLI as an operator runs it: a child process over the same database as the server
 * (a copy of the PGlite template, or this run's PostgreSQL database).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../app';
import { openDb } from '../db/client';
import type { Profile } from '../modules/profiles';
import { copyPgliteTemplate, createTestWorkspace, DB_KIND, testConfig, type TestWorkspace } from '../../test/helpers';

// Each run starts node + tsx and opens the database: seconds, not milliseconds.
const SLOW = 120_000;
const SERVER_DIR = path.resolve(import.meta.dirname, '../..');

let dataDir: string;
let tmp: string;
beforeAll(() => {
  dataDir = DB_KIND === 'pglite' ? copyPgliteTemplate() : fs.mkdtempSync(path.join(os.tmpdir(), 'omni-cli-'));
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-cli-files-'));
});
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function omni(args: string[], opts: { dataDir?: string } = {}): Promise<Run> {
  const env = {
    ...process.env,
    DATA_DIR: opts.dataDir ?? dataDir,
    DATABASE_URL: DB_KIND === 'postgres' ? inject('databaseUrl') : '',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: SERVER_DIR, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function field(out: string, label: string): string {
  const m = new RegExp(`^${label}:\\s+(\\S+)`, 'm').exec(out);
  expect(m, `"${label}:" in\n${out}`).not.toBeNull();
  return m![1]!;
}

/** Open the app over the database the CLI wrote to (after the CLI has exited: PGlite is one process at a time). */
async function withApp<T>(fn: (app: Awaited<ReturnType<typeof buildApp>>['app']) => Promise<T>): Promise<T> {
  const { app } = await buildApp({ config: testConfig({}, dataDir), logger: false });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const basic = (writeKey: string) => ({ authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` });

async function createWorkspaceWithCli(name: string): Promise<{ workspaceId: string; adminToken: string; writeKey: string }> {
  const run = await omni(['workspace', 'create', '--name', name]);
  expect(run.code, run.stderr).toBe(0);
  return { workspaceId: field(run.stdout, 'workspace'), adminToken: field(run.stdout, 'admin token'), writeKey: field(run.stdout, 'write key') };
}

/** A workspace made in this process (faster than another CLI run); the database is closed again for the CLI. */
async function seedWorkspace(): Promise<TestWorkspace> {
  const config = testConfig({}, dataDir);
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir, poolSize: 2 });
  try {
    return await createTestWorkspace({ db });
  } finally {
    await db.close();
  }
}

function writeCsv(lines: string[]): string {
  const file = path.join(tmp, `customers-${Date.now()}-${Math.random().toString(36).slice(2)}.csv`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('omni workspace create', () => {
  describe('when given a name', () => {
    it('prints a workspace id, an admin token and a write key that work against the API', { timeout: SLOW }, async () => {
      const ws = await createWorkspaceWithCli('Cửa hàng Quận 1');

      expect(ws.workspaceId).toMatch(/\S/);
      await withApp(async (app) => {
        const me = await app.inject({ method: 'GET', url: '/api/v1/workspace', headers: bearer(ws.adminToken) });
        expect(me.statusCode, me.body).toBe(200);
        expect(me.json()).toMatchObject({ id: ws.workspaceId, name: 'Cửa hàng Quận 1', defaultCountry: 'VN' });

        const sent = await app.inject({ method: 'POST', url: '/v1/identify', headers: basic(ws.writeKey), payload: { userId: 'cli-user', traits: { name: 'A' } } });
        expect(sent.statusCode, sent.body).toBe(200);
        expect(sent.json()).toMatchObject({ accepted: 1 });

        const wrong = await app.inject({ method: 'GET', url: '/api/v1/workspace', headers: bearer(ws.adminToken + 'x') });
        expect(wrong.statusCode).toBe(401);
      });
    });
  });
});

describe('omni source create', () => {
  describe('when the channel is known', () => {
    it('prints a write key for a source of that channel', { timeout: SLOW }, async () => {
      const ws = await seedWorkspace();

      const run = await omni(['source', 'create', '--workspace', ws.workspaceId, '--name', 'Quầy 1', '--channel', 'pos']);

      expect(run.code, run.stderr).toBe(0);
      const writeKey = field(run.stdout, 'write key');
      expect(writeKey).not.toBe(ws.writeKey);
      await withApp(async (app) => {
        const sent = await app.inject({ method: 'POST', url: '/v1/identify', headers: basic(writeKey), payload: { userId: 'pos-1' } });
        expect(sent.statusCode, sent.body).toBe(200);
        const profile = await app.inject({ method: 'GET', url: '/api/v1/profiles/lookup?type=user_id&value=pos-1', headers: bearer(ws.adminToken) });
        expect(profile.statusCode, profile.body).toBe(200);
        expect(Object.keys((profile.json() as Profile).channels)).toEqual(['pos']);
        const sources = await app.inject({ method: 'GET', url: '/api/v1/sources', headers: bearer(ws.adminToken) });
        expect((sources.json() as { data: { name: string; channel: string }[] }).data).toContainEqual(expect.objectContaining({ name: 'Quầy 1', channel: 'pos' }));
      });
    });
  });

  describe('when the channel is unknown', () => {
    it('refuses with a non-zero exit and names the allowed channels', { timeout: SLOW }, async () => {
      const run = await omni(['source', 'create', '--workspace', 'ws_x', '--name', 'Fax', '--channel', 'fax']);

      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/'fax' is invalid/);
      expect(run.stderr).toMatch(/web, app, pos/);
      expect(run.stdout).not.toMatch(/write key/);
    });
  });

  describe('when the workspace does not exist', () => {
    it('exits non-zero and says which workspace is missing', { timeout: SLOW }, async () => {
      const run = await omni(['source', 'create', '--workspace', 'ws_missing', '--name', 'Web', '--channel', 'web']);

      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('Workspace ws_missing not found');
      expect(run.stdout).toBe('');
    });
  });
});

describe('omni token create', () => {
  describe('when the workspace exists', () => {
    it('prints an admin token for it', { timeout: SLOW }, async () => {
      const ws = await seedWorkspace();

      const run = await omni(['token', 'create', '--workspace', ws.workspaceId, '--name', 'reporting']);

      expect(run.code, run.stderr).toBe(0);
      const token = field(run.stdout, 'token');
      expect(token).not.toBe(ws.adminToken);
      await withApp(async (app) => {
        const me = await app.inject({ method: 'GET', url: '/api/v1/workspace', headers: bearer(token) });
        expect(me.statusCode, me.body).toBe(200);
        expect(me.json()).toMatchObject({ id: ws.workspaceId });
        const tokens = await app.inject({ method: 'GET', url: '/api/v1/tokens', headers: bearer(token) });
        expect((tokens.json() as { data: { name: string }[] }).data.map((t) => t.name)).toContain('reporting');
      });
    });
  });

});

describe('omni import profiles', () => {
  describe('when every row is good', () => {
    it('prints the summary line, exits 0 and the customers can be looked up', { timeout: SLOW }, async () => {
      const ws = await seedWorkspace();
      const file = writeCsv(['Mã KH,Họ tên,Thẻ,Ghi chú', 'KH1,Nguyễn An,TV-1,vip', 'KH2,Trần Bình,TV-2,']);

      const run = await omni(['import', 'profiles', file, '--workspace', ws.workspaceId, '--channel', 'pos', '--map', 'Thẻ=id:loyalty_card,Ghi chú=skip']);

      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^rows 2, imported 2, unchanged 0, failed 0 in \d+\.\d s \(source \S+\)$/m);
      await withApp(async (app) => {
        const res = await app.inject({ method: 'GET', url: '/api/v1/profiles/lookup?type=loyalty_card&value=TV-1', headers: bearer(ws.adminToken) });
        expect(res.statusCode, res.body).toBe(200);
        const p = res.json() as Profile;
        expect(p.traits).toEqual({ name: 'Nguyễn An' });
        expect(p.identifiers).toContainEqual({ type: 'user_id', value: 'KH1' });
      });
    });
  });

  describe('when some rows fail', () => {
    it('imports the good rows, lists the bad ones by line and exits 1', { timeout: SLOW }, async () => {
      const ws = await seedWorkspace();
      const file = writeCsv(['Email,Họ tên', 'a@example.vn,An', ',Không email', 'b@example.vn,Bình']);

      const run = await omni(['import', 'profiles', file, '--workspace', ws.workspaceId]);

      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^rows 3, imported 2, unchanged 0, failed 1 in /m);
      expect(run.stdout).toMatch(/^ {2}row 3: no identifier/m);
    });
  });

  describe('when the mapping is bad', () => {
    it('exits non-zero naming the bad target', { timeout: SLOW }, async () => {
      const file = writeCsv(['Thẻ', 'TV-1']);

      const run = await omni(['import', 'profiles', file, '--workspace', 'ws_any', '--map', 'Thẻ=card']);

      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('unknown target "card" for column "Thẻ"');
    });
  });

  describe('when the workspace does not exist', () => {
    it('exits non-zero with a clear message and imports nothing', { timeout: SLOW }, async () => {
      const file = writeCsv(['Email', 'ghost@example.vn']);

      const run = await omni(['import', 'profiles', file, '--workspace', 'ws_ghost']);

      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('Workspace ws_ghost not found');
      expect(run.stdout).not.toMatch(/imported/);
    });
  });
});

describe('omni import-catalog', () => {
  describe('when the file is imported twice', () => {
    it('creates products, prices and stock, then reports nothing created or updated', { timeout: SLOW }, async () => {
      const ws = await seedWorkspace();
      const ids = await withApp(async (app) => {
        const loc = await app.inject({ method: 'POST', url: '/api/v1/locations', headers: bearer(ws.adminToken), payload: { name: 'Kho', kind: 'warehouse' } });
        expect(loc.statusCode, loc.body).toBe(201);
        const locationId = (loc.json() as { id: string }).id;
        const ch = await app.inject({ method: 'POST', url: '/api/v1/channels', headers: bearer(ws.adminToken), payload: { name: 'Web', type: 'web', locationIds: [locationId] } });
        expect(ch.statusCode, ch.body).toBe(201);
        return { locationId, channelId: (ch.json() as { id: string }).id };
      });
      const file = writeCsv([
        `handle,product,variant,sku,price,category,price:${ids.channelId},stock:${ids.locationId}`,
        'ao-thun,Áo thun,M,AT-M,150000,Thời trang > Áo,140000,12',
        'ao-thun,Áo thun,L,AT-L,155000,Thời trang > Áo,,3',
      ]);

      const first = await omni(['import-catalog', file, '--workspace', ws.workspaceId]);
      const again = await omni(['import-catalog', file, '--workspace', ws.workspaceId]);

      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/^rows 2, created 2, updated 0, unchanged 0, failed 0 in \d+\.\d s \(products created 1, categories created 2, stock levels set 2\)$/m);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/^rows 2, created 0, updated 0, unchanged 2, failed 0 in .* stock levels set 0\)$/m);
      await withApp(async (app) => {
        const res = await app.inject({ method: 'GET', url: '/api/v1/products?q=ao%20thun', headers: bearer(ws.adminToken) });
        expect(res.statusCode, res.body).toBe(200);
        const [product, ...others] = (res.json() as { data: { title: string; variants: { sku: string; price: number; channelPrices: Record<string, number> }[] }[] }).data;
        expect(others).toEqual([]);
        expect(product!.variants.map((v) => [v.sku, v.price, v.channelPrices])).toEqual([
          ['AT-M', 150000, { [ids.channelId]: 140000 }],
          ['AT-L', 155000, {}],
        ]);
        const stock = await app.inject({ method: 'GET', url: '/api/v1/inventory/AT-M', headers: bearer(ws.adminToken) });
        expect(stock.json()).toMatchObject({ onHand: 12 });
      });
    });
  });

  describe('when some rows are bad', () => {
    it('imports the good rows, lists the bad ones as line, field and problem, and exits 1', { timeout: SLOW }, async () => {
      const ws = await seedWorkspace();
      const file = writeCsv(['sku,product,price', 'OK-1,Nón,90000', 'BAD-1,Nón,-1', ',Nón,5', 'OK-2,Mũ,80000']);

      const run = await omni(['import-catalog', file, '--workspace', ws.workspaceId]);

      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^rows 4, created 2, updated 0, unchanged 0, failed 2 in /m);
      expect(run.stdout).toMatch(/^ {2}line 3: price: must not be negative \(got -1\)$/m);
      expect(run.stdout).toMatch(/^ {2}line 4: sku: required$/m);
    });
  });

  describe('when a column is unknown', () => {
    it('exits non-zero naming it and imports nothing', { timeout: SLOW }, async () => {
      const ws = await seedWorkspace();
      const file = writeCsv(['sku,product,price,compare_at_price', 'X-1,Áo,100000,120000']);

      const run = await omni(['import', 'catalog', file, '--workspace', ws.workspaceId]);

      expect(run.code).toBe(2);
      expect(run.stderr).toContain('unknown column "compare_at_price" (compare_at_price: the catalog has no compare-at price)');
      expect(run.stdout).not.toMatch(/created/);
    });
  });
});

describe('omni (embedded database lock)', () => {
  // PostgreSQL serves many processes and has no lockfile; only PGlite's data dir is exclusive.
  it.skipIf(DB_KIND !== 'pglite')('refuses to open a data dir another live process holds', { timeout: SLOW }, async () => {
    const lockedDir = copyPgliteTemplate();
    try {
      // The parent of this test process is alive for as long as the test runs.
      fs.writeFileSync(path.join(lockedDir, 'omni.lock'), String(process.ppid));

      const run = await omni(['workspace', 'create', '--name', 'Blocked'], { dataDir: lockedDir });

      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`is in use by another Omni process (pid ${process.ppid})`);
      expect(run.stdout).not.toMatch(/admin token/);
      expect(fs.readFileSync(path.join(lockedDir, 'omni.lock'), 'utf8')).toBe(String(process.ppid));
    } finally {
      fs.rmSync(lockedDir, { recursive: true, force: true });
    }
  });
});
