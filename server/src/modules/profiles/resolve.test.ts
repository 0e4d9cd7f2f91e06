import { describe, expect, it } from 'vitest';
import {
  findLive,
  identifierKey,
  resolveItems,
  type IdentifierRef,
  type ProfileState,
  type ResolveItem,
  type ResolveResult,
  type ResolveState,
} from './resolve';
import { MAX_MERGES_PER_PROFILE, resolveRules, type IdentityRulesInput } from './rules';

// ---------------------------------------------------------------------------------------------
// Hand-built state

const NOW = new Date('2026-03-01T12:00:00.000Z');
const at = (iso: string) => new Date(iso);

function profile(
  id: string,
  opts: {
    createdAt: string;
    ids: [type: string, value: string][];
    traits?: Record<string, unknown>;
    traitTimes?: Record<string, string>;
    trustedTraits?: ProfileState['trustedTraits'];
    mergeCount?: number;
    channels?: ProfileState['channels'];
    seen?: [first: string, last: string];
  },
): ProfileState {
  const identifiers = new Map<string, Set<string>>();
  for (const [type, value] of opts.ids) {
    let set = identifiers.get(type);
    if (!set) identifiers.set(type, (set = new Set()));
    set.add(value);
  }
  const [first, last] = opts.seen ?? [opts.createdAt, opts.createdAt];
  return {
    id,
    isNew: false,
    createdAt: at(opts.createdAt),
    identifiers,
    traits: { ...(opts.traits ?? {}) },
    traitTimes: { ...(opts.traitTimes ?? {}) },
    trustedTraits: { ...(opts.trustedTraits ?? {}) },
    channels: { ...(opts.channels ?? {}) },
    mergeCount: opts.mergeCount ?? 0,
    firstSeenAt: at(first),
    lastSeenAt: at(last),
    dirty: false,
  };
}

function stateOf(...profiles: ProfileState[]): ResolveState {
  const state: ResolveState = { owners: new Map(), profiles: new Map() };
  for (const p of profiles) {
    state.profiles.set(p.id, p);
    for (const [type, set] of p.identifiers) for (const v of set) state.owners.set(identifierKey(type, v), p.id);
  }
  return state;
}

let messageSeq = 0;
function item(
  ids: [type: string, value: string][],
  opts: { timestamp?: string; traits?: Record<string, unknown>; trusted?: boolean; channel?: string; previousId?: string; messageId?: string } = {},
): ResolveItem {
  return {
    identifiers: ids.map(([type, value]) => ({ type, value })),
    previousId: opts.previousId,
    traits: opts.traits,
    trusted: opts.trusted ?? false,
    timestamp: at(opts.timestamp ?? '2026-03-01T10:00:00.000Z'),
    channel: opts.channel ?? 'web',
    messageId: opts.messageId ?? `msg-${++messageSeq}`,
  };
}

function run(state: ResolveState, items: ResolveItem[], rules: IdentityRulesInput = {}): ResolveResult {
  let n = 0;
  return resolveItems({ state, items, rules: resolveRules(rules), newProfileId: () => `prf_new${++n}`, now: NOW });
}

const idsOf = (p: ProfileState): Record<string, string[]> =>
  Object.fromEntries([...p.identifiers].map(([type, set]) => [type, [...set].sort()]));

const ownerOf = (state: ResolveState, type: string, value: string): string | undefined => {
  const owner = state.owners.get(identifierKey(type, value));
  return owner === undefined ? undefined : findLive(state, owner).id;
};

const live = (state: ResolveState, id: string): ProfileState => findLive(state, id);

// ---------------------------------------------------------------------------------------------

