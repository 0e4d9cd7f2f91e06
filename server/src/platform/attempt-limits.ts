/**
 * Failed attempts counted per key in fixed windows (per process): when a key has failed `max`
 * times in the current window, further attempts wait for the next one. For guesses that cost
 * the guesser nothing and may pay off (promotion codes typed into a storefront).
 */
import { AppError } from './errors';

export class AttemptLimits {
  private readonly failures = new Map<string, { count: number; windowEnds: number }>();

  constructor(private readonly limits: { max: number; windowMs: number; what: string }) {}

  /** 429 with Retry-After when any of these keys is out of attempts. */
  check(keys: string[], now = Date.now()): void {
    for (const key of keys) {
      const f = this.failures.get(key);
      if (f && now < f.windowEnds && f.count >= this.limits.max) {
        const wait = Math.max(1, Math.ceil((f.windowEnds - now) / 1000));
        throw new AppError('rate_limited', `Too many ${this.limits.what}: try again in ${wait} s`, { retryAfter: wait }, { 'Retry-After': String(wait) });
      }
    }
  }

  fail(keys: string[], now = Date.now()): void {
    if (this.failures.size > 100_000) this.sweep(now);
    for (const key of keys) {
      const f = this.failures.get(key);
      if (!f || now >= f.windowEnds) this.failures.set(key, { count: 1, windowEnds: now + this.limits.windowMs });
      else f.count += 1;
    }
  }

  private sweep(now: number): void {
    for (const [key, f] of this.failures) if (now >= f.windowEnds) this.failures.delete(key);
  }
}
