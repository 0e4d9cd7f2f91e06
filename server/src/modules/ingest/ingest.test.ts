import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { rows, toDate } from '../../db/client';
import { basicAuth, createTestWorkspace, startTestServer, type TestServer, type TestWorkspace } from '../../../test/helpers';
import { LIMITS } from './validate';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

interface IngestBody {
  success: boolean;
  accepted: number;
  duplicates: number;
  suppressed: number;
  rejected: { index?: number; code: string; message: string; field?: string }[];
}

interface ErrorBody {
  error: { code: string; message: string; requestId: string; field?: string; index?: number; rejected?: IngestBody['rejected'] };
}

interface TimelineBody {
  data: {
    messageId: string;
    type: string;
    event: string | null;
    channel: string;
    sourceId: string;
    timestamp: string;
    receivedAt: string;
    context: Record<string, unknown>;
    notes: { warnings: { code: string; count: number; fields: string[] }[]; droppedIdentifiers: { type: string; value: string }[] };
  }[];
}

interface StoredEvent {
  message_id: string;
  profile_id: string | null;
  source_id: string;
  channel: string;
  type: string;
  event: string | null;
  user_id: string | null;
  timestamp: Date | string;
  received_at: Date | string;
  payload: Record<string, unknown>;
}

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return server.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
}

function get(url: string, headers: Record<string, string>) {
  return server.app.inject({ method: 'GET', url, headers });
}

async function storedEvents(workspaceId: string): Promise<StoredEvent[]> {
  return rows<StoredEvent>(
    server.db.orm,
    sql`SELECT message_id, profile_id, source_id, channel, type, event, user_id, timestamp, received_at, payload
        FROM events WHERE workspace_id = ${workspaceId} ORDER BY id`,
  );
}

/** The profile id holding user_id `userId`, via the admin API. */
async function profileIdOf(ws: TestWorkspace, userId: string): Promise<string> {
  const res = await get(`/api/v1/profiles/lookup?type=user_id&value=${encodeURIComponent(userId)}`, ws.admin);
  expect(res.statusCode).toBe(200);
  return (res.json() as { id: string }).id;
}

async function timelineOf(ws: TestWorkspace, userId: string): Promise<TimelineBody['data']> {
  const res = await get(`/api/v1/profiles/${await profileIdOf(ws, userId)}/events`, ws.admin);
  expect(res.statusCode).toBe(200);
  return (res.json() as TimelineBody).data;
}

const track = (extra: Record<string, unknown> = {}) => ({ userId: 'u1', event: 'Product Viewed', ...extra });

describe('POST /v1/{type}', () => {
  describe('when the event is valid', () => {
    it.each([
      { path: '/v1/identify', body: { userId: 'u1', traits: { name: 'Lan' } }, type: 'identify', event: null },
      { path: '/v1/track', body: { userId: 'u1', event: 'Order Completed', properties: { total: 1 } }, type: 'track', event: 'Order Completed' },
      { path: '/v1/page', body: { userId: 'u1', name: 'Home' }, type: 'page', event: null },
      { path: '/v1/screen', body: { userId: 'u1', name: 'Cart' }, type: 'screen', event: null },
      { path: '/v1/group', body: { userId: 'u1', groupId: 'g1' }, type: 'group', event: null },
      { path: '/v1/alias', body: { userId: 'u1', previousId: 'anon-1' }, type: 'alias', event: null },
      { path: '/v1/batch', body: { batch: [{ type: 'track', userId: 'u1', event: 'Cart Viewed' }] }, type: 'track', event: 'Cart Viewed' },
    ])('$path stores it with its source and channel', async ({ path, body, type, event }) => {
      const ws = await createTestWorkspace(server);
      const pos = await ws.addSource('pos');
      const res = await post(path, body, pos.basic);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ success: true, accepted: 1, duplicates: 0, suppressed: 0, rejected: [] });

      const timeline = await timelineOf(ws, 'u1');
      expect(timeline).toHaveLength(1);
      expect(timeline[0]).toMatchObject({ type, event, channel: 'pos', sourceId: pos.sourceId });
    });
  });
});

describe('write key authentication', () => {
  describe('when the key is the HTTP Basic username with an empty password', () => {
    it('accepts the call into the key’s workspace', async () => {
      const ws = await createTestWorkspace(server);
      const res = await post('/v1/track', track(), { authorization: `Basic ${Buffer.from(`${ws.writeKey}:`).toString('base64')}` });
      expect(res.statusCode).toBe(200);
      expect(await storedEvents(ws.workspaceId)).toHaveLength(1);
    });
  });

  describe('when the key is "writeKey" in the body', () => {
    it('accepts the call and does not store the key', async () => {
      const ws = await createTestWorkspace(server);
      const res = await post('/v1/track', track({ writeKey: ws.writeKey }));
      expect(res.statusCode).toBe(200);
      const [stored] = await storedEvents(ws.workspaceId);
      expect(stored?.source_id).toBe(ws.sourceId);
      expect(stored?.payload).not.toHaveProperty('writeKey');
    });

    it('accepts a batch with the key at its top level', async () => {
      const ws = await createTestWorkspace(server);
      const res = await post('/v1/batch', { writeKey: ws.writeKey, batch: [{ type: 'identify', userId: 'u1' }] });
      expect(res.statusCode).toBe(200);
      expect(await storedEvents(ws.workspaceId)).toHaveLength(1);
    });
  });

  describe('when the key is wrong', () => {
    it('answers 401 invalid_write_key and stores nothing', async () => {
      const ws = await createTestWorkspace(server);
      const res = await post('/v1/track', track(), basicAuth(`${ws.writeKey}x`));
      expect(res.statusCode).toBe(401);
      expect((res.json() as ErrorBody).error.code).toBe('invalid_write_key');
      expect(await storedEvents(ws.workspaceId)).toHaveLength(0);
    });
  });

  describe('when no key is sent', () => {
    it('answers 401 invalid_write_key', async () => {
      const res = await post('/v1/track', track());
      expect(res.statusCode).toBe(401);
      expect((res.json() as ErrorBody).error.code).toBe('invalid_write_key');
    });

    it('answers 401 for an admin Bearer token instead of a write key', async () => {
      const ws = await createTestWorkspace(server);
      const res = await post('/v1/track', track(), ws.admin);
      expect(res.statusCode).toBe(401);
    });
  });

  describe('when the source was revoked', () => {
    it('answers 401 for its key, even after the key was used', async () => {
      const ws = await createTestWorkspace(server);
      expect((await post('/v1/track', track(), ws.basic)).statusCode).toBe(200);

      const revoke = await server.app.inject({ method: 'DELETE', url: `/api/v1/sources/${ws.sourceId}`, headers: ws.admin });
      expect(revoke.statusCode).toBe(200);

      const res = await post('/v1/track', track(), ws.basic);
      expect(res.statusCode).toBe(401);
      expect((res.json() as ErrorBody).error.code).toBe('invalid_write_key');
      expect(await storedEvents(ws.workspaceId)).toHaveLength(1);
    });
  });
});

