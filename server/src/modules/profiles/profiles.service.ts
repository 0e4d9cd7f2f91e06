/**
 * Profiles: identity resolution over batches of events, and the profile 360 reads.
 */
import type { CountryCode } from 'libphonenumber-js';
import { timeKey, toDate, type BatchTx, type Executor } from '../../db/client';
import { appendDomainEvents, appendDomainEventsSql, DOMAIN_LOG_NOTIFY, type DomainEventInput } from '../../platform/domain-log';
import { decodeCursor, encodeCursor } from '../../platform/cursor';
import { AppError } from '../../platform/errors';
import { hmacSha256, newId, sha256 } from '../../platform/ids';
import { foldForSearch, normalizeIdentifier, normalizeIdentifierType, normalizePhone } from './normalize';
import * as repo from './profiles.repo';
import {
  findLive,
  identifierKey,
  resolveItems,
  type IdentifierRef,
  type ProfileState,
  type ResolveItem,
  type ResolveState,
} from './resolve';
import { resolveRules, type IdentityRulesInput } from './rules';

export interface ResolveBatchInput {
  workspaceId: string;
  /** The workspace's suppression key (workspaces' `getSuppressionKey`). */
  suppressionKey: string;
  rules: IdentityRulesInput;
  items: ResolveItem[];
}

export interface ResolveBatchOutput {
  /** Per item: the profile id, or null when it carries no usable identifier. */
  profileIds: (string | null)[];
  /** Items carrying an erased person's identifier: to be dropped, not stored. */
  suppressed: Set<number>;
  /** Per item: identifiers the rules kept from matching. */
  dropped: Map<number, IdentifierRef[]>;
}

/**
 * How an erased identifier is kept: `unkeyed` is what suppressions held before they were keyed
 * (sha256 of type:value, which anyone can brute-force for a phone number); `keyed` is the HMAC of
 * that under the workspace's key. Hashing the unkeyed form, not the value, is what lets old rows
 * be re-keyed although the values are gone.
 */
export function suppressionHashes(suppressionKey: string, type: string, value: string): { keyed: string; unkeyed: string } {
  const unkeyed = sha256(`${type}:${value}`);
  return { keyed: hmacSha256(suppressionKey, unkeyed), unkeyed };
}

/**
 * Per process: whether a workspace had suppressed identifiers (and unkeyed ones) when last seen,
 * so the lookup can travel with the lock instead of a round trip after it.
 */
const seenSuppressions = new Map<string, { has: boolean; unkeyed: boolean }>();

/**
 * Resolve a batch of events to profiles in the caller's batched transaction: one round trip
 * reads (lock, suppressions, the profiles holding the identifiers); the writes (profiles,
 * identifiers, merges, domain log entries) are deferred to the caller's next round trip or
 * commit. Serialised per workspace by an advisory lock held until commit.
 */
