/**
 * Group commit for ingestion. Concurrent requests enqueue their validated events; one flush at a
 * time takes everything waiting (up to a maximum) and, in ONE transaction: resolves identities,
 * inserts the events (skipping stored message ids) and their domain log entry.
 * Every request's promise settles only after that commit: a 2xx means durable, and many requests
 * share one commit's fsync.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { CountryCode } from 'libphonenumber-js';
import type { Database } from '../../db/client';
import { notify } from '../../db/client';
import { DOMAIN_LOG_CHANNEL } from '../../platform/domain-log';
import { resolveBatch, type IdentifierRef, type IdentityRulesInput } from '../profiles';
import * as repo from './ingest.repo';
import type { ValidMessage } from './validate';

export interface QueuedEvent {
  message: ValidMessage;
  identifiers: IdentifierRef[];
  sourceId: string;
  channel: string;
}

export type EventOutcome = 'stored' | 'duplicate' | 'suppressed';

export interface WorkspaceIdentity {
  id: string;
  rules: IdentityRulesInput;
  defaultCountry: CountryCode;
}

interface Pending {
  workspace: WorkspaceIdentity;
  events: QueuedEvent[];
  resolve: (outcomes: EventOutcome[]) => void;
  reject: (err: unknown) => void;
}

export interface WriterStats {
  flushes: number;
  events: number;
}

export class IngestWriter {
  private queue: Pending[] = [];
  private queuedEvents = 0;
  private flushing = false;
  private closed = false;
  readonly stats: WriterStats = { flushes: 0, events: 0 };

  constructor(
    private readonly db: Database,
    private readonly log: FastifyBaseLogger,
    private readonly maxBatch: number,
  ) {}

  /** Resolves with one outcome per event once they are committed. */
  write(workspace: WorkspaceIdentity, events: QueuedEvent[]): Promise<EventOutcome[]> {
    if (this.closed) return Promise.reject(new Error('ingest writer is closed'));
    if (events.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ workspace, events, resolve, reject });
      this.queuedEvents += events.length;
      if (!this.flushing) {
        this.flushing = true;
        // Let requests that arrive in the same tick join this commit.
        setImmediate(() => void this.drain());
      }
    });
  }

  get backlog(): number {
    return this.queuedEvents;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch: Pending[] = [];
      let n = 0;
      while (this.queue.length > 0 && (batch.length === 0 || n + this.queue[0]!.events.length <= this.maxBatch)) {
        const p = this.queue.shift()!;
        batch.push(p);
        n += p.events.length;
      }
      this.queuedEvents -= n;
      try {
        const outcomes = await this.flush(batch);
        batch.forEach((p, i) => p.resolve(outcomes[i]!));
        this.stats.flushes++;
        this.stats.events += n;
      } catch (err) {
        this.log.error({ err, events: n }, 'ingest flush failed');
        for (const p of batch) p.reject(err);
      }
    }
    this.flushing = false;
  }

  private async flush(batch: Pending[]): Promise<EventOutcome[][]> {
    // Group by workspace; each workspace's events are resolved under its own lock, in id order
    // so concurrent processes never wait on each other in a cycle.
    const groups = new Map<string, { workspace: WorkspaceIdentity; refs: { p: number; e: number }[] }>();
    batch.forEach((p, pi) => {
      let g = groups.get(p.workspace.id);
      if (!g) groups.set(p.workspace.id, (g = { workspace: p.workspace, refs: [] }));
      p.events.forEach((_, ei) => g.refs.push({ p: pi, e: ei }));
    });
    const outcomes: EventOutcome[][] = batch.map((p) => p.events.map((): EventOutcome => 'duplicate'));

    const t0 = performance.now();
    let tResolve = 0;
    let tInsert = 0;
    await this.db.orm.transaction(async (tx) => {
      const writes: repo.EventWrite[] = [];
      const writeRefs: { p: number; e: number }[] = [];
      for (const id of [...groups.keys()].sort()) {
        const g = groups.get(id)!;
        const all = g.refs.map((r) => ({ ref: r, ev: batch[r.p]!.events[r.e]! }));
        // Repeats inside the flush are dropped here; repeats of stored events are skipped by the
        // insert (ON CONFLICT). Resolving a repeat again is harmless: it is idempotent.
        const seen = new Set<string>();
        const fresh = all.filter((x) => {
          const mid = x.ev.message.messageId;
          if (seen.has(mid)) return false;
          seen.add(mid);
          return true;
        });
        const tr = performance.now();
        const resolved = await resolveBatch(tx, {
          workspaceId: id,
          rules: g.workspace.rules,
          items: fresh.map(({ ev }) => ({
            identifiers: ev.identifiers,
            previousId: ev.message.previousId ?? undefined,
            traits: ev.message.traits,
            timestamp: ev.message.timestamp,
            channel: ev.channel,
            messageId: ev.message.messageId,
          })),
        });
        tResolve += performance.now() - tr;
        fresh.forEach(({ ref, ev }, i) => {
          if (resolved.suppressed.has(i)) {
            outcomes[ref.p]![ref.e] = 'suppressed';
            return;
          }
          const m = ev.message;
          const dropped = resolved.dropped.get(i);
          const payload = dropped ? { ...m.payload, _omni: { droppedIdentifiers: dropped } } : m.payload;
          writes.push({
            w: id,
            m: m.messageId,
            p: resolved.profileIds[i] ?? null,
            s: ev.sourceId,
            c: ev.channel,
            t: m.type,
            e: m.event,
            u: m.userId,
            a: m.anonymousId,
            ts: m.timestamp.toISOString(),
            r: m.receivedAt.toISOString(),
            d: payload,
          });
          writeRefs.push(ref);
        });
      }
      const ti = performance.now();
      const inserted = await repo.insertEventsWithLog(tx, writes);
      tInsert = performance.now() - ti;
      writes.forEach((w, i) => {
        if (inserted.has(repo.insertedKey(w.w, w.m))) {
          const ref = writeRefs[i]!;
          outcomes[ref.p]![ref.e] = 'stored';
        }
      });
      if (inserted.size > 0) await notify(tx, DOMAIN_LOG_CHANNEL, '');
    });
    this.log.debug(
      { events: outcomes.reduce((n, o) => n + o.length, 0), ms: Math.round(performance.now() - t0), resolveMs: Math.round(tResolve), insertMs: Math.round(tInsert) },
      'ingest flush',
    );
    return outcomes;
  }

  /** Stop accepting writes and wait for everything queued to commit. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
  }
}
