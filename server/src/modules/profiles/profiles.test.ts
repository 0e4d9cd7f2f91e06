import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, startTestServer, type TestServer, type TestWorkspace } from '../../../test/helpers';
import type { ProfileView as Profile } from './profiles.service';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

type Auth = { authorization: string };
type Body = Record<string, unknown>;

interface IngestBody {
  success: boolean;
  accepted: number;
  duplicates: number;
  suppressed: number;
  rejected: unknown[];
}

interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

interface TimelineEvent {
  messageId: string;
  profileId: string | null;
  type: string;
  event: string | null;
  channel: string;
  timestamp: string;
}

interface TimelineBody {
  data: TimelineEvent[];
  nextCursor: string | null;
}

interface MergeEntry {
  id: string;
  fromProfileId: string;
  intoProfileId: string;
  reason: { identifiers: { type: string; value: string }[]; messageId: string };
  mergedAt: string;
}

interface SearchBody {
  data: Profile[];
  nextCursor: string | null;
}

/** Send one Segment call (or a batch) with a write key; every event must be accepted. */
async function send(auth: Auth, type: string, body: Body): Promise<IngestBody> {
  const res = await server.app.inject({ method: 'POST', url: `/v1/${type}`, headers: auth, payload: body });
  expect(res.statusCode, res.body).toBe(200);
  const out = res.json() as IngestBody;
  expect(out.rejected).toEqual([]);
  return out;
}

function get(ws: { admin: Auth }, url: string) {
  return server.app.inject({ method: 'GET', url, headers: ws.admin });
}

async function getOk<T>(ws: { admin: Auth }, url: string): Promise<T> {
  const res = await get(ws, url);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as T;
}

const lookupUrl = (type: string, value: string) =>
  `/api/v1/profiles/lookup?type=${encodeURIComponent(type)}&value=${encodeURIComponent(value)}`;

const lookup = (ws: TestWorkspace, type: string, value: string) => getOk<Profile>(ws, lookupUrl(type, value));

async function lookupStatus(ws: TestWorkspace, type: string, value: string): Promise<number> {
  return (await get(ws, lookupUrl(type, value))).statusCode;
}

const timeline = (ws: TestWorkspace, id: string, query = '') => getOk<TimelineBody>(ws, `/api/v1/profiles/${id}/events${query}`);
const merges = async (ws: TestWorkspace, id: string) => (await getOk<{ data: MergeEntry[] }>(ws, `/api/v1/profiles/${id}/merges`)).data;
const search = (ws: TestWorkspace, query: string) => getOk<SearchBody>(ws, `/api/v1/profiles${query}`);

const valuesOf = (p: Profile, type: string) => p.identifiers.filter((i) => i.type === type).map((i) => i.value).sort();

/** A distinct, increasing event time for readable ordering assertions. */
const day = (n: number) => `2026-01-${String(n).padStart(2, '0')}T09:00:00.000Z`;

// ---------------------------------------------------------------------------------------------

