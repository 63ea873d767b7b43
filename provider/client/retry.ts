/**
 * Retry policy as data, and the loop that applies it around single attempts.
 *
 * - `RetryOptions` documents every knob with its default; `normalizeRetryOptions()` fills them in.
 * - `decideRetry()` is pure: given the failure, the method and the retry number it returns whether
 *   to retry, after how long, and whether the call first needs proof that it had no effect.
 * - `sendWithRetry()` runs attempts through the rate limiter. A 429 pauses the shared limiter, so
 *   every caller in the process backs off, not just the one that was refused.
 *
 * Idempotent methods (GET, PUT, PATCH, DELETE; PUT and PATCH qualify because callers send absolute
 * values) are repeated on retryable failures. A POST is repeated only when the caller passes
 * `confirmNotApplied` and that look-up returns true: repeating a POST that did land would create
 * a duplicate. Otherwise the original error surfaces.
 * @module
 */
import { setTimeout as sleepFor } from "node:timers/promises";
import { ApiError, NetworkError, RateLimitError, TimeoutError } from "./errors.js";
import type { RateLimiter } from "./rate-limiter.js";
import { parseRetryAfter, retryDelay } from "./retry-timing.js";
import type { StatsRecorder } from "./stats.js";
import type { HttpMethod, HttpRequest, HttpResponse } from "./transport.js";

export interface RetryOptions {
  /**
   * Retries after the first attempt; `0` disables retrying.
   * @default 4
   */
  limit?: number | undefined;
  /**
   * Methods safe to repeat without checking what the failed attempt did.
   * @default ["GET", "PUT", "PATCH", "DELETE"]
   */
  idempotentMethods?: readonly HttpMethod[] | undefined;
  /**
   * HTTP statuses worth another attempt. Timeouts and connection failures are always retryable.
   * @default [408, 429, 500, 502, 503, 504]
   */
  statusCodes?: readonly number[] | undefined;
  /**
   * Delay before the first retry when the server gives no `Retry-After`; doubles per retry, with jitter.
   * @default 1_000
   */
  backoffBaseMs?: number | undefined;
  /**
   * Longest backoff delay.
   * @default 30_000
   */
  backoffMaxMs?: number | undefined;
  /**
   * Longest wait honoured from a `Retry-After` header; longer values are cut to this.
   * @default 60_000
   */
  maxRetryAfterMs?: number | undefined;
}

export type NormalizedRetryOptions = Readonly<{ [Key in keyof RetryOptions]-?: Exclude<RetryOptions[Key], undefined> }>;

const DEFAULT_RETRY_OPTIONS = {
  limit: 4,
  idempotentMethods: ["GET", "PUT", "PATCH", "DELETE"],
  statusCodes: [408, 429, 500, 502, 503, 504],
  backoffBaseMs: 1_000,
  backoffMaxMs: 30_000,
  maxRetryAfterMs: 60_000,
} as const satisfies NormalizedRetryOptions;

export function normalizeRetryOptions(options: RetryOptions = {}): NormalizedRetryOptions {
  const normalized: NormalizedRetryOptions = {
    limit: options.limit ?? DEFAULT_RETRY_OPTIONS.limit,
    idempotentMethods: options.idempotentMethods ?? DEFAULT_RETRY_OPTIONS.idempotentMethods,
    statusCodes: options.statusCodes ?? DEFAULT_RETRY_OPTIONS.statusCodes,
    backoffBaseMs: options.backoffBaseMs ?? DEFAULT_RETRY_OPTIONS.backoffBaseMs,
    backoffMaxMs: options.backoffMaxMs ?? DEFAULT_RETRY_OPTIONS.backoffMaxMs,
    maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_RETRY_OPTIONS.maxRetryAfterMs,
  };
  if (!Number.isInteger(normalized.limit) || normalized.limit < 0) {
    throw new RangeError(`retry limit must be a non-negative integer, got ${normalized.limit}`);
  }
  return normalized;
}

export interface RetryDecision {
  /** Whether another attempt should be made. */
  retry: boolean;
  /** Wait before that attempt (for a 429, also how long the whole process pauses). */
  delayMs: number;
  /** Short label for transcripts and counters: `"429"`, `"503"`, `"timeout"`, `"network"`… */
  reason: string;
  /** True for non-idempotent methods: retry only once a look-up proves the call had no effect. */
  needsConfirmation: boolean;
}