describe('request encoding and CORS', () => {
  describe('when the body is gzip-compressed', () => {
    it('decompresses and stores it', async () => {
      const ws = await createTestWorkspace(server);
      const body = { batch: [track({ type: 'track', messageId: 'gz-1' }), track({ type: 'track', messageId: 'gz-2' })] };
      const res = await server.app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { ...ws.basic, 'content-type': 'application/json', 'content-encoding': 'gzip' },
        payload: zlib.gzipSync(JSON.stringify(body)),
      });
      expect(res.statusCode).toBe(200);
      expect((res.json() as IngestBody).accepted).toBe(2);
      expect((await storedEvents(ws.workspaceId)).map((e) => e.message_id)).toEqual(['gz-1', 'gz-2']);
    });

    it('answers 400 when the data is not gzip', async () => {
      const ws = await createTestWorkspace(server);
      const res = await server.app.inject({
        method: 'POST',
        url: '/v1/track',
        headers: { ...ws.basic, 'content-type': 'application/json', 'content-encoding': 'gzip' },
        payload: JSON.stringify(track()),
      });
      expect(res.statusCode).toBe(400);
      expect((res.json() as ErrorBody).error.code).toBe('invalid_body');
    });
  });

  describe('when the body is text/plain (navigator.sendBeacon)', () => {
    it('parses it as JSON', async () => {
      const ws = await createTestWorkspace(server);
      const res = await server.app.inject({
        method: 'POST',
        url: '/v1/page',
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        payload: JSON.stringify({ writeKey: ws.writeKey, anonymousId: 'a1', name: 'Home' }),
      });
      expect(res.statusCode).toBe(200);
      const [stored] = await storedEvents(ws.workspaceId);
      expect(stored).toMatchObject({ type: 'page', payload: expect.objectContaining({ name: 'Home' }) });
    });
  });

  describe('when a browser calls from another origin', () => {
    it('answers the preflight, allowing the Authorization header', async () => {
      const res = await server.app.inject({
        method: 'OPTIONS',
        url: '/v1/track',
        headers: {
          origin: 'https://shop.example.vn',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(res.statusCode).toBeLessThan(300);
      expect(res.headers['access-control-allow-origin']).toBe('https://shop.example.vn');
      expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
      expect(String(res.headers['access-control-allow-methods'])).toContain('POST');
    });

    it('sets access-control-allow-origin on the POST', async () => {
      const ws = await createTestWorkspace(server);
      const res = await post('/v1/track', track(), { ...ws.basic, origin: 'https://shop.example.vn' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('https://shop.example.vn');
    });

    it('sets it on an error too, so the page can read why', async () => {
      const res = await post('/v1/track', track(), { ...basicAuth('wk_unknown'), origin: 'https://shop.example.vn' });
      expect(res.statusCode).toBe(401);
      expect(res.headers['access-control-allow-origin']).toBe('https://shop.example.vn');
    });
  });
});

describe('size limits', () => {
  const padded = (bytes: number, extra: Record<string, unknown> = {}) => track({ properties: { pad: 'x'.repeat(bytes) }, ...extra });

  describe('when a single call is over 32 KB', () => {
    it('answers 400 payload_too_large naming the limit', async () => {
      const ws = await createTestWorkspace(server);
      const res = await post('/v1/track', padded(LIMITS.eventBytes), ws.basic);
      expect(res.statusCode).toBe(400);
      const { error } = res.json() as ErrorBody;
      expect(error.code).toBe('payload_too_large');
      expect(error.message).toContain('32 KB');
      expect(await storedEvents(ws.workspaceId)).toHaveLength(0);
    });
  });

  describe('when one batch item is over 32 KB', () => {
    it('rejects that item by index and stores the others', async () => {
      const ws = await createTestWorkspace(server);
      const batch = [
        { type: 'track', ...track({ messageId: 'ok-0' }) },
        { type: 'track', ...padded(LIMITS.eventBytes, { messageId: 'big-1' }) },
        { type: 'track', ...track({ messageId: 'ok-2' }) },
      ];
      const res = await post('/v1/batch', { batch }, ws.basic);
      expect(res.statusCode).toBe(200);
      const body = res.json() as IngestBody;
      expect(body.accepted).toBe(2);
      expect(body.rejected).toEqual([expect.objectContaining({ index: 1, code: 'payload_too_large', message: expect.stringContaining('32 KB') })]);
      expect((await storedEvents(ws.workspaceId)).map((e) => e.message_id)).toEqual(['ok-0', 'ok-2']);
    });
  });

  describe('when a batch is over 500 KB', () => {
    it('answers 400 payload_too_large and stores nothing', async () => {
      const ws = await createTestWorkspace(server);
      // 20 items of ~30 KB: each under the event limit, together over the batch limit.
      const batch = Array.from({ length: 20 }, (_, i) => ({ type: 'track', ...padded(30 * 1024, { messageId: `m-${i}` }) }));
      const res = await post('/v1/batch', { batch }, ws.basic);
      expect(res.statusCode).toBe(400);
      const { error } = res.json() as ErrorBody;
      expect(error.code).toBe('payload_too_large');
      expect(error.message).toContain('500 KB');
      expect(await storedEvents(ws.workspaceId)).toHaveLength(0);
    });
  });

  describe('when a gzip body is small but over 500 KB once decompressed', () => {
    it('answers 400 payload_too_large', async () => {
      const ws = await createTestWorkspace(server);
      const batch = Array.from({ length: 20 }, (_, i) => ({ type: 'track', ...padded(30 * 1024, { messageId: `m-${i}` }) }));
      const gzipped = zlib.gzipSync(JSON.stringify({ batch }));
      expect(gzipped.length).toBeLessThan(LIMITS.eventBytes);
      const res = await server.app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { ...ws.basic, 'content-type': 'application/json', 'content-encoding': 'gzip' },
        payload: gzipped,
      });
      expect(res.statusCode).toBe(400);
      expect((res.json() as ErrorBody).error.code).toBe('payload_too_large');
      expect(await storedEvents(ws.workspaceId)).toHaveLength(0);
    });
  });

  describe('when a batch has more than 2,500 events', () => {
    it('answers 400 payload_too_large', async () => {
      const ws = await createTestWorkspace(server);
      const batch = Array.from({ length: LIMITS.batchEvents + 1 }, () => ({ type: 'track', userId: 'u1', event: 'E' }));
      const res = await post('/v1/batch', { batch }, ws.basic);
      expect(res.statusCode).toBe(400);
      const { error } = res.json() as ErrorBody;
      expect(error.code).toBe('payload_too_large');
      expect(error.message).toContain('2500');
      expect(await storedEvents(ws.workspaceId)).toHaveLength(0);
    });
  });

  describe('when a batch is empty or missing', () => {
    it.each([{ batch: [] }, {}, { batch: 'track' }])('answers 400 invalid_body for %j', async (body) => {
      const ws = await createTestWorkspace(server);
      const res = await post('/v1/batch', body, ws.basic);
      expect(res.statusCode).toBe(400);
      expect((res.json() as ErrorBody).error.code).toBe('invalid_body');
    });
  });
});

describe('message validation', () => {
  describe('when a single call is invalid', () => {
    it.each([
      { path: '/v1/track', body: { event: 'E' }, code: 'no_user_anon_id', field: 'userId' },
      { path: '/v1/track', body: { userId: 'u1' }, code: 'missing_event', field: 'event' },
      { path: '/v1/track', body: { userId: 'u1', event: 'E', properties: { deep: JSON.parse('['.repeat(70) + ']'.repeat(70)) as unknown } }, code: 'invalid_field', field: `properties.deep${'[0]'.repeat(62)}` },
      { path: '/v1/alias', body: { userId: 'u1' }, code: 'invalid_field', field: 'previousId' },
      { path: '/v1/group', body: { userId: 'u1' }, code: 'invalid_field', field: 'groupId' },
    ])('$path $body answers 400 $code', async ({ path, body, code, field }) => {
      const ws = await createTestWorkspace(server);
      const res = await post(path, body, ws.basic);
      expect(res.statusCode).toBe(400);
      expect((res.json() as ErrorBody).error).toMatchObject({ code, field });
      expect(await storedEvents(ws.workspaceId)).toHaveLength(0);
    });

    it('answers 400 invalid_json for malformed JSON', async () => {
      const ws = await createTestWorkspace(server);
      const res = await server.app.inject({
        method: 'POST',
        url: '/v1/track',
        headers: { ...ws.basic, 'content-type': 'application/json' },
        payload: '{"userId": "u1", "event": ',
      });
      expect(res.statusCode).toBe(400);
      expect((res.json() as ErrorBody).error.code).toBe('invalid_json');
    });

    it('answers 400 invalid_body for an empty body', async () => {
      const ws = await createTestWorkspace(server);
      const res = await server.app.inject({ method: 'POST', url: '/v1/track', headers: { ...ws.basic, 'content-type': 'application/json' }, payload: '' });
      expect(res.statusCode).toBe(400);
      expect((res.json() as ErrorBody).error.code).toBe('invalid_body');
    });
  });

  describe('when some batch items are invalid', () => {
    it('lists each with its index and code, and stores the valid ones', async () => {
      const ws = await createTestWorkspace(server);
      const batch = [
        { type: 'track', userId: 'u1', event: 'Good', messageId: 'good-0' },
        { type: 'track', event: 'No ids' },
        { type: 'track', userId: 'u1' },
        { type: 'track', userId: 'u1', event: 'E', properties: { x: JSON.parse('['.repeat(70) + ']'.repeat(70)) as unknown } },
        { type: 'alias', userId: 'u1' },
        { type: 'identify', userId: 'u1', messageId: 'good-5' },
        { type: 'purchase', userId: 'u1' },
        'not an object',
      ];
      const res = await post('/v1/batch', { batch }, ws.basic);
      expect(res.statusCode).toBe(200);
      const body = res.json() as IngestBody;
      expect(body.accepted).toBe(2);
      expect(body.rejected.map((r) => [r.index, r.code, r.field])).toEqual([
        [1, 'no_user_anon_id', 'userId'],
        [2, 'missing_event', 'event'],
        [3, 'invalid_field', `properties.x${'[0]'.repeat(62)}`],
        [4, 'invalid_field', 'previousId'],
        [6, 'invalid_field', 'type'],
        [7, 'invalid_body', undefined],
      ]);
      expect((await storedEvents(ws.workspaceId)).map((e) => e.message_id)).toEqual(['good-0', 'good-5']);
    });
  });

  describe('when every batch item is invalid', () => {
    it('answers 400 with the first item’s code and all rejections', async () => {
      const ws = await createTestWorkspace(server);
      const res = await post('/v1/batch', { batch: [{ type: 'track', userId: 'u1' }, { type: 'page' }] }, ws.basic);
      expect(res.statusCode).toBe(400);
      const { error } = res.json() as ErrorBody;
      expect(error.code).toBe('missing_event');
      expect(error.rejected?.map((r) => [r.index, r.code])).toEqual([[0, 'missing_event'], [1, 'no_user_anon_id']]);
      expect(await storedEvents(ws.workspaceId)).toHaveLength(0);
    });
  });
});

describe('POST /v1/batch', () => {
  describe('when the batch has top-level context and integrations', () => {
    it('merges them into each item, the item’s own keys winning', async () => {
      const ws = await createTestWorkspace(server);
      const res = await post(
        '/v1/batch',
        {
          context: { library: { name: 'analytics-node' }, locale: 'vi-VN' },
          integrations: { All: true, Mixpanel: false },
          batch: [
            { type: 'track', userId: 'u1', event: 'A', messageId: 'a' },
            { type: 'identify', userId: 'u1', messageId: 'b', context: { locale: 'en-US', ip: '10.0.0.1' }, integrations: { Mixpanel: true } },
          ],
        },
        ws.basic,
      );
      expect(res.statusCode).toBe(200);
      const [a, b] = await storedEvents(ws.workspaceId);
      expect(a?.type).toBe('track');
      expect(a?.payload.context).toEqual({ library: { name: 'analytics-node' }, locale: 'vi-VN' });
      expect(a?.payload.integrations).toEqual({ All: true, Mixpanel: false });
      expect(b?.type).toBe('identify');
      expect(b?.payload.context).toEqual({ library: { name: 'analytics-node' }, locale: 'en-US', ip: '10.0.0.1' });
      expect(b?.payload.integrations).toEqual({ All: true, Mixpanel: true });

      const timeline = await timelineOf(ws, 'u1');
      expect(timeline.find((e) => e.messageId === 'b')?.context).toMatchObject({ locale: 'en-US', library: { name: 'analytics-node' } });
    });
  });
});

describe('deduplication by messageId', () => {
  describe('when the same messageId is sent twice', () => {
    it('answers 200 both times and stores it once', async () => {
      const ws = await createTestWorkspace(server);
      const first = await post('/v1/track', track({ messageId: 'dup-1' }), ws.basic);
      const second = await post('/v1/track', track({ messageId: 'dup-1', event: 'Changed' }), ws.basic);
      expect(first.statusCode).toBe(200);
      expect(second.statusCode).toBe(200);
      expect(first.json()).toMatchObject({ accepted: 1, duplicates: 0 });
      expect(second.json()).toMatchObject({ accepted: 0, duplicates: 1 });
      const stored = await storedEvents(ws.workspaceId);
      expect(stored.map((e) => [e.message_id, e.event])).toEqual([['dup-1', 'Product Viewed']]);
    });
  });

  describe('when a batch repeats a messageId', () => {
    it('stores the first and counts the repeat as a duplicate', async () => {
      const ws = await createTestWorkspace(server);
      const batch = [
        { type: 'track', userId: 'u1', event: 'First', messageId: 'same' },
        { type: 'track', userId: 'u1', event: 'Second', messageId: 'same' },
        { type: 'track', userId: 'u1', event: 'Other', messageId: 'other' },
      ];
      const res = await post('/v1/batch', { batch }, ws.basic);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ accepted: 2, duplicates: 1, rejected: [] });
      expect((await storedEvents(ws.workspaceId)).map((e) => [e.message_id, e.event])).toEqual([
        ['same', 'First'],
        ['other', 'Other'],
      ]);
    });
  });

  describe('when the same messageId arrives in two concurrent calls', () => {
    it('stores it once', async () => {
      const ws = await createTestWorkspace(server);
      const results = await Promise.all([1, 2].map(() => post('/v1/track', track({ messageId: 'race-1' }), ws.basic)));
      expect(results.map((r) => r.statusCode)).toEqual([200, 200]);
      const counts = results.map((r) => r.json() as IngestBody);
      expect(counts.reduce((n, c) => n + c.accepted, 0)).toBe(1);
      expect(counts.reduce((n, c) => n + c.duplicates, 0)).toBe(1);
      expect(await storedEvents(ws.workspaceId)).toHaveLength(1);
    });
  });

  describe('when two workspaces use the same messageId', () => {
    it('stores it in both, sequentially and in one group commit', async () => {
      const a = await createTestWorkspace(server);
      const b = await createTestWorkspace(server);
      expect((await post('/v1/track', track({ messageId: 'shared-1' }), a.basic)).json()).toMatchObject({ accepted: 1 });
      expect((await post('/v1/track', track({ messageId: 'shared-1' }), b.basic)).json()).toMatchObject({ accepted: 1 });

      const both = await Promise.all([post('/v1/track', track({ messageId: 'shared-2' }), a.basic), post('/v1/track', track({ messageId: 'shared-2' }), b.basic)]);
      for (const res of both) expect(res.json()).toMatchObject({ accepted: 1, duplicates: 0 });

      for (const ws of [a, b]) {
        expect((await storedEvents(ws.workspaceId)).map((e) => e.message_id)).toEqual(['shared-1', 'shared-2']);
      }
    });
  });
});