export async function resolveBatch(tx: BatchTx, input: ResolveBatchInput): Promise<ResolveBatchOutput> {
  const { workspaceId } = input;
  const now = new Date();

  // An alias's previousId is an identifier too: normalised like one, placeholders left out.
  const given = input.items.map((item) => ({ ...item, previousId: normalizePreviousId(item.previousId) }));
  const refs = new Map<string, IdentifierRef>();
  for (const item of given) for (const id of refsOf(item)) refs.set(identifierKey(id.type, id.value), id);

  // 1. One round trip: the lock, then (after it is granted) the suppressed hashes when the
  // workspace is known to have some, and the profiles these identifiers belong to.
  const hashOf = new Map<string, { keyed: string; unkeyed: string }>();
  const hashes = (withUnkeyed: boolean) => {
    if (hashOf.size === 0) for (const [key, id] of refs) hashOf.set(key, suppressionHashes(input.suppressionKey, id.type, id.value));
    const out = new Set<string>();
    for (const h of hashOf.values()) {
      out.add(h.keyed);
      if (withUnkeyed) out.add(h.unkeyed);
    }
    return [...out];
  };
  const known = seenSuppressions.get(workspaceId);
  const checkSuppressed = known?.has === true && refs.size > 0;
  const [lockRows, ...rest] = await tx.query(
    repo.lockIdentitySql(workspaceId),
    ...(checkSuppressed ? [repo.selectSuppressedSql(workspaceId, hashes(known.unkeyed))] : []),
    ...(refs.size > 0 ? [repo.profilesHoldingSql(workspaceId, [...refs.values()])] : []),
  );
  const current = { has: lockRows?.[0]?.has === true, unkeyed: lockRows?.[0]?.unkeyed === true };
  seenSuppressions.set(workspaceId, current);
  let suppressedRows = checkSuppressed ? rest.shift()! : [];
  const holders = (refs.size > 0 ? rest.shift()! : []) as unknown as repo.HolderRow[];
  if (current.has && refs.size > 0 && (!checkSuppressed || (current.unkeyed && !known.unkeyed))) {
    // Erased since last seen (or rows an older process wrote unkeyed): one more round trip.
    suppressedRows = (await tx.query(repo.selectSuppressedSql(workspaceId, hashes(current.unkeyed))))[0] ?? [];
  }
  const suppressed = new Set(suppressedRows.map((r) => r.hash as string));

  // 2. Erased people: events carrying a suppressed identifier are dropped and counted.
  const keep: number[] = [];
  const suppressedItems = new Set<number>();
  const dropCounts = new Map<string, number>();
  given.forEach((item, i) => {
    if (item.identifiers.length === 0 && item.previousId === undefined) return; // nothing to resolve on
    const hit = suppressed.size > 0
      ? refsOf(item)
          .map((id) => hashOf.get(identifierKey(id.type, id.value))!)
          .flatMap((h) => [h.keyed, h.unkeyed])
          .find((h) => suppressed.has(h))
      : undefined;
    if (hit) {
      dropCounts.set(hit, (dropCounts.get(hit) ?? 0) + 1);
      suppressedItems.add(i);
    } else keep.push(i);
  });
  const items = keep.map((i) => given[i]!);

  // 3. Resolve in memory.
  const state: ResolveState = { owners: new Map(), profiles: new Map() };
  for (const row of holders) {
    const p = toState(row);
    state.profiles.set(row.id, p);
    for (const [type, value] of row.ids) {
      let set = p.identifiers.get(type);
      if (!set) p.identifiers.set(type, (set = new Set()));
      set.add(value);
      state.owners.set(identifierKey(type, value), row.id);
    }
  }
  const result = resolveItems({ state, items, rules: resolveRules(input.rules), newProfileId: () => newId('prf'), now });

  // 4. Write the outcome (deferred: sent with the caller's next round trip).
  const inserts: repo.ProfileWrite[] = [];
  const updates: repo.ProfileWrite[] = [];
  const domain: DomainEventInput[] = [];
  for (const p of state.profiles.values()) {
    if (!p.dirty) continue;
    if (p.isNew) {
      if (p.mergedInto) continue; // created and merged away inside this batch: never existed
      inserts.push(toWrite(p, null));
    } else {
      updates.push(toWrite(p, p.mergedInto ? findLive(state, p.id).id : null));
    }
  }
  const merges = result.merges.filter((m) => !state.profiles.get(m.from)!.isNew);
  const repoint = merges.map((m) => ({ from: m.from, into: findLive(state, m.into).id }));
  const mergeRows = merges.map((m) => ({
    id: newId('mrg'),
    from: m.from,
    into: findLive(state, m.into).id,
    reason: m.reason,
    at: m.at.toISOString(),
  }));
  // One entry for every profile this commit created (not one row each: this is the hot path).
  if (inserts.length > 0) domain.push({ workspaceId, type: 'profiles.created', data: { profileIds: inserts.map((p) => p.id) } });
  for (const m of mergeRows) {
    // The log keeps identifier types, not values: erasure must not leave personal data behind.
    const reason = { identifierTypes: m.reason.identifiers.map((i) => i.type), messageId: m.reason.messageId };
    domain.push({ workspaceId, type: 'profile.merged', profileId: m.into, ref: m.id, data: { from: m.from, into: m.into, reason } });
  }
  const seenAt = now.toISOString();
  const attached = [...result.attached].map(([key, id]) => ({
    type: id.type,
    value: id.value,
    profile_id: findLive(state, state.owners.get(key)!).id,
    seen_at: seenAt,
  }));

  const logEntries = appendDomainEventsSql(domain);
  tx.defer(
    repo.countSuppressedDropsSql(workspaceId, dropCounts),
    repo.insertProfilesSql(workspaceId, inserts),
    repo.updateProfilesSql(workspaceId, updates),
    ...repo.repointMergedSql(workspaceId, repoint),
    repo.upsertIdentifiersSql(workspaceId, attached),
    repo.insertMergesSql(workspaceId, mergeRows),
    logEntries,
    logEntries && DOMAIN_LOG_NOTIFY,
  );

  const out: (string | null)[] = input.items.map(() => null);
  keep.forEach((originalIndex, i) => (out[originalIndex] = result.profileIds[i]!));
  const dropped = new Map<number, IdentifierRef[]>();
  for (const [i, list] of result.dropped) dropped.set(keep[i]!, list);
  return { profileIds: out, dropped, suppressed: suppressedItems };
}

