/**
 * Client-side throttle: a token bucket that keeps this process under a share of the server's
 * request budget, plus a hard cap standing in for the weekly quota.
 *
 * - Smooth, not bursty: tokens refill continuously at `budget × share` over its window (a second
 *   or a minute, as the backend's `perSecond` or `perMinute` says) and the bucket
 *   holds only `burst` tokens, so a parallel run is spaced out instead of firing in waves.
 * - Fair: callers are served in arrival order.
 * - Reacts to the server: `pauseFor()` holds back *every* caller, and `observe()` slows down when
 *   a "requests remaining" header runs low.
 * - One storm, one wait: each request goes out under a `Permit` that reports what the server
 *   answered. A 429 starts a storm: the retry layer pauses everyone, then a single request probes
 *   the window while the others wait for its answer. A 429 to a request that was already on its
 *   way belongs to the same strike, so 400 parallel callers refused at once cause one wait, not 400.
 * - Shared: `sharedRateLimiter(key)` returns one limiter per key per process, kept on
 *   `globalThis` under a `Symbol.for` key, because a Pulumi provider process runs many resource
 *   operations in parallel and each resource may load its own copy of the provider code.
 *
 * Clock and sleep are injectable, so tests run on a fake clock in milliseconds.
 * @module
 */
import { setTimeout as sleepFor } from "node:timers/promises";
import { BudgetExhaustedError } from "./errors.js";
import { lowRemainingPause } from "./retry-timing.js";

export interface RateLimiterOptions {
  /** The server's request budget per second; give this or `perMinute`, as the API states it. */
  perSecond?: number | undefined;
  /**
   * The server's request budget per minute; give this or `perSecond`. Without either, the
   * limiter assumes a cautious 60 a minute: every backend should state its own.
   * @default 60
   */
  perMinute?: number | undefined;
  /**
   * The server's request budget per week, for APIs with a weekly quota.
   * @default Infinity (no weekly cap)
   */
  perWeek?: number | undefined;
  /**
   * Fraction of both budgets this process may use; the rest stays free for the account's other
   * integrations, which usually draw on the same budget.
   * @default 0.8
   */
  share?: number | undefined;
  /**
   * Requests that may leave back to back after an idle spell.
   * @default 5
   */
  burst?: number | undefined;
  /** Response header holding the requests left in the server's current window (of the budget's length); unset to ignore. */
  remainingHeader?: string | undefined;
  /**
   * Start slowing down once `remainingHeader` reports this many requests or fewer.
   * @default 10
   */
  lowWatermark?: number | undefined;
  /** @default Date.now */
  now?: () => number;
  /** @default setTimeout from node:timers/promises */
  sleep?: (ms: number) => Promise<void>;
}

export interface RateLimiterStats {
  /** Permits handed out. */
  acquired: number;
  /** Total time callers spent waiting for a permit. */
  waitedMs: number;
  /** Times the limiter was paused by server feedback. */
  pauses: number;
}

/** Where a 429 falls in a storm of them. */
export interface RateLimitStrike {
  /** 1 for the storm's first 429; one more each time a probe sent after the last wait is refused too. */
  strike: number;
  /** True when this 429 starts that strike, so its wait is still to be set (`pauseFor`). */
  fresh: boolean;
}

/** One request's turn to go; tell the limiter how it went with exactly one of the three calls. */
export interface Permit {
  /** The server answered anything but a 429 (`headers` of a success feed `observe`): a storm is over. */
  answered(headers?: Readonly<Record<string, string>>): void;
  /** The server answered 429. */
  rateLimited(): RateLimitStrike;
  /** No answer (reset, timeout): a storm goes on, and the next caller may probe. */
  unanswered(): void;
}

export interface RateLimiter {
  /**
   * Resolves when the caller may send one request. Rejects with `BudgetExhaustedError` once the
   * weekly cap is used up; `request` only names the call in that error.
   */
  acquire(request: { method: string; path: string }): Promise<Permit>;
  /** Holds back every caller for `ms` (after a 429), then resumes at the steady rate, without a burst. */
  pauseFor(ms: number): void;
  /** Reads server feedback from a response's (lower-cased) headers. */
  observe(headers: Readonly<Record<string, string>>): void;
  stats(): RateLimiterStats;
}

const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;
/** For a backend that states no budget: one request a second. */
export const DEFAULT_REQUESTS_PER_MINUTE = 60;

/** The budget as requests per window, from whichever of `perSecond` and `perMinute` was given. */
function requestBudget(options: RateLimiterOptions): { name: string; requests: number; windowMs: number } {
  if (options.perSecond !== undefined && options.perMinute !== undefined) {
    throw new RangeError("rate limit takes perSecond or perMinute, not both");
  }
  if (options.perSecond !== undefined) return { name: "perSecond", requests: options.perSecond, windowMs: SECOND_MS };
  return { name: "perMinute", requests: options.perMinute ?? DEFAULT_REQUESTS_PER_MINUTE, windowMs: MINUTE_MS };
}