describe('event time', () => {
  describe('when the device clock is an hour fast (originalTimestamp and sentAt)', () => {
    it('stores timestamp = receivedAt − (sentAt − originalTimestamp)', async () => {
      const ws = await createTestWorkspace(server);
      const before = Date.now();
      const hourAhead = before + 3600_000;
      const res = await post(
        '/v1/track',
        track({ originalTimestamp: new Date(hourAhead - 30_000).toISOString(), sentAt: new Date(hourAhead).toISOString() }),
        ws.basic,
      );
      const after = Date.now();
      expect(res.statusCode).toBe(200);
      const [stored] = await storedEvents(ws.workspaceId);
      const receivedAt = toDate(stored!.received_at).getTime();
      const timestamp = toDate(stored!.timestamp).getTime();
      expect(receivedAt).toBeGreaterThanOrEqual(before - 5000);
      expect(receivedAt).toBeLessThanOrEqual(after + 5000);
      // Exactly 30 s before receipt by the formula; ±5 s from the request time by the wall clock.
      expect(receivedAt - timestamp).toBe(30_000);
      expect(Math.abs(timestamp - (before - 30_000))).toBeLessThanOrEqual(5000);
      expect(stored!.payload).toMatchObject({ timestamp: new Date(timestamp).toISOString(), receivedAt: new Date(receivedAt).toISOString() });
    });
  });

  describe('when a batch carries sentAt once, at its top level', () => {
    it('corrects the items that have no sentAt of their own', async () => {
      const ws = await createTestWorkspace(server);
      const hourAhead = Date.now() + 3600_000;
      const item = { ...track({ originalTimestamp: new Date(hourAhead - 30_000).toISOString() }), type: 'track' };
      const res = await post('/v1/batch', { batch: [item], sentAt: new Date(hourAhead).toISOString() }, ws.basic);
      expect(res.statusCode).toBe(200);
      const [stored] = await storedEvents(ws.workspaceId);
      expect(toDate(stored!.received_at).getTime() - toDate(stored!.timestamp).getTime()).toBe(30_000);
    });
  });

  describe('when the client sends timestamp', () => {
    it('keeps it exactly, and records receivedAt', async () => {
      const ws = await createTestWorkspace(server);
      const res = await post('/v1/track', track({ timestamp: '2023-12-31T23:59:59.250Z', sentAt: new Date(Date.now() + 3600_000).toISOString() }), ws.basic);
      expect(res.statusCode).toBe(200);
      const [stored] = await storedEvents(ws.workspaceId);
      expect(toDate(stored!.timestamp).toISOString()).toBe('2023-12-31T23:59:59.250Z');
      expect(toDate(stored!.received_at).getTime()).toBeGreaterThan(Date.parse('2024-01-01T00:00:00Z'));

      const timeline = await timelineOf(ws, 'u1');
      expect(timeline[0]?.timestamp).toBe('2023-12-31T23:59:59.250Z');
      expect(timeline[0]?.receivedAt).toBe(toDate(stored!.received_at).toISOString());
    });
  });
});

