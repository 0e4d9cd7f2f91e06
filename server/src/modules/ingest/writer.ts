/**
 * Group commit for ingestion. Concurrent requests enqueue their validated events; a flush takes
 * everything waiting (up to a maximum), resolves identities in one transaction, then inserts the
 * events (skipping stored message ids) and their domain log entry in a second one.
 * Every request's promise settles only after that commit: a 2xx means durable, and many requests
 * share one commit's fsync.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { CountryCode } from 'libphonenumber-js';
import type { Database } from '../../db/client';
import { DOMAIN_LOG_NOTIFY } from '../../platform/domain-log';
import { resolveBatch, type IdentifierRef, type IdentityRulesInput } from '../profiles';
import * as repo from './ingest.repo';
import type { EventWarning, ValidMessage } from './validate';

export interface QueuedEvent {
  message: ValidMessage;
  identifiers: IdentifierRef[];
  /** Null for events Omni records itself (e.g. a POS order's customer). */
  sourceId: string | null;
  channel: string;
  /** Its traits come from a trusted source (server source, import, admin API); a browser's are self-reported. */
  trusted: boolean;
}

export type EventOutcome = 'stored' | 'duplicate' | 'suppressed';

/** An event's outcome and the profile it resolved to (null when suppressed or without identifiers). */
export interface WriteResult {
  outcome: EventOutcome;
  profileId: string | null;
}

export interface WorkspaceIdentity {
  id: string;
  rules: IdentityRulesInput;
  defaultCountry: CountryCode;
}

interface Pending {
  workspace: WorkspaceIdentity;
  events: QueuedEvent[];
  resolve: (results: WriteResult[]) => void;
  reject: (err: unknown) => void;
}

interface Resolved {
  outcomes: EventOutcome[][];
  profileIds: (string | null)[][];
  writes: repo.EventWrite[];
  writeRefs: { p: number; e: number }[];
  workspaceIds: string[];
}

/**
 * Omni's notes on a stored event, in one place: `payload._omni`. `warnings`: what was changed to
 * store it (NUL removed, lone surrogates replaced, times replaced); `droppedIdentifiers`: what
 * identity resolution left out under the workspace's rules. Read back by `notesOf`.
 */
export interface EventNotes {
  warnings: EventWarning[];
  droppedIdentifiers: IdentifierRef[];
}

function withNotes(payload: Record<string, unknown>, notes: EventNotes): Record<string, unknown> {
  if (notes.warnings.length === 0 && notes.droppedIdentifiers.length === 0) return payload;
  const omni: Partial<EventNotes> = {};
  if (notes.warnings.length > 0) omni.warnings = notes.warnings;
  if (notes.droppedIdentifiers.length > 0) omni.droppedIdentifiers = notes.droppedIdentifiers;
  return { ...payload, _omni: omni };
}

/** The notes of a stored payload (empty lists when there are none). */
export function notesOf(payload: Record<string, unknown>): EventNotes {
  const omni = payload._omni;
  const rec = omni !== null && typeof omni === 'object' && !Array.isArray(omni) ? (omni as Record<string, unknown>) : {};
  return {
    warnings: Array.isArray(rec.warnings) ? (rec.warnings as EventWarning[]) : [],
    droppedIdentifiers: Array.isArray(rec.droppedIdentifiers) ? (rec.droppedIdentifiers as IdentifierRef[]) : [],
  };
}

