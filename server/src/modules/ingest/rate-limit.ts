/**
 * A token bucket per source that counts events, not requests: a batch of 2,500 costs 2,500.
 * It refills at `rate` tokens a second and holds at most one second's worth (the burst).
 *
 * A request may cost more than the burst (a batch of 2,500 on a source limited to 1,000 a
 * second): it is let in when the bucket is full and takes its whole cost, leaving the bucket in
 * debt (below zero). Every later request waits until the debt is paid back at `rate` a second,
 * so over any period a source gets at most one burst plus `rate` events a second, however it
 * batches them.
 */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  /** Take `cost` tokens; returns 0 when allowed, else the whole seconds to wait before retrying. */
  take(key: string, rate: number, cost: number, now = Date.now()): number {
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: rate, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(rate, b.tokens + (Math.max(0, now - b.at) / 1000) * rate);
    b.at = now;
    // What must be in the bucket to go ahead: the cost, or a full bucket for a request above the burst.
    const needed = Math.min(cost, rate);
    if (b.tokens >= needed) {
      b.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((needed - b.tokens) / rate));
  }
}
