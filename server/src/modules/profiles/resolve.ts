/**
 * The identity resolution engine: pure, in memory, over a batch of events and the state of the
 * profiles they touch. The service loads that state, runs this, and writes the result, all in
 * one transaction under a per-workspace lock.
 *
 * For each event, in order:
 *  1. Its identifiers (sorted by priority) match no profile, one, or several.
 *  2. The combination must respect the rules: per-type limits on the resulting profile, never
 *     two different user_ids in one profile, at most MAX_MERGES_PER_PROFILE merges. If it does
 *     not, the lowest-priority identifier of the event is dropped and matching is retried.
 *  3. None → create a profile; one → attach; several → merge into the oldest profile.
 *  4. New identifiers are attached; traits merge per key, the most recent value winning. Traits
 *     from a trusted source are also kept apart (`trustedTraits`): a browser may claim any trait,
 *     but promotions and segments read only what the shop's own systems set.
 */
import type { IdentityRules } from './rules';
import { MAX_MERGES_PER_PROFILE } from './rules';

export interface IdentifierRef {
  type: string;
  value: string;
}

export interface ResolveItem {
  identifiers: IdentifierRef[];
  /** alias: the earlier id (a user_id if one exists with this value, else an anonymous_id). */
  previousId?: string | undefined;
  /** Traits to set (identify), or undefined. */
  traits?: Record<string, unknown> | undefined;
  /** The traits come from a trusted source (a server source, an import, the admin API), not a browser or app. */
  trusted?: boolean;
  timestamp: Date;
  channel: string;
  messageId: string;
}

export interface ProfileState {
  id: string;
  isNew: boolean;
  createdAt: Date;
  identifiers: Map<string, Set<string>>;
  traits: Record<string, unknown>;
  traitTimes: Record<string, string>;
  /** The latest value per key from a trusted source. */
  trustedTraits: Record<string, { v: unknown; t: string }>;
  channels: Record<string, ChannelUse>;
  mergeCount: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  /** Set when merged away inside this batch. */
  mergedInto?: string;
  dirty: boolean;
}

export interface ChannelUse {
  first: string;
  last: string;
}

/**
 * Last-seen times (profile and per channel) are kept to this resolution: an event that only
 * moves them forward by less does not rewrite the profile row, so a session's events cost one
 * profile write, not one each.
 */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

export interface MergeRecord {
  from: string;
  into: string;
  at: Date;
  reason: { identifiers: IdentifierRef[]; messageId: string };
}

export interface ResolveState {
  /** identifierKey(type, value) → profile id (possibly merged away in this batch: use find). */
  owners: Map<string, string>;
  profiles: Map<string, ProfileState>;
}

export interface ResolveResult {
  /** Final profile id per item (after every merge in the batch). */
  profileIds: string[];
  /** Identifiers newly attached (key → final owner is looked up at write time). */
  attached: Map<string, IdentifierRef>;
  merges: MergeRecord[];
  /** Identifiers dropped from matching because of the rules, per item index. */
  dropped: Map<number, IdentifierRef[]>;
  created: string[];
}

export const identifierKey = (type: string, value: string): string => `${type}\u0000${value}`;

export function findLive(state: ResolveState, id: string): ProfileState {
  let p = state.profiles.get(id);
  if (!p) throw new Error(`profile ${id} not loaded`);
  while (p.mergedInto) {
    const next = state.profiles.get(p.mergedInto);
    if (!next) throw new Error(`profile ${p.mergedInto} not loaded`);
    p = next;
  }
  return p;
}

function sortByPriority(ids: IdentifierRef[], rules: IdentityRules): IdentifierRef[] {
  const seen = new Set<string>();
  const unique: IdentifierRef[] = [];
  for (const id of ids) {
    const k = identifierKey(id.type, id.value);
    if (!seen.has(k)) {
      seen.add(k);
      unique.push(id);
    }
  }
  // Stable sort: equal-rank identifiers keep the order the event gave them.
  return unique
    .map((id, i) => ({ id, i }))
    .sort((a, b) => rules.rank(a.id.type) - rules.rank(b.id.type) || a.i - b.i)
    .map((x) => x.id);
}

