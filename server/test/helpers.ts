/**
 * Test helpers: one database per test file (see global-setup), a built app over it, and a fresh
 * workspace (with admin token and write key) per test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { ADMIN_PG_URL } from './global-setup';
import { buildApp, type BuiltApp } from '../src/app';
import { loadConfig, type Config } from '../src/config';
import { openDb, type Database } from '../src/db/client';
import { createApiToken, createSource, createWorkspace, type ChannelType } from '../src/modules/workspaces';

export const DB_KIND = (process.env.OMNI_TEST_DB ?? 'pglite') as 'pglite' | 'postgres';

/** A fresh data dir holding a copy of the migrated PGlite template (PGlite only). */
export function copyPgliteTemplate(): string {
  const template = inject('pgliteTemplate');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-test-'));
  fs.cpSync(template, dir, { recursive: true });
  return dir;
}

/** Config for a test server: PostgreSQL URL or a PGlite data dir. */
export function testConfig(overrides: Partial<Config> = {}, dataDir?: string): Config {
  const databaseUrl = inject('databaseUrl');
  return loadConfig(
    { LOG_LEVEL: 'silent', PORT: '0' },
    {
      ...(DB_KIND === 'postgres' ? { databaseUrl } : {}),
      dataDir: dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'omni-test-')),
      ...overrides,
    },
  );
}

export async function openTestDb(): Promise<{ db: Database; dataDir: string }> {
  if (DB_KIND === 'postgres') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-test-'));
    return { db: await openDb({ databaseUrl: inject('databaseUrl'), dataDir, poolSize: 10 }), dataDir };
  }
  const dataDir = copyPgliteTemplate();
  return { db: await openDb({ dataDir }), dataDir };
}

export interface TestServer extends BuiltApp {
  db: Database;
  close(): Promise<void>;
}

/** Build the app over this file's database. Call once per file (beforeAll). */
export async function startTestServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const { db, dataDir } = await openTestDb();
  const built = await buildApp({ config: testConfig(overrides, dataDir), db, logger: false });
  return {
    ...built,
    db,
    async close() {
      await built.app.close();
      await db.close();
    },
  };
}

/**
 * A server over a database of its own (a PGlite copy or a new PostgreSQL database, dropped on
 * close), so its first workspace is the one this start bootstraps — what the demo pages expect.
 */
export async function startFreshServer(overrides: Partial<Config> = {}): Promise<TestServer & { workspaceId: string }> {
  let db: Database;
  let drop = async () => {};
  let dataDir: string;
  if (DB_KIND === 'pglite') {
    dataDir = copyPgliteTemplate();
    db = await openDb({ dataDir });
    drop = async () => fs.rmSync(dataDir, { recursive: true, force: true });
  } else {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-fresh-'));
    const name = `omni_fresh_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1000)}`;
    const admin = new pg.Client({ connectionString: ADMIN_PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(ADMIN_PG_URL);
    url.pathname = `/${name}`;
    db = await openDb({ databaseUrl: url.toString(), dataDir, poolSize: 5 });
    drop = async () => {
      const c = new pg.Client({ connectionString: ADMIN_PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const built = await buildApp({ config: testConfig(overrides, dataDir), db, logger: false });
  return {
    ...built,
    db,
    workspaceId: built.bootstrap!.workspaceId,
    async close() {
      await built.app.close();
      await db.close();
      await drop();
    },
  };
}

export interface TestWorkspace {
  workspaceId: string;
  adminToken: string;
  writeKey: string;
  sourceId: string;
  /** Authorization headers. */
  admin: { authorization: string };
  basic: { authorization: string };
  /** Create another source in this workspace. */
  addSource(channel: ChannelType, opts?: { rateLimit?: number; trust?: 'client' | 'server' }): Promise<{ writeKey: string; sourceId: string; basic: { authorization: string } }>;
}

export const basicAuth = (writeKey: string) => ({ authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` });

export async function createTestWorkspace(
  server: { db: Database },
  opts: { channel?: ChannelType; rateLimit?: number; defaultCountry?: string } = {},
): Promise<TestWorkspace> {
  const orm = server.db.orm;
  const ws = await createWorkspace(orm, { name: `test ${Date.now()}`, defaultCountry: opts.defaultCountry ?? 'VN' });
  const token = await createApiToken(orm, { workspaceId: ws.id, name: 'test' });
  const addSource: TestWorkspace['addSource'] = async (channel, o = {}) => {
    const s = await createSource(orm, { workspaceId: ws.id, name: `${channel} source`, channel, rateLimit: o.rateLimit, trust: o.trust });
    return { writeKey: s.writeKey, sourceId: s.source.id, basic: basicAuth(s.writeKey) };
  };
  const first = await addSource(opts.channel ?? 'web', { rateLimit: opts.rateLimit });
  return {
    workspaceId: ws.id,
    adminToken: token.secret,
    writeKey: first.writeKey,
    sourceId: first.sourceId,
    admin: { authorization: `Bearer ${token.secret}` },
    basic: first.basic,
    addSource,
  };
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/**
 * JSON calls against a built app (inject: no sockets): `call` answers status and body, `must`
 * the body of a 2xx and throws with the response otherwise.
 */
export function jsonClient(server: { app: BuiltApp['app'] }) {
  async function call<T = Record<string, unknown>>(headers: Record<string, string>, method: Method, url: string, payload?: unknown): Promise<{ status: number; body: T }> {
    const res = await server.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
    return { status: res.statusCode, body: res.json<T>() };
  }
  async function must<T = Record<string, unknown>>(headers: Record<string, string>, method: Method, url: string, payload?: unknown): Promise<T> {
    const res = await call<T>(headers, method, url, payload);
    if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  return { call, must };
}

/** Debian's chromium, headless, with the flags this closed network needs (no background calls). */
export async function launchBrowser(): Promise<import('playwright-core').Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * Probe until `ok` holds (or the time is up: the last value is returned for the assertions to
 * fail on). For effects of a domain-log consumer: on a shared PostgreSQL database another test
 * file's open transaction can keep a just-written entry invisible to readers for a moment.
 */
export async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
