import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, startTestServer, type TestServer, type TestWorkspace } from '../../test/helpers';
import type { ProfileView as Profile } from '../modules/profiles';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

type Auth = { authorization: string };

interface IngestBody {
  success: boolean;
  accepted: number;
  duplicates: number;
  suppressed: number;
  rejected: unknown[];
}

interface ErrorBody {
  error: { code: string; message: string };
}

interface ExportBody {
  exportedAt: string;
  profile: Profile;
  merges: { fromProfileId: string; intoProfileId: string; reason: { identifiers: { type: string; value: string }[]; messageId: string } }[];
  events: { messageId: string; profileId: string; type: string; channel: string; properties: Record<string, unknown>; traits: Record<string, unknown> }[];
}

interface EraseBody {
  erased: boolean;
  profileIds: string[];
  identifiers: number;
  events: number;
  orders: number;
}

async function send(auth: Auth, type: string, body: Record<string, unknown>): Promise<IngestBody> {
  const res = await server.app.inject({ method: 'POST', url: `/v1/${type}`, headers: auth, payload: body });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as IngestBody;
}

const get = (ws: { admin: Auth }, url: string) => server.app.inject({ method: 'GET', url, headers: ws.admin });
const del = (ws: { admin: Auth }, id: string) => server.app.inject({ method: 'DELETE', url: `/api/v1/profiles/${id}`, headers: ws.admin });

const lookupUrl = (type: string, value: string) =>
  `/api/v1/profiles/lookup?type=${encodeURIComponent(type)}&value=${encodeURIComponent(value)}`;

async function lookup(ws: TestWorkspace, type: string, value: string): Promise<Profile> {
  const res = await get(ws, lookupUrl(type, value));
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Profile;
}

