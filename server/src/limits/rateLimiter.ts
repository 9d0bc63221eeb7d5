/**
 * Token buckets for every entry point (HTTP per address and per user, signaling
 * frames per socket, MLLP connections per address).
 *
 * Our own ~100 lines rather than express-rate-limit or rate-limiter-flexible:
 * express-rate-limit covers only HTTP, and the same primitive is wanted for
 * WebSocket frames and raw TCP connections; rate-limiter-flexible does all of
 * it but brings stores, clusters and a promise per call that a single process
 * with in-memory state does not need. A bucket here is two numbers, takes a
 * monotonic time source (tests step it instead of sleeping) and answers
 * synchronously, so a frame over the limit is refused before it is queued.
 */

export interface RateLimit {
  /** What the bucket holds when full: how many may come at once after a quiet spell. */
  readonly burst: number;
  /** How many are added back per second: the sustained rate. */
  readonly perSecond: number;
}

export type TakeResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

export type MonotonicNow = () => number;

const monotonic: MonotonicNow = () => performance.now();

export function checkRateLimit(limit: RateLimit, name: string): RateLimit {
  if (!(Number.isFinite(limit.burst) && limit.burst >= 1)) throw new RangeError(`${name}: burst must be >= 1`);
  if (!(Number.isFinite(limit.perSecond) && limit.perSecond > 0)) {
    throw new RangeError(`${name}: the rate must be > 0 per second`);
  }
  return limit;
}

/** One bucket: starts full, refills continuously up to `burst`. */
export class TokenBucket {
  readonly limit: RateLimit;
  readonly #now: MonotonicNow;
  #tokens: number;
  #at: number;

  constructor(limit: RateLimit, now: MonotonicNow = monotonic) {
    this.limit = checkRateLimit(limit, 'TokenBucket');
    this.#now = now;
    this.#tokens = limit.burst;
    this.#at = now();
  }

  /** Takes `cost` tokens if there are that many; otherwise takes nothing and says when there will be. */
  take(cost = 1): TakeResult {
    this.#refill();
    if (this.#tokens >= cost) {
      this.#tokens -= cost;
      return { ok: true };
    }
    const missing = cost - this.#tokens;
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil((missing / this.limit.perSecond) * 1000)) };
  }

  /** Gives back tokens taken for something that turned out not to count (never above `burst`). */
  give(cost = 1): void {
    this.#refill();
    this.#tokens = Math.min(this.limit.burst, this.#tokens + cost);
  }

  /** Full again: forgetting this bucket would change nothing. */
  get isFull(): boolean {
    this.#refill();
    return this.#tokens >= this.limit.burst;
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = Math.max(0, now - this.#at) / 1000;
    this.#at = now;
    this.#tokens = Math.min(this.limit.burst, this.#tokens + elapsed * this.limit.perSecond);
  }
}

/**
 * A bucket per key (address, user id, username). Memory is bounded: past
 * `maxKeys` the full buckets are dropped (a new one is the same), and if that
 * is not enough the least recently used ones go. Evicting a bucket that is not
 * full forgives its debt, so someone cycling through more than `maxKeys` keys
 * (usernames, say) gets a little more than the limit; the per-address limit in
 * front of the per-username one still holds them.
 */
export class KeyedRateLimiter {
  readonly limit: RateLimit;
  readonly #now: MonotonicNow;
  readonly #maxKeys: number;
  /** Insertion order is recency order: a key is moved to the end on every use. */
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(limit: RateLimit, options: { now?: MonotonicNow; maxKeys?: number } = {}) {
    this.limit = checkRateLimit(limit, 'KeyedRateLimiter');
    this.#now = options.now ?? monotonic;
    this.#maxKeys = options.maxKeys ?? 10_000;
  }

  get size(): number {
    return this.#buckets.size;
  }

  take(key: string, cost = 1): TakeResult {
    return this.#bucket(key).take(cost);
  }

  give(key: string, cost = 1): void {
    this.#buckets.get(key)?.give(cost);
  }

  #bucket(key: string): TokenBucket {
    let bucket = this.#buckets.get(key);
    if (bucket) {
      this.#buckets.delete(key);
    } else {
      bucket = new TokenBucket(this.limit, this.#now);
      if (this.#buckets.size >= this.#maxKeys) this.#evict();
    }
    this.#buckets.set(key, bucket);
    return bucket;
  }

  #evict(): void {
    for (const [key, bucket] of this.#buckets) if (bucket.isFull) this.#buckets.delete(key);
    // Leave headroom so a burst of new keys does not sweep on every call.
    const target = Math.floor(this.#maxKeys * 0.9);
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= target) break;
      this.#buckets.delete(key);
    }
  }
}
