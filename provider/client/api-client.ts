/**
 * The composed core client every LMS backend builds on:
 *
 *     send() → retry loop (retry.ts) → rate-limiter permit (rate-limiter.ts) → one attempt (transport.ts)
 *
 * It owns the per-client counters (`stats()`) and the transport's connection pool (`close()`).
 * The rate limiter is passed in because its lifetime is the process, not the client: backends
 * normally hand over `sharedRateLimiter(baseUrl, …)`.
 * @module
 */
import type { Dispatcher } from "undici";
import type { RateLimiter } from "./rate-limiter.js";
import { normalizeRetryOptions, sendWithRetry, type RetryEvent, type RetryOptions } from "./retry.js";
import { createStatsRecorder, type ClientStats } from "./stats.js";
import { createTransport, type HttpRequest, type HttpResponse, type TransportOptions } from "./transport.js";

export interface ApiClientOptions extends Omit<TransportOptions, "stats"> {
  rateLimiter: RateLimiter;
  retry?: RetryOptions;
  /** @default setTimeout from node:timers/promises */
  sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  now?: () => number;
  /** Source of backoff jitter, in [0, 1). @default Math.random */
  random?: () => number;
  /** Called before each retry, e.g. to log or record a transcript. */
  onRetry?: (event: RetryEvent) => void;
}

/**
 * What every backend's client takes besides its portal and credentials, for tests and benchmarks
 * to steer it; a backend's options extend this.
 */
export interface BackendClientHooks {
  /** Per request. @default 30_000 */
  timeoutMs?: number | undefined;
  /** Use this limiter instead of the process-wide one for the portal (tests, benchmarks). */
  rateLimiter?: RateLimiter;
  retry?: RetryOptions | undefined;
  /** Safety stop for any paged list. @default 1_000 */
  maxPages?: number | undefined;
  /** @default setTimeout from node:timers/promises */
  sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  now?: () => number;
  /** Backoff jitter source, in [0, 1). @default Math.random */
  random?: () => number;
  /** undici dispatcher; by default a keep-alive `Agent` owned by the client. */
  dispatcher?: Dispatcher;
  /** Called before every retry. */
  onRetry?: (event: RetryEvent) => void;
}

/** The hooks that were given, as the core client takes them (an unset one keeps the core's default). */
export function givenHooks(hooks: BackendClientHooks): Partial<Omit<ApiClientOptions, "rateLimiter">> {
  const { timeoutMs, retry, sleep, now, random, dispatcher, onRetry } = hooks;
  return Object.fromEntries(
    Object.entries({ timeoutMs, retry, sleep, now, random, dispatcher, onRetry }).filter(([, value]) => value !== undefined),
  ) as Partial<Omit<ApiClientOptions, "rateLimiter">>;
}

export interface SendOptions {
  /**
   * For non-idempotent calls: a look-up that resolves true only when it has seen that the failed
   * call did not take effect. Without it a failed POST is never repeated.
   */
  confirmNotApplied?: () => Promise<boolean>;
}

export interface ApiClient {
  /** The API base URL requests go below, as given. */
  readonly baseUrl: string;
  send(request: HttpRequest, options?: SendOptions): Promise<HttpResponse>;
  stats(): ClientStats;
  close(): Promise<void>;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const stats = createStatsRecorder();
  const { rateLimiter, retry, sleep, now, random, onRetry, ...transportOptions } = options;
  const transport = createTransport({ ...transportOptions, stats });
  const retryOptions = normalizeRetryOptions(retry);

  return {
    baseUrl: options.baseUrl,
    send(request, sendOptions = {}) {
      return sendWithRetry(
        request,
        transport.request,
        {
          options: retryOptions,
          limiter: rateLimiter,
          stats,
          ...(sleep && { sleep }),
          ...(now && { now }),
          ...(random && { random }),
          ...(onRetry && { onRetry }),
        },
        sendOptions.confirmNotApplied,
      );
    },
    stats: () => stats.snapshot(),
    close: () => transport.close(),
  };
}