function matchedProfiles(state: ResolveState, ids: IdentifierRef[]): ProfileState[] {
  const out = new Map<string, ProfileState>();
  for (const id of ids) {
    const owner = state.owners.get(identifierKey(id.type, id.value));
    if (owner) {
      const p = findLive(state, owner);
      out.set(p.id, p);
    }
  }
  return [...out.values()];
}

/** Would joining these profiles and identifiers respect the rules? */
function isAllowed(matched: ProfileState[], ids: IdentifierRef[], rules: IdentityRules): boolean {
  const values = new Map<string, Set<string>>();
  const add = (type: string, value: string) => {
    let s = values.get(type);
    if (!s) values.set(type, (s = new Set()));
    s.add(value);
  };
  for (const p of matched) for (const [type, set] of p.identifiers) for (const v of set) add(type, v);
  for (const id of ids) add(id.type, id.value);
  for (const [type, set] of values) if (set.size > rules.limit(type)) return false;
  if (matched.length > 1) {
    // Merge protection: never two different user_ids in one profile, whatever the limits say.
    const userIds = new Set<string>();
    for (const p of matched) for (const v of p.identifiers.get('user_id') ?? []) userIds.add(v);
    if (userIds.size > 1) return false;
    const merges = matched.reduce((n, p) => n + p.mergeCount, 0) + matched.length - 1;
    if (merges > MAX_MERGES_PER_PROFILE) return false;
  }
  return true;
}

/** Most recent value per key wins. Returns whether anything changed. */
function mergeTraitsInto(target: ProfileState, traits: Record<string, unknown>, times: Record<string, string>): boolean {
  let changed = false;
  for (const [k, v] of Object.entries(traits)) {
    const t = times[k] ?? '';
    const current = target.traitTimes[k];
    if (current === undefined || t >= current) {
      if (current !== t || JSON.stringify(target.traits[k]) !== JSON.stringify(v)) changed = true;
      target.traits[k] = v;
      target.traitTimes[k] = t;
    }
  }
  return changed;
}

/** The same rule for trusted values: most recent per key. Returns whether anything changed. */
function mergeTrustedInto(target: ProfileState, traits: Record<string, unknown>, times: Record<string, string>): boolean {
  let changed = false;
  for (const [k, v] of Object.entries(traits)) {
    const t = times[k] ?? '';
    const current = target.trustedTraits[k];
    if (current === undefined || t >= current.t) {
      if (current?.t !== t || JSON.stringify(current.v) !== JSON.stringify(v)) changed = true;
      target.trustedTraits[k] = { v, t };
    }
  }
  return changed;
}

const later = (a: string, b: string) => (a > b ? a : b);
const earlier = (a: string, b: string) => (a < b ? a : b);
const advancedEnough = (from: string, to: string) => Date.parse(to) - Date.parse(from) >= LAST_SEEN_RESOLUTION_MS;

function mergeProfile(state: ResolveState, into: ProfileState, from: ProfileState): void {
  for (const [type, set] of from.identifiers) {
    let s = into.identifiers.get(type);
    if (!s) into.identifiers.set(type, (s = new Set()));
    for (const v of set) s.add(v);
  }
  mergeTraitsInto(into, from.traits, from.traitTimes);
  mergeTrustedInto(into, Object.fromEntries(Object.entries(from.trustedTraits).map(([k, x]) => [k, x.v])), Object.fromEntries(Object.entries(from.trustedTraits).map(([k, x]) => [k, x.t])));
  for (const [ch, use] of Object.entries(from.channels)) {
    const cur = into.channels[ch];
    into.channels[ch] = cur ? { first: earlier(cur.first, use.first), last: later(cur.last, use.last) } : { ...use };
  }
  into.mergeCount += from.mergeCount + 1;
  if (from.firstSeenAt < into.firstSeenAt) into.firstSeenAt = from.firstSeenAt;
  if (from.lastSeenAt > into.lastSeenAt) into.lastSeenAt = from.lastSeenAt;
  into.dirty = true;
  from.mergedInto = into.id;
  from.dirty = true;
  void state;
}