/** user_id and anonymous_id share one normaliser, so either reading of previousId gives this value. */
function normalizePreviousId(raw: string | undefined): string | undefined {
  return raw === undefined ? undefined : (normalizeIdentifier('anonymous_id', raw) ?? undefined);
}

/** Every identifier an item may resolve on; previousId may be either a user_id or an anonymous_id. */
function refsOf(item: ResolveItem): IdentifierRef[] {
  if (item.previousId === undefined) return item.identifiers;
  const v = item.previousId;
  return [...item.identifiers, { type: 'user_id', value: v }, { type: 'anonymous_id', value: v }];
}

function toState(r: repo.ProfileRow): ProfileState {
  return {
    id: r.id,
    isNew: false,
    createdAt: toDate(r.created_at),
    identifiers: new Map(),
    traits: { ...r.traits },
    traitTimes: { ...r.trait_times },
    trustedTraits: { ...(r.trusted_traits ?? {}) },
    channels: { ...r.channels },
    mergeCount: r.merge_count,
    firstSeenAt: toDate(r.first_seen_at),
    lastSeenAt: toDate(r.last_seen_at),
    dirty: false,
  };
}

const NAME_KEYS = ['name', 'first_name', 'last_name', 'firstName', 'lastName', 'full_name', 'fullName', 'username'];

/** Folded name, emails and phones (E.164 and national form) for diacritics-insensitive search. */
export function searchTextOf(traits: Record<string, unknown>, identifiers: Map<string, Set<string>>): string {
  const parts: string[] = [];
  for (const k of NAME_KEYS) {
    const v = traits[k];
    if (typeof v === 'string' && v.trim()) parts.push(foldForSearch(v));
  }
  for (const v of identifiers.get('email') ?? []) parts.push(v);
  for (const v of identifiers.get('phone') ?? []) {
    parts.push(v);
    if (v.startsWith('+84')) parts.push('0' + v.slice(3));
  }
  for (const v of identifiers.get('user_id') ?? []) parts.push(v.toLowerCase());
  return parts.join(' ').slice(0, 2000);
}

function toWrite(p: ProfileState, mergedInto: string | null): repo.ProfileWrite {
  return {
    id: p.id,
    traits: p.traits,
    trait_times: p.traitTimes,
    trusted_traits: p.trustedTraits,
    channels: p.channels,
    merge_count: p.mergeCount,
    first_seen_at: p.firstSeenAt.toISOString(),
    last_seen_at: p.lastSeenAt.toISOString(),
    search_text: searchTextOf(p.traits, p.identifiers),
    merged_into: mergedInto,
  };
}

// ---------------------------------------------------------------------------------------------
// Reads

export interface Profile {
  id: string;
  traits: Record<string, unknown>;
  /** Per trait: trusted (a source the shop controls set it) or self_reported (a browser or app says so). */
  traitSources: Record<string, TraitSource>;
  identifiers: { type: string; value: string }[];
  channels: Record<string, { first: string; last: string }>;
  firstSeenAt: string;
  lastSeenAt: string;
  createdAt: string;
  updatedAt: string;
  /** Ids of profiles merged into this one. */
  mergedProfileIds: string[];
}

/** A profile as the API shows it: with event counts, overall and per channel. */
export interface ProfileView extends Omit<Profile, 'channels'> {
  eventCount: number;
  channels: Record<string, { first: string; last: string; count: number }>;
}

/**
 * Counts events per (profile id, channel). Events belong to the ingest module, so the app
 * passes its counter in.
 */
export type EventCounter = (
  ex: Executor,
  workspaceId: string,
  profileIds: string[],
) => Promise<{ profileId: string; channel: string; count: number }[]>;

