/**
 * The real Segment and RudderStack Node SDKs, pointed at a listening Omni server: what they send
 * (batches, gzip, their own envelope fields) must land on the right profiles.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, startTestServer, type TestServer, type TestWorkspace } from './helpers';

let server: TestServer;
let baseUrl: string;

/** Every tracking request the listening server answered: who sent it, how, and the answer. */
interface SeenRequest {
  writeKey: string;
  url: string;
  encoding: string | undefined;
  status: number;
}
const seen: SeenRequest[] = [];

function observe(req: IncomingMessage, res: ServerResponse): void {
  if (!req.url?.startsWith('/v1/')) return;
  const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  const writeKey = m ? Buffer.from(m[1]!, 'base64').toString('utf8').split(':')[0]! : '';
  const encoding = req.headers['content-encoding'];
  res.on('finish', () => seen.push({ writeKey, url: req.url ?? '', encoding, status: res.statusCode }));
}

beforeAll(async () => {
  server = await startTestServer();
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = server.app.server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  server.app.server.on('request', observe);
});
afterAll(async () => server.close());

// ---------------------------------------------------------------------------------------------
// One interface over both SDKs

type Props = Record<string, string | number | boolean>;
type Who = { userId: string; anonymousId?: string } | { userId?: string; anonymousId: string };

interface Tracker {
  identify(m: Who & { traits?: Props }): void;
  track(m: Who & { event: string; properties?: Props }): void;
  page(m: Who & { name?: string; properties?: Props }): void;
  alias(m: { userId: string; previousId: string }): void;
}

interface Driver {
  name: string;
  /** Content-Encoding the SDK uses by default. */
  encoding: string | undefined;
  /** Run `script` against a fresh client and resolve once everything it queued was delivered. */
  deliver(writeKey: string, flushAt: number, script: (t: Tracker) => void): Promise<void>;
}

const segment: Driver = {
  name: '@segment/analytics-node',
  encoding: undefined,
  async deliver(writeKey, flushAt, script) {
    const analytics = new SegmentAnalytics({ writeKey, host: baseUrl, path: '/v1/batch', flushAt, maxRetries: 0 });
    const failures: unknown[] = [];
    analytics.on('error', (err) => failures.push(err));
    script({
      identify: (m) => analytics.identify(m),
      track: (m) => analytics.track(m),
      page: (m) => analytics.page(m),
      alias: (m) => analytics.alias(m),
    });
    await analytics.closeAndFlush({ timeout: 20_000 });
    expect(failures).toEqual([]);
  },
};

const rudder: Driver = {
  name: '@rudderstack/rudder-sdk-node',
  encoding: 'gzip',
  async deliver(writeKey, flushAt, script) {
    const failures: { status: number | undefined; body: unknown }[] = [];
    const analytics = new RudderAnalytics(writeKey, {
      dataPlaneUrl: baseUrl,
      flushAt,
      retryCount: 0,
      logLevel: 'error',
      errorHandler: (err: { response?: { status: number; data: unknown } }) => {
        failures.push({ status: err.response?.status, body: err.response?.data });
      },
    });
    // Each call's callback fires once the batch holding it got an answer.
    const sent: Promise<void>[] = [];
    const done = (): { resolve: () => void; promise: Promise<void> } => {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      sent.push(promise);
      return { resolve, promise };
    };
    script({
      identify: (m) => void analytics.identify(m, done().resolve),
      track: (m) => void analytics.track(m, done().resolve),
      page: (m) => void analytics.page(m, done().resolve),
      alias: (m) => void analytics.alias(m, done().resolve),
    });
    let settled = false;
    const all = Promise.all(sent).then(() => (settled = true));
    // flush() sends at most flushAt queued messages per call.
    for (let i = 0; i < 100 && !settled; i++) await analytics.flush();
    await all;
    expect(failures).toEqual([]);
  },
};

// ---------------------------------------------------------------------------------------------
// Admin API reads

interface Profile {
  id: string;
  traits: Record<string, unknown>;
  identifiers: { type: string; value: string }[];
  mergedProfileIds: string[];
}

interface TimelineEvent {
  messageId: string;
  type: string;
  event: string | null;
  name: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
}

async function lookup(ws: TestWorkspace, type: string, value: string): Promise<Profile> {
  const res = await server.app.inject({ method: 'GET', url: '/api/v1/profiles/lookup', query: { type, value }, headers: ws.admin });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Profile>();
}

async function timeline(ws: TestWorkspace, profileId: string): Promise<TimelineEvent[]> {
  const res = await server.app.inject({ method: 'GET', url: `/api/v1/profiles/${profileId}/events?limit=500`, headers: ws.admin });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ data: TimelineEvent[] }>().data;
}