export class IngestWriter {
  private queue: Pending[] = [];
  private flushing = false;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly log: FastifyBaseLogger,
    private readonly maxBatch: number,
  ) {}

  /** Resolves with one outcome per event once they are committed. */
  async write(workspace: WorkspaceIdentity, events: QueuedEvent[]): Promise<EventOutcome[]> {
    return (await this.writeResolved(workspace, events)).map((r) => r.outcome);
  }

  /** Like write, with the profile each event resolved to (also for duplicates: resolution is idempotent). */
  writeResolved(workspace: WorkspaceIdentity, events: QueuedEvent[]): Promise<WriteResult[]> {
    if (this.closed) return Promise.reject(new Error('ingest writer is closed'));
    if (events.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ workspace, events, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Let requests that arrive in the same tick join this commit.
        setImmediate(() => void this.drain());
      }
    });
  }

  private take(): { batch: Pending[]; n: number } {
    const batch: Pending[] = [];
    let n = 0;
    while (this.queue.length > 0 && (batch.length === 0 || n + this.queue[0]!.events.length <= this.maxBatch)) {
      const p = this.queue.shift()!;
      batch.push(p);
      n += p.events.length;
    }
    return { batch, n };
  }

  /**
   * Two stages per flush, pipelined: while one flush inserts its events, the next one resolves
   * identities, so the database and this process both stay busy. Resolution is serial (one
   * workspace lock); at most two flushes are in flight.
   */
  private async drain(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    while (this.queue.length > 0 || inFlight.size > 0) {
      if (this.queue.length === 0) {
        await Promise.race(inFlight);
        continue;
      }
      const { batch, n } = this.take();
      const fail = (err: unknown) => {
        this.log.error({ err, events: n }, 'ingest flush failed');
        for (const p of batch) p.reject(err);
      };
      let resolved: Resolved;
      try {
        resolved = await this.resolveStage(batch);
      } catch (err) {
        fail(err);
        continue;
      }
      const done: Promise<void> = this.insertStage(resolved)
        .then((r) => batch.forEach((p, i) => p.resolve(r.outcomes[i]!.map((outcome, e) => ({ outcome, profileId: outcome === 'suppressed' ? null : (r.profileIds[i]![e] ?? null) })))), fail)
        .finally(() => inFlight.delete(done));
      inFlight.add(done);
      if (inFlight.size >= 2) await Promise.race(inFlight);
    }
    this.flushing = false;
  }

  /**
   * Stage 1, one transaction: resolve every event's profile (profiles, identifiers, merges and
   * their log entries are committed here). If the process dies before stage 2 commits, no request
   * was acknowledged; the retry resolves again, which is idempotent.
   */
  private async resolveStage(batch: Pending[]): Promise<Resolved> {
    // Group by workspace; each workspace's events are resolved under its own lock, in id order
    // so concurrent processes never wait on each other in a cycle.
    const groups = new Map<string, { workspace: WorkspaceIdentity; refs: { p: number; e: number }[] }>();
    batch.forEach((p, pi) => {
      let g = groups.get(p.workspace.id);
      if (!g) groups.set(p.workspace.id, (g = { workspace: p.workspace, refs: [] }));
      p.events.forEach((_, ei) => g.refs.push({ p: pi, e: ei }));
    });
    const outcomes: EventOutcome[][] = batch.map((p) => p.events.map((): EventOutcome => 'duplicate'));
    const profileIds: (string | null)[][] = batch.map((p) => p.events.map(() => null));
    const writes: repo.EventWrite[] = [];
    const writeRefs: { p: number; e: number }[] = [];
    await this.db.batchTransaction(async (tx) => {
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
        const resolved = await resolveBatch(tx, {
          workspaceId: id,
          rules: g.workspace.rules,
          items: fresh.map(({ ev }) => ({
            identifiers: ev.identifiers,
            previousId: ev.message.previousId ?? undefined,
            traits: ev.message.traits,
            trusted: ev.trusted,
            timestamp: ev.message.timestamp,
            channel: ev.channel,
            messageId: ev.message.messageId,
          })),
        });
        // Repeats inside the flush get the profile of their first occurrence.
        const profileOf = new Map<string, string | null>();
        fresh.forEach(({ ev }, i) => profileOf.set(ev.message.messageId, resolved.profileIds[i] ?? null));
        for (const { ref, ev } of all) profileIds[ref.p]![ref.e] = profileOf.get(ev.message.messageId) ?? null;
        fresh.forEach(({ ref, ev }, i) => {
          if (resolved.suppressed.has(i)) {
            outcomes[ref.p]![ref.e] = 'suppressed';
            return;
          }
          const m = ev.message;
          const payload = withNotes(m.payload, { warnings: m.warnings, droppedIdentifiers: resolved.dropped.get(i) ?? [] });
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
    });
    return { outcomes, profileIds, writes, writeRefs, workspaceIds: [...groups.keys()].sort() };
  }

  /**
   * Stage 2, one transaction and one round trip: insert the events and their log entry, holding
   * each workspace's events lock in shared mode (erasure takes it exclusively) and skipping
   * events whose profile was erased between the two stages.
   */
  private async insertStage(r: Resolved): Promise<Resolved> {
    if (r.writes.length === 0) return r;
    const result = await this.db.batchTransaction(async (tx) => {
      const [, rows] = await tx.commit(repo.lockEventsSharedSql(r.workspaceIds), repo.insertEventsSql(r.writes), DOMAIN_LOG_NOTIFY);
      return rows as { w: string; m: string; gone: boolean }[];
    });
    const inserted = new Set<string>();
    const gone = new Set<string>();
    for (const row of result) (row.gone ? gone : inserted).add(repo.insertedKey(row.w, row.m));
    r.writes.forEach((w, i) => {
      const ref = r.writeRefs[i]!;
      if (inserted.has(repo.insertedKey(w.w, w.m))) r.outcomes[ref.p]![ref.e] = 'stored';
      else if (w.p !== null && gone.has(repo.insertedKey(w.w, w.p))) r.outcomes[ref.p]![ref.e] = 'suppressed'; // erased meanwhile
    });
    return r;
  }

  /** Stop accepting writes and wait for everything queued to commit. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
  }
}