export async function withEventCounts(
  ex: Executor,
  workspaceId: string,
  list: Profile[],
  countEvents: EventCounter,
): Promise<ProfileView[]> {
  const owner = new Map<string, string>();
  for (const p of list) for (const id of [p.id, ...p.mergedProfileIds]) owner.set(id, p.id);
  const counts = owner.size ? await countEvents(ex, workspaceId, [...owner.keys()]) : [];
  const perProfile = new Map<string, Map<string, number>>();
  for (const c of counts) {
    const live = owner.get(c.profileId);
    if (!live) continue;
    const m = perProfile.get(live) ?? new Map<string, number>();
    m.set(c.channel, (m.get(c.channel) ?? 0) + c.count);
    perProfile.set(live, m);
  }
  return list.map((p) => {
    const m = perProfile.get(p.id) ?? new Map<string, number>();
    const channels: ProfileView['channels'] = {};
    for (const [ch, use] of Object.entries(p.channels)) channels[ch] = { ...use, count: m.get(ch) ?? 0 };
    let eventCount = 0;
    for (const n of m.values()) eventCount += n;
    return { ...p, channels, eventCount };
  });
}

async function liveProfileRow(ex: Executor, workspaceId: string, id: string): Promise<repo.ProfileRow> {
  let row = await repo.selectProfile(ex, workspaceId, id);
  if (row?.merged_into) row = await repo.selectProfile(ex, workspaceId, row.merged_into);
  if (!row) throw new AppError('profile_not_found', `Profile ${id} not found`, { id });
  return row;
}

/** Is the live profile a known customer (it holds a user id)? */
export async function profileHasUserId(ex: Executor, workspaceId: string, liveProfileId: string): Promise<boolean> {
  return repo.selectHasIdentifierType(ex, workspaceId, liveProfileId, 'user_id');
}

/** The live profile for an id; a merged-away id returns its survivor. */
export async function getProfile(ex: Executor, workspaceId: string, id: string): Promise<Profile> {
  const row = await liveProfileRow(ex, workspaceId, id);
  const [ids, merged] = await Promise.all([
    repo.selectIdentifiersOf(ex, workspaceId, [row.id]),
    repo.selectMergedAwayIds(ex, workspaceId, row.id),
  ]);
  return toProfile(row, ids, merged);
}

function toProfile(row: repo.ProfileRow, ids: repo.OwnerRow[], merged: string[]): Profile {
  return {
    id: row.id,
    traits: row.traits,
    traitSources: traitSourcesOf(row),
    identifiers: ids.map((i) => ({ type: i.type, value: i.value })),
    channels: row.channels,
    firstSeenAt: toDate(row.first_seen_at).toISOString(),
    lastSeenAt: toDate(row.last_seen_at).toISOString(),
    createdAt: toDate(row.created_at).toISOString(),
    updatedAt: toDate(row.updated_at).toISOString(),
    mergedProfileIds: merged,
  };
}

/** The survivor id and the ids merged into it: every profile id whose events form its timeline. */
export async function getTimelineProfileIds(ex: Executor, workspaceId: string, id: string): Promise<string[]> {
  const ids = await repo.selectTimelineIds(ex, workspaceId, id);
  if (ids.length === 0) throw new AppError('profile_not_found', `Profile ${id} not found`, { id });
  return ids;
}

/**
 * Where each shown trait value came from: `trusted` when a trusted source set it (or set the
 * same value), `self_reported` when only a browser or app says so.
 */
export type TraitSource = 'trusted' | 'self_reported';

function traitSourcesOf(row: Pick<repo.ProfileRow, 'traits' | 'trait_times' | 'trusted_traits'>): Record<string, TraitSource> {
  const trusted = row.trusted_traits ?? {};
  const out: Record<string, TraitSource> = {};
  for (const [k, v] of Object.entries(row.traits)) {
    const t = trusted[k];
    const same = t !== undefined && (t.t >= (row.trait_times[k] ?? '') || JSON.stringify(t.v) === JSON.stringify(v));
    out[k] = same ? 'trusted' : 'self_reported';
  }
  return out;
}

/**
 * The traits pricing may trust (set by a trusted source: the latest such value per key), and
 * the self-reported ones shown instead, so an offer can say why a condition was not met.
 */
