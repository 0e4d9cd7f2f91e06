import crypto from 'node:crypto';
import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createTestWorkspace, DB_KIND, openTestDb, startTestServer, type TestServer, type TestWorkspace } from '../../test/helpers';
import { rows } from '../db/client';
import { appendDomainEvents, findDomainEventsNaming, LOG_START, readDomainEvents, scrubDomainEvents, scrubEntryData, startConsumer, type Consumer, type DomainEvent } from './domain-log';
import { personalRedactor } from './redact';
import { DEFAULT_RETRY_POLICY, recordFirstFailure } from './dead-letters';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

/** Consumers started by a test; stopped after it even when it fails. */
const started: Consumer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.stop()));
});

/** Entries become readable once no older transaction is running; other suites' transactions can delay that. */
async function waitFor<T>(read: () => Promise<T>, isDone: (v: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 400 && !isDone(value); i++) {
    await new Promise((r) => setTimeout(r, 25));
    value = await read();
  }
  return value;
}

const readAll = (ws: TestWorkspace) => readDomainEvents(server.db.orm, { after: LOG_START, limit: 1000, workspaceId: ws.workspaceId });

/** Append one entry per ref, each in its own transaction. */
async function appendEach(ws: TestWorkspace, refs: string[]): Promise<void> {
  for (const ref of refs) {
    await server.db.orm.transaction((tx) => appendDomainEvents(tx, [{ workspaceId: ws.workspaceId, type: 'test.entry', ref }]));
  }
}

const byLogOrder = (a: DomainEvent, b: DomainEvent) => {
  const ta = BigInt(a.tx);
  const tb = BigInt(b.tx);
  return ta === tb ? a.id - b.id : ta < tb ? -1 : 1;
};

const consumerName = (label: string) => `test-${label}-${crypto.randomUUID()}`;

/** A consumer that records what it handled for one workspace (it sees every workspace). */
async function recordingConsumer(name: string, ws: TestWorkspace, opts: { failFirst?: boolean; errors?: unknown[] } = {}) {
  const handled: DomainEvent[] = [];
  let failNext = opts.failFirst ?? false;
  const log: FastifyBaseLogger = { ...server.app.log, error: (...args: unknown[]) => void opts.errors?.push(args[0]) };
  const consumer = await startConsumer({
    db: server.db,
    log,
    name,
    batchSize: 50,
    pollMs: 60_000,
    handle: async (_tx, entries) => {
      const mine = entries.filter((e) => e.workspaceId === ws.workspaceId);
      if (failNext && mine.length > 0) {
        failNext = false;
        throw new Error('handler failed once');
      }
      handled.push(...mine);
    },
  });
  started.push(consumer);
  const refs = () => handled.map((e) => e.ref);
  /** Drain until `count` entries of the workspace were handled (bounded). */
  const drainUntil = async (count: number) => {
    for (let i = 0; i < 200 && handled.length < count; i++) {
      await consumer.drain();
      if (handled.length < count) await new Promise((r) => setTimeout(r, 25));
    }
    return refs();
  };
  return { consumer, handled, refs, drainUntil };
}

