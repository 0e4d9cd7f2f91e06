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

/** `rejected`: the database refused this event even alone (see `isInputFault`); the others went on. */
export type EventOutcome = 'stored' | 'duplicate' | 'suppressed' | 'rejected';

/** An event's outcome and the profile it resolved to (null when suppressed, rejected or without identifiers). */
export interface WriteResult {
  outcome: EventOutcome;
  profileId: string | null;
  /** Why a rejected event was refused. */
  reason?: string;
}

export interface WorkspaceIdentity {
  id: string;
  /** Keys the hashes of erased identifiers (workspaces' `getSuppressionKey`). */
  suppressionKey: string;
  rules: IdentityRulesInput;
  defaultCountry: CountryCode;
}

interface Pending {
  workspace: WorkspaceIdentity;
  events: QueuedEvent[];
  resolve: (results: WriteResult[]) => void;
  reject: (err: unknown) => void;
  results: (WriteResult | undefined)[];
  /** Events still without a result. */
  open: number;
  /** A failure not caused by the input: the whole request fails with it (and is retried by its client). */
  failure?: unknown;
}

/** One event of one request: the unit a failed flush is split into. */
interface Slot {
  p: Pending;
  e: number;
}

interface Resolved {
  outcomes: EventOutcome[];
  profileIds: (string | null)[];
  writes: repo.EventWrite[];
  /** The slot index of each write. */
  writeRefs: number[];
  workspaceIds: string[];
}

/** SQLSTATE classes of failures that are the data's fault: data exception, integrity constraint, program limit. */
const INPUT_FAULT_CLASSES = new Set(['22', '23', '54']);
/** Classes that say the database is unreachable or unwell, not this data: splitting would not help. */
const UNAVAILABLE_CLASSES = new Set(['08', '53', '57', '58']);

function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Whether the database refused the data itself (so the event would fail however often it is sent). */
export function isInputFault(err: unknown): boolean {
  const state = sqlState(err);
  return state !== undefined && INPUT_FAULT_CLASSES.has(state.slice(0, 2));
}