export async function getTraitsForPricing(
  ex: Executor,
  workspaceId: string,
  id: string,
): Promise<{ trusted: Record<string, unknown>; selfReported: Record<string, unknown> }> {
  const row = await liveProfileRow(ex, workspaceId, id);
  const trusted = Object.fromEntries(Object.entries(row.trusted_traits ?? {}).map(([k, x]) => [k, x.v]));
  const sources = traitSourcesOf(row);
  const selfReported = Object.fromEntries(Object.entries(row.traits).filter(([k]) => sources[k] === 'self_reported'));
  return { trusted, selfReported };
}

/** Like getTimelineProfileIds, but [] for a profile that is gone (erased) instead of an error. */
export async function findTimelineProfileIds(ex: Executor, workspaceId: string, id: string): Promise<string[]> {
  return getTimelineProfileIds(ex, workspaceId, id).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'profile_not_found') return [];
    throw err;
  });
}

/** Find the profile holding an identifier; the value is normalised like incoming events. */
export async function lookupProfile(
  ex: Executor,
  opts: { workspaceId: string; type: string; value: string; defaultCountry: CountryCode },
): Promise<Profile> {
  const type = normalizeIdentifierType(opts.type);
  if (!type) throw new AppError('validation_failed', `type: "${opts.type}" is not a valid identifier type`, { field: 'type' });
  const value = normalizeIdentifier(type, opts.value, { defaultCountry: opts.defaultCountry });
  if (value === null) {
    throw new AppError('profile_not_found', `No profile: "${opts.value}" is not a usable ${type}`, { type });
  }
  const [owner] = await repo.selectOwners(ex, opts.workspaceId, [{ type, value }]);
  if (!owner) throw new AppError('profile_not_found', `No profile has ${type} ${value}`, { type });
  return getProfile(ex, opts.workspaceId, owner.profile_id);
}

export async function searchProfiles(
  ex: Executor,
  opts: {
    workspaceId: string;
    q?: string;
    /** Only profiles that used this channel (a key of their `channels`). */
    channel?: string;
    /** Only these profiles (a merged-away id finds the profile it was merged into). */
    ids?: string[];
    limit: number;
    cursor?: string;
    defaultCountry: CountryCode;
  },
): Promise<{ data: Profile[]; nextCursor: string | null }> {
  const terms: string[] = [];
  const q = (opts.q ?? '').trim();
  if (q) {
    const phone = /^[+()\d\s.-]{6,}$/.test(q) ? normalizePhone(q, opts.defaultCountry) : null;
    if (phone) terms.push(phone);
    else terms.push(...foldForSearch(q).split(' ').filter(Boolean));
  }
  const before = opts.cursor ? decodeCursor(opts.cursor, { lastSeenAt: 'timestamp', id: 'text' }) : undefined;
  const found = await repo.searchProfiles(ex, { workspaceId: opts.workspaceId, terms, channel: opts.channel, ids: opts.ids, limit: opts.limit + 1, before });
  const page = found.slice(0, opts.limit);
  const [ids, merged] = await Promise.all([
    repo.selectIdentifiersOf(ex, opts.workspaceId, page.map((r) => r.id)),
    repo.selectMergedInto(ex, opts.workspaceId, page.map((r) => r.id)),
  ]);
  const mergedBy = new Map<string, string[]>();
  for (const m of merged) mergedBy.set(m.merged_into, [...(mergedBy.get(m.merged_into) ?? []), m.id]);
  const byProfile = new Map<string, repo.OwnerRow[]>();
  for (const i of ids) {
    const list = byProfile.get(i.profile_id) ?? [];
    list.push(i);
    byProfile.set(i.profile_id, list);
  }
  const last = page[page.length - 1];
  return {
    data: page.map((r) => toProfile(r, byProfile.get(r.id) ?? [], mergedBy.get(r.id) ?? [])),
    nextCursor: found.length > opts.limit && last ? encodeCursor({ lastSeenAt: timeKey(last.last_seen_at), id: last.id }) : null,
  };
}

export interface MergeHistoryEntry {
  id: string;
  fromProfileId: string;
  intoProfileId: string;
  reason: { identifiers: { type: string; value: string }[]; messageId: string };
  mergedAt: string;
}

export async function getMergeHistory(ex: Executor, workspaceId: string, id: string): Promise<MergeHistoryEntry[]> {
  const ids = await getTimelineProfileIds(ex, workspaceId, id);
  const merges = await repo.selectMergesInto(ex, workspaceId, ids);
  return merges.map((m) => ({
    id: m.id,
    fromProfileId: m.from_profile_id,
    intoProfileId: m.into_profile_id,
    reason: m.reason,
    mergedAt: toDate(m.merged_at).toISOString(),
  }));
}