describe('per-source rate limit', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('when a source sends more than its events per second', () => {
    it('answers 429 rate_limited with Retry-After, then accepts once a second has passed', async () => {
      // Freeze Date so the token bucket cannot refill while the requests run.
      vi.useFakeTimers({ toFake: ['Date'] });
      const ws = await createTestWorkspace(server);
      const limited = await ws.addSource('web', { rateLimit: 5 });

      const batch = Array.from({ length: 5 }, (_, i) => ({ type: 'track', userId: 'u1', event: 'E', messageId: `rl-${i}` }));
      const ok = await post('/v1/batch', { batch }, limited.basic);
      expect(ok.statusCode).toBe(200);
      expect((ok.json() as IngestBody).accepted).toBe(5);

      const over = await post('/v1/track', track({ messageId: 'rl-over' }), limited.basic);
      expect(over.statusCode).toBe(429);
      expect((over.json() as ErrorBody).error.code).toBe('rate_limited');
      expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);

      // Another source of the same workspace has its own bucket.
      expect((await post('/v1/track', track({ messageId: 'other-source' }), ws.basic)).statusCode).toBe(200);

      vi.setSystemTime(Date.now() + 1000);
      expect((await post('/v1/track', track({ messageId: 'rl-later' }), limited.basic)).statusCode).toBe(200);
      expect((await storedEvents(ws.workspaceId)).map((e) => e.message_id)).not.toContain('rl-over');
    });
  });
});