function isUnavailable(err: unknown): boolean {
  const state = sqlState(err);
  if (state !== undefined) return UNAVAILABLE_CLASSES.has(state.slice(0, 2));
  const code = (err as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && /^E[A-Z]+$/.test(code)) || /connection terminated|not queryable|closed/i.test(String((err as Error)?.message ?? ''));
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

/** What a client is told when the database refused its event: the kind of fault, not the database's words. */
function refusalReason(err: unknown): string {
  const cls = sqlState(err)?.slice(0, 2);
  const kind = cls === '22' ? 'a value it cannot hold' : cls === '23' ? 'a value a rule refuses' : 'a value beyond its limits';
  return `the database refused this event: ${kind} (SQLSTATE ${sqlState(err) ?? 'unknown'})`;
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

  /** One result per event, with the profile it resolved to (also for duplicates: resolution is idempotent), once committed. */
  writeResolved(workspace: WorkspaceIdentity, events: QueuedEvent[]): Promise<WriteResult[]> {
    if (this.closed) return Promise.reject(new Error('ingest writer is closed'));
    if (events.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ workspace, events, resolve, reject, results: events.map(() => undefined), open: events.length });
      if (!this.flushing) {
        this.flushing = true;
        // Let requests that arrive in the same tick join this commit.
        setImmediate(() => void this.drain());
      }
    });
  }

  private take(): Slot[] {
    const slots: Slot[] = [];
    while (this.queue.length > 0 && (slots.length === 0 || slots.length + this.queue[0]!.events.length <= this.maxBatch)) {
      const p = this.queue.shift()!;
      p.events.forEach((_, e) => slots.push({ p, e }));
    }
    return slots;
  }

  /**
   * Two stages per flush, pipelined: while one flush inserts its events, the next one resolves
   * identities, so the database and this process both stay busy. Resolution is serial (one
   * workspace lock); at most two flushes are in flight. A flush that fails is isolated (see
   * `isolate`) while the next ones go on.
   */
  private async drain(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    const track = (work: Promise<void>) => {
      const done: Promise<void> = work.finally(() => inFlight.delete(done));
      inFlight.add(done);
    };
    while (this.queue.length > 0 || inFlight.size > 0) {
      if (this.queue.length === 0) {
        await Promise.race(inFlight);
        continue;
      }
      const slots = this.take();
      let resolved: Resolved | undefined;
      try {
        resolved = await this.resolveStage(slots);
      } catch (err) {
        track(this.isolate(slots, err));
      }
      if (resolved) {
        const r = resolved;
        track(this.insertStage(r).then((done) => this.settle(slots, done), (err) => this.isolate(slots, err)));
      }
      if (inFlight.size >= 2) await Promise.race(inFlight);
    }
    this.flushing = false;
  }

  /**
   * A flush failed: its events share one transaction, so one bad event (or a bug its data
   * triggers) would fail every request in it, from every workspace. Retry it in halves, each
   * half committed on its own, down to the single event that fails: that event is `rejected`
   * when the database refused its data (its request still gets the rest), otherwise its request
   * fails (500) — never a neighbour. An unreachable database fails the flush as it is: splitting
   * cannot help and the clients retry. Resolution is idempotent, so events of a half whose
   * first stage had committed resolve again to the same profiles.
   */
  private async isolate(slots: Slot[], err: unknown): Promise<void> {
    if (slots.length === 1 || isUnavailable(err)) {
      if (slots.length === 1 && isInputFault(err)) {
        this.log.warn({ err, workspaceId: slots[0]!.p.workspace.id }, 'ingest: the database refused an event; rejected alone');
        this.settleOne(slots[0]!, { outcome: 'rejected', profileId: null, reason: refusalReason(err) });
      } else {
        this.log.error({ err, events: slots.length }, 'ingest flush failed');
        for (const slot of slots) this.settleOne(slot, undefined, err);
      }
      return;
    }
    this.log.warn({ err, events: slots.length }, 'ingest flush failed; retrying in halves to isolate the cause');
    const mid = Math.ceil(slots.length / 2);
    for (const half of [slots.slice(0, mid), slots.slice(mid)]) {
      try {
        this.settle(half, await this.insertStage(await this.resolveStage(half)));
      } catch (e) {
        await this.isolate(half, e);
      }
    }
  }

  private settle(slots: Slot[], r: Resolved): void {
    slots.forEach((slot, i) => {
      const outcome = r.outcomes[i]!;
      this.settleOne(slot, { outcome, profileId: outcome === 'suppressed' ? null : (r.profileIds[i] ?? null) });
    });
  }

  /** Record one event's result (or its request's failure); answer the request when it has all. */
  private settleOne(slot: Slot, result: WriteResult | undefined, failure?: unknown): void {
    const p = slot.p;
    if (p.results[slot.e] === undefined && result) p.results[slot.e] = result;
    if (failure !== undefined) p.failure ??= failure;
    p.open--;
    if (p.open > 0) return;
    if (p.failure !== undefined) p.reject(p.failure);
    else p.resolve(p.results.map((x) => x!));
  }

  /**
   * Stage 1, one transaction: resolve every event's profile (profiles, identifiers, merges and
   * their log entries are committed here). If the process dies before stage 2 commits, no request
   * was acknowledged; the retry resolves again, which is idempotent.
   */
  private async resolveStage(slots: Slot[]): Promise<Resolved> {
    // Group by workspace; each workspace's events are resolved under its own lock, in id order
    // so concurrent processes never wait on each other in a cycle.
    const groups = new Map<string, { workspace: WorkspaceIdentity; refs: number[] }>();
    slots.forEach((slot, i) => {
      let g = groups.get(slot.p.workspace.id);
      if (!g) groups.set(slot.p.workspace.id, (g = { workspace: slot.p.workspace, refs: [] }));
      g.refs.push(i);
    });
    const eventOf = (i: number) => slots[i]!.p.events[slots[i]!.e]!;
    const outcomes: EventOutcome[] = slots.map((): EventOutcome => 'duplicate');
    const profileIds: (string | null)[] = slots.map(() => null);
    const writes: repo.EventWrite[] = [];
    const writeRefs: number[] = [];
    await this.db.batchTransaction(async (tx) => {
      for (const id of [...groups.keys()].sort()) {
        const g = groups.get(id)!;
        const all = g.refs.map((ref) => ({ ref, ev: eventOf(ref) }));
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
          suppressionKey: g.workspace.suppressionKey,
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
        for (const { ref, ev } of all) profileIds[ref] = profileOf.get(ev.message.messageId) ?? null;
        fresh.forEach(({ ref, ev }, i) => {
          if (resolved.suppressed.has(i)) {
            outcomes[ref] = 'suppressed';
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
      if (inserted.has(repo.insertedKey(w.w, w.m))) r.outcomes[ref] = 'stored';
      else if (w.p !== null && gone.has(repo.insertedKey(w.w, w.p))) r.outcomes[ref] = 'suppressed'; // erased meanwhile
    });
    return r;
  }

  /** Stop accepting writes and wait for everything queued to commit. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
  }
}