const requestsOf = (ws: TestWorkspace) => seen.filter((r) => r.writeKey === ws.writeKey);

describe.each([segment, rudder])('$name', (driver) => {
  describe('when a user is identified, then tracks and views a page', () => {
    it('puts the traits and every event on one profile, found by user id and by email', async () => {
      const ws = await createTestWorkspace(server);
      await driver.deliver(ws.writeKey, 20, (t) => {
        t.identify({ userId: 'u-lan', traits: { email: 'Lan.Nguyen@Example.com', name: 'Nguyễn Thị Lan', plan: 'pro' } });
        t.track({ userId: 'u-lan', event: 'Order Completed', properties: { order_id: 'o-1', total: 250000, currency: 'VND' } });
        t.page({ userId: 'u-lan', name: 'Pricing', properties: { path: '/pricing' } });
      });

      const profile = await lookup(ws, 'user_id', 'u-lan');
      expect(profile.traits).toMatchObject({ name: 'Nguyễn Thị Lan', plan: 'pro' });
      expect(profile.identifiers).toEqual(expect.arrayContaining([
        { type: 'user_id', value: 'u-lan' },
        { type: 'email', value: 'lan.nguyen@example.com' },
      ]));
      expect((await lookup(ws, 'email', 'lan.nguyen@example.com')).id).toBe(profile.id);

      const events = await timeline(ws, profile.id);
      expect(events.map((e) => e.type).sort()).toEqual(['identify', 'page', 'track']);
      const order = events.find((e) => e.type === 'track');
      expect(order).toMatchObject({ event: 'Order Completed', properties: { order_id: 'o-1', total: 250000, currency: 'VND' } });
      expect(events.find((e) => e.type === 'page')).toMatchObject({ name: 'Pricing', properties: { path: '/pricing' } });
      expect(events.find((e) => e.type === 'identify')?.traits).toMatchObject({ plan: 'pro' });
      expect(order?.context).toHaveProperty('library');

      const requests = requestsOf(ws);
      expect(requests.length).toBeGreaterThan(0);
      for (const r of requests) expect(r).toMatchObject({ url: '/v1/batch', encoding: driver.encoding, status: 200 });
    });
  });

  describe('when an anonymous visitor is later aliased to a user id', () => {
    it("moves the visitor's history onto the user's profile", async () => {
      const ws = await createTestWorkspace(server);
      await driver.deliver(ws.writeKey, 20, (t) => {
        t.track({ anonymousId: 'anon-42', event: 'Product Viewed', properties: { sku: 'SKU-1' } });
        t.page({ anonymousId: 'anon-42', name: 'Product' });
      });
      const visitor = await lookup(ws, 'anonymous_id', 'anon-42');

      await driver.deliver(ws.writeKey, 20, (t) => {
        t.identify({ userId: 'u-minh', traits: { name: 'Trần Minh' } });
        t.alias({ userId: 'u-minh', previousId: 'anon-42' });
        t.track({ userId: 'u-minh', event: 'Checkout Started' });
      });

      const user = await lookup(ws, 'user_id', 'u-minh');
      expect((await lookup(ws, 'anonymous_id', 'anon-42')).id).toBe(user.id);
      expect([user.id, ...user.mergedProfileIds]).toContain(visitor.id);
      const events = await timeline(ws, user.id);
      expect(events.filter((e) => e.type === 'track').map((e) => e.event).sort()).toEqual(['Checkout Started', 'Product Viewed']);
      expect(events.map((e) => e.type).sort()).toEqual(['alias', 'identify', 'page', 'track', 'track']);
    });
  });

  describe('when more events are queued than fit in one batch (flushAt)', () => {
    it('delivers every batch and stores each event exactly once', async () => {
      const ws = await createTestWorkspace(server);
      const n = 23;
      await driver.deliver(ws.writeKey, 5, (t) => {
        for (let i = 0; i < n; i++) t.track({ userId: 'u-batch', event: `Step ${i}`, properties: { i } });
      });

      const requests = requestsOf(ws);
      expect(requests.length).toBeGreaterThanOrEqual(Math.ceil(n / 5));
      for (const r of requests) expect(r).toMatchObject({ url: '/v1/batch', status: 200 });

      const profile = await lookup(ws, 'user_id', 'u-batch');
      const events = await timeline(ws, profile.id);
      expect(events.map((e) => e.event).sort()).toEqual(Array.from({ length: n }, (_, i) => `Step ${i}`).sort());
      expect(new Set(events.map((e) => e.messageId)).size).toBe(n);
    });
  });
});
