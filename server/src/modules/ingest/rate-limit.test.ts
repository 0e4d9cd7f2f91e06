import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit';

describe('RateLimiter.take', () => {
  describe('when requests fit in the burst', () => {
    it('counts each event, so 10 a second allows one batch of 10, then refuses', () => {
      const limiter = new RateLimiter();
      expect(limiter.take('s', 10, 10, 0)).toBe(0);
      expect(limiter.take('s', 10, 1, 0)).toBe(1);
      expect(limiter.take('s', 10, 1, 100)).toBe(0);
    });
  });

  describe('when a batch is larger than the per-second rate', () => {
    it('lets it in on a full bucket and makes the next requests wait until its debt is paid', () => {
      const limiter = new RateLimiter();
      // 2,500 events on a source limited to 1,000 a second.
      expect(limiter.take('s', 1000, 2500, 0)).toBe(0);
      // 1,500 in debt: one more event waits 1.501 s → 2 s.
      expect(limiter.take('s', 1000, 1, 0)).toBe(2);
      expect(limiter.take('s', 1000, 1, 1000)).toBe(1);
      expect(limiter.take('s', 1000, 1, 1501)).toBe(0);
    });

    it('refuses it until the bucket is full again', () => {
      const limiter = new RateLimiter();
      expect(limiter.take('s', 1000, 500, 0)).toBe(0);
      expect(limiter.take('s', 1000, 2500, 0)).toBe(1);
      expect(limiter.take('s', 1000, 2500, 500)).toBe(0);
    });

    it('never lets a source through faster than its rate plus one burst', () => {
      const limiter = new RateLimiter();
      let admitted = 0;
      for (let t = 0; t <= 60_000; t += 10) if (limiter.take('s', 100, 250, t) === 0) admitted += 250;
      expect(admitted).toBeLessThanOrEqual(100 * 60 + 100 + 250);
      expect(admitted).toBeGreaterThanOrEqual(100 * 60 - 250);
    });
  });

  describe('when two sources send', () => {
    it('keeps a bucket for each', () => {
      const limiter = new RateLimiter();
      expect(limiter.take('a', 5, 20, 0)).toBe(0);
      expect(limiter.take('b', 5, 5, 0)).toBe(0);
      expect(limiter.take('a', 5, 1, 0)).toBeGreaterThan(0);
    });
  });
});
