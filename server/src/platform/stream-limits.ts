/**
 * Caps on open event streams (SSE) in this process, per credential and per client address: a
 * stream holds a socket and a subscription for as long as the client likes, so one shopper's
 * script (or one address opening thousands) must not exhaust the server for everyone.
 */
import { AppError } from './errors';

export class StreamLimits {
  private readonly byCredential = new Map<string, number>();
  private readonly byAddress = new Map<string, number>();

  constructor(private readonly limits: { perCredential: number; perAddress: number }) {}

  /** Admit a new stream or answer 429; returns the release to call when it closes (once is enough). */
  admit(address: string, credential: string): () => void {
    const c = this.byCredential.get(credential) ?? 0;
    const a = this.byAddress.get(address) ?? 0;
    if (c >= this.limits.perCredential) {
      throw new AppError('rate_limited', `At most ${this.limits.perCredential} live streams per shopper: close one first`, { retryAfter: 5 }, { 'Retry-After': '5' });
    }
    if (a >= this.limits.perAddress) {
      throw new AppError('rate_limited', `At most ${this.limits.perAddress} live streams from one address`, { retryAfter: 5 }, { 'Retry-After': '5' });
    }
    this.byCredential.set(credential, c + 1);
    this.byAddress.set(address, a + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      decrement(this.byCredential, credential);
      decrement(this.byAddress, address);
    };
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 1) - 1;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
