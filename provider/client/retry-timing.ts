/**
 * Pure timing maths for retries and throttling: no I/O, no clock, no randomness of its own
 * (callers pass `nowMs` and `random`), so every function is covered by table tests.
 * @module
 */

/**
 * Milliseconds to wait according to a `Retry-After` header: either delay-seconds (`"120"`,
 * fractions accepted) or an HTTP date (`"Wed, 21 Oct 2015 07:28:00 GMT"`, measured from `nowMs`,
 * never negative). `undefined` when the header is absent or unreadable.
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // A date must at least name a year; Date.parse alone accepts odd strings such as "1".
  if (!/\d{4}/.test(trimmed)) return undefined;
  const dateMs = Date.parse(trimmed);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, dateMs - nowMs);
}

export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** Upper bound of any single delay. */
  maxMs: number;
}

/**
 * Exponential backoff with "equal jitter": the n-th retry (1-based) waits between half and all of
 * `baseMs × 2^(n-1)`, capped at `maxMs`. Half the delay is guaranteed so retries never bunch at 0;
 * the random half spreads parallel clients apart. `random` returns a number in [0, 1).
 */
export function backoffDelay(retryNumber: number, options: BackoffOptions, random: () => number): number {
  const exponential = options.baseMs * 2 ** Math.max(0, retryNumber - 1);
  const ceiling = Math.min(options.maxMs, exponential);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The delay before retry `retryNumber`: the server's `Retry-After` when it sent one (capped at
 * `maxRetryAfterMs`, so a hostile or broken header cannot stall a run for hours), otherwise backoff.
 */
export function retryDelay(
  input: { retryNumber: number; retryAfterMs: number | undefined; maxRetryAfterMs: number },
  backoff: BackoffOptions,
  random: () => number,
): number {
  if (input.retryAfterMs !== undefined) return Math.min(input.retryAfterMs, input.maxRetryAfterMs);
  return backoffDelay(input.retryNumber, backoff, random);
}

/**
 * How long to hold back further requests when the server says only `remaining` requests are
 * left in its window. Above `lowWatermark`: no pause. At or below it: spread the remaining
 * requests over one window (`windowMs / (remaining + 1)`), so an exhausted window (`0`) waits a
 * whole window and the client slows gradually instead of running into a 429.
 */
export function lowRemainingPause(remaining: number, lowWatermark: number, windowMs: number): number {
  if (!Number.isFinite(remaining) || remaining > lowWatermark) return 0;
  return Math.round(windowMs / (Math.max(0, remaining) + 1));
}
