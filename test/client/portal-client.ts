/**
 * Test wiring: a fake LearnUpon portal over real HTTP and the production client pointed at it.
 * The client's limiter and retry waits, and the portal's clock, run on one fake clock, so backoffs
 * cost no wall time while every computed delay is still recorded (`retries`, `clock.sleeps`).
 */
import { createLearnUponClient, type LearnUponClientOptions } from "../../provider/client/index.js";
import { createRateLimiter } from "../../provider/client/rate-limiter.js";
import type { RetryEvent } from "../../provider/client/retry.js";
import { startFakePortal, type StartFakePortalOptions } from "../../provider/fake-portal/index.js";
import type { RequestFilter } from "../../provider/fake-portal/index.js";
import { fakeClock } from "./scripted-server.js";

export async function startPortalWithClient(
  portalOptions: StartFakePortalOptions = {},
  clientOptions: Partial<LearnUponClientOptions> = {},
) {
  const clock = fakeClock();
  // The portal shares the clock, so its log timestamps and rate-limit buckets follow the client's waits.
  const portal = await startFakePortal({ now: clock.now, ...portalOptions, options: { rateLimit: false, ...portalOptions.options } });
  const retries: RetryEvent[] = [];
  const client = createLearnUponClient({
    portalUrl: portal.url,
    username: portal.username,
    password: portal.password,
    // Effectively unlimited: the budget itself is tested in learnupon-rate-limit.test.ts.
    rateLimiter: createRateLimiter({ perMinute: 6_000_000, share: 1, burst: 1_000, now: clock.now, sleep: clock.sleep }),
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    onRetry: (event) => retries.push(event),
    ...clientOptions,
  });
  return {
    portal,
    client,
    clock,
    retries,
    /** The portal's request log as `"METHOD /path?query status"` lines. */
    transcript: (filter: RequestFilter = {}) => portal.log.entries(filter).map((e) => `${e.method} ${e.path} ${e.status}`),
    close: async () => {
      await client.close();
      await portal.close();
    },
  };
}

export type PortalWithClient = Awaited<ReturnType<typeof startPortalWithClient>>;