describe('per-source rate limit on batches', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('when a batch holds more events than the source may send in a second', () => {
    it('accepts it, counting every event, and makes the next calls wait until they are paid for', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const ws = await createTestWorkspace(server);
      const limited = await ws.addSource('web', { rateLimit: 5 });

      const batch = Array.from({ length: 20 }, (_, i) => ({ type: 'track', userId: 'u1', event: 'E', messageId: `big-${i}` }));
      const ok = await post('/v1/batch', { batch }, limited.basic);
      expect(ok.statusCode).toBe(200);
      expect((ok.json() as IngestBody).accepted).toBe(20);

      // 15 events in debt at 5 a second: one more event waits (15 + 1) / 5 = 3.2 s.
      const over = await post('/v1/track', track({ messageId: 'next' }), limited.basic);
      expect(over.statusCode).toBe(429);
      expect(over.headers['retry-after']).toBe('4');
      vi.setSystemTime(Date.now() + 1000);
      expect((await post('/v1/track', track({ messageId: 'next' }), limited.basic)).statusCode).toBe(429);
      vi.setSystemTime(Date.now() + 3000);
      expect((await post('/v1/track', track({ messageId: 'next' }), limited.basic)).statusCode).toBe(200);
    });
  });
});

describe('tenant isolation', () => {
  describe('when two workspaces hold the same userId', () => {
    it('writes only into the write key’s workspace', async () => {
      const a = await createTestWorkspace(server);
      const b = await createTestWorkspace(server);
      expect((await post('/v1/identify', { userId: 'shared-user', traits: { name: 'A' } }, a.basic)).statusCode).toBe(200);

      expect((await get('/api/v1/profiles/lookup?type=user_id&value=shared-user', a.admin)).statusCode).toBe(200);
      const inB = await get('/api/v1/profiles/lookup?type=user_id&value=shared-user', b.admin);
      expect(inB.statusCode).toBe(404);
      expect(await storedEvents(b.workspaceId)).toHaveLength(0);
    });

    it('does not let one workspace’s admin token read the other’s profile or timeline', async () => {
      const a = await createTestWorkspace(server);
      const b = await createTestWorkspace(server);
      await post('/v1/identify', { userId: 'b-user', traits: { name: 'B' } }, b.basic);
      const bProfile = await profileIdOf(b, 'b-user');

      const profile = await get(`/api/v1/profiles/${bProfile}`, a.admin);
      expect(profile.statusCode).toBe(404);
      expect((profile.json() as ErrorBody).error.code).toBe('profile_not_found');
      const timeline = await get(`/api/v1/profiles/${bProfile}/events`, a.admin);
      expect(timeline.statusCode).toBe(404);
      expect((timeline.json() as ErrorBody).error.code).toBe('profile_not_found');
      expect((await get(`/api/v1/profiles/${bProfile}/events`, b.admin)).statusCode).toBe(200);
    });
  });
});

describe('group commit', () => {
  describe('when 50 calls arrive at once', () => {
    it('answers 200 to each only after all 50 events are stored', async () => {
      const ws = await createTestWorkspace(server);
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => post('/v1/track', { userId: `user-${i % 10}`, event: 'E', messageId: `c-${i}` }, ws.basic)),
      );
      expect(responses.map((r) => r.statusCode)).toEqual(Array.from({ length: 50 }, () => 200));
      for (const r of responses) expect(r.json()).toMatchObject({ accepted: 1 });
      const stored = await storedEvents(ws.workspaceId);
      expect(new Set(stored.map((e) => e.message_id)).size).toBe(50);
      expect(stored.every((e) => e.profile_id !== null)).toBe(true);
    });
  });
});

