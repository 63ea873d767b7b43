/**
 * Per-portal request budgets as two token buckets, one per minute and one per rolling week
 * (contract §1.5, §4.11). Each bucket starts full and refills continuously, so after the first
 * request of a fresh portal the minute header reads 299, as recorded by client C1.
 *
 * Time comes from an injected clock, so tests move it forward instead of waiting.
 * @module
 */
import type { RateLimits } from "./options.js";

const MINUTE_MS = 60_000;
const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** The 429 body client C1 matches on before retrying (contract §1.5); the weekly text is a guess. */
export function rateLimitedBody(exhausted: "minute" | "week"): { response_type: "ERROR"; message: string } {
  const window = exhausted === "minute" ? "1 minute" : "1 week";
  return { response_type: "ERROR", message: `Number of requests has exceeded the ${window} limit` };
}

export type RateDecision =
  | { allowed: true; remainingMinute: number; remainingWeek: number }
  | { allowed: false; exhausted: "minute" | "week" };

interface Bucket {
  capacity: number;
  tokens: number;
  refilledAt: number;
}

export class RateLimiter {
  readonly #now: () => number;
  #minute: Bucket | undefined;
  #week: Bucket | undefined;

  /** @param now clock in epoch milliseconds */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Spends one request from both buckets, or reports which one is empty without spending. */
  take(limits: RateLimits): RateDecision {
    const at = this.#now();
    const minute = (this.#minute = refill(this.#minute, limits.perMinute, MINUTE_MS, at));
    const week = (this.#week = refill(this.#week, limits.perWeek, WEEK_MS, at));
    if (minute.tokens < 1) return { allowed: false, exhausted: "minute" };
    if (week.tokens < 1) return { allowed: false, exhausted: "week" };
    minute.tokens -= 1;
    week.tokens -= 1;
    return { allowed: true, remainingMinute: Math.floor(minute.tokens), remainingWeek: Math.floor(week.tokens) };
  }

  /** Refills both buckets. */
  reset(): void {
    this.#minute = undefined;
    this.#week = undefined;
  }
}

/** A bucket brought up to `at`; a changed capacity (options edited on a live portal) starts a full bucket. */
function refill(bucket: Bucket | undefined, capacity: number, windowMs: number, at: number): Bucket {
  if (!bucket || bucket.capacity !== capacity) return { capacity, tokens: capacity, refilledAt: at };
  const elapsed = Math.max(0, at - bucket.refilledAt);
  return { capacity, tokens: Math.min(capacity, bucket.tokens + (elapsed * capacity) / windowMs), refilledAt: at };
}

/**
 * One token bucket of `capacity` requests per `windowMs`, for a fake whose API states its budget
 * in another window (Northpass: 10 a second).
 */
export class TokenBucket {
  readonly #now: () => number;
  #bucket: Bucket | undefined;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Spends one request; false, spending nothing, when the bucket is empty. */
  take(capacity: number, windowMs: number): boolean {
    const bucket = (this.#bucket = refill(this.#bucket, capacity, windowMs, this.#now()));
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  reset(): void {
    this.#bucket = undefined;
  }
}
