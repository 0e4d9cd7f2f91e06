/**
 * Collect: validate Segment messages, find their identifiers, and hand them to the group-commit
 * writer. Returns what happened to each item.
 */
import type { CountryCode } from 'libphonenumber-js';
import { rows, timeKey, toDate, type Executor } from '../../db/client';
import { DOMAIN_LOG_NOTIFY } from '../../platform/domain-log';
import { decodeCursor, encodeCursor } from '../../platform/cursor';
import { AppError } from '../../platform/errors';
import { extractIdentifiers, getTimelineProfileIds } from '../profiles';
import { getSuppressionKey, getWorkspace, type Source } from '../workspaces';
import * as repo from './ingest.repo';
import { validateMessage, type EventType, type Rejection } from './validate';
import { notesOf, type EventNotes, type IngestWriter, type QueuedEvent } from './writer';

export interface IngestResult {
  accepted: number;
  duplicates: number;
  /** Dropped because they carry an erased person's identifier. */
  suppressed: number;
  rejected: Rejection[];
}

export interface IncomingItem {
  value: unknown;
  /** Serialised size in bytes, when known (single calls: the body size). */
  byteSize?: number;
}

export async function ingestMessages(
  deps: { ex: Executor; writer: IngestWriter },
  input: { source: Source; items: IncomingItem[]; type?: EventType; receivedAt: Date; shared?: { context?: unknown; integrations?: unknown; sentAt?: unknown } },
): Promise<IngestResult> {
  const workspace = await getWorkspace(deps.ex, input.source.workspaceId);
  const country = workspace.defaultCountry as CountryCode;
  const rejected: Rejection[] = [];
  const queued: QueuedEvent[] = [];
  const itemIndex: number[] = [];
  input.items.forEach((item, index) => {
    let value = item.value;
    if (input.shared && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      value = mergeShared(value as Record<string, unknown>, input.shared);
    }
    const v = validateMessage(value, { type: input.type, receivedAt: input.receivedAt, byteSize: input.shared ? undefined : item.byteSize });
    if ('code' in v) {
      rejected.push({ ...v, index });
      return;
    }
    itemIndex.push(index);
    queued.push({
      message: v,
      identifiers: extractIdentifiers({ userId: v.userId, anonymousId: v.anonymousId, traits: v.traits, context: v.context }, country),
      sourceId: input.source.id,
      channel: input.source.channel,
      trusted: input.source.trust === 'server',
    });
  });
  const suppressionKey = await getSuppressionKey(deps.ex, workspace.id);
  const outcomes = await deps.writer.writeResolved({ id: workspace.id, suppressionKey, rules: workspace.identityRules, defaultCountry: country }, queued);
  const result: IngestResult = { accepted: 0, duplicates: 0, suppressed: 0, rejected };
  outcomes.forEach((o, i) => {
    if (o.outcome === 'stored') result.accepted++;
    else if (o.outcome === 'duplicate') result.duplicates++;
    else if (o.outcome === 'suppressed') result.suppressed++;
    else rejected.push({ index: itemIndex[i]!, code: 'unstorable_event', message: o.reason ?? 'the database refused this event' });
  });
  rejected.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  return result;
}

/**
 * Batch-level context and integrations apply to every item (the item's own keys win); a
 * batch-level sentAt (some SDKs send it once per batch) applies to items without their own.
 */