describe('readDomainEvents', () => {
  describe('when entries were appended by several transactions', () => {
    it('returns them in (tx, id) order, and pages on from a position without gaps or repeats', async () => {
      const ws = await createTestWorkspace(server);
      const other = await createTestWorkspace(server);
      await server.db.orm.transaction((tx) =>
        appendDomainEvents(tx, [
          { workspaceId: ws.workspaceId, type: 'test.entry', ref: 'a1', profileId: 'prf_1', data: { n: 1 } },
          { workspaceId: ws.workspaceId, type: 'test.entry', ref: 'a2' },
        ]),
      );
      await appendEach(other, ['other']);
      await appendEach(ws, ['b1', 'c1']);

      const all = await waitFor(() => readAll(ws), (r) => r.length >= 4);
      expect(all.map((e) => e.ref)).toEqual(['a1', 'a2', 'b1', 'c1']);
      expect([...all].sort(byLogOrder)).toEqual(all);
      expect(all[0]).toMatchObject({ workspaceId: ws.workspaceId, type: 'test.entry', profileId: 'prf_1', data: { n: 1 } });
      expect(all[0]!.createdAt).toBeInstanceOf(Date);
      expect(all[0]!.tx).toBe(all[1]!.tx);
      expect(all[2]!.tx).not.toBe(all[1]!.tx);

      const pages: (string | null)[][] = [];
      let after = LOG_START;
      for (let i = 0; i < 10; i++) {
        const page = await readDomainEvents(server.db.orm, { after, limit: 3, workspaceId: ws.workspaceId });
        if (page.length === 0) break;
        pages.push(page.map((e) => e.ref));
        const last = page[page.length - 1]!;
        after = { tx: last.tx, id: last.id };
      }
      expect(pages).toEqual([['a1', 'a2', 'b1'], ['c1']]);
    });
  });

  describe('when an older transaction commits after a newer one (PostgreSQL)', () => {
    // PGlite runs one connection, so transactions cannot interleave there.
    it.skipIf(DB_KIND !== 'postgres')('holds back the newer entry until the older commits, then returns both in order', async () => {
      const ws = await createTestWorkspace(server);
      const reader = await recordingConsumer(consumerName('late'), ws);
      const t1 = new pg.Client({ connectionString: inject('databaseUrl') });
      await t1.connect();
      try {
        await t1.query('BEGIN');
        await t1.query(`INSERT INTO domain_events (workspace_id, type, ref) VALUES ($1, 'test.entry', 't1')`, [ws.workspaceId]);
        await appendEach(ws, ['t2']);

        expect(await readAll(ws)).toEqual([]);
        await reader.consumer.drain();
        expect(reader.refs()).toEqual([]);

        await t1.query('COMMIT');
        const both = await waitFor(() => readAll(ws), (r) => r.length >= 2);
        expect(both.map((e) => e.ref)).toEqual(['t1', 't2']);
        expect(both[0]!.id).toBeLessThan(both[1]!.id);
        expect(await reader.drainUntil(2)).toEqual(['t1', 't2']);
      } finally {
        await t1.query('ROLLBACK').catch(() => {});
        await t1.end();
      }
    });
  });
});

describe('startConsumer', () => {
  describe('when entries are appended while it runs', () => {
    it('handles every entry, in log order', async () => {
      const ws = await createTestWorkspace(server);
      const c = await recordingConsumer(consumerName('all'), ws);
      const refs = Array.from({ length: 120 }, (_, i) => `e${i}`);
      await server.db.orm.transaction((tx) =>
        appendDomainEvents(tx, refs.slice(0, 60).map((ref) => ({ workspaceId: ws.workspaceId, type: 'test.entry', ref }))),
      );
      await appendEach(ws, refs.slice(60));

      expect(await c.drainUntil(refs.length)).toEqual(refs);
      expect([...c.handled].sort(byLogOrder)).toEqual(c.handled);
    });
  });

  describe('when it is stopped and a consumer with the same name starts later', () => {
    it('continues after the stored cursor without replaying handled entries', async () => {
      const ws = await createTestWorkspace(server);
      const name = consumerName('restart');
      const first = await recordingConsumer(name, ws);
      await appendEach(ws, ['r1', 'r2', 'r3']);
      expect(await first.drainUntil(3)).toEqual(['r1', 'r2', 'r3']);
      await first.consumer.stop();

      await appendEach(ws, ['r4', 'r5']);
      const second = await recordingConsumer(name, ws);
      expect(await second.drainUntil(2)).toEqual(['r4', 'r5']);
      await appendEach(ws, ['r6']);
      expect(await second.drainUntil(3)).toEqual(['r4', 'r5', 'r6']);
      expect(first.refs()).toEqual(['r1', 'r2', 'r3']);
    });
  });

  // Once: the whole batch was retried forever. Now the batch is handled again entry by entry.
  describe('when the handler fails once for a batch', () => {
    it('rolls the batch back, handles its entries one by one, and sets nothing aside', async () => {
      const ws = await createTestWorkspace(server);
      const name = consumerName('retry');
      const c = await recordingConsumer(name, ws, { failFirst: true });
      await server.db.orm.transaction((tx) => appendDomainEvents(tx, ['f1', 'f2'].map((ref) => ({ workspaceId: ws.workspaceId, type: 'test.entry', ref }))));

      expect(await c.drainUntil(2)).toEqual(['f1', 'f2']);
      expect(await deadLettersOf(ws)).toEqual([]);
    });
  });

  describe('when two consumers have different names', () => {
    it('gives each of them every entry', async () => {
      const ws = await createTestWorkspace(server);
      const a = await recordingConsumer(consumerName('a'), ws);
      const b = await recordingConsumer(consumerName('b'), ws);
      await appendEach(ws, ['x1', 'x2', 'x3']);

      expect(await a.drainUntil(3)).toEqual(['x1', 'x2', 'x3']);
      expect(await b.drainUntil(3)).toEqual(['x1', 'x2', 'x3']);
    });
  });
});

