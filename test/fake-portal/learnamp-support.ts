/**
 * A fake Learn Amp with a wire client and the seam's client pointed at it, for tests over real
 * HTTP. The client's limiter is generous and its retries quick; the portal's clock is the
 * client's, so tests move time instead of waiting.
 */
import { createLearnAmpClient, type LearnAmpClient } from "../../provider/client/learnamp/client.js";
import { createRateLimiter } from "../../provider/client/rate-limiter.js";
import { startLearnAmpFakePortal, type LearnAmpFakePortal, type LearnAmpOptions, type LearnAmpSeed } from "../../provider/fake-portal/learnamp/index.js";
import { learnAmpLms } from "../../provider/lms/learnamp/client.js";
import type { LmsClient } from "../../provider/lms/model.js";

export interface LearnAmpUnderTest {
  portal: LearnAmpFakePortal;
  client: LearnAmpClient;
  lms: LmsClient;
  clock: { now(): number; advance(ms: number): void };
  /** The log as `METHOD path` lines, the token requests included. */
  transcript(): string[];
  close(): Promise<void>;
}

export async function startLearnAmp(
  options: { seed?: LearnAmpSeed; switches?: Partial<LearnAmpOptions>; sendInvitations?: boolean } = {},
): Promise<LearnAmpUnderTest> {
  let time = Date.parse("2026-03-01T09:00:00Z");
  const clock = { now: () => time, advance: (ms: number) => void (time += ms) };
  const portal = await startLearnAmpFakePortal({ seed: options.seed, options: { rateLimit: false, ...options.switches }, now: clock.now });
  const client = createLearnAmpClient({
    baseUrl: portal.url,
    clientId: portal.clientId,
    clientSecret: portal.clientSecret,
    rateLimiter: createRateLimiter({ perMinute: 600_000, share: 1 }),
    retry: { backoffBaseMs: 1, backoffMaxMs: 5 },
    now: clock.now,
  });
  const lms = learnAmpLms(client, { sendInvitations: options.sendInvitations ?? false });
  return {
    portal,
    client,
    lms,
    clock,
    transcript: () => portal.log.entries().map((entry) => `${entry.method} ${decodeURIComponent(entry.path)}`),
    async close() {
      await client.close();
      await portal.close();
    },
  };
}
