/**
 * A small per-process cache for reads that every request makes and that change rarely (a sales
 * channel, a variant by SKU): each value is kept for `ttlMs` after its load started, and a load
 * is shared by everyone who asks for the same key while it runs (a burst of requests reads once).
 *
 * What a load rejects with, or resolves to `undefined` ("not found"), is forgotten at once, so
 * a thing created a moment ago is seen by the next call. `delete`/`deleteWhere` drop entries,
 * in-flight ones included: a caller already waiting still gets that load's value, the next one
 * loads again. This is one process's memory only; other processes see a change within `ttlMs`.
 */
interface Entry<V> {
  value: Promise<V>;
  at: number;
}

export class TtlCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  /** `now` is injectable for tests; past `maxEntries` the cache starts over (a crude bound, no LRU). */
  constructor(opts: { ttlMs: number; maxEntries?: number; now?: () => number }) {
    this.ttlMs = opts.ttlMs;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** The kept value for `key`, else `load()` — shared with whoever asks for `key` while it runs. */
  get(key: K, load: () => Promise<V>): Promise<V> {
    return this.fresh(key) ?? this.start(key, load());
  }

  /**
   * Values for many keys: the kept ones as they are, the rest from one `loadMany(missing)` call
   * (each of its results shared as `get` shares a load). Keys `loadMany` leaves out are absent
   * from the result and not kept.
   */
  async getMany(keys: K[], loadMany: (missing: K[]) => Promise<Map<K, V>>): Promise<Map<K, V>> {
    const unique = [...new Set(keys)];
    const missing = unique.filter((k) => this.fresh(k) === undefined);
    const loaded = missing.length > 0 ? loadMany(missing) : undefined;
    const values = unique.map((k) => this.fresh(k) ?? this.start(k, loaded!.then((m) => m.get(k) as V)));
    const found = await Promise.all(values);
    return new Map(unique.flatMap((k, i) => (found[i] !== undefined ? [[k, found[i]] as const] : [])));
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Drop every entry whose key matches (e.g. all of one workspace's). */
  deleteWhere(matches: (key: K) => boolean): void {
    for (const key of this.entries.keys()) if (matches(key)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private fresh(key: K): Promise<V> | undefined {
    const hit = this.entries.get(key);
    return hit && this.now() - hit.at < this.ttlMs ? hit.value : undefined;
  }

  private start(key: K, value: Promise<V>): Promise<V> {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, at: this.now() });
    const forget = () => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    };
    value.then((v) => {
      if (v === undefined) forget();
    }, forget);
    return value;
  }
}
