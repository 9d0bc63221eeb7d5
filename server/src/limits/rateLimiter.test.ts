import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, loadRateLimits, parseRateLimit } from './limitsConfig.ts';
import { KeyedRateLimiter, TokenBucket } from './rateLimiter.ts';

/** A monotonic time source the test steps by hand. */
function steppedTime(): { now: () => number; advance: (ms: number) => void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('token bucket', () => {
  it('allows the burst, then the sustained rate, and says how long to wait', () => {
    const time = steppedTime();
    const bucket = new TokenBucket({ burst: 3, perSecond: 2 }, time.now);
    expect([bucket.take(), bucket.take(), bucket.take()].every((r) => r.ok)).toBe(true);
    const refused = bucket.take();
    expect(refused).toEqual({ ok: false, retryAfterMs: 500 });
    time.advance(499);
    expect(bucket.take().ok).toBe(false);
    time.advance(1);
    expect(bucket.take().ok).toBe(true);
    // Never more than the burst, however long it was quiet.
    time.advance(3_600_000);
    expect([1, 2, 3, 4].map(() => bucket.take().ok)).toEqual([true, true, true, false]);
  });

  it('gives back tokens, never above the burst', () => {
    const time = steppedTime();
    const bucket = new TokenBucket({ burst: 2, perSecond: 0.001 }, time.now);
    bucket.take();
    bucket.take();
    bucket.give();
    bucket.give();
    bucket.give();
    expect([bucket.take().ok, bucket.take().ok, bucket.take().ok]).toEqual([true, true, false]);
  });

  it('refuses nonsense limits', () => {
    expect(() => new TokenBucket({ burst: 0, perSecond: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ burst: 1, perSecond: 0 })).toThrow(RangeError);
    expect(() => new TokenBucket({ burst: Number.NaN, perSecond: 1 })).toThrow(RangeError);
  });
});

describe('keyed rate limiter', () => {
  it('keeps a bucket per key', () => {
    const time = steppedTime();
    const limiter = new KeyedRateLimiter({ burst: 1, perSecond: 1 }, { now: time.now });
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
    expect(limiter.take('b').ok).toBe(true);
  });

  it('stays within maxKeys, dropping full buckets first and then the least recently used', () => {
    const time = steppedTime();
    const limiter = new KeyedRateLimiter({ burst: 1, perSecond: 1 }, { now: time.now, maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) limiter.take(`k${i}`);
    expect(limiter.size).toBeLessThanOrEqual(100);
    // The most recent key is still held to its limit.
    expect(limiter.take('k9999').ok).toBe(false);
    // After a second every bucket is full again, and a sweep drops them all.
    time.advance(1000);
    for (let i = 0; i < 101; i++) limiter.take(`new${i}`);
    expect(limiter.size).toBeLessThanOrEqual(100);
    expect(limiter.take('k9999').ok).toBe(true);
  });
});

describe('rate limit configuration', () => {
  it('reads N/S from the environment and keeps the defaults otherwise', () => {
    const limits = loadRateLimits({ LEGEVAKT_RATE_API_PER_USER: '10/2', LEGEVAKT_RATE_ANONYMOUS_PER_ADDRESS: '' });
    expect(limits.apiPerUser).toEqual({ burst: 10, perSecond: 5 });
    expect(limits.anonymousPerAddress).toEqual(DEFAULT_RATE_LIMITS.anonymousPerAddress);
    expect(parseRateLimit(' 5 / 0.5 ', 'X')).toEqual({ burst: 5, perSecond: 10 });
  });

  it('names the variable when a value is wrong', () => {
    for (const bad of ['10', '0/1', '10/0', 'ten/1', '-1/5', '1/-5']) {
      expect(() => loadRateLimits({ LEGEVAKT_RATE_SIGNALING_PER_SOCKET: bad })).toThrow(
        /LEGEVAKT_RATE_SIGNALING_PER_SOCKET must be "N\/S"/,
      );
    }
  });

  it('leaves the queue benchmark (500 req/s from two doctors for 20 s) unthrottled by default', () => {
    const time = steppedTime();
    const limiter = new KeyedRateLimiter(DEFAULT_RATE_LIMITS.apiPerUser, { now: time.now });
    let refused = 0;
    for (let ms = 0; ms < 20_000; ms += 2) {
      time.advance(2);
      if (!limiter.take(ms % 4 === 0 ? 'lege.molde' : 'lege2.molde').ok) refused++;
    }
    expect(refused).toBe(0);
  });
});