async function exportOf(ws: TestWorkspace, id: string): Promise<ExportBody> {
  const res = await get(ws, `/api/v1/profiles/${id}/export`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as ExportBody;
}

async function erase(ws: TestWorkspace, id: string): Promise<EraseBody> {
  const res = await del(ws, id);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as EraseBody;
}

async function searchIds(ws: TestWorkspace, q = ''): Promise<string[]> {
  const res = await get(ws, `/api/v1/profiles${q ? `?q=${encodeURIComponent(q)}` : ''}`);
  expect(res.statusCode).toBe(200);
  return (res.json() as { data: Profile[] }).data.map((p) => p.id);
}

const day = (n: number) => `2026-01-${String(n).padStart(2, '0')}T09:00:00.000Z`;

/**
 * An Lan: web visitor (a1) who signs up with her email, and a POS customer (by phone) — two
 * profiles until an event names both, so the person is made of a survivor and a merged profile.
 */
async function seedPerson(ws: TestWorkspace) {
  const pos = await ws.addSource('pos');
  await send(ws.basic, 'track', { anonymousId: 'a1', event: 'Product Viewed', properties: { sku: 'AO-1' }, timestamp: day(1), messageId: 'p-view' });
  await send(ws.basic, 'identify', { anonymousId: 'a1', traits: { email: 'lan@example.vn', name: 'Phạm Thị Lan' }, timestamp: day(2), messageId: 'p-signup' });
  await send(pos.basic, 'track', { anonymousId: 'pos-9', event: 'Order Completed', properties: { total: 250000 }, context: { traits: { phone: '0912345678' } }, timestamp: day(3), messageId: 'p-order' });
  const web = await lookup(ws, 'email', 'lan@example.vn');
  const shop = await lookup(ws, 'phone', '0912345678');
  await send(pos.basic, 'identify', { anonymousId: 'pos-10', traits: { phone: '0912345678', email: 'lan@example.vn' }, timestamp: day(4), messageId: 'p-link' });
  return { pos, survivorId: web.id, mergedId: shop.id };
}

/** Somebody else in the same workspace, who must survive the erasure untouched. */
async function seedBystander(ws: TestWorkspace): Promise<Profile> {
  await send(ws.basic, 'identify', { userId: 'u-binh', traits: { email: 'binh@example.vn', name: 'Trần Bình' }, timestamp: day(5), messageId: 'b-signup' });
  return lookup(ws, 'user_id', 'u-binh');
}

// ---------------------------------------------------------------------------------------------

describe('GET /api/v1/profiles/:id/export', () => {
  describe('when the person was merged from several profiles', () => {
    it('returns the profile with its identifiers and traits', async () => {
      const ws = await createTestWorkspace(server);
      const { survivorId, mergedId } = await seedPerson(ws);
      const out = await exportOf(ws, survivorId);
      expect(Date.parse(out.exportedAt)).not.toBeNaN();
      expect(out.profile.id).toBe(survivorId);
      expect(out.profile.mergedProfileIds).toEqual([mergedId]);
      expect(out.profile.traits).toMatchObject({ name: 'Phạm Thị Lan', email: 'lan@example.vn' });
      expect(out.profile.identifiers).toEqual(
        expect.arrayContaining([
          { type: 'anonymous_id', value: 'a1' },
          { type: 'anonymous_id', value: 'pos-9' },
          { type: 'anonymous_id', value: 'pos-10' },
          { type: 'email', value: 'lan@example.vn' },
          { type: 'phone', value: '+84912345678' },
        ]),
      );
      expect(out.profile.identifiers).toHaveLength(5);
    });

    it('returns the merge history', async () => {
      const ws = await createTestWorkspace(server);
      const { survivorId, mergedId } = await seedPerson(ws);
      const out = await exportOf(ws, survivorId);
      expect(out.merges).toEqual([
        expect.objectContaining({
          fromProfileId: mergedId,
          intoProfileId: survivorId,
          reason: { identifiers: [{ type: 'phone', value: '+84912345678' }], messageId: 'p-link' },
        }),
      ]);
    });

    it("returns every event, the merged profile's included, oldest first with their contents", async () => {
      const ws = await createTestWorkspace(server);
      const { survivorId, mergedId } = await seedPerson(ws);
      const out = await exportOf(ws, survivorId);
      expect(out.events.map((e) => [e.messageId, e.channel])).toEqual([
        ['p-view', 'web'],
        ['p-signup', 'web'],
        ['p-order', 'pos'],
        ['p-link', 'pos'],
      ]);
      expect(out.events.find((e) => e.messageId === 'p-order')).toMatchObject({ profileId: mergedId, properties: { total: 250000 } });
      expect(out.events.find((e) => e.messageId === 'p-signup')?.traits).toEqual({ email: 'lan@example.vn', name: 'Phạm Thị Lan' });
    });

    it('gives the same export for the merged-away id', async () => {
      const ws = await createTestWorkspace(server);
      const { survivorId, mergedId } = await seedPerson(ws);
      const out = await exportOf(ws, mergedId);
      expect(out.profile.id).toBe(survivorId);
      expect(out.events).toHaveLength(4);
    });
  });

  it('leaves other people out', async () => {
    const ws = await createTestWorkspace(server);
    const { survivorId } = await seedPerson(ws);
    await seedBystander(ws);
    const out = await exportOf(ws, survivorId);
    expect(out.events.map((e) => e.messageId)).not.toContain('b-signup');
    expect(JSON.stringify(out)).not.toContain('binh@example.vn');
  });

  it('answers 404 profile_not_found for an unknown id', async () => {
    const ws = await createTestWorkspace(server);
    const res = await get(ws, '/api/v1/profiles/prf_nobody/export');
    expect(res.statusCode).toBe(404);
    expect((res.json() as ErrorBody).error.code).toBe('profile_not_found');
  });
});

describe('DELETE /api/v1/profiles/:id', () => {
  describe('when the person exists', () => {
    it('erases the profile, the profiles merged into it, their identifiers and events', async () => {
      const ws = await createTestWorkspace(server);
      const { survivorId, mergedId } = await seedPerson(ws);
      const out = await erase(ws, survivorId);
      expect(out).toEqual({ erased: true, profileIds: expect.any(Array), identifiers: 5, events: 4, orders: 0 });
      expect([...out.profileIds].sort()).toEqual([survivorId, mergedId].sort());

      for (const id of [survivorId, mergedId]) {
        for (const url of [`/api/v1/profiles/${id}`, `/api/v1/profiles/${id}/events`, `/api/v1/profiles/${id}/merges`, `/api/v1/profiles/${id}/export`]) {
          const res = await get(ws, url);
          expect(res.statusCode, url).toBe(404);
          expect((res.json() as ErrorBody).error.code).toBe('profile_not_found');
        }
      }
    });

    it('leaves nothing to find by lookup or search', async () => {
      const ws = await createTestWorkspace(server);
      const { survivorId } = await seedPerson(ws);
      await erase(ws, survivorId);
      for (const [type, value] of [['email', 'lan@example.vn'], ['phone', '0912345678'], ['anonymous_id', 'a1'], ['anonymous_id', 'pos-9']] as const) {
        expect((await get(ws, lookupUrl(type, value))).statusCode, `${type} ${value}`).toBe(404);
      }
      expect(await searchIds(ws)).toEqual([]);
      expect(await searchIds(ws, 'pham thi lan')).toEqual([]);
    });

    it('erases the whole person when given a merged-away id', async () => {
      const ws = await createTestWorkspace(server);
      const { survivorId, mergedId } = await seedPerson(ws);
      const out = await erase(ws, mergedId);
      expect([...out.profileIds].sort()).toEqual([survivorId, mergedId].sort());
      expect((await get(ws, `/api/v1/profiles/${survivorId}`)).statusCode).toBe(404);
    });

    it('leaves other people in the workspace untouched', async () => {
      const ws = await createTestWorkspace(server);
      const { survivorId } = await seedPerson(ws);
      const binh = await seedBystander(ws);
      await erase(ws, survivorId);
      const after = await lookup(ws, 'email', 'binh@example.vn');
      expect(after).toMatchObject({ id: binh.id, eventCount: 1, traits: { name: 'Trần Bình' } });
      expect((await exportOf(ws, binh.id)).events.map((e) => e.messageId)).toEqual(['b-signup']);
      expect(await searchIds(ws)).toEqual([binh.id]);
    });

    it('answers 404 when asked to erase the same person again', async () => {
      const ws = await createTestWorkspace(server);
      const { survivorId } = await seedPerson(ws);
      await erase(ws, survivorId);
      const res = await del(ws, survivorId);
      expect(res.statusCode).toBe(404);
      expect((res.json() as ErrorBody).error.code).toBe('profile_not_found');
    });
  });

  describe('when later events carry an erased identifier', () => {
    it('drops an event with the same email, counts it as suppressed and does not re-create the person', async () => {
      const ws = await createTestWorkspace(server);
      const { survivorId } = await seedPerson(ws);
      await erase(ws, survivorId);
      const res = await send(ws.basic, 'identify', { userId: 'u-new', traits: { email: 'LAN@example.vn ', name: 'Phạm Thị Lan' } });
      expect(res).toEqual({ success: true, accepted: 0, duplicates: 0, suppressed: 1, rejected: [] });
      expect((await get(ws, lookupUrl('email', 'lan@example.vn'))).statusCode).toBe(404);
      expect((await get(ws, lookupUrl('user_id', 'u-new'))).statusCode).toBe(404);
      expect(await searchIds(ws)).toEqual([]);
    });

    it.each([
      ['the phone in another format', { anonymousId: 'kiosk-1', context: { traits: { phone: '+84 912 345 678' } } }],
      ['the anonymous id', { anonymousId: 'a1' }],
      ['an erased id next to unknown ones', { userId: 'u-other', anonymousId: 'pos-9', context: { traits: { email: 'other@example.vn' } } }],
    ])('drops an event carrying %s', async (_what, body) => {
      const ws = await createTestWorkspace(server);
      const { survivorId } = await seedPerson(ws);
      await erase(ws, survivorId);
      const res = await send(ws.basic, 'track', { event: 'Product Viewed', ...body });
      expect(res).toMatchObject({ accepted: 0, suppressed: 1 });
      expect(await searchIds(ws)).toEqual([]);
    });

    it('drops an alias whose previousId is an erased anonymous id', async () => {
      const ws = await createTestWorkspace(server);
      const { survivorId } = await seedPerson(ws);
      await erase(ws, survivorId);
      const res = await send(ws.basic, 'alias', { previousId: 'a1', userId: 'u-new' });
      expect(res).toMatchObject({ accepted: 0, suppressed: 1 });
      expect((await get(ws, lookupUrl('anonymous_id', 'a1'))).statusCode).toBe(404);
      expect((await get(ws, lookupUrl('user_id', 'u-new'))).statusCode).toBe(404);
    });

    it('keeps the other events of a batch', async () => {
      const ws = await createTestWorkspace(server);
      const { survivorId } = await seedPerson(ws);
      await erase(ws, survivorId);
      const res = await send(ws.basic, 'batch', {
        batch: [
          { type: 'track', anonymousId: 'x1', event: 'Product Viewed', context: { traits: { email: 'lan@example.vn' } } },
          { type: 'identify', userId: 'u-chi', traits: { email: 'chi@example.vn' } },
        ],
      });
      expect(res).toMatchObject({ accepted: 1, suppressed: 1, duplicates: 0 });
      expect((await lookup(ws, 'email', 'chi@example.vn')).identifiers).toEqual([
        { type: 'email', value: 'chi@example.vn' },
        { type: 'user_id', value: 'u-chi' },
      ]);
      expect((await get(ws, lookupUrl('anonymous_id', 'x1'))).statusCode).toBe(404);
    });

    it('still accepts events about the same email in another workspace', async () => {
      const a = await createTestWorkspace(server);
      const b = await createTestWorkspace(server);
      await send(b.basic, 'identify', { userId: 'u-lan', traits: { email: 'lan@example.vn' } });
      const { survivorId } = await seedPerson(a);
      await erase(a, survivorId);

      const res = await send(b.basic, 'track', { anonymousId: 'b-1', event: 'Product Viewed', context: { traits: { email: 'lan@example.vn' } } });
      expect(res).toMatchObject({ accepted: 1, suppressed: 0 });
      const inB = await lookup(b, 'email', 'lan@example.vn');
      expect(inB.eventCount).toBe(2);
      expect(inB.identifiers).toEqual(expect.arrayContaining([{ type: 'anonymous_id', value: 'b-1' }]));
    });
  });

  it('answers 404 profile_not_found for an unknown id', async () => {
    const ws = await createTestWorkspace(server);
    const res = await del(ws, 'prf_nobody');
    expect(res.statusCode).toBe(404);
    expect((res.json() as ErrorBody).error.code).toBe('profile_not_found');
  });

  it('requires an admin token', async () => {
    const ws = await createTestWorkspace(server);
    const { survivorId } = await seedPerson(ws);
    const res = await server.app.inject({ method: 'DELETE', url: `/api/v1/profiles/${survivorId}`, headers: ws.basic });
    expect(res.statusCode).toBe(401);
    expect((await lookup(ws, 'email', 'lan@example.vn')).id).toBe(survivorId);
  });
});

describe('tenant isolation', () => {
  it("does not let workspace B export or erase workspace A's person", async () => {
    const a = await createTestWorkspace(server);
    const b = await createTestWorkspace(server);
    const { survivorId, mergedId } = await seedPerson(a);

    for (const id of [survivorId, mergedId]) {
      const exported = await get(b, `/api/v1/profiles/${id}/export`);
      expect(exported.statusCode).toBe(404);
      expect(exported.body).not.toContain('lan@example.vn');
      const deleted = await del(b, id);
      expect(deleted.statusCode).toBe(404);
      expect((deleted.json() as ErrorBody).error.code).toBe('profile_not_found');
    }

    const still = await exportOf(a, survivorId);
    expect(still.events).toHaveLength(4);
    // B's failed attempt suppressed nothing in A.
    expect(await send(a.basic, 'track', { anonymousId: 'a1', event: 'Product Viewed' })).toMatchObject({ accepted: 1, suppressed: 0 });
  });
});