describe('identity resolution through /v1/*', () => {
  describe('when events carry identifiers in different places', () => {
    it('treats userId, anonymousId, traits, context.traits and context.externalIds as identifiers of one person', async () => {
      const ws = await createTestWorkspace(server);
      await send(ws.basic, 'identify', { userId: 'u1', anonymousId: 'a1', traits: { email: 'an@example.vn' } });
      await send(ws.basic, 'track', {
        userId: 'u1',
        event: 'Product Viewed',
        context: {
          traits: { phone: '0912345678' },
          externalIds: [{ id: 'zl-1', type: 'zalo_id', collection: 'users', encoding: 'none' }],
        },
      });
      const p = await lookup(ws, 'user_id', 'u1');
      expect(valuesOf(p, 'anonymous_id')).toEqual(['a1']);
      expect(valuesOf(p, 'email')).toEqual(['an@example.vn']);
      expect(valuesOf(p, 'phone')).toEqual(['+84912345678']);
      expect(valuesOf(p, 'zalo_id')).toEqual(['zl-1']);
      for (const [type, value] of [['anonymous_id', 'a1'], ['email', 'an@example.vn'], ['phone', '+84912345678'], ['zalo_id', 'zl-1']] as const) {
        expect((await lookup(ws, type, value)).id).toBe(p.id);
      }
    });

    it('links a later event to the person by an externalId alone', async () => {
      const ws = await createTestWorkspace(server);
      await send(ws.basic, 'identify', { userId: 'u1', context: { externalIds: [{ id: 'zl-1', type: 'zalo_id', collection: 'users', encoding: 'none' }] } });
      await send(ws.basic, 'track', {
        anonymousId: 'zalo-session',
        event: 'Message Sent',
        context: { externalIds: [{ id: 'zl-1', type: 'zalo_id', collection: 'users', encoding: 'none' }] },
      });
      const p = await lookup(ws, 'user_id', 'u1');
      expect(valuesOf(p, 'anonymous_id')).toEqual(['zalo-session']);
      expect(p.eventCount).toBe(2);
    });
  });

  describe('when the same phone is written in different ways', () => {
    it('puts every form of one number on one profile, stored as E.164', async () => {
      const ws = await createTestWorkspace(server);
      const forms = ['0912 345 678', '+84912345678', '84912345678', '(+84) 912-345-678'];
      for (const [i, phone] of forms.entries()) {
        await send(ws.basic, 'identify', { anonymousId: `device-${i}`, traits: { phone } });
      }
      const p = await lookup(ws, 'phone', '0912345678');
      expect(valuesOf(p, 'phone')).toEqual(['+84912345678']);
      expect(valuesOf(p, 'anonymous_id')).toEqual(['device-0', 'device-1', 'device-2', 'device-3']);
      expect(p.eventCount).toBe(4);
      expect((await search(ws, '')).data).toHaveLength(1);
    });

    it('lands a pre-2018 11-digit number on the profile holding its new number', async () => {
      const ws = await createTestWorkspace(server);
      await send(ws.basic, 'identify', { userId: 'u1', traits: { phone: '+84362345678' } });
      await send(ws.basic, 'track', { anonymousId: 'pos-1', event: 'Order Completed', context: { traits: { phone: '01662345678' } } });
      const p = await lookup(ws, 'phone', '01662345678');
      expect(valuesOf(p, 'user_id')).toEqual(['u1']);
      expect(valuesOf(p, 'phone')).toEqual(['+84362345678']);
      expect(valuesOf(p, 'anonymous_id')).toEqual(['pos-1']);
    });
  });

  describe('when an email differs only by case and spaces', () => {
    it('trims and lower-cases it, so both land on one profile', async () => {
      const ws = await createTestWorkspace(server);
      await send(ws.basic, 'identify', { anonymousId: 'a1', traits: { email: '  An.Nguyen@Example.VN ' } });
      await send(ws.basic, 'identify', { anonymousId: 'a2', traits: { email: 'an.nguyen@example.vn' } });
      const p = await lookup(ws, 'email', 'AN.NGUYEN@example.vn');
      expect(valuesOf(p, 'email')).toEqual(['an.nguyen@example.vn']);
      expect(valuesOf(p, 'anonymous_id')).toEqual(['a1', 'a2']);
    });
  });

  describe('when two people send a placeholder value', () => {
    it.each([
      ['user_id', { userId: '0000' }],
      ['user_id', { userId: '-1' }],
      ['user_id', { userId: 'null' }],
      ['user_id', { userId: 'undefined' }],
      ['user_id', { userId: 'anonymous' }],
      ['email', { traits: { email: 'null' } }],
      ['email', { traits: { email: '' } }],
      ['phone', { traits: { phone: '0000' } }],
      ['phone', { traits: { phone: '-1' } }],
      ['phone', { traits: { phone: 'undefined' } }],
    ])('never uses %s %j as an identifier nor links the two', async (_type, extra) => {
      const ws = await createTestWorkspace(server);
      await send(ws.basic, 'identify', { anonymousId: 'person-1', ...extra });
      await send(ws.basic, 'identify', { anonymousId: 'person-2', ...extra });
      const one = await lookup(ws, 'anonymous_id', 'person-1');
      const two = await lookup(ws, 'anonymous_id', 'person-2');
      expect(one.id).not.toBe(two.id);
      expect(one.identifiers).toEqual([{ type: 'anonymous_id', value: 'person-1' }]);
      expect(two.identifiers).toEqual([{ type: 'anonymous_id', value: 'person-2' }]);
    });

    it('keeps the blocked value on the stored event', async () => {
      const ws = await createTestWorkspace(server);
      await send(ws.basic, 'track', { userId: '0000', anonymousId: 'a1', event: 'Product Viewed' });
      const p = await lookup(ws, 'anonymous_id', 'a1');
      const t = await getOk<{ data: { messageId: string }[] }>(ws, `/api/v1/profiles/${p.id}/events`);
      expect(t.data).toHaveLength(1);
      expect(await lookupStatus(ws, 'user_id', '0000')).toBe(404);
    });
  });
});

