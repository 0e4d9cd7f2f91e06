import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache';

/** A clock the test moves by hand. */
function manualClock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** A promise the test resolves or rejects when it likes. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('TtlCache.get', () => {
  describe('when asked again within the TTL and after it', () => {
    it('loads once within the TTL and again once it has passed', async () => {
      const clock = manualClock();
      const cache = new TtlCache<string, number>({ ttlMs: 5_000, now: clock.now });
      let loads = 0;
      const load = async () => ++loads;
      expect(await cache.get('ws/a', load)).toBe(1);
      clock.advance(4_999);
      expect(await cache.get('ws/a', load)).toBe(1);
      clock.advance(1);
      expect(await cache.get('ws/a', load)).toBe(2);
      expect(loads).toBe(2);
    });
  });

  describe('when N callers ask for one key while its load runs', () => {
    it('runs one load and gives every caller its value; another key loads on its own', async () => {
      const cache = new TtlCache<string, string>({ ttlMs: 5_000 });
      const pending = deferred<string>();
      let loads = 0;
      const load = () => {
        loads++;
        return pending.promise;
      };
      const all = Promise.all(Array.from({ length: 20 }, () => cache.get('ws/a', load)));
      expect(loads).toBe(1);
      pending.resolve('channel a');
      expect(await all).toEqual(Array(20).fill('channel a'));
      expect(await cache.get('ws/b', async () => 'channel b')).toBe('channel b');
      expect(loads).toBe(1);
    });
  });

  describe('when a load fails or finds nothing', () => {
    it('gives the failure to those waiting, then forgets it (and an undefined result)', async () => {
      const cache = new TtlCache<string, string | undefined>({ ttlMs: 5_000 });
      const pending = deferred<string | undefined>();
      const waiting = [cache.get('ws/a', () => pending.promise), cache.get('ws/a', async () => 'not asked')];
      pending.reject(new Error('channel_not_found'));
      for (const w of waiting) await expect(w).rejects.toThrow('channel_not_found');
      expect(await cache.get('ws/a', async () => undefined)).toBeUndefined();
      expect(await cache.get('ws/a', async () => 'created since')).toBe('created since');
      expect(cache.size).toBe(1);
    });
  });

  describe('when an entry is deleted', () => {
    it('loads again on the next call; a load in flight at the delete is not kept', async () => {
      const cache = new TtlCache<string, string>({ ttlMs: 5_000 });
      expect(await cache.get('ws1/a', async () => 'old')).toBe('old');
      cache.delete('ws1/a');
      expect(await cache.get('ws1/a', async () => 'new')).toBe('new');

      const inFlight = deferred<string>();
      const early = cache.get('ws1/b', () => inFlight.promise);
      cache.delete('ws1/b');
      inFlight.resolve('read before the change');
      expect(await early).toBe('read before the change');
      expect(await cache.get('ws1/b', async () => 'read after')).toBe('read after');
    });
  });

  describe('when entries are deleted by a key predicate', () => {
    it('drops the matching ones only', async () => {
      const cache = new TtlCache<string, string>({ ttlMs: 5_000 });
      await cache.get('ws1/a', async () => 'ws1 a');
      await cache.get('ws1/b', async () => 'ws1 b');
      await cache.get('ws2/a', async () => 'ws2 a');
      cache.deleteWhere((k) => k.startsWith('ws1/'));
      expect(await cache.get('ws1/a', async () => 'ws1 a again')).toBe('ws1 a again');
      expect(await cache.get('ws2/a', async () => 'not asked')).toBe('ws2 a');
    });
  });

  describe('when it holds maxEntries', () => {
    it('starts over rather than growing', async () => {
      const cache = new TtlCache<number, number>({ ttlMs: 5_000, maxEntries: 3 });
      for (const k of [1, 2, 3, 4]) await cache.get(k, async () => k);
      expect(cache.size).toBe(1);
    });
  });
});

describe('TtlCache.getMany', () => {
  describe('when some keys are kept and others are asked for concurrently', () => {
    it('loads the missing ones in one call, shares it, and leaves out what it did not find', async () => {
      const clock = manualClock();
      const cache = new TtlCache<string, string>({ ttlMs: 5_000, now: clock.now });
      const calls: string[][] = [];
      const pending = deferred<void>();
      const loadMany = async (missing: string[]) => {
        calls.push(missing);
        await pending.promise;
        return new Map(missing.filter((k) => k !== 'nope').map((k) => [k, `v:${k}:${calls.length}`]));
      };
      await cache.get('a', async () => 'kept a');
      const first = cache.getMany(['a', 'b', 'c', 'b', 'nope'], loadMany);
      const second = cache.getMany(['b', 'c'], loadMany); // shares the load in flight
      pending.resolve();
      expect(await first).toEqual(new Map([['a', 'kept a'], ['b', 'v:b:1'], ['c', 'v:c:1']]));
      expect(await second).toEqual(new Map([['b', 'v:b:1'], ['c', 'v:c:1']]));
      expect(calls).toEqual([['b', 'c', 'nope']]);

      expect(await cache.getMany(['nope'], loadMany)).toEqual(new Map());
      expect(calls).toHaveLength(2);
      clock.advance(5_000);
      expect(await cache.getMany(['a', 'b'], loadMany)).toEqual(new Map([['a', 'v:a:3'], ['b', 'v:b:3']]));
    });
  });

  describe('when the load fails', () => {
    it('rejects and keeps nothing', async () => {
      const cache = new TtlCache<string, string>({ ttlMs: 5_000 });
      await expect(cache.getMany(['a', 'b'], async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
      expect(cache.size).toBe(0);
    });
  });
});
