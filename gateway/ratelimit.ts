// A token bucket per client key (the peer's IP address), in this process's memory. Replicas each
// keep their own buckets, so N replicas behind a balancer allow up to N times the rate; a shared
// limit would need a shared store (Redis, or Postgres) and is not built here.
// Pure apart from the clock, which tests pass in.

export interface RateLimitOptions {
  /** Tokens added per second (the sustained request rate); 0 turns the limiter off. */
  perSecond: number;
  /** Bucket size: how many requests may arrive at once after a quiet spell. */
  burst: number;
  /** Buckets kept at most; when full, the ones that have refilled are dropped first. */
  maxKeys?: number;
  now?: () => number;
}

export type RateLimitResult = { ok: true } | { ok: false; retryAfterMs: number };

export interface RateLimiter {
  take(key: string): RateLimitResult;
  /** Keys with a bucket now (for tests and metrics). */
  size(): number;
}

export function createRateLimiter(opts: RateLimitOptions): RateLimiter {
  const { perSecond, burst } = opts;
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 100_000;
  const buckets = new Map<string, { tokens: number; at: number }>();

  // Forgets buckets that have refilled: they behave exactly like a new one.
  const sweep = (t: number) => {
    for (const [k, b] of buckets) if (b.tokens + ((t - b.at) / 1000) * perSecond >= burst) buckets.delete(k);
    // Under a flood of distinct addresses, dropping the oldest keeps memory bounded; those
    // clients get a fresh bucket, which errs on the side of serving them.
    for (const k of buckets.keys()) {
      if (buckets.size < maxKeys) break;
      buckets.delete(k);
    }
  };

  return {
    take(key) {
      if (perSecond <= 0) return { ok: true };
      const t = now();
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= maxKeys) sweep(t);
        b = { tokens: burst, at: t };
        buckets.set(key, b);
      } else {
        b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond);
        b.at = t;
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterMs: Math.ceil(((1 - b.tokens) / perSecond) * 1000) };
    },
    size: () => buckets.size,
  };
}