/** Dead letters of a workspace, through the admin API. */
async function deadLettersOf(ws: TestWorkspace, query = ''): Promise<DeadLetterBody[]> {
  const res = await server.app.inject({ method: 'GET', url: `/api/v1/dead-letters${query}`, headers: ws.admin });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ data: DeadLetterBody[] }>().data;
}

interface DeadLetterBody {
  id: string;
  consumer: string;
  entryId: number;
  entryType: string;
  status: string;
  attempts: number;
  error: string;
  firstFailedAt: string;
  lastFailedAt: string;
  nextAttemptAt: string | null;
}

describe('startConsumer with an entry its handler throws on', () => {
  /**
   * A consumer that throws on entries whose ref is in `poisoned` and records, through `tx` in a
   * real table, one effect per entry handled: effects of a batch that threw must not remain.
   */
  async function poisonedConsumer(name: string, workspaces: TestWorkspace[], poisoned: Set<string>, retry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 }) {
    const mine = (e: DomainEvent) => workspaces.some((w) => w.workspaceId === e.workspaceId);
    const handled: DomainEvent[] = [];
    const consumer = await startConsumer({
      db: server.db,
      log: server.app.log,
      name,
      batchSize: 50,
      pollMs: 60_000,
      retry,
      handle: async (tx, entries) => {
        for (const e of entries) {
          if (!mine(e)) continue;
          await tx.execute(sql`INSERT INTO test_consumer_effects (consumer, ref) VALUES (${name}, ${e.ref})`);
          if (e.ref !== null && poisoned.has(e.ref)) throw new Error(`cannot handle ${e.ref}`);
        }
        handled.push(...entries.filter(mine));
      },
    });
    started.push(consumer);
    const effects = async () =>
      (await rows<{ ref: string; n: number }>(server.db.orm, sql`SELECT ref, count(*)::int AS n FROM test_consumer_effects WHERE consumer = ${name} GROUP BY ref ORDER BY ref`));
    return { consumer, handled, effects };
  }

  beforeAll(async () => {
    await server.db.orm.execute(sql`CREATE TABLE IF NOT EXISTS test_consumer_effects (consumer text NOT NULL, ref text NOT NULL)`);
  });

  /** Drain until `done` holds (entries become readable once older transactions end; retries wait their backoff). */
  async function drainWhile(consumer: Consumer, done: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 200 && !(await done()); i++) {
      await consumer.drain();
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  describe("when it throws on one workspace's entry", () => {
    it('handles the other entries of every workspace, each once, and retries the bad one until it is parked', async () => {
      const a = await createTestWorkspace(server);
      const b = await createTestWorkspace(server);
      const name = consumerName('poison');
      const c = await poisonedConsumer(name, [a, b], new Set(['dl-a2']));
      await server.db.orm.transaction((tx) =>
        appendDomainEvents(tx, [
          { workspaceId: a.workspaceId, type: 'test.entry', ref: 'dl-a1' },
          { workspaceId: a.workspaceId, type: 'test.entry', ref: 'dl-a2' },
          { workspaceId: b.workspaceId, type: 'test.entry', ref: 'dl-b1' },
          { workspaceId: a.workspaceId, type: 'test.entry', ref: 'dl-a3' },
        ]),
      );
      await appendEach(b, ['dl-b2']);

      await drainWhile(c.consumer, async () => (await deadLettersOf(a)).some((d) => d.status === 'parked'));
      expect(c.handled.map((e) => e.ref).sort()).toEqual(['dl-a1', 'dl-a3', 'dl-b1', 'dl-b2']);
      // Exactly once: the batch attempt that threw left no effect behind; dl-a2 left none either.
      expect(await c.effects()).toEqual([
        { ref: 'dl-a1', n: 1 },
        { ref: 'dl-a3', n: 1 },
        { ref: 'dl-b1', n: 1 },
        { ref: 'dl-b2', n: 1 },
      ]);
      const entry = (await readAll(a)).find((e) => e.ref === 'dl-a2')!;
      const [letter, ...more] = await deadLettersOf(a);
      expect(more).toEqual([]);
      expect(letter).toMatchObject({ consumer: name, entryId: entry.id, entryType: 'test.entry', status: 'parked', attempts: 3, error: 'cannot handle dl-a2', nextAttemptAt: null });
      expect(Date.parse(letter!.lastFailedAt)).toBeGreaterThan(Date.parse(letter!.firstFailedAt));
      expect(await deadLettersOf(b)).toEqual([]);
    });
  });

  describe('when an operator retries a parked entry once its cause is fixed', () => {
    it('runs it again through the consumer and removes the dead letter', async () => {
      const ws = await createTestWorkspace(server);
      const poisoned = new Set(['dl-fix']);
      const c = await poisonedConsumer(consumerName('fix'), [ws], poisoned, { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 });
      await appendEach(ws, ['dl-fix', 'dl-after']);
      await drainWhile(c.consumer, async () => c.handled.length >= 1 && (await deadLettersOf(ws)).length === 1);
      const [letter] = await deadLettersOf(ws, '?status=parked');
      expect(letter).toMatchObject({ status: 'parked', attempts: 1 });
      expect(c.handled.map((e) => e.ref)).toEqual(['dl-after']);

      poisoned.delete('dl-fix');
      const retried = await server.app.inject({ method: 'POST', url: `/api/v1/dead-letters/${letter!.id}/retry`, headers: ws.admin });
      expect(retried.statusCode, retried.body).toBe(200);
      expect(retried.json()).toMatchObject({ id: letter!.id, status: 'retrying' });
      await drainWhile(c.consumer, async () => c.handled.length >= 2);
      expect(c.handled.map((e) => e.ref)).toEqual(['dl-after', 'dl-fix']);
      expect(await deadLettersOf(ws)).toEqual([]);
      expect(await c.effects()).toEqual([
        { ref: 'dl-after', n: 1 },
        { ref: 'dl-fix', n: 1 },
      ]);
    });
  });

  describe('when an operator retries an entry that still throws', () => {
    it('parks it again after one more run', async () => {
      const ws = await createTestWorkspace(server);
      const c = await poisonedConsumer(consumerName('again'), [ws], new Set(['dl-again']), { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 });
      await appendEach(ws, ['dl-again']);
      await drainWhile(c.consumer, async () => (await deadLettersOf(ws, '?status=parked')).length === 1);
      const [letter] = await deadLettersOf(ws);
      expect(letter!.attempts).toBe(2);

      expect((await server.app.inject({ method: 'POST', url: `/api/v1/dead-letters/${letter!.id}/retry`, headers: ws.admin })).statusCode).toBe(200);
      await drainWhile(c.consumer, async () => (await deadLettersOf(ws))[0]?.attempts === 3);
      expect(await deadLettersOf(ws)).toEqual([expect.objectContaining({ id: letter!.id, status: 'parked', attempts: 3 })]);
    });
  });

  describe('when another workspace asks for a dead letter', () => {
    it('does not list, retry or discard it (404), and its own workspace can discard it', async () => {
      const ws = await createTestWorkspace(server);
      const other = await createTestWorkspace(server);
      const c = await poisonedConsumer(consumerName('scope'), [ws], new Set(['dl-scope']), { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 });
      await appendEach(ws, ['dl-scope']);
      await drainWhile(c.consumer, async () => (await deadLettersOf(ws)).length === 1);
      const [letter] = await deadLettersOf(ws);

      expect(await deadLettersOf(other)).toEqual([]);
      for (const [method, url] of [['POST', `/api/v1/dead-letters/${letter!.id}/retry`], ['DELETE', `/api/v1/dead-letters/${letter!.id}`]] as const) {
        const res = await server.app.inject({ method, url, headers: other.admin });
        expect(res.statusCode).toBe(404);
        expect(res.json<{ error: { code: string } }>().error.code).toBe('dead_letter_not_found');
      }
      expect(await deadLettersOf(ws)).toHaveLength(1);

      const discarded = await server.app.inject({ method: 'DELETE', url: `/api/v1/dead-letters/${letter!.id}`, headers: ws.admin });
      expect(discarded.json()).toEqual({ id: letter!.id, discarded: true });
      expect(await deadLettersOf(ws)).toEqual([]);
    });
  });
});