describe('resolveItems', () => {
  describe('when no identifier matches a profile', () => {
    it('creates a profile holding every identifier of the event', () => {
      const state = stateOf();
      const r = run(state, [item([['user_id', 'u1'], ['email', 'an@example.vn'], ['anonymous_id', 'a1']])]);
      expect(r.created).toEqual(['prf_new1']);
      expect(r.profileIds).toEqual(['prf_new1']);
      const p = live(state, 'prf_new1');
      expect(p.isNew).toBe(true);
      expect(p.createdAt).toEqual(NOW);
      expect(idsOf(p)).toEqual({ user_id: ['u1'], email: ['an@example.vn'], anonymous_id: ['a1'] });
      expect([...r.attached.keys()].sort()).toEqual(
        [identifierKey('user_id', 'u1'), identifierKey('email', 'an@example.vn'), identifierKey('anonymous_id', 'a1')].sort(),
      );
      expect(r.merges).toEqual([]);
      expect(r.dropped.size).toBe(0);
    });

    it('records the event: first/last seen, count and channel use', () => {
      const state = stateOf();
      run(state, [item([['anonymous_id', 'a1']], { timestamp: '2026-02-01T08:00:00.000Z', channel: 'pos' })]);
      const p = live(state, 'prf_new1');
      expect(p.firstSeenAt).toEqual(at('2026-02-01T08:00:00.000Z'));
      expect(p.lastSeenAt).toEqual(at('2026-02-01T08:00:00.000Z'));
      expect(p.channels).toEqual({ pos: { first: '2026-02-01T08:00:00.000Z', last: '2026-02-01T08:00:00.000Z' } });
      expect(p.dirty).toBe(true);
    });

    it('sets the traits of an identify with the event time', () => {
      const state = stateOf();
      run(state, [item([['user_id', 'u1']], { timestamp: '2026-02-01T08:00:00.000Z', traits: { name: 'An', plan: 'gold' } })]);
      const p = live(state, 'prf_new1');
      expect(p.traits).toEqual({ name: 'An', plan: 'gold' });
      expect(p.traitTimes).toEqual({ name: '2026-02-01T08:00:00.000Z', plan: '2026-02-01T08:00:00.000Z' });
    });

    it('counts an identifier repeated in one event once', () => {
      const state = stateOf();
      const r = run(state, [item([['email', 'an@example.vn'], ['email', 'an@example.vn']])], { limits: { email: 1 } });
      expect(r.dropped.size).toBe(0);
      expect(idsOf(live(state, 'prf_new1'))).toEqual({ email: ['an@example.vn'] });
    });

    it('lets a later event of the same batch find the profile an earlier one created', () => {
      const state = stateOf();
      const r = run(state, [item([['anonymous_id', 'a1']]), item([['anonymous_id', 'a1'], ['email', 'an@example.vn']])]);
      expect(r.created).toEqual(['prf_new1']);
      expect(r.profileIds).toEqual(['prf_new1', 'prf_new1']);
      const p = live(state, 'prf_new1');
      expect(idsOf(p)).toEqual({ anonymous_id: ['a1'], email: ['an@example.vn'] });
    });
  });

  describe('when one profile matches', () => {
    it('attaches the new identifiers to it and reports only those as attached', () => {
      const p1 = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['anonymous_id', 'a1']] });
      const state = stateOf(p1);
      const r = run(state, [item([['anonymous_id', 'a1'], ['email', 'an@example.vn']])]);
      expect(r.created).toEqual([]);
      expect(r.profileIds).toEqual(['prf_1']);
      expect(idsOf(p1)).toEqual({ anonymous_id: ['a1'], email: ['an@example.vn'] });
      expect([...r.attached.keys()]).toEqual([identifierKey('email', 'an@example.vn')]);
      expect(ownerOf(state, 'email', 'an@example.vn')).toBe('prf_1');
    });

    it('adds the event to its counts, seen times and channels', () => {
      const p1 = profile('prf_1', {
        createdAt: '2026-01-01T00:00:00.000Z',
        ids: [['email', 'an@example.vn']],
        seen: ['2026-01-01T00:00:00.000Z', '2026-01-10T00:00:00.000Z'],
        channels: { web: { first: '2026-01-01T00:00:00.000Z', last: '2026-01-10T00:00:00.000Z' } },
      });
      const state = stateOf(p1);
      run(state, [
        item([['email', 'an@example.vn']], { timestamp: '2026-02-01T00:00:00.000Z', channel: 'pos' }),
        item([['email', 'an@example.vn']], { timestamp: '2025-12-01T00:00:00.000Z', channel: 'web' }),
      ]);
      expect(p1.firstSeenAt).toEqual(at('2025-12-01T00:00:00.000Z'));
      expect(p1.lastSeenAt).toEqual(at('2026-02-01T00:00:00.000Z'));
      expect(p1.channels).toEqual({
        web: { first: '2025-12-01T00:00:00.000Z', last: '2026-01-10T00:00:00.000Z' },
        pos: { first: '2026-02-01T00:00:00.000Z', last: '2026-02-01T00:00:00.000Z' },
      });
    });
  });

  describe('when several profiles match', () => {
    it('merges them into the oldest, whatever order the identifiers come in', () => {
      const older = profile('prf_b', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['email', 'an@example.vn']] });
      const younger = profile('prf_a', { createdAt: '2026-02-01T00:00:00.000Z', ids: [['phone', '+84912345678']] });
      const state = stateOf(older, younger);
      const r = run(state, [item([['phone', '+84912345678'], ['email', 'an@example.vn']], { messageId: 'm-link' })]);
      expect(r.profileIds).toEqual(['prf_b']);
      expect(younger.mergedInto).toBe('prf_b');
      expect(younger.dirty).toBe(true);
      expect(older.mergedInto).toBeUndefined();
      expect(idsOf(older)).toEqual({ email: ['an@example.vn'], phone: ['+84912345678'] });
      expect(ownerOf(state, 'phone', '+84912345678')).toBe('prf_b');
      expect(r.merges).toEqual([
        { from: 'prf_a', into: 'prf_b', at: NOW, reason: { identifiers: [{ type: 'phone', value: '+84912345678' }], messageId: 'm-link' } },
      ]);
      // Nothing new was attached: both identifiers were already known.
      expect(r.attached.size).toBe(0);
    });

    it('breaks a creation-time tie by the smaller id', () => {
      const p2 = profile('prf_2', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['email', 'x@example.vn']] });
      const p1 = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['email', 'y@example.vn']] });
      const state = stateOf(p2, p1);
      const r = run(state, [item([['email', 'x@example.vn'], ['email', 'y@example.vn']])]);
      expect(r.profileIds).toEqual(['prf_1']);
      expect(p2.mergedInto).toBe('prf_1');
    });

    it('merges three profiles at once, one merge record each', () => {
      const p1 = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['email', 'an@example.vn']] });
      const p2 = profile('prf_2', { createdAt: '2026-01-02T00:00:00.000Z', ids: [['phone', '+84912345678']] });
      const p3 = profile('prf_3', { createdAt: '2026-01-03T00:00:00.000Z', ids: [['zalo_id', 'z1']] });
      const state = stateOf(p1, p2, p3);
      const r = run(state, [item([['zalo_id', 'z1'], ['phone', '+84912345678'], ['email', 'an@example.vn']], { messageId: 'm3' })]);
      expect(r.profileIds).toEqual(['prf_1']);
      expect(r.merges.map((m) => [m.from, m.into, m.reason.identifiers])).toEqual([
        ['prf_2', 'prf_1', [{ type: 'phone', value: '+84912345678' }]],
        ['prf_3', 'prf_1', [{ type: 'zalo_id', value: 'z1' }]],
      ]);
      expect(p1.mergeCount).toBe(2);
    });

    it('adds up counts, seen times and channels of the merged profiles', () => {
      const p1 = profile('prf_1', {
        createdAt: '2026-01-01T00:00:00.000Z',
        ids: [['email', 'an@example.vn']],
        mergeCount: 1,
        seen: ['2026-01-05T00:00:00.000Z', '2026-01-06T00:00:00.000Z'],
        channels: { web: { first: '2026-01-05T00:00:00.000Z', last: '2026-01-06T00:00:00.000Z' } },
      });
      const p2 = profile('prf_2', {
        createdAt: '2026-01-02T00:00:00.000Z',
        ids: [['phone', '+84912345678']],
        mergeCount: 2,
        seen: ['2026-01-02T00:00:00.000Z', '2026-01-09T00:00:00.000Z'],
        channels: {
          web: { first: '2026-01-02T00:00:00.000Z', last: '2026-01-03T00:00:00.000Z' },
          pos: { first: '2026-01-09T00:00:00.000Z', last: '2026-01-09T00:00:00.000Z' },
        },
      });
      const state = stateOf(p1, p2);
      run(state, [item([['email', 'an@example.vn'], ['phone', '+84912345678']], { timestamp: '2026-01-07T00:00:00.000Z', channel: 'pos' })]);
      expect(p1.mergeCount).toBe(4);
      expect(p1.firstSeenAt).toEqual(at('2026-01-02T00:00:00.000Z'));
      expect(p1.lastSeenAt).toEqual(at('2026-01-09T00:00:00.000Z'));
      expect(p1.channels).toEqual({
        web: { first: '2026-01-02T00:00:00.000Z', last: '2026-01-06T00:00:00.000Z' },
        pos: { first: '2026-01-07T00:00:00.000Z', last: '2026-01-09T00:00:00.000Z' },
      });
    });

    it('refuses a merge beyond the cap on merges per profile, dropping an identifier instead', () => {
      const p1 = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['email', 'an@example.vn']], mergeCount: MAX_MERGES_PER_PROFILE });
      const p2 = profile('prf_2', { createdAt: '2026-01-02T00:00:00.000Z', ids: [['phone', '+84912345678']] });
      const state = stateOf(p1, p2);
      const r = run(state, [item([['email', 'an@example.vn'], ['phone', '+84912345678']])]);
      expect(r.merges).toEqual([]);
      expect(r.profileIds).toEqual(['prf_1']);
      expect(r.dropped.get(0)).toEqual([{ type: 'phone', value: '+84912345678' }]);
      expect(p2.mergedInto).toBeUndefined();
    });
  });

  describe('when the resulting profile would exceed an identifier limit', () => {
    const fiveEmails: [string, string][] = [1, 2, 3, 4, 5].map((i) => ['email', `e${i}@example.vn`]);

    it('drops the extra email (default limit 5) and keeps the event on the profile', () => {
      const p1 = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['user_id', 'u1'], ...fiveEmails] });
      const state = stateOf(p1);
      const r = run(state, [item([['user_id', 'u1'], ['email', 'e6@example.vn']])]);
      expect(r.profileIds).toEqual(['prf_1']);
      expect(r.dropped.get(0)).toEqual([{ type: 'email', value: 'e6@example.vn' }]);
      expect(p1.identifiers.get('email')?.size).toBe(5);
      expect(state.owners.has(identifierKey('email', 'e6@example.vn'))).toBe(false);
      expect(r.attached.size).toBe(0);
    });

    it('uses the workspace limit when one is set', () => {
      const p1 = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['user_id', 'u1'], ['email', 'e1@example.vn'], ['email', 'e2@example.vn']] });
      const limited = stateOf(p1);
      const r = run(limited, [item([['user_id', 'u1'], ['email', 'e3@example.vn']])], { limits: { email: 2 } });
      expect(r.dropped.get(0)).toEqual([{ type: 'email', value: 'e3@example.vn' }]);
      expect(p1.identifiers.get('email')?.size).toBe(2);

      const p1Again = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['user_id', 'u1'], ['email', 'e1@example.vn'], ['email', 'e2@example.vn']] });
      const unlimited = stateOf(p1Again);
      const r2 = run(unlimited, [item([['user_id', 'u1'], ['email', 'e3@example.vn']])]);
      expect(r2.dropped.size).toBe(0);
      expect(p1Again.identifiers.get('email')?.size).toBe(3);
    });

    it('refuses a merge whose union would exceed the limit', () => {
      const p1 = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['email', 'e1@example.vn'], ['phone', '+84912345678']] });
      const p2 = profile('prf_2', { createdAt: '2026-01-02T00:00:00.000Z', ids: [['email', 'e2@example.vn'], ['zalo_id', 'z1']] });
      const state = stateOf(p1, p2);
      const r = run(state, [item([['phone', '+84912345678'], ['zalo_id', 'z1']])], { limits: { email: 1 } });
      expect(r.merges).toEqual([]);
      expect(r.dropped.get(0)).toEqual([{ type: 'zalo_id', value: 'z1' }]);
      expect(r.profileIds).toEqual(['prf_1']);
    });

    it('drops the lowest-priority identifier first: anonymous_id before email, then by workspace priority', () => {
      const p1 = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['user_id', 'u1'], ['anonymous_id', 'a1']] });
      const p2 = profile('prf_2', { createdAt: '2026-01-02T00:00:00.000Z', ids: [['user_id', 'u2']] });
      const state = stateOf(p1, p2);
      // u2 + a1 (of u1's profile) + a new email: a1 goes, the email stays with u2.
      const r = run(state, [item([['anonymous_id', 'a1'], ['email', 'b@example.vn'], ['user_id', 'u2']])]);
      expect(r.dropped.get(0)).toEqual([{ type: 'anonymous_id', value: 'a1' }]);
      expect(r.profileIds).toEqual(['prf_2']);
      expect(ownerOf(state, 'email', 'b@example.vn')).toBe('prf_2');
      expect(ownerOf(state, 'anonymous_id', 'a1')).toBe('prf_1');
    });

    it('follows a custom priority when choosing what to drop', () => {
      const p1 = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['phone', '+84912345678'], ['email', 'e1@example.vn']] });
      const state = stateOf(p1);
      // phone outranks email here, so the new email is dropped, not the phone.
      const r = run(state, [item([['email', 'e2@example.vn'], ['phone', '+84912345678']])], {
        priority: ['user_id', 'phone', 'email'],
        limits: { email: 1 },
      });
      expect(r.dropped.get(0)).toEqual([{ type: 'email', value: 'e2@example.vn' }]);
      expect(r.profileIds).toEqual(['prf_1']);
    });
  });

  describe('when an event links profiles with different user_ids (merge protection)', () => {
    it('never merges them: the email of one with the user_id of the other drops the email', () => {
      const p1 = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['user_id', 'u1'], ['email', 'an@example.vn']] });
      const p2 = profile('prf_2', { createdAt: '2026-01-02T00:00:00.000Z', ids: [['user_id', 'u2']] });
      const state = stateOf(p1, p2);
      const r = run(state, [item([['user_id', 'u2'], ['email', 'an@example.vn']])]);
      expect(r.merges).toEqual([]);
      expect(r.profileIds).toEqual(['prf_2']);
      expect(r.dropped.get(0)).toEqual([{ type: 'email', value: 'an@example.vn' }]);
      expect(ownerOf(state, 'email', 'an@example.vn')).toBe('prf_1');
      expect(idsOf(p2)).toEqual({ user_id: ['u2'] });
    });

    it('never merges them even when the workspace allows several user_ids per profile', () => {
      const p1 = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['user_id', 'u1'], ['email', 'an@example.vn']] });
      const p2 = profile('prf_2', { createdAt: '2026-01-02T00:00:00.000Z', ids: [['user_id', 'u2'], ['phone', '+84912345678']] });
      const state = stateOf(p1, p2);
      const r = run(state, [item([['email', 'an@example.vn'], ['phone', '+84912345678']])], { limits: { user_id: 3 } });
      expect(r.merges).toEqual([]);
      expect(p2.mergedInto).toBeUndefined();
      expect(r.dropped.get(0)).toEqual([{ type: 'phone', value: '+84912345678' }]);
    });

    it('gives a second user on a shared device its own profile and leaves the first untouched', () => {
      const p1 = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['user_id', 'u1'], ['anonymous_id', 'a1']], traits: { name: 'An' } });
      const state = stateOf(p1);
      const r = run(state, [item([['user_id', 'u2'], ['anonymous_id', 'a1']], { traits: { name: 'Bình' } })]);
      expect(r.created).toEqual(['prf_new1']);
      expect(r.profileIds).toEqual(['prf_new1']);
      expect(r.dropped.get(0)).toEqual([{ type: 'anonymous_id', value: 'a1' }]);
      expect(idsOf(live(state, 'prf_new1'))).toEqual({ user_id: ['u2'] });
      expect(live(state, 'prf_new1').traits).toEqual({ name: 'Bình' });
      expect(idsOf(p1)).toEqual({ user_id: ['u1'], anonymous_id: ['a1'] });
      expect(p1.traits).toEqual({ name: 'An' });
      expect(p1.dirty).toBe(false);
    });

    it('merges profiles when only one of them holds a user_id', () => {
      const p1 = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['anonymous_id', 'a1']] });
      const p2 = profile('prf_2', { createdAt: '2026-01-02T00:00:00.000Z', ids: [['user_id', 'u1']] });
      const state = stateOf(p1, p2);
      const r = run(state, [item([['user_id', 'u1'], ['anonymous_id', 'a1']])]);
      expect(r.profileIds).toEqual(['prf_1']);
      expect(idsOf(p1)).toEqual({ user_id: ['u1'], anonymous_id: ['a1'] });
    });
  });

  describe('traits', () => {
    it('keeps the most recent value per key when events arrive out of order', () => {
      const state = stateOf();
      run(state, [
        item([['user_id', 'u1']], { timestamp: '2026-01-02T00:00:00.000Z', traits: { name: 'New name', city: 'Hà Nội' } }),
        item([['user_id', 'u1']], { timestamp: '2026-01-01T00:00:00.000Z', traits: { name: 'Old name', plan: 'silver' } }),
      ]);
      const p = live(state, 'prf_new1');
      expect(p.traits).toEqual({ name: 'New name', city: 'Hà Nội', plan: 'silver' });
      expect(p.traitTimes.name).toBe('2026-01-02T00:00:00.000Z');
    });

    it('lets a later event with the same timestamp win', () => {
      const state = stateOf();
      run(state, [
        item([['user_id', 'u1']], { timestamp: '2026-01-01T00:00:00.000Z', traits: { name: 'First' } }),
        item([['user_id', 'u1']], { timestamp: '2026-01-01T00:00:00.000Z', traits: { name: 'Second' } }),
      ]);
      expect(live(state, 'prf_new1').traits).toEqual({ name: 'Second' });
    });

    it('on merge takes each key from whichever profile set it last, survivor or not', () => {
      const p1 = profile('prf_1', {
        createdAt: '2026-01-01T00:00:00.000Z',
        ids: [['email', 'an@example.vn']],
        traits: { name: 'An (old)', city: 'Huế' },
        traitTimes: { name: '2026-01-01T00:00:00.000Z', city: '2026-01-05T00:00:00.000Z' },
      });
      const p2 = profile('prf_2', {
        createdAt: '2026-01-02T00:00:00.000Z',
        ids: [['phone', '+84912345678']],
        traits: { name: 'Nguyễn Văn An', city: 'Đà Nẵng', tier: 'vip' },
        traitTimes: { name: '2026-01-03T00:00:00.000Z', city: '2026-01-02T00:00:00.000Z', tier: '2026-01-02T00:00:00.000Z' },
      });
      const state = stateOf(p1, p2);
      run(state, [item([['email', 'an@example.vn'], ['phone', '+84912345678']])]);
      expect(p1.traits).toEqual({ name: 'Nguyễn Văn An', city: 'Huế', tier: 'vip' });
    });

    it('does not let an older identify override traits after a merge', () => {
      const p1 = profile('prf_1', {
        createdAt: '2026-01-01T00:00:00.000Z',
        ids: [['email', 'an@example.vn']],
        traits: { name: 'Current' },
        traitTimes: { name: '2026-02-01T00:00:00.000Z' },
      });
      const state = stateOf(p1);
      run(state, [item([['email', 'an@example.vn']], { timestamp: '2026-01-15T00:00:00.000Z', traits: { name: 'Stale', age: 30 } })]);
      expect(p1.traits).toEqual({ name: 'Current', age: 30 });
    });
  });

  describe('trusted traits', () => {
    it('keeps what a trusted source set apart from what a browser claims, each most recent first', () => {
      const state = stateOf();
      run(state, [
        item([['user_id', 'u1']], { timestamp: '2026-01-01T00:00:00.000Z', traits: { tier: 'gold', name: 'An' }, trusted: true }),
        item([['user_id', 'u1']], { timestamp: '2026-01-02T00:00:00.000Z', traits: { tier: 'diamond', city: 'Huế' } }),
        item([['user_id', 'u1']], { timestamp: '2025-12-01T00:00:00.000Z', traits: { tier: 'silver' }, trusted: true }),
      ]);
      const p = live(state, 'prf_new1');
      expect(p.traits).toEqual({ tier: 'diamond', name: 'An', city: 'Huế' });
      expect(p.trustedTraits).toEqual({ tier: { v: 'gold', t: '2026-01-01T00:00:00.000Z' }, name: { v: 'An', t: '2026-01-01T00:00:00.000Z' } });
    });

    it('on merge keeps the latest trusted value of each key from either profile, and never promotes a claim', () => {
      const p1 = profile('prf_1', {
        createdAt: '2026-01-01T00:00:00.000Z',
        ids: [['email', 'an@example.vn']],
        traits: { tier: 'gold' },
        traitTimes: { tier: '2026-01-05T00:00:00.000Z' },
        trustedTraits: { tier: { v: 'gold', t: '2026-01-05T00:00:00.000Z' } },
      });
      const p2 = profile('prf_2', {
        createdAt: '2026-01-02T00:00:00.000Z',
        ids: [['phone', '+84912345678']],
        traits: { tier: 'vip', vip: true },
        traitTimes: { tier: '2026-01-09T00:00:00.000Z', vip: '2026-01-09T00:00:00.000Z' },
        trustedTraits: { tier: { v: 'silver', t: '2026-01-03T00:00:00.000Z' } },
      });
      const state = stateOf(p1, p2);
      run(state, [item([['email', 'an@example.vn'], ['phone', '+84912345678']])]);
      expect(p1.traits).toEqual({ tier: 'vip', vip: true });
      expect(p1.trustedTraits).toEqual({ tier: { v: 'gold', t: '2026-01-05T00:00:00.000Z' } });
    });
  });

  describe('when an alias carries a previousId', () => {
    it('attaches an unknown previousId to the user as an anonymous_id', () => {
      const p1 = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['user_id', 'u1']] });
      const state = stateOf(p1);
      const r = run(state, [item([['user_id', 'u1']], { previousId: 'a9' })]);
      expect(r.profileIds).toEqual(['prf_1']);
      expect(idsOf(p1)).toEqual({ user_id: ['u1'], anonymous_id: ['a9'] });
    });

    it('links the anonymous profile of the previousId with the user profile', () => {
      const anon = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['anonymous_id', 'a1']] });
      const user = profile('prf_2', { createdAt: '2026-01-02T00:00:00.000Z', ids: [['user_id', 'u1']] });
      const state = stateOf(anon, user);
      const r = run(state, [item([['user_id', 'u1']], { previousId: 'a1', messageId: 'm-alias' })]);
      expect(r.profileIds).toEqual(['prf_1']);
      expect(user.mergedInto).toBe('prf_1');
      expect(idsOf(anon)).toEqual({ user_id: ['u1'], anonymous_id: ['a1'] });
      expect(r.merges[0]?.reason).toEqual({ identifiers: [{ type: 'user_id', value: 'u1' }], messageId: 'm-alias' });
    });

    it('creates the user with the anonymous id when neither is known', () => {
      const state = stateOf();
      const r = run(state, [item([['user_id', 'u1']], { previousId: 'a1' })]);
      expect(r.created).toEqual(['prf_new1']);
      expect(idsOf(live(state, 'prf_new1'))).toEqual({ user_id: ['u1'], anonymous_id: ['a1'] });
    });

    it('reads a previousId that is a known user_id as that user_id, not as an anonymous_id', () => {
      const old = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['user_id', 'crm-1']] });
      const state = stateOf(old);
      const r = run(state, [item([['user_id', 'shop-1']], { previousId: 'crm-1' })], { limits: { user_id: 2 } });
      expect(r.profileIds).toEqual(['prf_1']);
      expect(idsOf(old)).toEqual({ user_id: ['crm-1', 'shop-1'] });
      expect(state.owners.has(identifierKey('anonymous_id', 'crm-1'))).toBe(false);
    });

    it('keeps the two users apart when the user_id limit forbids linking them', () => {
      const old = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['user_id', 'crm-1']] });
      const state = stateOf(old);
      const r = run(state, [item([['user_id', 'shop-1']], { previousId: 'crm-1' })]);
      expect(r.profileIds).toEqual(['prf_new1']);
      expect(r.dropped.get(0)).toEqual([{ type: 'user_id', value: 'crm-1' }]);
      expect(idsOf(old)).toEqual({ user_id: ['crm-1'] });
      expect(idsOf(live(state, 'prf_new1'))).toEqual({ user_id: ['shop-1'] });
      expect(state.owners.has(identifierKey('anonymous_id', 'crm-1'))).toBe(false);
    });

    it('sees a user_id created earlier in the same batch', () => {
      const state = stateOf();
      const r = run(state, [item([['user_id', 'crm-1']]), item([['user_id', 'shop-1']], { previousId: 'crm-1' })], { limits: { user_id: 2 } });
      expect(r.profileIds).toEqual(['prf_new1', 'prf_new1']);
      expect(idsOf(live(state, 'prf_new1'))).toEqual({ user_id: ['crm-1', 'shop-1'] });
    });
  });

  describe('when merges chain inside one batch', () => {
    it('follows a profile merged away earlier in the batch to its survivor', () => {
      const p1 = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['email', 'an@example.vn']] });
      const p2 = profile('prf_2', { createdAt: '2026-01-02T00:00:00.000Z', ids: [['phone', '+84912345678']] });
      const p3 = profile('prf_3', { createdAt: '2026-01-03T00:00:00.000Z', ids: [['zalo_id', 'z1']] });
      const state = stateOf(p1, p2, p3);
      const r = run(state, [
        item([['email', 'an@example.vn'], ['phone', '+84912345678']], { messageId: 'm1' }),
        item([['phone', '+84912345678'], ['zalo_id', 'z1']], { messageId: 'm2' }),
      ]);
      expect(r.profileIds).toEqual(['prf_1', 'prf_1']);
      expect(r.merges.map((m) => [m.from, m.into, m.reason.messageId])).toEqual([
        ['prf_2', 'prf_1', 'm1'],
        ['prf_3', 'prf_1', 'm2'],
      ]);
      expect(idsOf(p1)).toEqual({ email: ['an@example.vn'], phone: ['+84912345678'], zalo_id: ['z1'] });
    });

    it('reports every item on the final survivor when a survivor is itself merged later', () => {
      const p1 = profile('prf_1', { createdAt: '2026-01-01T00:00:00.000Z', ids: [['email', 'an@example.vn']] });
      const p2 = profile('prf_2', { createdAt: '2026-01-02T00:00:00.000Z', ids: [['phone', '+84912345678']] });
      const p3 = profile('prf_3', { createdAt: '2026-01-03T00:00:00.000Z', ids: [['zalo_id', 'z1']] });
      const state = stateOf(p1, p2, p3);
      const r = run(state, [
        item([['phone', '+84912345678'], ['zalo_id', 'z1']]), // prf_3 → prf_2
        item([['zalo_id', 'z1']]), // lands on prf_2 for now
        item([['email', 'an@example.vn'], ['zalo_id', 'z1']]), // prf_2 → prf_1
      ]);
      expect(r.profileIds).toEqual(['prf_1', 'prf_1', 'prf_1']);
      expect(r.merges.map((m) => [m.from, m.into])).toEqual([
        ['prf_3', 'prf_2'],
        ['prf_2', 'prf_1'],
      ]);
      expect(findLive(state, 'prf_3').id).toBe('prf_1');
      expect(idsOf(p1)).toEqual({ email: ['an@example.vn'], phone: ['+84912345678'], zalo_id: ['z1'] });
    });

    it('merges profiles created in the same batch into the first one created', () => {
      const state = stateOf();
      const r = run(state, [
        item([['anonymous_id', 'a1']]),
        item([['email', 'an@example.vn']]),
        item([['email', 'an@example.vn'], ['anonymous_id', 'a1']]),
      ]);
      expect(r.created).toEqual(['prf_new1', 'prf_new2']);
      expect(r.profileIds).toEqual(['prf_new1', 'prf_new1', 'prf_new1']);
      expect(live(state, 'prf_new2').id).toBe('prf_new1');
      expect(r.merges).toEqual([
        expect.objectContaining({ from: 'prf_new2', into: 'prf_new1' }),
      ]);
    });

    it('applies limits to what an earlier item of the batch attached', () => {
      const state = stateOf();
      const r = run(
        state,
        [
          item([['user_id', 'u1'], ['email', 'e1@example.vn']]),
          item([['user_id', 'u1'], ['email', 'e2@example.vn']]),
          item([['email', 'e2@example.vn']]),
        ],
        { limits: { email: 1 } },
      );
      expect(r.dropped.get(1)).toEqual([{ type: 'email', value: 'e2@example.vn' }]);
      // e2 never joined u1's profile, so the third event starts a new one.
      expect(r.profileIds).toEqual(['prf_new1', 'prf_new1', 'prf_new2']);
    });
  });
});