export interface ErasureSubject {
  /** The live profile and every profile merged into it. */
  profileIds: string[];
  /**
   * The person's own values — identifier values, phones as typed and in national form, names —
   * for scrubbing what other modules keep (a note, a message id).
   */
  personalValues: string[];
}

/**
 * Who erasing this profile would remove, read without locks (erasure does the slow part of its
 * work before taking them). Null when there is no such profile.
 */
export async function findErasureSubject(ex: Executor, opts: { workspaceId: string; id: string }): Promise<ErasureSubject | null> {
  const ids = await repo.selectTimelineIds(ex, opts.workspaceId, opts.id);
  if (ids.length === 0) return null;
  return { profileIds: ids, personalValues: await personalValuesOf(ex, opts.workspaceId, ids, await repo.selectIdentifiersOf(ex, opts.workspaceId, ids)) };
}

async function personalValuesOf(ex: Executor, workspaceId: string, ids: string[], identifiers: repo.OwnerRow[]): Promise<string[]> {
  const values = new Set<string>();
  for (const i of identifiers) {
    values.add(i.value);
    if (i.type === 'phone' && i.value.startsWith('+84')) values.add('0' + i.value.slice(3));
  }
  for (const t of await repo.selectTraitsOf(ex, workspaceId, ids)) {
    for (const k of [...NAME_KEYS, 'email', 'phone']) {
      const v = t[k];
      if (typeof v === 'string' && v.trim()) values.add(v.trim());
    }
  }
  return [...values];
}

/**
 * Erase a person (the live profile and everything merged into it). Their identifiers are
 * suppressed (keyed hashes) so later events carrying them are dropped, not re-creating the person.
 * Takes the workspace's identity lock; the caller erases events, carts … in the same transaction.
 */
export async function eraseProfile(
  tx: Executor,
  opts: { workspaceId: string; id: string; suppressionKey: string },
): Promise<ErasureSubject & { identifiers: number }> {
  await repo.lockWorkspaceIdentity(tx, opts.workspaceId);
  const ids = await getTimelineProfileIds(tx, opts.workspaceId, opts.id);
  const identifiers = await repo.selectIdentifiersOf(tx, opts.workspaceId, ids);
  const personalValues = await personalValuesOf(tx, opts.workspaceId, ids, identifiers);
  await repo.insertSuppressions(tx, opts.workspaceId, identifiers.map((i) => suppressionHashes(opts.suppressionKey, i.type, i.value).keyed));
  await repo.deleteProfiles(tx, opts.workspaceId, ids);
  // Counts only: the ids are what erasure removes from the log. Modules keeping something per
  // person erase it in this transaction (flows/profile-privacy), not from this entry.
  await appendDomainEvents(tx, [
    { workspaceId: opts.workspaceId, type: 'profile.erased', data: { profiles: ids.length, identifiers: identifiers.length } },
  ]);
  return { profileIds: ids, identifiers: identifiers.length, personalValues };
}

/** Workspaces whose suppressions include rows written before keyed hashes. */
export function listWorkspacesWithUnkeyedSuppressions(ex: Executor): Promise<string[]> {
  return repo.selectWorkspacesWithUnkeyedSuppressions(ex);
}

/**
 * Re-key a workspace's suppressions written before keyed hashes: each becomes the HMAC of its
 * unkeyed hash, which is exactly what `suppressionHashes` computes for the same identifier, so
 * the erased stay suppressed and the rows stop being brute-forceable. Takes the workspace's
 * identity lock: call it in a transaction. Returns how many rows were re-keyed.
 */
export async function rekeySuppressions(tx: Executor, opts: { workspaceId: string; suppressionKey: string }): Promise<number> {
  await repo.lockWorkspaceIdentity(tx, opts.workspaceId);
  let n = 0;
  for (;;) {
    const batch = await repo.selectUnkeyedSuppressions(tx, opts.workspaceId, 5000);
    if (batch.length === 0) return n;
    await repo.rekeySuppressions(tx, opts.workspaceId, batch.map((h) => ({ from: h, to: hmacSha256(opts.suppressionKey, h) })));
    n += batch.length;
  }
}