export function resolveItems(opts: {
  state: ResolveState;
  items: ResolveItem[];
  rules: IdentityRules;
  newProfileId: () => string;
  now: Date;
}): ResolveResult {
  const { state, items, rules } = opts;
  const result: ResolveResult = { profileIds: [], attached: new Map(), merges: [], dropped: new Map(), created: [] };
  const assigned: ProfileState[] = [];

  items.forEach((item, index) => {
    const given = [...item.identifiers];
    if (item.previousId !== undefined) {
      const asUser = state.owners.has(identifierKey('user_id', item.previousId));
      given.push({ type: asUser ? 'user_id' : 'anonymous_id', value: item.previousId });
    }
    let ids = sortByPriority(given, rules);
    let matched = matchedProfiles(state, ids);
    while (ids.length > 1 && !isAllowed(matched, ids, rules)) {
      const droppedId = ids[ids.length - 1]!;
      ids = ids.slice(0, -1);
      const list = result.dropped.get(index) ?? [];
      list.push(droppedId);
      result.dropped.set(index, list);
      matched = matchedProfiles(state, ids);
    }

    let profile: ProfileState;
    if (matched.length === 0) {
      profile = {
        id: opts.newProfileId(),
        isNew: true,
        createdAt: opts.now,
        identifiers: new Map(),
        traits: {},
        traitTimes: {},
        trustedTraits: {},
        channels: {},
        mergeCount: 0,
        firstSeenAt: item.timestamp,
        lastSeenAt: item.timestamp,
        dirty: true,
      };
      state.profiles.set(profile.id, profile);
      result.created.push(profile.id);
    } else {
      // The oldest profile survives (ids are time-ordered, so they break ties).
      const ordered = [...matched].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
      profile = ordered[0]!;
      for (const other of ordered.slice(1)) {
        const linking = ids.filter((id) => {
          const owner = state.owners.get(identifierKey(id.type, id.value));
          return owner !== undefined && findLive(state, owner).id === other.id;
        });
        mergeProfile(state, profile, other);
        result.merges.push({ from: other.id, into: profile.id, at: opts.now, reason: { identifiers: linking, messageId: item.messageId } });
      }
    }

    let changed = false;
    for (const id of ids) {
      const key = identifierKey(id.type, id.value);
      if (state.owners.has(key)) continue;
      state.owners.set(key, profile.id);
      let set = profile.identifiers.get(id.type);
      if (!set) profile.identifiers.set(id.type, (set = new Set()));
      set.add(id.value);
      result.attached.set(key, id);
      changed = true;
    }

    const ts = item.timestamp.toISOString();
    if (item.traits) {
      const times: Record<string, string> = {};
      for (const k of Object.keys(item.traits)) times[k] = ts;
      if (mergeTraitsInto(profile, item.traits, times)) changed = true;
      if (item.trusted && mergeTrustedInto(profile, item.traits, times)) changed = true;
    }
    const use = profile.channels[item.channel];
    if (!use) {
      profile.channels[item.channel] = { first: ts, last: ts };
      changed = true;
    } else {
      if (ts < use.first) changed = true;
      if (advancedEnough(use.last, ts)) changed = true;
      profile.channels[item.channel] = { first: earlier(use.first, ts), last: later(use.last, ts) };
    }
    if (item.timestamp < profile.firstSeenAt) {
      profile.firstSeenAt = item.timestamp;
      changed = true;
    }
    if (item.timestamp > profile.lastSeenAt) {
      if (item.timestamp.getTime() - profile.lastSeenAt.getTime() >= LAST_SEEN_RESOLUTION_MS) changed = true;
      profile.lastSeenAt = item.timestamp;
    }
    if (changed) profile.dirty = true;
    assigned.push(profile);
  });

  result.profileIds = assigned.map((p) => findLive(state, p.id).id);
  return result;
}
