/**
 * Counters one client keeps about its traffic, for benchmarks and fault tables
 * ("1,000 calls, 3 retries, 2 × 429 seen"). Plain data: read with `snapshot()`.
 * @module
 */

/** A point-in-time copy of a client's counters. */
export interface ClientStats {
  /** HTTP attempts sent, retries included, by method (`{ GET: 12, POST: 3 }`). */
  requestsByMethod: Record<string, number>;
  /** Sum of `requestsByMethod`. */
  requests: number;
  /** Attempts repeated after a retryable failure. */
  retries: number;
  /** Look-ups run to prove a failed POST had no effect before repeating it. */
  confirmations: number;
  /** 429 responses received. */
  rateLimited: number;
  /** 5xx responses received. */
  serverErrors: number;
  /** Attempts that hit the per-call timeout. */
  timeouts: number;
  /** Attempts that failed at the connection level (refused, reset…). */
  networkErrors: number;
}

/** The mutable counters behind `ClientStats`. */
export interface StatsRecorder {
  readonly counts: ClientStats;
  countRequest(method: string): void;
  snapshot(): ClientStats;
}

export function createStatsRecorder(): StatsRecorder {
  const counts: ClientStats = {
    requestsByMethod: {},
    requests: 0,
    retries: 0,
    confirmations: 0,
    rateLimited: 0,
    serverErrors: 0,
    timeouts: 0,
    networkErrors: 0,
  };
  return {
    counts,
    countRequest(method) {
      counts.requestsByMethod[method] = (counts.requestsByMethod[method] ?? 0) + 1;
      counts.requests += 1;
    },
    snapshot: () => ({ ...counts, requestsByMethod: { ...counts.requestsByMethod } }),
  };
}