function mergeShared(item: Record<string, unknown>, shared: { context?: unknown; integrations?: unknown; sentAt?: unknown }): Record<string, unknown> {
  const out = { ...item };
  if (out.sentAt === undefined && shared.sentAt !== undefined) out.sentAt = shared.sentAt;
  for (const key of ['context', 'integrations'] as const) {
    const top = shared[key];
    if (top === null || typeof top !== 'object' || Array.isArray(top)) continue;
    const own = out[key];
    out[key] = own !== null && typeof own === 'object' && !Array.isArray(own) ? { ...top, ...own } : own === undefined ? { ...top } : own;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Timeline

export interface TimelineEvent {
  id: string;
  messageId: string;
  profileId: string | null;
  type: string;
  event: string | null;
  channel: string;
  sourceId: string | null;
  timestamp: Date;
  receivedAt: Date;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
  name: string | null;
  /** What Omni changed to store the event, and identifiers resolution left out. */
  notes: EventNotes;
}

function toTimelineEvent(r: repo.EventRow): TimelineEvent {
  const p = r.payload;
  const obj = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  return {
    id: String(r.id),
    messageId: r.message_id,
    profileId: r.profile_id,
    type: r.type,
    event: r.event,
    channel: r.channel,
    sourceId: r.source_id,
    timestamp: toDate(r.timestamp),
    receivedAt: toDate(r.received_at),
    properties: obj(p.properties),
    traits: obj(p.traits),
    context: obj(p.context),
    name: typeof p.name === 'string' ? p.name : null,
    notes: notesOf(p),
  };
}

export async function listProfileEvents(
  ex: Executor,
  opts: { workspaceId: string; profileId: string; limit: number; cursor?: string; channel?: string; type?: string; event?: string },
): Promise<{ data: TimelineEvent[]; nextCursor: string | null }> {
  const profileIds = await getTimelineProfileIds(ex, opts.workspaceId, opts.profileId);
  const before = opts.cursor ? decodeCursor(opts.cursor, { timestamp: 'timestamp', id: 'serial' }) : undefined;
  const found = await repo.selectTimeline(ex, { ...opts, profileIds, limit: opts.limit + 1, before });
  const page = found.slice(0, opts.limit);
  const last = page[page.length - 1];
  return {
    data: page.map(toTimelineEvent),
    nextCursor: found.length > opts.limit && last ? encodeCursor({ timestamp: timeKey(last.timestamp), id: last.id }) : null,
  };
}

/** Every event of the given profiles (for data-subject export), oldest first. */
export async function listAllEventsOfProfiles(ex: Executor, workspaceId: string, profileIds: string[]): Promise<TimelineEvent[]> {
  const out: TimelineEvent[] = [];
  let before: { timestamp: string; id: number } | undefined;
  for (;;) {
    const page = await repo.selectTimeline(ex, { workspaceId, profileIds, limit: 1000, before });
    out.push(...page.map(toTimelineEvent));
    const last = page[page.length - 1];
    if (page.length < 1000 || !last) break;
    before = { timestamp: timeKey(last.timestamp), id: last.id };
  }
  return out.reverse();
}

/** Event counts per (profile id, channel): the profile API shows them. */
export async function countEventsByProfileAndChannel(ex: Executor, workspaceId: string, profileIds: string[]) {
  return repo.countByProfileAndChannel(ex, workspaceId, profileIds);
}

/** Delete a person's events; waits for in-flight event inserts of the workspace and blocks new ones until commit. */
export async function deleteEventsOfProfiles(ex: Executor, workspaceId: string, profileIds: string[]): Promise<number> {
  await repo.lockWorkspaceEvents(ex, workspaceId, 'exclusive');
  return repo.deleteEventsOfProfiles(ex, workspaceId, profileIds);
}

// ---------------------------------------------------------------------------------------------
// Events Omni records itself

/**
 * Resolve a customer known to another system (a POS sale by phone, a marketplace order with an
 * email) through identity resolution, as an `identify` on their timeline. Idempotent by
 * messageId; returns the profile id, or null when the person was erased (suppressed) or nothing
 * identifies them.
 */
export async function identifyCustomer(
  deps: { ex: Executor; writer: IngestWriter },
  input: {
    workspaceId: string;
    sourceId: string | null;
    channel: string;
    messageId: string;
    userId?: string;
    /** A browser's anonymous id: joins the guest's profile to this customer (or creates the guest). */
    anonymousId?: string;
    traits: Record<string, unknown>;
    externalIds: { id: string; type: string }[];
    timestamp: Date;
  },
): Promise<string | null> {
  const workspace = await getWorkspace(deps.ex, input.workspaceId);
  const country = workspace.defaultCountry as CountryCode;
  const raw = {
    type: 'identify',
    messageId: input.messageId,
    ...(input.userId ? { userId: input.userId } : {}),
    traits: input.traits,
    context: input.externalIds.length > 0 ? { externalIds: input.externalIds.map((e) => ({ ...e, collection: 'users', encoding: 'none' })) } : {},
    timestamp: input.timestamp.toISOString(),
  };
  const anonymousId = input.anonymousId ?? (input.userId ? undefined : `omni-${input.messageId}`);
  const v = validateMessage({ ...raw, anonymousId }, { receivedAt: new Date() });
  if ('code' in v) throw new AppError('validation_failed', v.message, { field: v.field });
  const identifiers = extractIdentifiers({ userId: v.userId, anonymousId: input.anonymousId ?? null, traits: v.traits, context: v.context }, country);
  if (identifiers.length === 0) return null;
  const suppressionKey = await getSuppressionKey(deps.ex, workspace.id);
  const [result] = await deps.writer.writeResolved({ id: workspace.id, suppressionKey, rules: workspace.identityRules, defaultCountry: country }, [
    // Omni's own calls on behalf of the shop's backend (orders, sign-in, the admin API): trusted.
    { message: v, identifiers, sourceId: input.sourceId, channel: input.channel, trusted: true },
  ]);
  if (result?.outcome === 'rejected') throw new AppError('unstorable_event', result.reason ?? 'the database refused this customer');
  return result?.profileId ?? null;
}

/** An event recorded by Omni itself (cart and order activity), in the caller's transaction. */
export interface RecordedEvent {
  workspaceId: string;
  profileId: string;
  messageId: string;
  event: string;
  properties: Record<string, unknown>;
  channel: string;
  sourceId: string | null;
  timestamp: Date;
}

/**
 * Put events on a profile's timeline inside the caller's transaction (so an order and its
 * "Order Completed" commit together). Idempotent by messageId; returns how many were new.
 */
export async function recordEvents(ex: Executor, events: RecordedEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const receivedAt = new Date().toISOString();
  const inserted = await rows<{ gone: boolean }>(
    ex,
    repo.insertEventsSql(
      events.map((e) => ({
        w: e.workspaceId,
        m: e.messageId,
        p: e.profileId,
        s: e.sourceId,
        c: e.channel,
        t: 'track',
        e: e.event,
        u: null,
        a: null,
        ts: e.timestamp.toISOString(),
        r: receivedAt,
        d: { type: 'track', event: e.event, messageId: e.messageId, properties: e.properties, timestamp: e.timestamp.toISOString(), context: { library: { name: 'omni' } } },
      })),
    ),
  );
  await ex.execute(DOMAIN_LOG_NOTIFY);
  return inserted.filter((r) => !r.gone).length;
}

// ---------------------------------------------------------------------------------------------
// Dashboard aggregates (counted in SQL; days in the workspace's time zone)

export type ActivityRange = repo.ActivityRange;

export interface ActivityTotals {
  events: number;
  /** Customers with at least one event in the range. */
  customers: number;
  /** Of those, active on two or more channels. */
  multiChannelCustomers: number;
  /** Customers whose first event ever falls in the range. */
  newCustomers: number;
}

export interface ActivitySummary {
  totals: ActivityTotals;
  byDay: { day: string; channel: string; customers: number; events: number }[];
  byChannel: { channel: string; customers: number; events: number }[];
}

export async function getActivityTotals(ex: Executor, range: ActivityRange): Promise<ActivityTotals> {
  const t = await repo.selectActivityTotals(ex, range);
  return { events: t?.events ?? 0, customers: t?.customers ?? 0, multiChannelCustomers: t?.multi_channel ?? 0, newCustomers: t?.new_customers ?? 0 };
}

/** Customers and events per day and channel, per channel, and in total, over a range. */
export async function getActivitySummary(ex: Executor, range: ActivityRange): Promise<ActivitySummary> {
  const totals = await getActivityTotals(ex, range);
  const byDay = await repo.selectActivityByDay(ex, range);
  const byChannel = await repo.selectActivityByChannel(ex, range);
  return { totals, byDay, byChannel };
}

/** Whether the workspace has received any event yet. */
export async function hasAnyEvents(ex: Executor, workspaceId: string): Promise<boolean> {
  return repo.hasEvents(ex, workspaceId);
}

export interface ChannelPath {
  /** Event channels in time order, repeats collapsed, ending with the first order's channel. */
  steps: string[];
  customers: number;
  /** Median days from first touch to the first order. */
  medianDays: number;
}

/**
 * The most common channel paths of buyers to their first order (`at`, on channel `channel`),
 * from their events up to that moment.
 */
export async function getChannelPaths(
  ex: Executor,
  opts: { workspaceId: string; buyers: { profileId: string; at: Date; channel: string }[]; maxSteps?: number; limit?: number },
): Promise<ChannelPath[]> {
  const found = await repo.selectChannelPaths(ex, {
    workspaceId: opts.workspaceId,
    buyers: opts.buyers.map((b) => ({ p: b.profileId, at: b.at.toISOString(), c: b.channel })),
    maxSteps: opts.maxSteps ?? 4,
    limit: opts.limit ?? 10,
  });
  return found.map((r) => ({ steps: r.steps, customers: r.customers, medianDays: Math.round(Number(r.median_days ?? 0) * 10) / 10 }));
}