describe('input the database cannot store', () => {
  const poisons: { name: string; body: string; status: number }[] = [
    { name: 'NUL in a value', body: '{"userId":"a1","event":"E","messageId":"p-nul","properties":{"note":"x\\u0000y"}}', status: 200 },
    { name: 'NUL in a key and in userId', body: '{"userId":"a\\u00002","event":"E","messageId":"p-key","properties":{"k\\u0000":1}}', status: 200 },
    { name: 'a lone surrogate', body: '{"userId":"a3","event":"E","messageId":"p-sur","properties":{"name":"\\ud800"}}', status: 200 },
    { name: 'a timestamp PostgreSQL cannot hold', body: '{"userId":"a4","event":"E","messageId":"p-ts","timestamp":"-100000-01-01T00:00:00Z"}', status: 200 },
    { name: '4,000 levels of nesting', body: `{"userId":"a5","event":"E","messageId":"p-deep","properties":{"x":${'{"a":'.repeat(4000)}1${'}'.repeat(4000)}}}`, status: 400 },
  ];

  describe('when one workspace sends it while another sends 300 events at once', () => {
    it('answers every event of the other workspace 2xx and stores them, and stores or refuses the bad ones alone', async () => {
      const a = await createTestWorkspace(server);
      const b = await createTestWorkspace(server);
      const bad = poisons.map((p) =>
        server.app.inject({ method: 'POST', url: '/v1/track', headers: { ...a.basic, 'content-type': 'application/json' }, payload: p.body }),
      );
      const good = Array.from({ length: 300 }, (_, i) => post('/v1/track', { userId: `b-${i % 30}`, event: 'E', messageId: `b-${i}` }, b.basic));
      const [badRes, goodRes] = await Promise.all([Promise.all(bad), Promise.all(good)]);

      expect(goodRes.filter((r) => r.statusCode !== 200).map((r) => r.body)).toEqual([]);
      expect(await storedEvents(b.workspaceId)).toHaveLength(300);
      expect(badRes.map((r) => r.statusCode)).toEqual(poisons.map((p) => p.status));
      expect((badRes[4]!.json() as ErrorBody).error).toMatchObject({ code: 'invalid_field', field: expect.stringMatching(/^properties\.x(\.a)+$/) });
      expect((await storedEvents(a.workspaceId)).map((e) => e.message_id).sort()).toEqual(['p-key', 'p-nul', 'p-sur', 'p-ts']);
    });
  });

  describe('when an event was repaired to store it', () => {
    it('shows what was changed, and where, on the timeline', async () => {
      const ws = await createTestWorkspace(server);
      const res = await server.app.inject({
        method: 'POST',
        url: '/v1/track',
        headers: { ...ws.basic, 'content-type': 'application/json' },
        payload: '{"userId":"u1","event":"E","properties":{"note":"x\\u0000y","name":"\\udfff"},"sentAt":"not a date","context":{"ip":"1.2.3.4"}}',
      });
      expect(res.statusCode).toBe(200);
      const [event] = await timelineOf(ws, 'u1');
      expect(event).toMatchObject({
        properties: { note: 'xy', name: '\ufffd' },
        context: { ip: '1.2.3.4', omni: { invalidTimestamps: { sentAt: 'not a date' } } },
        notes: {
          warnings: [
            { code: 'nul_removed', count: 1, fields: ['properties.note'] },
            { code: 'lone_surrogate_replaced', count: 1, fields: ['properties.name'] },
            { code: 'timestamp_replaced', count: 1, fields: ['sentAt'] },
          ],
          droppedIdentifiers: [],
        },
      });
    });
  });

  describe('when one batch item is nested deeper than 64 levels', () => {
    it('refuses that item by index and stores the others', async () => {
      const ws = await createTestWorkspace(server);
      // 100,000 levels of arrays: 200 KB, under the batch limit.
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const item = (id: string, properties = '{}') => `{"type":"track","userId":"u1","event":"E","messageId":"${id}","properties":${properties}}`;
      const res = await server.app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { ...ws.basic, 'content-type': 'application/json' },
        payload: `{"batch":[${item('ok-0')},${item('deep-1', `{"deep":${deep}}`)},${item('ok-2')}]}`,
      });
      expect(res.statusCode).toBe(200);
      expect((res.json() as IngestBody).rejected).toEqual([expect.objectContaining({ index: 1, code: 'invalid_field', message: expect.stringContaining('64 levels') })]);
      expect((await storedEvents(ws.workspaceId)).map((e) => e.message_id)).toEqual(['ok-0', 'ok-2']);
    });
  });
});

