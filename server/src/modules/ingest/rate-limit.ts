/** A token bucket per source: `rate` events per second, bursting up to one second's worth. */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  /** Take `cost` tokens; returns 0 when allowed, else the seconds to wait before retrying. */
  take(key: string, rate: number, cost: number, now = Date.now()): number {
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: rate, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    if (cost > rate) cost = rate; // a request larger than the burst waits for a full bucket
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((cost - b.tokens) / rate));
  }
}
