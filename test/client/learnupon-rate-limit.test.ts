/**
 * The client-side budget against a fake portal that enforces LearnUpon's real limits.
 *
 * - 1,000 requests from two clients of one portal (as two resources' copies of the provider
 *   would make) share the process-wide limiter: no error, no 429, and no 60-second window above
 *   the configured share. Portal and clients run on one fake clock, so 250 simulated seconds take
 *   about a second.
 * - The control: the same kind of burst without the limiter does trip the portal's limit.
 * - A short real-time run at a scaled-down budget proves the real `sleep` paces requests too.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createLearnUponClient, type LearnUponClient } from "../../provider/client/index.js";
import { createRateLimiter } from "../../provider/client/rate-limiter.js";
import { startFakePortal, type FakePortal } from "../../provider/fake-portal/index.js";
import { fakeClock } from "./scripted-server.js";

let portal: FakePortal | undefined;
const clients: LearnUponClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await portal?.close();
  portal = undefined;
});

/** Runs `total` calls with `concurrency` workers; returns the errors thrown. */
async function drive(total: number, concurrency: number, call: (n: number) => Promise<unknown>): Promise<unknown[]> {
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const n = next++;
      await call(n).catch((error: unknown) => errors.push(error));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return errors;
}

/** Most requests the portal saw in any 60-second window of its clock. */
function busiestMinute(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= 60_000) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describe("the shared per-portal limiter", () => {
  it("1,000 requests from two clients: 0 errors, 0 × 429, never above 80% of 300/min", async () => {
    const clock = fakeClock();
    portal = await startFakePortal({
      now: clock.now,
      seed: { users: [{ id: 101, email: "ada@example.com" }] },
      options: { rateLimit: { perMinute: 300, perWeek: 500_000 } },
    });
    // No `rateLimiter` option: both take the process-wide limiter for this portal, as production does.
    const options = { portalUrl: portal.url, username: portal.username, password: portal.password, now: clock.now, sleep: clock.sleep };
    const [first, second] = [createLearnUponClient(options), createLearnUponClient(options)];
    clients.push(first, second);
    expect(second.rateLimiter).toBe(first.rateLimiter);

    const errors = await drive(1_000, 4, (n) => (n % 2 === 0 ? first : second).users.get(101));

    expect(errors).toEqual([]);
    const log = portal.log.entries();
    expect(log).toHaveLength(1_000);
    expect(log.filter((entry) => entry.status !== 200)).toEqual([]);
    const times = log.map((entry) => Date.parse(entry.at));
    // 240/min allowed, plus the 5-request burst, plus at most 3 requests in flight while another
    // worker's wait moved the shared clock.
    expect(busiestMinute(times)).toBeLessThanOrEqual(240 + 5 + 3);
    const spanMs = Math.max(...times) - Math.min(...times);
    expect(spanMs).toBeGreaterThanOrEqual((1_000 - 5) * 250 - 3 * 250);
    expect(first.stats().requests + second.stats().requests).toBe(1_000);
    expect(first.rateLimiter.stats()).toMatchObject({ acquired: 1_000, pauses: 0 });
  });

  it("control: the same burst without the limiter trips the portal's limit", async () => {
    const clock = fakeClock();
    // The portal on the real clock: the client's own pauses after a 429 must not refill its bucket.
    portal = await startFakePortal({
      seed: { users: [{ id: 101, email: "ada@example.com" }] },
      options: { rateLimit: { perMinute: 300, perWeek: 500_000 } },
    });
    const unthrottled = createLearnUponClient({
      portalUrl: portal.url,
      username: portal.username,
      password: portal.password,
      rateLimiter: createRateLimiter({ perMinute: 6_000_000, share: 1, burst: 1_000, now: clock.now, sleep: clock.sleep }),
      retry: { limit: 0 },
      now: clock.now,
      sleep: clock.sleep,
    });
    clients.push(unthrottled);
    const errors = await drive(400, 4, () => unthrottled.users.get(101));
    // The bucket holds 300 and refills 5 per second: about 100 of the 400 are refused.
    expect(errors.length).toBeGreaterThanOrEqual(90);
    expect(unthrottled.stats().rateLimited).toBe(errors.length);
  });

  it("real time: 120 requests at a scaled budget of 80 per second take at least 1.4 s, with no error", async () => {
    portal = await startFakePortal({
      seed: { users: [{ id: 101, email: "ada@example.com" }] },
      options: { rateLimit: { perMinute: 6_000, perWeek: 500_000 } },
    });
    const client = createLearnUponClient({
      portalUrl: portal.url,
      username: portal.username,
      password: portal.password,
      rateLimit: { perMinute: 6_000, share: 0.8 },
    });
    clients.push(client);
    const started = performance.now();
    const errors = await drive(120, 4, () => client.users.get(101));
    const elapsedMs = performance.now() - started;
    expect(errors).toEqual([]);
    // (120 − 5 burst) / 80 per second = 1.44 s; a few ms of timer slack allowed.
    expect(elapsedMs).toBeGreaterThanOrEqual(1_400);
    expect(portal.log.entries().every((entry) => entry.status === 200)).toBe(true);
  });
});