describe('one customer across web and POS', () => {
  /** Anonymous browsing, then sign-up on the web, then a purchase at the shop. */
  async function webThenPos(ws: TestWorkspace) {
    const pos = await ws.addSource('pos');
    await send(ws.basic, 'track', { anonymousId: 'a1', event: 'Product Viewed', properties: { sku: 'AO-1' }, timestamp: day(1), messageId: 'web-view' });
    await send(ws.basic, 'identify', { anonymousId: 'a1', traits: { email: 'an@example.vn', name: 'Nguyễn Văn An' }, timestamp: day(2), messageId: 'web-signup' });
    await send(pos.basic, 'track', {
      anonymousId: 'pos-receipt-77',
      event: 'Order Completed',
      properties: { total: 250000, currency: 'VND' },
      context: { traits: { phone: '0912 345 678', email: 'AN@example.vn' } },
      timestamp: day(3),
      messageId: 'pos-order',
    });
    return { pos, profile: await lookup(ws, 'anonymous_id', 'a1') };
  }

  it('keeps one profile with every history on it, newest first', async () => {
    const ws = await createTestWorkspace(server);
    const { profile } = await webThenPos(ws);
    expect((await lookup(ws, 'phone', '0912345678')).id).toBe(profile.id);
    expect((await lookup(ws, 'anonymous_id', 'pos-receipt-77')).id).toBe(profile.id);
    const t = await timeline(ws, profile.id);
    expect(t.data.map((e) => [e.messageId, e.channel])).toEqual([
      ['pos-order', 'pos'],
      ['web-signup', 'web'],
      ['web-view', 'web'],
    ]);
    expect(t.nextCursor).toBeNull();
    expect(Object.keys(profile.channels).sort()).toEqual(['pos', 'web']);
    expect(profile.channels.pos?.count).toBe(1);
    expect(profile.channels.web?.count).toBe(2);
    expect(profile.eventCount).toBe(3);
    expect(profile.firstSeenAt).toBe(day(1));
    expect(profile.lastSeenAt).toBe(day(3));
  });

  it('pages through the timeline with the cursor, without repeats or gaps', async () => {
    const ws = await createTestWorkspace(server);
    const { profile } = await webThenPos(ws);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: TimelineBody = await timeline(ws, profile.id, query);
      expect(page.data).toHaveLength(1);
      seen.push(...page.data.map((e) => e.messageId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['pos-order', 'web-signup', 'web-view']);
    expect(pages).toBe(3);
  });

  it('pages through events that share one timestamp without losing any', async () => {
    const ws = await createTestWorkspace(server);
    for (const i of [1, 2, 3, 4]) await send(ws.basic, 'track', { anonymousId: 'a1', event: 'Product Viewed', timestamp: day(1), messageId: `same-${i}` });
    const p = await lookup(ws, 'anonymous_id', 'a1');
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page: TimelineBody = await timeline(ws, p.id, `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.data.map((e) => e.messageId));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(['same-4', 'same-3', 'same-2', 'same-1']);
  });

  it('filters the timeline by channel and by type', async () => {
    const ws = await createTestWorkspace(server);
    const { profile } = await webThenPos(ws);
    expect((await timeline(ws, profile.id, '?channel=pos')).data.map((e) => e.messageId)).toEqual(['pos-order']);
    expect((await timeline(ws, profile.id, '?channel=web')).data.map((e) => e.messageId)).toEqual(['web-signup', 'web-view']);
    expect((await timeline(ws, profile.id, '?type=identify')).data.map((e) => e.messageId)).toEqual(['web-signup']);
    expect((await timeline(ws, profile.id, '?type=track&channel=web')).data.map((e) => e.messageId)).toEqual(['web-view']);
  });

  it('merges a web profile and a POS profile when one event carries both phone and email', async () => {
    const ws = await createTestWorkspace(server);
    const pos = await ws.addSource('pos');
    await send(ws.basic, 'identify', { anonymousId: 'a1', traits: { email: 'an@example.vn' }, timestamp: day(1), messageId: 'web-signup' });
    await send(pos.basic, 'track', { anonymousId: 'pos-1', event: 'Order Completed', context: { traits: { phone: '0912345678' } }, timestamp: day(2), messageId: 'pos-order' });
    const web = await lookup(ws, 'email', 'an@example.vn');
    const shop = await lookup(ws, 'phone', '0912345678');
    expect(web.id).not.toBe(shop.id);

    await send(pos.basic, 'identify', { anonymousId: 'pos-2', traits: { phone: '+84912345678', email: 'an@example.vn' }, timestamp: day(3), messageId: 'pos-loyalty' });
    const merged = await lookup(ws, 'phone', '0912345678');
    expect(merged.id).toBe(web.id);
    expect(Object.keys(merged.channels).sort()).toEqual(['pos', 'web']);
    expect((await timeline(ws, merged.id)).data.map((e) => e.messageId)).toEqual(['pos-loyalty', 'pos-order', 'web-signup']);
  });

  it('resolves a whole batch, merges inside it included, to one profile without merge records', async () => {
    const ws = await createTestWorkspace(server);
    await send(ws.basic, 'batch', {
      batch: [
        { type: 'track', anonymousId: 'a1', event: 'Product Viewed', timestamp: day(1), messageId: 'b1' },
        { type: 'identify', anonymousId: 'a2', traits: { phone: '0912345678' }, timestamp: day(2), messageId: 'b2' },
        { type: 'identify', anonymousId: 'a1', traits: { phone: '0912345678' }, timestamp: day(3), messageId: 'b3' },
      ],
    });
    const p = await lookup(ws, 'anonymous_id', 'a2');
    expect((await lookup(ws, 'anonymous_id', 'a1')).id).toBe(p.id);
    expect((await timeline(ws, p.id)).data.map((e) => e.messageId)).toEqual(['b3', 'b2', 'b1']);
    expect((await search(ws, '')).data.map((x) => x.id)).toEqual([p.id]);
    expect(await merges(ws, p.id)).toEqual([]);
  });
});

describe('merging existing profiles', () => {
  /** Two people-records: one by email (older), one by phone; then an event naming both. */
  async function twoThenLink(ws: TestWorkspace) {
    await send(ws.basic, 'identify', { anonymousId: 'a1', traits: { email: 'an@example.vn' }, timestamp: day(1), messageId: 'm-email' });
    await send(ws.basic, 'identify', { anonymousId: 'a2', traits: { phone: '0912345678' }, timestamp: day(2), messageId: 'm-phone' });
    const older = await lookup(ws, 'email', 'an@example.vn');
    const younger = await lookup(ws, 'phone', '0912345678');
    await send(ws.basic, 'track', { anonymousId: 'a3', event: 'Order Completed', context: { traits: { phone: '0912345678', email: 'an@example.vn' } }, timestamp: day(3), messageId: 'm-link' });
    return { older, younger };
  }

  it('merges into the oldest profile', async () => {
    const ws = await createTestWorkspace(server);
    const { older, younger } = await twoThenLink(ws);
    expect(older.id).not.toBe(younger.id);
    const survivor = await lookup(ws, 'phone', '0912345678');
    expect(survivor.id).toBe(older.id);
    expect(valuesOf(survivor, 'anonymous_id')).toEqual(['a1', 'a2', 'a3']);
    expect(survivor.mergedProfileIds).toEqual([younger.id]);
    expect(survivor.eventCount).toBe(3);
  });

  it('answers GET of the merged-away id with the survivor', async () => {
    const ws = await createTestWorkspace(server);
    const { older, younger } = await twoThenLink(ws);
    const got = await getOk<Profile>(ws, `/api/v1/profiles/${younger.id}`);
    expect(got.id).toBe(older.id);
    expect(valuesOf(got, 'phone')).toEqual(['+84912345678']);
  });

  it("shows the merged profile's events on the survivor's timeline, and on the merged-away id's", async () => {
    const ws = await createTestWorkspace(server);
    const { older, younger } = await twoThenLink(ws);
    const ids = ['m-link', 'm-phone', 'm-email'];
    expect((await timeline(ws, older.id)).data.map((e) => e.messageId)).toEqual(ids);
    expect((await timeline(ws, younger.id)).data.map((e) => e.messageId)).toEqual(ids);
  });

  it('records what was merged, when, and the identifier and message that linked them', async () => {
    const ws = await createTestWorkspace(server);
    const before = Date.now();
    const { older, younger } = await twoThenLink(ws);
    const history = await merges(ws, older.id);
    expect(history).toHaveLength(1);
    const [m] = history;
    expect(m).toMatchObject({
      fromProfileId: younger.id,
      intoProfileId: older.id,
      reason: { identifiers: [{ type: 'phone', value: '+84912345678' }], messageId: 'm-link' },
    });
    expect(Date.parse(m!.mergedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(await merges(ws, younger.id)).toEqual(history);
  });

  it('keeps the most recent value of each trait by event time, even when events arrive out of order', async () => {
    const ws = await createTestWorkspace(server);
    await send(ws.basic, 'identify', { anonymousId: 'a1', traits: { email: 'an@example.vn', name: 'Nguyễn Văn An' }, timestamp: day(10) });
    await send(ws.basic, 'identify', { anonymousId: 'a1', traits: { name: 'An cũ', city: 'Huế' }, timestamp: day(5) });
    // A second profile whose traits are older for name but newer for city.
    await send(ws.basic, 'identify', { anonymousId: 'a2', traits: { phone: '0912345678', name: 'Anh An', city: 'Đà Nẵng', tier: 'vip' }, timestamp: day(8) });
    expect((await lookup(ws, 'anonymous_id', 'a1')).traits).toMatchObject({ name: 'Nguyễn Văn An', city: 'Huế' });

    await send(ws.basic, 'track', { anonymousId: 'a3', event: 'Linked', context: { traits: { phone: '0912345678', email: 'an@example.vn' } }, timestamp: day(11) });
    const p = await lookup(ws, 'anonymous_id', 'a2');
    expect(p.traits).toEqual({ email: 'an@example.vn', phone: '0912345678', name: 'Nguyễn Văn An', city: 'Đà Nẵng', tier: 'vip' });
  });

  it('no longer lists the merged-away profile in search', async () => {
    const ws = await createTestWorkspace(server);
    const { older } = await twoThenLink(ws);
    expect((await search(ws, '')).data.map((p) => p.id)).toEqual([older.id]);
    expect((await search(ws, '?q=0912345678')).data.map((p) => p.id)).toEqual([older.id]);
  });

  it('follows a chain of merges across calls: the first merged-away id still finds the final survivor', async () => {
    const ws = await createTestWorkspace(server);
    await send(ws.basic, 'identify', { anonymousId: 'a1', traits: { email: 'an@example.vn' }, timestamp: day(1), messageId: 'c1' });
    await send(ws.basic, 'identify', { anonymousId: 'a2', traits: { phone: '0912345678' }, timestamp: day(2), messageId: 'c2' });
    await send(ws.basic, 'identify', { anonymousId: 'a3', context: { externalIds: [{ id: 'zl-1', type: 'zalo_id' }] }, timestamp: day(3), messageId: 'c3' });
    const [p1, p2, p3] = [await lookup(ws, 'anonymous_id', 'a1'), await lookup(ws, 'anonymous_id', 'a2'), await lookup(ws, 'anonymous_id', 'a3')];
    // p3 → p2, then p2 → p1.
    await send(ws.basic, 'track', { anonymousId: 'a2', event: 'Chat Started', context: { externalIds: [{ id: 'zl-1', type: 'zalo_id' }] }, timestamp: day(4), messageId: 'c4' });
    expect((await getOk<Profile>(ws, `/api/v1/profiles/${p3.id}`)).id).toBe(p2.id);
    await send(ws.basic, 'track', { anonymousId: 'a1', event: 'Order Completed', context: { traits: { phone: '0912345678' } }, timestamp: day(5), messageId: 'c5' });

    const final = await getOk<Profile>(ws, `/api/v1/profiles/${p3.id}`);
    expect(final.id).toBe(p1.id);
    expect([...final.mergedProfileIds].sort()).toEqual([p2.id, p3.id].sort());
    expect(valuesOf(final, 'zalo_id')).toEqual(['zl-1']);
    expect((await timeline(ws, p1.id)).data.map((e) => e.messageId)).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
    expect((await merges(ws, p1.id)).map((m) => [m.fromProfileId, m.intoProfileId, m.reason.messageId])).toEqual([
      [p3.id, p2.id, 'c4'],
      [p2.id, p1.id, 'c5'],
    ]);
    expect((await lookup(ws, 'zalo_id', 'zl-1')).id).toBe(p1.id);
  });

  it('follows a chain of merges inside one batch to the final survivor', async () => {
    const ws = await createTestWorkspace(server);
    await send(ws.basic, 'identify', { anonymousId: 'a1', traits: { email: 'an@example.vn' }, timestamp: day(1) });
    await send(ws.basic, 'identify', { anonymousId: 'a2', traits: { phone: '0912345678' }, timestamp: day(2) });
    await send(ws.basic, 'identify', { anonymousId: 'a3', context: { externalIds: [{ id: 'zl-1', type: 'zalo_id' }] }, timestamp: day(3) });
    const [p1, p2, p3] = [await lookup(ws, 'anonymous_id', 'a1'), await lookup(ws, 'anonymous_id', 'a2'), await lookup(ws, 'anonymous_id', 'a3')];
    await send(ws.basic, 'batch', {
      batch: [
        { type: 'track', anonymousId: 'a2', event: 'Chat Started', context: { externalIds: [{ id: 'zl-1', type: 'zalo_id' }] }, timestamp: day(4), messageId: 'b1' },
        { type: 'track', anonymousId: 'a1', event: 'Order Completed', context: { traits: { phone: '0912345678' } }, timestamp: day(5), messageId: 'b2' },
      ],
    });
    for (const p of [p2, p3]) expect((await getOk<Profile>(ws, `/api/v1/profiles/${p.id}`)).id).toBe(p1.id);
    const history = await merges(ws, p1.id);
    expect(history.map((m) => [m.fromProfileId, m.intoProfileId, m.reason.messageId])).toEqual(
      expect.arrayContaining([[p3.id, p1.id, 'b1'], [p2.id, p1.id, 'b2']]),
    );
    expect(history).toHaveLength(2);
    const t = await timeline(ws, p1.id);
    expect(t.data).toHaveLength(5);
    expect(t.data.every((e) => e.profileId !== null)).toBe(true);
  });
});

describe('when events for one new person arrive at the same time', () => {
  it('creates one profile for them all', async () => {
    const ws = await createTestWorkspace(server);
    await Promise.all(
      [1, 2, 3, 4, 5, 6].map((i) =>
        send(ws.basic, 'track', { anonymousId: `tab-${i}`, event: 'Product Viewed', context: { traits: { email: 'an@example.vn' } } }),
      ),
    );
    const p = await lookup(ws, 'email', 'an@example.vn');
    expect(p.eventCount).toBe(6);
    // Five anonymous ids: the default limit; the sixth event still lands here by its email.
    expect(valuesOf(p, 'anonymous_id')).toHaveLength(5);
    expect((await search(ws, '')).data).toHaveLength(1);
  });

  it('does not count a retried message twice', async () => {
    const ws = await createTestWorkspace(server);
    const event = { anonymousId: 'a1', event: 'Product Viewed', messageId: 'retry-1' };
    await send(ws.basic, 'track', event);
    expect(await send(ws.basic, 'track', event)).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await lookup(ws, 'anonymous_id', 'a1')).eventCount).toBe(1);
  });
});

describe('merge protection', () => {
  it('never merges two users, even when an event carries the email of one and the user_id of the other', async () => {
    const ws = await createTestWorkspace(server);
    await send(ws.basic, 'identify', { userId: 'u1', traits: { email: 'an@example.vn' } });
    await send(ws.basic, 'identify', { userId: 'u2', traits: { name: 'Bình' } });
    const u1 = await lookup(ws, 'user_id', 'u1');
    const u2 = await lookup(ws, 'user_id', 'u2');

    await send(ws.basic, 'track', { userId: 'u2', event: 'Order Completed', context: { traits: { email: 'an@example.vn' } }, messageId: 'm-conflict' });
    expect((await lookup(ws, 'email', 'an@example.vn')).id).toBe(u1.id);
    const after = await lookup(ws, 'user_id', 'u2');
    expect(after.id).toBe(u2.id);
    expect(valuesOf(after, 'email')).toEqual([]);
    expect((await timeline(ws, u2.id)).data.map((e) => e.messageId)).toContain('m-conflict');
    expect(await merges(ws, u1.id)).toEqual([]);
    expect(await merges(ws, u2.id)).toEqual([]);
    expect((await lookup(ws, 'user_id', 'u1')).eventCount).toBe(1);
  });

  it('gives a new user on a shared device its own profile and leaves the first user untouched', async () => {
    const ws = await createTestWorkspace(server);
    await send(ws.basic, 'identify', { anonymousId: 'a1', userId: 'u1', traits: { name: 'An' } });
    const u1 = await lookup(ws, 'user_id', 'u1');
    await send(ws.basic, 'identify', { anonymousId: 'a1', userId: 'u2', traits: { name: 'Bình' } });
    const u2 = await lookup(ws, 'user_id', 'u2');
    expect(u2.id).not.toBe(u1.id);
    expect(u2.identifiers).toEqual([{ type: 'user_id', value: 'u2' }]);
    expect(u2.traits).toEqual({ name: 'Bình' });
    const u1After = await lookup(ws, 'user_id', 'u1');
    expect(u1After).toMatchObject({ id: u1.id, traits: { name: 'An' }, eventCount: 1 });
    expect(valuesOf(u1After, 'anonymous_id')).toEqual(['a1']);
    expect((await lookup(ws, 'anonymous_id', 'a1')).id).toBe(u1.id);
  });
});

describe('identifier limits', () => {
  it('stops a profile at the workspace limit of emails set with PATCH /api/v1/workspace', async () => {
    const ws = await createTestWorkspace(server);
    const patched = await server.app.inject({ method: 'PATCH', url: '/api/v1/workspace', headers: ws.admin, payload: { identityRules: { limits: { email: 2 } } } });
    expect(patched.statusCode, patched.body).toBe(200);
    for (const email of ['e1@example.vn', 'e2@example.vn', 'e3@example.vn']) {
      await send(ws.basic, 'identify', { userId: 'u1', traits: { email } });
    }
    const p = await lookup(ws, 'user_id', 'u1');
    expect(valuesOf(p, 'email')).toEqual(['e1@example.vn', 'e2@example.vn']);
    expect(p.eventCount).toBe(3);
    expect(await lookupStatus(ws, 'email', 'e3@example.vn')).toBe(404);
  });

  it('allows up to five emails by default', async () => {
    const ws = await createTestWorkspace(server);
    const emails = [1, 2, 3, 4, 5, 6].map((i) => `e${i}@example.vn`);
    for (const email of emails) await send(ws.basic, 'identify', { userId: 'u1', traits: { email } });
    const p = await lookup(ws, 'user_id', 'u1');
    expect(valuesOf(p, 'email')).toEqual(emails.slice(0, 5));
    expect(await lookupStatus(ws, 'email', 'e6@example.vn')).toBe(404);
  });

  it('allows one user_id per profile by default', async () => {
    const ws = await createTestWorkspace(server);
    await send(ws.basic, 'identify', { userId: 'u1', traits: { email: 'an@example.vn' } });
    await send(ws.basic, 'identify', { userId: 'u2', traits: { email: 'an@example.vn' } });
    const u1 = await lookup(ws, 'user_id', 'u1');
    const u2 = await lookup(ws, 'user_id', 'u2');
    expect(u1.id).not.toBe(u2.id);
    expect(valuesOf(u1, 'user_id')).toEqual(['u1']);
  });
});

describe('alias', () => {
  it('links the anonymous profile of previousId to the user profile', async () => {
    const ws = await createTestWorkspace(server);
    await send(ws.basic, 'track', { anonymousId: 'a1', event: 'Product Viewed', timestamp: day(1), messageId: 'anon-view' });
    await send(ws.basic, 'identify', { userId: 'u1', traits: { email: 'an@example.vn' }, timestamp: day(2), messageId: 'login' });
    const anon = await lookup(ws, 'anonymous_id', 'a1');
    const user = await lookup(ws, 'user_id', 'u1');
    expect(anon.id).not.toBe(user.id);

    await send(ws.basic, 'alias', { previousId: 'a1', userId: 'u1', timestamp: day(3), messageId: 'alias' });
    const linked = await lookup(ws, 'user_id', 'u1');
    expect((await lookup(ws, 'anonymous_id', 'a1')).id).toBe(linked.id);
    expect([anon.id, user.id]).toContain(linked.id);
    expect((await timeline(ws, linked.id)).data.map((e) => e.messageId)).toEqual(['alias', 'login', 'anon-view']);
    expect((await merges(ws, linked.id))[0]?.reason.messageId).toBe('alias');
  });

  it('adds an unseen previousId to the user as an anonymous_id', async () => {
    const ws = await createTestWorkspace(server);
    await send(ws.basic, 'identify', { userId: 'u1' });
    await send(ws.basic, 'alias', { previousId: 'old-cookie', userId: 'u1' });
    const p = await lookup(ws, 'anonymous_id', 'old-cookie');
    expect(valuesOf(p, 'user_id')).toEqual(['u1']);
  });

  it('normalises previousId like an anonymousId (surrounding spaces)', async () => {
    const ws = await createTestWorkspace(server);
    await send(ws.basic, 'track', { anonymousId: 'a1', event: 'Product Viewed' });
    await send(ws.basic, 'identify', { userId: 'u1' });
    await send(ws.basic, 'alias', { previousId: ' a1 ', userId: 'u1' });
    const p = await lookup(ws, 'user_id', 'u1');
    expect(valuesOf(p, 'anonymous_id')).toEqual(['a1']);
    expect(p.eventCount).toBe(3);
  });

  it.each(['anonymous', 'null', '0', '-1'])('never makes the placeholder previousId %j an identifier', async (previousId) => {
    const ws = await createTestWorkspace(server);
    await send(ws.basic, 'alias', { previousId, userId: 'u1' });
    await send(ws.basic, 'alias', { previousId, userId: 'u2' });
    const u1 = await lookup(ws, 'user_id', 'u1');
    expect(u1.identifiers).toEqual([{ type: 'user_id', value: 'u1' }]);
    expect((await lookup(ws, 'user_id', 'u2')).identifiers).toEqual([{ type: 'user_id', value: 'u2' }]);
  });

  it('reads a previousId that is a known user_id as that user (linked when the workspace allows two user_ids)', async () => {
    const ws = await createTestWorkspace(server);
    const patched = await server.app.inject({ method: 'PATCH', url: '/api/v1/workspace', headers: ws.admin, payload: { identityRules: { limits: { user_id: 2 } } } });
    expect(patched.statusCode, patched.body).toBe(200);
    await send(ws.basic, 'identify', { userId: 'crm-1', traits: { email: 'an@example.vn' } });
    await send(ws.basic, 'alias', { previousId: 'crm-1', userId: 'shop-1' });
    const p = await lookup(ws, 'user_id', 'shop-1');
    expect(valuesOf(p, 'user_id')).toEqual(['crm-1', 'shop-1']);
    expect(valuesOf(p, 'anonymous_id')).toEqual([]);
  });
});

describe('GET /api/v1/profiles', () => {
  describe('when searching by name', () => {
    it('ignores Vietnamese accents and case', async () => {
      const ws = await createTestWorkspace(server);
      await send(ws.basic, 'identify', { userId: 'u1', traits: { name: 'Nguyễn Văn An' } });
      await send(ws.basic, 'identify', { userId: 'u2', traits: { name: 'Trần Thị Bình' } });
      const found = await search(ws, '?q=nguyen%20van%20an');
      expect(found.data.map((p) => p.traits.name)).toEqual(['Nguyễn Văn An']);
      expect((await search(ws, `?q=${encodeURIComponent('TRẦN thi')}`)).data.map((p) => p.traits.name)).toEqual(['Trần Thị Bình']);
      expect((await search(ws, '?q=le%20van')).data).toEqual([]);
    });
  });

  describe('when searching by phone or email', () => {
    it('finds a phone written in national form', async () => {
      const ws = await createTestWorkspace(server);
      await send(ws.basic, 'identify', { userId: 'u1', traits: { phone: '+84912345678' } });
      await send(ws.basic, 'identify', { userId: 'u2', traits: { phone: '+84987654321' } });
      const found = await search(ws, '?q=0912345678');
      expect(found.data).toHaveLength(1);
      expect(valuesOf(found.data[0]!, 'user_id')).toEqual(['u1']);
      expect((await search(ws, `?q=${encodeURIComponent('+84 912 345 678')}`)).data).toHaveLength(1);
    });

    it('finds an email', async () => {
      const ws = await createTestWorkspace(server);
      await send(ws.basic, 'identify', { userId: 'u1', traits: { email: 'an.nguyen@example.vn' } });
      await send(ws.basic, 'identify', { userId: 'u2', traits: { email: 'binh@example.vn' } });
      const found = await search(ws, '?q=An.Nguyen@example.vn');
      expect(found.data.map((p) => valuesOf(p, 'user_id'))).toEqual([['u1']]);
    });
  });

  describe('when there are more results than the limit', () => {
    it('pages with nextCursor, most recently seen first', async () => {
      const ws = await createTestWorkspace(server);
      for (const i of [1, 2, 3]) await send(ws.basic, 'identify', { userId: `u${i}`, traits: { name: `Khách ${i}` }, timestamp: day(i) });
      const first = await search(ws, '?limit=2');
      expect(first.data.map((p) => p.traits.name)).toEqual(['Khách 3', 'Khách 2']);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await search(ws, `?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
      expect(second.data.map((p) => p.traits.name)).toEqual(['Khách 1']);
      expect(second.nextCursor).toBeNull();
    });

    it('pages through profiles last seen at the same time without losing any', async () => {
      const ws = await createTestWorkspace(server);
      for (const i of [1, 2, 3]) await send(ws.basic, 'identify', { userId: `u${i}`, timestamp: day(1) });
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 10; pages++) {
        const page: SearchBody = await search(ws, `?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        seen.push(...page.data.map((p) => valuesOf(p, 'user_id')[0]!));
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      expect([...seen].sort()).toEqual(['u1', 'u2', 'u3']);
    });

    it('rejects a cursor it did not issue', async () => {
      const ws = await createTestWorkspace(server);
      const res = await get(ws, '/api/v1/profiles?cursor=not-a-cursor');
      expect(res.statusCode).toBe(400);
      expect((res.json() as ErrorBody).error.code).toBe('validation_failed');
    });
  });
});

describe('GET /api/v1/profiles/lookup', () => {
  describe('when no profile holds the value', () => {
    it('answers 404 profile_not_found', async () => {
      const ws = await createTestWorkspace(server);
      await send(ws.basic, 'identify', { userId: 'u1', traits: { email: 'an@example.vn' } });
      const res = await get(ws, lookupUrl('email', 'someone-else@example.vn'));
      expect(res.statusCode).toBe(404);
      expect((res.json() as ErrorBody).error.code).toBe('profile_not_found');
    });

    it('answers 404 for a blocked value', async () => {
      const ws = await createTestWorkspace(server);
      const res = await get(ws, lookupUrl('phone', '0000'));
      expect(res.statusCode).toBe(404);
      expect((res.json() as ErrorBody).error.code).toBe('profile_not_found');
    });
  });

  describe('when the identifier type is not valid', () => {
    it('answers 400 naming the field', async () => {
      const ws = await createTestWorkspace(server);
      const res = await get(ws, lookupUrl('e mail!', 'an@example.vn'));
      expect(res.statusCode).toBe(400);
      expect((res.json() as ErrorBody).error).toMatchObject({ code: 'validation_failed', field: 'type' });
    });

    it('answers 400 when type or value is missing', async () => {
      const ws = await createTestWorkspace(server);
      expect((await get(ws, '/api/v1/profiles/lookup?type=email')).statusCode).toBe(400);
      expect((await get(ws, '/api/v1/profiles/lookup?value=x')).statusCode).toBe(400);
    });
  });

  it('reads camelCase type names like the ingest side does', async () => {
    const ws = await createTestWorkspace(server);
    await send(ws.basic, 'identify', { userId: 'u1', context: { externalIds: [{ id: 'zl-1', type: 'zaloId' }] } });
    expect(valuesOf(await lookup(ws, 'zaloId', 'zl-1'), 'user_id')).toEqual(['u1']);
    expect(valuesOf(await lookup(ws, 'userId', 'u1'), 'zalo_id')).toEqual(['zl-1']);
  });
});

describe('GET /api/v1/profiles/:id', () => {
  it('answers 404 profile_not_found for an unknown id', async () => {
    const ws = await createTestWorkspace(server);
    const res = await get(ws, '/api/v1/profiles/prf_unknown');
    expect(res.statusCode).toBe(404);
    expect((res.json() as ErrorBody).error.code).toBe('profile_not_found');
    expect((await get(ws, '/api/v1/profiles/prf_unknown/merges')).statusCode).toBe(404);
    expect((await get(ws, '/api/v1/profiles/prf_unknown/events')).statusCode).toBe(404);
  });

  it('requires an admin token', async () => {
    const ws = await createTestWorkspace(server);
    await send(ws.basic, 'identify', { userId: 'u1' });
    const p = await lookup(ws, 'user_id', 'u1');
    const res = await server.app.inject({ method: 'GET', url: `/api/v1/profiles/${p.id}` });
    expect(res.statusCode).toBe(401);
    const withWriteKey = await server.app.inject({ method: 'GET', url: `/api/v1/profiles/${p.id}`, headers: ws.basic });
    expect(withWriteKey.statusCode).toBe(401);
  });
});

describe('tenant isolation', () => {
  it("hides workspace A's profiles from workspace B's token", async () => {
    const a = await createTestWorkspace(server);
    const b = await createTestWorkspace(server);
    await send(a.basic, 'identify', { userId: 'u1', traits: { name: 'Nguyễn Văn An', email: 'an@example.vn', phone: '0912345678' } });
    await send(a.basic, 'identify', { userId: 'u2', traits: { phone: '0912345678' } }); // stays on u2, not merged
    const p = await lookup(a, 'user_id', 'u1');

    expect((await search(b, '')).data).toEqual([]);
    expect((await search(b, '?q=nguyen%20van%20an')).data).toEqual([]);
    expect((await search(b, '?q=0912345678')).data).toEqual([]);
    for (const [type, value] of [['user_id', 'u1'], ['email', 'an@example.vn'], ['phone', '0912345678']] as const) {
      expect(await lookupStatus(b, type, value)).toBe(404);
    }
    for (const url of [`/api/v1/profiles/${p.id}`, `/api/v1/profiles/${p.id}/events`, `/api/v1/profiles/${p.id}/merges`]) {
      const res = await get(b, url);
      expect(res.statusCode, url).toBe(404);
      expect((res.json() as ErrorBody).error.code).toBe('profile_not_found');
    }
  });

  it("never links B's events to A's people", async () => {
    const a = await createTestWorkspace(server);
    const b = await createTestWorkspace(server);
    await send(a.basic, 'identify', { userId: 'u1', traits: { email: 'an@example.vn' } });
    await send(b.basic, 'identify', { userId: 'u1', traits: { email: 'an@example.vn' } });
    const pa = await lookup(a, 'user_id', 'u1');
    const pb = await lookup(b, 'user_id', 'u1');
    expect(pa.id).not.toBe(pb.id);
    expect(pa.eventCount).toBe(1);
    expect(pb.eventCount).toBe(1);
  });
});
