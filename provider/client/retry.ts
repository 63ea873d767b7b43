/**
 * Retry policy as data, and the loop that applies it around single attempts.
 *
 * - `RetryOptions` documents every knob with its default; `normalizeRetryOptions()` fills them in.
 * - `decideRetry()` is pure: given the failure, the method and the retry number it returns whether
 *   to retry, after how long, and whether the call first needs proof that it had no effect.
 * - `sendWithRetry()` runs attempts through the rate limiter. A 429 pauses the shared limiter, so
 *   every caller in the process backs off, not just the one that was refused.
 *
 * A 429 means the server's request window is spent, not that the call is wrong: it is waited out,
 * for as long as `rateLimitWaitMs` allows, rather than retried a fixed number of times. The wait is
 * the server's `Retry-After` when it sends one; otherwise the limiter probes the window with one
 * request after a backoff that doubles from `backoffBaseMs` up to `rateLimitBackoffMaxMs`, so the
 * first request after the window reopens goes within seconds, and a storm of a minute or two
 * costs a few probes rather than the run.
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
   * Retries after the first attempt for failures other than 429; `0` disables retrying altogether.
   * @default 4
   */
  limit?: number | undefined;
  /**
   * Methods safe to repeat without checking what the failed attempt did.
   * @default ["GET", "PUT", "PATCH", "DELETE"]
   */
  idempotentMethods?: readonly HttpMethod[] | undefined;
  /**
   * HTTP statuses worth another attempt. Timeouts and connection failures are always retryable,
   * but for a failed TLS handshake or certificate: the URL or the server is wrong, not the network.
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
  /**
   * How long one call may spend waiting out 429s, from its first 429; past it the 429 surfaces.
   * @default 120_000 (two minute-long windows)
   */
  rateLimitWaitMs?: number | undefined;
  /**
   * Longest wait between two probes of a 429 storm when the server sends no `Retry-After`.
   * @default 8_000
   */
  rateLimitBackoffMaxMs?: number | undefined;
}

export type NormalizedRetryOptions = Readonly<{ [Key in keyof RetryOptions]-?: Exclude<RetryOptions[Key], undefined> }>;

const DEFAULT_RETRY_OPTIONS = {
  limit: 4,
  idempotentMethods: ["GET", "PUT", "PATCH", "DELETE"],
  statusCodes: [408, 429, 500, 502, 503, 504],
  backoffBaseMs: 1_000,
  backoffMaxMs: 30_000,
  maxRetryAfterMs: 60_000,
  rateLimitWaitMs: 120_000,
  rateLimitBackoffMaxMs: 8_000,
} as const satisfies NormalizedRetryOptions;

export function normalizeRetryOptions(options: RetryOptions = {}): NormalizedRetryOptions {
  const normalized: NormalizedRetryOptions = {
    limit: options.limit ?? DEFAULT_RETRY_OPTIONS.limit,
    idempotentMethods: options.idempotentMethods ?? DEFAULT_RETRY_OPTIONS.idempotentMethods,
    statusCodes: options.statusCodes ?? DEFAULT_RETRY_OPTIONS.statusCodes,
    backoffBaseMs: options.backoffBaseMs ?? DEFAULT_RETRY_OPTIONS.backoffBaseMs,
    backoffMaxMs: options.backoffMaxMs ?? DEFAULT_RETRY_OPTIONS.backoffMaxMs,
    maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_RETRY_OPTIONS.maxRetryAfterMs,
    rateLimitWaitMs: options.rateLimitWaitMs ?? DEFAULT_RETRY_OPTIONS.rateLimitWaitMs,
    rateLimitBackoffMaxMs: options.rateLimitBackoffMaxMs ?? DEFAULT_RETRY_OPTIONS.rateLimitBackoffMaxMs,
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

/** What `decideRetry` needs to know about the failed attempt. */
export interface RetryInput {
  error: unknown;
  method: HttpMethod;
  /**
   * 1 for the first retry. For a 429, the strike of the storm it belongs to, which sets the
   * backoff; for anything else, the call's retries so far plus one.
   */
  retryNumber: number;
  /** Dates an HTTP-date `Retry-After`. */
  nowMs: number;
  /** Time this call has already spent waiting out 429s. @default 0 */
  rateLimitedForMs?: number;
  /** Earlier retries of this call that followed a 429: they do not count against `limit`. @default 0 */
  rateLimitRetries?: number;
}

/**
 * Pure retry decision for a failed attempt. `random` feeds the backoff jitter. A 429 is retried
 * while the wait fits in `rateLimitWaitMs`; anything else up to `limit` times.
 */
export function decideRetry(input: RetryInput, options: NormalizedRetryOptions, random: () => number): RetryDecision {
  const needsConfirmation = !options.idempotentMethods.includes(input.method);
  const reason = retryReason(input.error, options);
  if (reason === undefined) return { retry: false, delayMs: 0, reason: "not retryable", needsConfirmation };
  const rateLimited = input.error instanceof RateLimitError;
  const retryAfter = input.error instanceof ApiError ? input.error.retryAfter : undefined;
  const delayMs = retryDelay(
    {
      retryNumber: input.retryNumber,
      retryAfterMs: parseRetryAfter(retryAfter, input.nowMs),
      maxRetryAfterMs: options.maxRetryAfterMs,
    },
    {
      baseMs: options.backoffBaseMs,
      maxMs: rateLimited ? Math.min(options.backoffMaxMs, options.rateLimitBackoffMaxMs) : options.backoffMaxMs,
    },
    random,
  );
  const retry = rateLimited
    ? options.limit > 0 && (input.rateLimitedForMs ?? 0) + delayMs <= options.rateLimitWaitMs
    : input.retryNumber - (input.rateLimitRetries ?? 0) <= options.limit;
  return { retry, delayMs, reason, needsConfirmation };
}

function retryReason(error: unknown, options: NormalizedRetryOptions): string | undefined {
  if (error instanceof TimeoutError) return "timeout";
  if (error instanceof NetworkError) return error.tlsFailure === undefined ? "network" : undefined;
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
  /** When this call met its first 429, and how many of its retries followed one. */
  let rateLimitedSince: number | undefined;
  let rateLimitRetries = 0;
  for (let retryNumber = 1; ; retryNumber++) {
    const permit = await context.limiter.acquire(request);
    let response: HttpResponse;
    try {
      response = await send(request);
    } catch (error) {
      let decision: RetryDecision;
      if (error instanceof RateLimitError) {
        // The server refused the process, not just this call: every caller waits, once per strike.
        const { strike, fresh } = permit.rateLimited();
        rateLimitedSince ??= now();
        const rateLimitedForMs = now() - rateLimitedSince;
        decision = decideRetry({ error, method: request.method, retryNumber: strike, nowMs: now(), rateLimitedForMs }, context.options, random);
        if (fresh) context.limiter.pauseFor(decision.delayMs);
      } else {
        if (error instanceof ApiError && error.status !== undefined) permit.answered();
        else permit.unanswered();
        decision = decideRetry({ error, method: request.method, retryNumber, nowMs: now(), rateLimitRetries }, context.options, random);
      }
      if (!decision.retry || (decision.needsConfirmation && !confirmNotApplied)) throw error;
      // A 429's wait is served by the limiter, which holds this caller too; anything else waits here, alone.
      if (error instanceof RateLimitError) rateLimitRetries += 1;
      else await sleep(decision.delayMs);
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
      continue;
    }
    permit.answered(response.headers);
    return response;
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