describe('startConsumer on PostgreSQL', () => {
  describe('when several consumers start at once and the database is closed', () => {
    // PGlite has no connections to leak.
    it.skipIf(DB_KIND !== 'postgres')('leaves no listening connection behind', async () => {
      const { db, dataDir } = await openTestDb();
      const admin = new pg.Client({ connectionString: inject('databaseUrl') });
      await admin.connect();
      try {
        const channels = [`test_${crypto.randomUUID()}`, `test_${crypto.randomUUID()}`, `test_${crypto.randomUUID()}`];
        await Promise.all(channels.map((c) => db.listen(c, () => {})));
        const listening = async () => {
          const r = await admin.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = ANY($1::text[])',
            [channels.map((c) => `LISTEN "${c}"`)],
          );
          return r.rows[0]?.n ?? 0;
        };
        expect(await listening()).toBeGreaterThan(0);
        await db.close();
        expect(await waitFor(listening, (n) => n === 0)).toBe(0);
      } finally {
        await admin.end();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
});

describe('domain log entries written by ingestion', () => {
  interface ProfileBody {
    id: string;
  }
  const lookup = async (ws: TestWorkspace, type: string, value: string) => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/profiles/lookup', query: { type, value }, headers: ws.admin });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<ProfileBody>();
  };
  const send = async (ws: TestWorkspace, type: 'track' | 'identify', body: Record<string, unknown>) => {
    const res = await server.app.inject({ method: 'POST', url: `/v1/${type}`, headers: ws.basic, payload: body });
    expect(res.statusCode, res.body).toBe(200);
  };

  /** The events listed by the workspace's `events.ingested` entries (one entry per commit). */
  const ingestedEvents = (entries: DomainEvent[]) =>
    entries.filter((e) => e.type === 'events.ingested').flatMap((e) => (e.data as { events: Record<string, unknown>[] }).events);

  describe('when an event is ingested through POST /v1/track', () => {
    it('appends events.ingested listing it with its profile id, after profiles.created', async () => {
      const ws = await createTestWorkspace(server);
      await send(ws, 'track', { userId: 'u-log', event: 'Order Completed', messageId: 'm-log-1' });
      const profile = await lookup(ws, 'user_id', 'u-log');

      const entries = await waitFor(() => readAll(ws), (r) => r.some((e) => e.type === 'events.ingested'));
      const types = entries.map((e) => e.type);
      expect(types.indexOf('profiles.created')).toBeGreaterThanOrEqual(0);
      expect(types.indexOf('profiles.created')).toBeLessThan(types.indexOf('events.ingested'));
      expect(entries.find((e) => e.type === 'profiles.created')?.data).toEqual({ profileIds: [profile.id] });
      const ingested = entries.filter((e) => e.type === 'events.ingested');
      expect(ingested).toHaveLength(1);
      expect(ingested[0]!.data).toMatchObject({
        count: 1,
        events: [{ profileId: profile.id, type: 'track', event: 'Order Completed', messageId: 'm-log-1', channel: 'web', sourceId: ws.sourceId }],
      });

      // A repeat of the message id stores nothing and logs nothing.
      await send(ws, 'track', { userId: 'u-log', event: 'Order Completed', messageId: 'm-log-1' });
      await appendEach(ws, ['marker']);
      const after = await waitFor(() => readAll(ws), (r) => r.some((e) => e.ref === 'marker'));
      expect(ingestedEvents(after).map((e) => e.messageId)).toEqual(['m-log-1']);
    });
  });

  describe('when an event links two existing profiles', () => {
    it('appends profile.merged naming both profiles, on the surviving one', async () => {
      const ws = await createTestWorkspace(server);
      await send(ws, 'track', { anonymousId: 'anon-m', event: 'Product Viewed' });
      await send(ws, 'track', { userId: 'u-m', event: 'Signed In' });
      const before = [(await lookup(ws, 'anonymous_id', 'anon-m')).id, (await lookup(ws, 'user_id', 'u-m')).id];
      expect(before[0]).not.toBe(before[1]);

      await send(ws, 'identify', { userId: 'u-m', anonymousId: 'anon-m', traits: { name: 'Lê Mai' } });
      const survivor = await lookup(ws, 'user_id', 'u-m');
      expect((await lookup(ws, 'anonymous_id', 'anon-m')).id).toBe(survivor.id);

      const entries = await waitFor(() => readAll(ws), (r) => r.some((e) => e.type === 'profile.merged'));
      const merged = entries.filter((e) => e.type === 'profile.merged');
      expect(merged).toHaveLength(1);
      const loser = before.find((id) => id !== survivor.id);
      expect(merged[0]).toMatchObject({ profileId: survivor.id, data: { from: loser, into: survivor.id, reason: { messageId: expect.any(String) } } });
      expect(merged[0]!.ref).toMatch(/^mrg/);
      expect(ingestedEvents(entries)).toHaveLength(3);
    });
  });
});

describe('readDomainEvents', () => {
  describe('when transaction ids differ in digit count', () => {
    it('orders by transaction id as a number (999 before 1000), not as text', async () => {
      const ws = await createTestWorkspace(server);
      // Old, committed transaction ids written explicitly: 1000 sorts before 999 as text.
      await server.db.orm.execute(sql`
        INSERT INTO domain_events (workspace_id, type, ref, tx) VALUES
          (${ws.workspaceId}, 'test.entry', 'later', '1000'::xid8),
          (${ws.workspaceId}, 'test.entry', 'earlier', '999'::xid8)`);
      const entries = await readDomainEvents(server.db.orm, { after: LOG_START, limit: 10, workspaceId: ws.workspaceId });
      expect(entries.map((e) => [e.tx, e.ref])).toEqual([
        ['999', 'earlier'],
        ['1000', 'later'],
      ]);
    });
  });
});

describe('scrubEntryData', () => {
  const opts = { profileIds: new Set(['prf_lan', 'prf_lan_phone']), redactor: personalRedactor(['anon-lan']) };

  describe('when an ingest entry lists the person among others', () => {
    it("nulls their profile id and erases their items' message ids; other items and the count stay", () => {
      const data = {
        count: 2,
        events: [
          { id: 1, profileId: 'prf_lan', type: 'identify', messageId: 'ajs-7f3a', channel: 'web' },
          { id: 2, profileId: 'prf_binh', type: 'track', messageId: 'ajs-9b1c', channel: 'web' },
        ],
      };
      expect(scrubEntryData(data, opts)).toEqual({
        count: 2,
        events: [
          { id: 1, profileId: null, type: 'identify', messageId: 'erased', channel: 'web' },
          { id: 2, profileId: 'prf_binh', type: 'track', messageId: 'ajs-9b1c', channel: 'web' },
        ],
      });
    });
  });

  describe('when a merge names the person', () => {
    it('erases the message id nested in its reason', () => {
      const data = { from: 'prf_lan_phone', into: 'prf_lan', reason: { identifierTypes: ['email'], messageId: 'p-link' } };
      expect(scrubEntryData(data, opts)).toEqual({ from: null, into: null, reason: { identifierTypes: ['email'], messageId: 'erased' } });
    });
  });

  describe('when a string embeds one of their values', () => {
    it('replaces the string, and keeps lists their length', () => {
      expect(scrubEntryData({ profileIds: ['prf_x', 'prf_lan'], note: 'store-guest:anon-lan' }, opts)).toEqual({ profileIds: ['prf_x', null], note: 'erased' });
    });
  });
});

describe('findDomainEventsNaming and scrubDomainEvents', () => {
  describe('when entries name a person by column, by list and by ingest item', () => {
    it('finds exactly those, catches later ones from the horizon, and scrubs them in place', async () => {
      const ws = await createTestWorkspace(server);
      const workspaceId = ws.workspaceId;
      const other = await createTestWorkspace(server);
      const entries = [
        { workspaceId, type: 'order.placed', profileId: 'prf_p1', ref: 'ord_1', data: { total: 100 } },
        { workspaceId, type: 'profiles.created', data: { profileIds: ['prf_p2', 'prf_q'] } },
        { workspaceId, type: 'events.ingested', data: { count: 1, events: [{ id: 9, profileId: 'prf_p2', messageId: 'm-1' }] } },
        { workspaceId, type: 'events.ingested', data: { count: 1, events: [{ id: 10, profileId: 'prf_q', messageId: 'm-2' }] } },
        { workspaceId, type: 'demo.seeded', data: { customers: 1, orders: 2, events: 3 } },
        { workspaceId: other.workspaceId, type: 'order.placed', profileId: 'prf_p1', ref: 'ord_9', data: {} },
      ];
      await server.db.orm.transaction((tx) => appendDomainEvents(tx, entries));
      const found = await findDomainEventsNaming(server.db.orm, { workspaceId, profileIds: ['prf_p1', 'prf_p2'] });
      const all = await waitFor(() => readAll(ws), (l) => l.length >= 5);
      expect(found.ids).toEqual(all.slice(0, 3).map((e) => e.id));

      await server.db.orm.transaction((tx) => appendDomainEvents(tx, [{ workspaceId, type: 'cart.merged', profileId: 'prf_p2', ref: 'cart_1', data: {} }]));
      const later = await findDomainEventsNaming(server.db.orm, { workspaceId, profileIds: ['prf_p1', 'prf_p2'], since: found.horizon });
      const latest = (await waitFor(() => readAll(ws), (l) => l.length >= 6)).at(-1)!;
      expect(later.ids).toEqual([latest.id]);

      // A consumer failed on the order entry and kept its error, which quotes the profile.
      await recordFirstFailure(server.db.orm, { workspaceId, consumer: `test.${workspaceId}`, entryId: all[0]!.id, entryType: 'order.placed', error: 'no cart for prf_p1 (lan@example.vn)', policy: DEFAULT_RETRY_POLICY });

      const changed = await scrubDomainEvents(server.db.orm, { workspaceId, ids: [...found.ids, ...later.ids], profileIds: ['prf_p1', 'prf_p2'], redactor: personalRedactor(['lan@example.vn']) });
      expect(changed).toBe(4);
      const after = await readAll(ws);
      expect(after.map((e) => [e.type, e.profileId, e.data])).toEqual([
        ['order.placed', null, { total: 100 }],
        ['profiles.created', null, { profileIds: [null, 'prf_q'] }],
        ['events.ingested', null, { count: 1, events: [{ id: 9, profileId: null, messageId: 'erased' }] }],
        ['events.ingested', null, { count: 1, events: [{ id: 10, profileId: 'prf_q', messageId: 'm-2' }] }],
        ['demo.seeded', null, { customers: 1, orders: 2, events: 3 }],
        ['cart.merged', null, {}],
      ]);
      expect((await readDomainEvents(server.db.orm, { after: LOG_START, limit: 10, workspaceId: other.workspaceId }))[0]).toMatchObject({ profileId: 'prf_p1' });
      const letters = await rows<{ error: string }>(server.db.orm, sql`SELECT error FROM dead_letters WHERE workspace_id = ${workspaceId}`);
      expect(letters).toEqual([{ error: 'no cart for [erased] ([erased])' }]);
    });
  });
});