describe('IngestWriter isolation', () => {
  /**
   * A value the database refuses, made real for this test only: a CHECK constraint on a marker
   * no other test sends (no mock; the commit truly fails in PostgreSQL or PGlite).
   */
  async function withRefusedValue<T>(table: 'events' | 'profiles', run: (marker: string) => Promise<T>): Promise<T> {
    const marker = `poison-${crypto.randomUUID()}`;
    const name = `test_refuse_${marker.replace(/-/g, '_')}`;
    const column = table === 'events' ? sql.raw(`payload->'properties'->>'poison'`) : sql.raw(`traits->>'poison'`);
    await server.db.orm.execute(sql`ALTER TABLE ${sql.raw(table)} ADD CONSTRAINT ${sql.raw(name)} CHECK (${column} IS DISTINCT FROM ${sql.raw(`'${marker}'`)}) NOT VALID`);
    try {
      return await run(marker);
    } finally {
      await server.db.orm.execute(sql`ALTER TABLE ${sql.raw(table)} DROP CONSTRAINT ${sql.raw(name)}`);
    }
  }

  describe.each([
    { stage: 'the events insert (stage 2)', table: 'events' as const, poison: (marker: string) => ({ userId: 'a-bad', event: 'E', properties: { poison: marker } }) },
    { stage: 'identity resolution (stage 1)', table: 'profiles' as const, poison: (marker: string) => ({ userId: 'a-bad', traits: { poison: marker } }) },
  ])('when the database refuses one event in $stage', ({ table, poison }) => {
    it("answers only that event's request with an error, while another workspace's 300 events are all stored", async () => {
      const a = await createTestWorkspace(server);
      const b = await createTestWorkspace(server);
      await withRefusedValue(table, async (marker) => {
        const path = table === 'events' ? '/v1/track' : '/v1/identify';
        const badSingle = post(path, { ...poison(marker), messageId: 'a-bad-single' }, a.basic);
        const aGood = Array.from({ length: 20 }, (_, i) => post('/v1/track', { userId: `a-${i}`, event: 'E', messageId: `a-good-${i}` }, a.basic));
        const mixed = post('/v1/batch', {
          batch: [
            { type: 'track', userId: 'a-m', event: 'E', messageId: 'a-mixed-0' },
            { type: path.slice(4), ...poison(marker), messageId: 'a-mixed-1' },
            { type: 'track', userId: 'a-m', event: 'E', messageId: 'a-mixed-2' },
          ],
        }, a.basic);
        const bAll = Array.from({ length: 300 }, (_, i) => post('/v1/track', { userId: `b-${i % 40}`, event: 'E', messageId: `b-${i}` }, b.basic));
        const [bad, good, mix, bRes] = await Promise.all([badSingle, Promise.all(aGood), mixed, Promise.all(bAll)]);

        expect(bRes.filter((r) => r.statusCode !== 200).map((r) => r.body)).toEqual([]);
        expect(await storedEvents(b.workspaceId)).toHaveLength(300);
        expect(bad.statusCode).toBe(400);
        expect((bad.json() as ErrorBody).error).toMatchObject({ code: 'unstorable_event', message: expect.stringContaining('SQLSTATE 23514') });
        expect(good.map((r) => r.statusCode)).toEqual(good.map(() => 200));
        expect(mix.statusCode).toBe(200);
        expect(mix.json()).toMatchObject({ accepted: 2, rejected: [{ index: 1, code: 'unstorable_event' }] });
        const stored = (await storedEvents(a.workspaceId)).map((e) => e.message_id);
        expect(stored).toHaveLength(22);
        expect(stored).not.toContain('a-bad-single');
        expect(stored).not.toContain('a-mixed-1');
      });
    });
  });
});

describe('identifier values', () => {
  describe('when a 450 KB batch carries phones of 30,000 spaces', () => {
    it('stores the events without making those phones identifiers', async () => {
      // Once 16 s of one regular expression, with every other request waiting (see normalize.ts).
      const ws = await createTestWorkspace(server);
      const phone = `1${' '.repeat(30_000)}2`;
      const batch = Array.from({ length: 15 }, (_, i) => ({ type: 'identify', userId: `u-${i}`, messageId: `p-${i}`, traits: { phone } }));
      const res = await post('/v1/batch', { batch }, ws.basic);
      expect(res.statusCode).toBe(200);
      expect((res.json() as IngestBody).accepted).toBe(15);
      const types = await rows<{ type: string }>(server.db.orm, sql`SELECT DISTINCT type FROM identifiers WHERE workspace_id = ${ws.workspaceId}`);
      expect(types.map((t) => t.type)).toEqual(['user_id']);
    });
  });
});

describe('blocked identifier values', () => {
  describe('when the only id is a blocked value such as "null"', () => {
    it('stores the event without making "null" an identifier', async () => {
      const ws = await createTestWorkspace(server);
      const res = await post('/v1/track', { userId: 'null', event: 'E', messageId: 'blocked-1' }, ws.basic);
      expect(res.statusCode).toBe(200);
      expect((res.json() as IngestBody).accepted).toBe(1);

      const [stored] = await storedEvents(ws.workspaceId);
      expect(stored).toMatchObject({ message_id: 'blocked-1', user_id: 'null', profile_id: null });
      expect((await get('/api/v1/profiles/lookup?type=user_id&value=null', ws.admin)).statusCode).toBe(404);
      const ids = await rows<{ value: string }>(server.db.orm, sql`SELECT value FROM identifiers WHERE workspace_id = ${ws.workspaceId}`);
      expect(ids).toEqual([]);
    });
  });
});

describe('GET /v1/projects/{writeKey}/settings (Segment libraries)', () => {
  describe('when the write key is a live source', () => {
    it('sends the library back to this host with the key, to no other destination, readable cross-origin', async () => {
      const ws = await createTestWorkspace(server);
      const res = await get(`/v1/projects/${ws.writeKey}/settings`, { host: 'omni.example.vn:8443', origin: 'https://shop.example.vn' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('https://shop.example.vn');
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.json() as { integrations: Record<string, { apiKey: string; apiHost: string; protocol: string }>; remotePlugins: unknown[] };
      expect(Object.keys(body.integrations)).toEqual(['Segment.io']);
      expect(body.integrations['Segment.io']).toMatchObject({ apiKey: ws.writeKey, apiHost: 'omni.example.vn:8443/v1', protocol: 'http' });
      expect(body.remotePlugins).toEqual([]);
      // Nothing of the workspace beyond what the page already holds.
      expect(res.body).not.toContain(ws.workspaceId);
      expect(res.body).not.toContain(ws.sourceId);
    });
  });

  describe('when the write key is unknown or revoked', () => {
    it('answers 401 invalid_write_key as JSON', async () => {
      const ws = await createTestWorkspace(server);
      expect((await server.app.inject({ method: 'DELETE', url: `/api/v1/sources/${ws.sourceId}`, headers: ws.admin })).statusCode).toBe(200);
      for (const key of [ws.writeKey, 'nope', '%00', 'x'.repeat(300)]) {
        const res = await get(`/v1/projects/${key}/settings`, {});
        expect(res.statusCode, key).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, key).toBeLessThan(500);
        expect(res.headers['content-type'], key).toContain('application/json');
      }
      expect((await get(`/v1/projects/${ws.writeKey}/settings`, {})).json()).toMatchObject({ error: { code: 'invalid_write_key' } });
    });
  });

  describe('when a source fetches settings past its rate limit', () => {
    it('answers 429 with Retry-After', async () => {
      const ws = await createTestWorkspace(server);
      const limited = await ws.addSource('web', { rateLimit: 2 });
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await get(`/v1/projects/${limited.writeKey}/settings`, {})).statusCode);
      expect(codes).toContain(429);
    });
  });
});