/**
 * Pure retry decision for the failure of attempt number `retryNumber` (1 for the first retry).
 * `random` feeds the backoff jitter; `nowMs` dates an HTTP-date `Retry-After`.
 */
export function decideRetry(
  input: { error: unknown; method: HttpMethod; retryNumber: number; nowMs: number },
  options: NormalizedRetryOptions,
  random: () => number,
): RetryDecision {
  const needsConfirmation = !options.idempotentMethods.includes(input.method);
  const reason = retryReason(input.error, options);
  if (reason === undefined) return { retry: false, delayMs: 0, reason: "not retryable", needsConfirmation };
  const retryAfter = input.error instanceof ApiError ? input.error.retryAfter : undefined;
  const delayMs = retryDelay(
    {
      retryNumber: input.retryNumber,
      retryAfterMs: parseRetryAfter(retryAfter, input.nowMs),
      maxRetryAfterMs: options.maxRetryAfterMs,
    },
    { baseMs: options.backoffBaseMs, maxMs: options.backoffMaxMs },
    random,
  );
  return { retry: input.retryNumber <= options.limit, delayMs, reason, needsConfirmation };
}

function retryReason(error: unknown, options: NormalizedRetryOptions): string | undefined {
  if (error instanceof TimeoutError) return "timeout";
  if (error instanceof NetworkError) return "network";
  if (error instanceof ApiError && error.status !== undefined && options.statusCodes.includes(error.status)) {
    return String(error.status);
  }
  return undefined;
}

/** One retry about to happen, as reported to `onRetry`. */
export interface RetryEvent {
  method: HttpMethod;
  path: string;
  /** 1 for the first retry. */
  retryNumber: number;
  delayMs: number;
  reason: string;
  /** True when a look-up proved a failed POST had no effect. */
  confirmed: boolean;
}

export interface RetryContext {
  options: NormalizedRetryOptions;
  limiter: RateLimiter;
  /** @default setTimeout from node:timers/promises */
  sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  now?: () => number;
  /** @default Math.random */
  random?: () => number;
  stats?: StatsRecorder;
  onRetry?: (event: RetryEvent) => void;
}

/**
 * Sends `request` with `send`, one rate-limiter permit per attempt, retrying as `decideRetry` says.
 * `confirmNotApplied` is the look-up that licenses repeating a non-idempotent call; it should
 * resolve true only when it has positively seen that the call did not take effect.
 */
export async function sendWithRetry(
  request: HttpRequest,
  send: (request: HttpRequest) => Promise<HttpResponse>,
  context: RetryContext,
  confirmNotApplied?: () => Promise<boolean>,
): Promise<HttpResponse> {
  const sleep = context.sleep ?? ((ms: number) => sleepFor(ms));
  const now = context.now ?? Date.now;
  const random = context.random ?? Math.random;
  for (let retryNumber = 1; ; retryNumber++) {
    await context.limiter.acquire(request);
    try {
      const response = await send(request);
      context.limiter.observe(response.headers);
      return response;
    } catch (error) {
      const decision = decideRetry({ error, method: request.method, retryNumber, nowMs: now() }, context.options, random);
      // The server refused the process, not just this call: every caller waits.
      if (error instanceof RateLimitError) context.limiter.pauseFor(decision.delayMs);
      if (!decision.retry || (decision.needsConfirmation && !confirmNotApplied)) throw error;
      // A 429's wait is served by the limiter pause above; anything else waits here, alone.
      if (!(error instanceof RateLimitError)) await sleep(decision.delayMs);
      if (decision.needsConfirmation && !(await provedNotApplied(confirmNotApplied, context.stats))) throw error;
      if (context.stats) context.stats.counts.retries += 1;
      context.onRetry?.({
        method: request.method,
        path: request.path,
        retryNumber,
        delayMs: decision.delayMs,
        reason: decision.reason,
        confirmed: decision.needsConfirmation,
      });
    }
  }
}

/** Runs the look-up after the backoff, so a slow first attempt has had time to land. */
async function provedNotApplied(confirm: (() => Promise<boolean>) | undefined, stats: StatsRecorder | undefined): Promise<boolean> {
  if (!confirm) return false;
  if (stats) stats.counts.confirmations += 1;
  try {
    return await confirm();
  } catch {
    // A failed look-up proves nothing; the caller gets the original error.
    return false;
  }
}