describe('identifierKey', () => {
  it('separates type and value so different pairs never collide', () => {
    const a: IdentifierRef = { type: 'ab', value: 'c' };
    const b: IdentifierRef = { type: 'a', value: 'bc' };
    expect(identifierKey(a.type, a.value)).not.toBe(identifierKey(b.type, b.value));
  });
});

describe('resolveItems › profile writes', () => {
  const known = () =>
    profile('prf_1', {
      createdAt: '2026-01-01T00:00:00.000Z',
      ids: [['anonymous_id', 'a1']],
      seen: ['2026-01-01T00:00:00.000Z', '2026-01-10T10:00:00.000Z'],
      channels: { web: { first: '2026-01-01T00:00:00.000Z', last: '2026-01-10T10:00:00.000Z' } },
    });

  describe('when an event only moves last-seen forward by less than a minute', () => {
    it('leaves the profile clean (no row write)', () => {
      const p1 = known();
      run(stateOf(p1), [item([['anonymous_id', 'a1']], { timestamp: '2026-01-10T10:00:59.000Z', channel: 'web' })]);
      expect(p1.dirty).toBe(false);
    });
  });

  describe('when last-seen moves forward by a minute or more', () => {
    it('marks the profile for writing', () => {
      const p1 = known();
      run(stateOf(p1), [item([['anonymous_id', 'a1']], { timestamp: '2026-01-10T10:01:00.000Z', channel: 'web' })]);
      expect(p1.dirty).toBe(true);
      expect(p1.lastSeenAt).toEqual(at('2026-01-10T10:01:00.000Z'));
    });
  });

  describe('when the event comes from a channel the profile has not used', () => {
    it('marks the profile for writing', () => {
      const p1 = known();
      run(stateOf(p1), [item([['anonymous_id', 'a1']], { timestamp: '2026-01-10T10:00:10.000Z', channel: 'pos' })]);
      expect(p1.dirty).toBe(true);
      expect(Object.keys(p1.channels).sort()).toEqual(['pos', 'web']);
    });
  });

  describe('when an identify repeats the stored trait values at the same time', () => {
    it('leaves the profile clean', () => {
      const p1 = known();
      p1.traits = { name: 'An' };
      p1.traitTimes = { name: '2026-01-10T10:00:00.000Z' };
      run(stateOf(p1), [item([['anonymous_id', 'a1']], { timestamp: '2026-01-10T10:00:00.000Z', channel: 'web', traits: { name: 'An' } })]);
      expect(p1.dirty).toBe(false);
    });
  });
});