/** A browser's CORS preflight for a POST from the shop's origin, naming these request headers. */
function preflight(url: string, requestHeaders: string) {
  return server.app.inject({
    method: 'OPTIONS',
    url,
    headers: { origin: 'https://shop.example.vn', 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders },
  });
}

describe("Analytics.js's one-letter paths", () => {
  describe('when events come as text/plain with the write key in the body', () => {
    it('stores each under its type, and a batch through /v1/b', async () => {
      const ws = await createTestWorkspace(server);
      const send = (url: string, body: unknown) =>
        server.app.inject({ method: 'POST', url, headers: { 'content-type': 'text/plain', origin: 'https://shop.example.vn' }, payload: JSON.stringify(body) });
      const base = { anonymousId: 'anon-short', writeKey: ws.writeKey };
      const calls: [string, Record<string, unknown>][] = [
        ['/v1/i', { type: 'identify', userId: 'u-short', traits: { email: 'short@example.vn' } }],
        ['/v1/t', { type: 'track', event: 'Product Viewed' }],
        ['/v1/p', { type: 'page', name: 'Home' }],
        ['/v1/s', { type: 'screen', name: 'Home' }],
        ['/v1/g', { type: 'group', groupId: 'g-1' }],
        ['/v1/a', { type: 'alias', userId: 'u-short', previousId: 'anon-short' }],
      ];
      for (const [url, body] of calls) {
        const res = await send(url, { ...base, messageId: `m${url}`, ...body });
        expect(res.statusCode, url).toBe(200);
        expect(res.headers['access-control-allow-origin'], url).toBe('https://shop.example.vn');
      }
      const batch = await send('/v1/b', { writeKey: ws.writeKey, batch: [{ type: 'track', event: 'Added', anonymousId: 'anon-short', messageId: 'mb' }] });
      expect(batch.statusCode).toBe(200);
      const stored = await storedEvents(ws.workspaceId);
      expect(stored.map((e) => e.type).sort()).toEqual(['alias', 'group', 'identify', 'page', 'screen', 'track', 'track']);
    });
  });

  describe('when a browser asks before a retry', () => {
    it('allows the X-Retry-Count header', async () => {
      const res = await preflight('/v1/t', 'content-type,x-retry-count');
      expect(res.statusCode).toBeLessThan(300);
      expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('x-retry-count');
    });
  });
});

describe('GET /sourceConfig (RudderStack SDKs)', () => {
  describe('when the write key comes as HTTP Basic or ?writeKey=', () => {
    it('describes the source, enabled and with no destinations, readable cross-origin', async () => {
      const ws = await createTestWorkspace(server);
      for (const [url, headers] of [
        ['/sourceConfig/?p=npm&v=3.34.1&build=modern', { ...ws.basic, origin: 'https://shop.example.vn' }],
        [`/sourceConfig?writeKey=${ws.writeKey}`, { origin: 'https://shop.example.vn' }],
      ] as const) {
        const res = await get(url, headers);
        expect(res.statusCode, url).toBe(200);
        expect(res.headers['access-control-allow-origin'], url).toBe('https://shop.example.vn');
        expect(res.json(), url).toMatchObject({ source: { id: ws.sourceId, workspaceId: ws.workspaceId, enabled: true, destinations: [] } });
        expect(res.body, url).not.toContain(ws.writeKey);
      }
    });
  });

  describe('when the write key is missing, unknown or revoked', () => {
    it('answers 401 invalid_write_key as JSON', async () => {
      const ws = await createTestWorkspace(server);
      expect((await server.app.inject({ method: 'DELETE', url: `/api/v1/sources/${ws.sourceId}`, headers: ws.admin })).statusCode).toBe(200);
      for (const url of ['/sourceConfig/', '/sourceConfig/?writeKey=nope', `/sourceConfig/?writeKey=${ws.writeKey}`]) {
        const res = await get(url, {});
        expect(res.statusCode, url).toBe(401);
        expect(res.json(), url).toMatchObject({ error: { code: 'invalid_write_key' } });
      }
    });
  });

  describe("when a preflight names RudderStack's headers", () => {
    it('allows them', async () => {
      const res = await preflight('/v1/batch', 'anonymousid,sentat,rsa-retry-attempt,rsa-retry-reason,content-type,authorization');
      expect(res.statusCode).toBeLessThan(300);
      const allowed = String(res.headers['access-control-allow-headers']).toLowerCase();
      for (const h of ['anonymousid', 'sentat', 'rsa-retry-attempt', 'authorization']) expect(allowed, h).toContain(h);
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });
  });
});

describe('POST /beacon/v1/batch (RudderStack useBeacon)', () => {
  describe('when a page sends its batch with navigator.sendBeacon', () => {
    it('stores it, the write key in the query, the body text/plain', async () => {
      const ws = await createTestWorkspace(server);
      const res = await server.app.inject({
        method: 'POST',
        url: `/beacon/v1/batch?writeKey=${encodeURIComponent(ws.writeKey)}`,
        headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://shop.example.vn' },
        payload: JSON.stringify({ batch: [{ type: 'track', event: 'Order Completed', anonymousId: 'anon-beacon', messageId: 'beacon-1' }], sentAt: new Date().toISOString() }),
      });
      expect(res.statusCode).toBe(200);
      expect((await storedEvents(ws.workspaceId)).map((e) => e.message_id)).toEqual(['beacon-1']);
    });

    it('refuses a wrong key with 401 and stores nothing', async () => {
      const ws = await createTestWorkspace(server);
      const res = await server.app.inject({ method: 'POST', url: '/beacon/v1/batch?writeKey=nope', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify({ batch: [{ type: 'track', event: 'X', anonymousId: 'a' }] }) });
      expect(res.statusCode).toBe(401);
      expect(await storedEvents(ws.workspaceId)).toEqual([]);
    });
  });
});