export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const budget = requestBudget(options);
  const perWeek = options.perWeek ?? Infinity;
  const share = options.share ?? 0.8;
  const burst = options.burst ?? 5;
  const lowWatermark = options.lowWatermark ?? 10;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => sleepFor(ms));
  if (!(share > 0 && share <= 1)) throw new RangeError(`rate limit share must be in (0, 1], got ${share}`);
  if (!(budget.requests > 0) || !(perWeek > 0) || !(burst >= 1)) {
    throw new RangeError(`rate limit ${budget.name} and perWeek must be positive and burst at least 1`);
  }

  const tokensPerMs = (budget.requests * share) / budget.windowMs;
  const weeklyCap = Math.floor(perWeek * share);
  let tokens = burst;
  let lastRefill = now();
  let pausedUntil = 0;
  let queue: Promise<unknown> = Promise.resolve();
  /** The 429 storm being waited out: its strikes, and the last permit handed out when the latest began. */
  let storm: { strikes: number; lastPermitBefore: number } | undefined;
  /** During a storm, the one request out testing the window; everyone else waits for its answer. */
  let probe: { permit: number; answered: Promise<void>; release: () => void } | undefined;
  const stats: RateLimiterStats = { acquired: 0, waitedMs: 0, pauses: 0 };

  function refill(): void {
    const at = now();
    // lastRefill may lie in the future during a pause: no tokens accrue until the pause ends.
    tokens = Math.min(burst, tokens + Math.max(0, at - lastRefill) * tokensPerMs);
    lastRefill = Math.max(lastRefill, at);
  }

  async function takePermit(request: { method: string; path: string }): Promise<Permit> {
    if (stats.acquired >= weeklyCap) {
      throw new BudgetExhaustedError(
        `Request budget exhausted: this process already sent ${weeklyCap} requests, ${Math.round(share * 100)}% of the ` +
          `portal's ${perWeek} per week; raise rateLimit.perWeek or rateLimit.share, or wait for the quota to recover`,
        request,
      );
    }
    for (;;) {
      refill();
      const waitMs = Math.ceil(Math.max(pausedUntil - now(), tokens >= 1 ? 0 : (1 - tokens) / tokensPerMs));
      if (waitMs > 0) {
        stats.waitedMs += waitMs;
        await sleep(waitMs);
      } else if (probe) {
        const since = now();
        await probe.answered;
        stats.waitedMs += now() - since;
      } else {
        break;
      }
    }
    tokens -= 1;
    stats.acquired += 1;
    const number = stats.acquired;
    if (storm) {
      let release = () => {};
      const answered = new Promise<void>((resolve) => (release = resolve));
      probe = { permit: number, answered, release };
    }
    return permit(number);
  }

  function permit(number: number): Permit {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      if (probe?.permit === number) {
        probe.release();
        probe = undefined;
      }
      return true;
    };
    return {
      answered(headers) {
        if (!settle()) return;
        storm = undefined;
        if (headers) observe(headers);
      },
      rateLimited() {
        settle();
        // Sent before the latest strike began: refused by the same spent window, waited out by the same pause.
        if (storm && number <= storm.lastPermitBefore) return { strike: storm.strikes, fresh: false };
        storm = { strikes: (storm?.strikes ?? 0) + 1, lastPermitBefore: stats.acquired };
        return { strike: storm.strikes, fresh: true };
      },
      unanswered() {
        settle();
      },
    };
  }

  function observe(headers: Readonly<Record<string, string>>): void {
    if (options.remainingHeader === undefined) return;
    const value = headers[options.remainingHeader.toLowerCase()];
    if (value === undefined || value.trim() === "") return;
    pauseFor(lowRemainingPause(Number(value), lowWatermark, budget.windowMs));
  }

  function pauseFor(ms: number): void {
    if (!(ms > 0)) return;
    pausedUntil = Math.max(pausedUntil, now() + ms);
    // One request may go the moment the pause ends; the rest follow at the steady rate.
    tokens = 1;
    lastRefill = Math.max(lastRefill, pausedUntil);
    stats.pauses += 1;
  }

  return {
    acquire(request) {
      // Chain every caller behind the previous one: first come, first served.
      const turn = queue.then(() => takePermit(request));
      queue = turn.catch(() => undefined);
      return turn;
    },
    pauseFor,
    observe,
    stats: () => ({ ...stats }),
  };
}

const REGISTRY_KEY = Symbol.for("pulumi-lms-client.rate-limiters");

/**
 * The process-wide limiter for `key` (normally the API base URL), created with `options` on first
 * use. Later callers get the same instance whatever options they pass, so every resource of a run
 * draws on one budget.
 */
export function sharedRateLimiter(key: string, options: RateLimiterOptions = {}): RateLimiter {
  const holder = globalThis as { [REGISTRY_KEY]?: Map<string, RateLimiter> };
  const registry = (holder[REGISTRY_KEY] ??= new Map<string, RateLimiter>());
  let limiter = registry.get(key);
  if (!limiter) {
    limiter = createRateLimiter(options);
    registry.set(key, limiter);
  }
  return limiter;
}
