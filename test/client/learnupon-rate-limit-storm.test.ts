/**
 * 429 storms over real HTTP against the fake portal: a storm is waited out within the per-call
 * wait budget instead of failing after a few attempts, and the limiter shared by every caller
 * turns a storm into one wait per strike (one probe at a time), however many calls are refused at
 * once. Client, limiter and portal share one fake clock: minutes of waiting take milliseconds, and
 * every wait is still measured on the portal's clock.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createLearnUponClient, RateLimitError, type LearnUponClient } from "../../provider/client/index.js";
import { startFakePortal, type FakePortal } from "../../provider/fake-portal/index.js";
import { configProblem } from "../../provider/lms/learnupon/settings.js";
import { startPortalWithClient, type PortalWithClient } from "./portal-client.js";
import { fakeClock } from "./scripted-server.js";

const SEED = { users: [{ id: 101, email: "ada@example.com" }] };

let t: PortalWithClient | undefined;
let portal: FakePortal | undefined;
const clients: LearnUponClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await t?.close();
  await portal?.close();
  t = undefined;
  portal = undefined;
});

/** Milliseconds between the first and the last request the portal saw. */
const portalSpanMs = (at: FakePortal) => {
  const times = at.log.entries().map((entry) => Date.parse(entry.at));
  return Math.max(...times) - Math.min(...times);
};

describe("a 429 storm is waited out, within the per-call budget", () => {
  it("20 × 429 in a row on one call, no Retry-After: probes 1 s, 2 s, 4 s, then every 8 s at most, and succeeds", async () => {
    t = await startPortalWithClient({ seed: SEED });
    t.portal.faults.inject({ count: 20, status: 429 });
    expect((await t.client.users.get(101))?.id).toBe(101);
    const delays = t.retries.map((retry) => retry.delayMs);
    // Equal jitter at 0.5: three quarters of 1, 2, 4, then 8 s.
    expect(delays).toEqual([750, 1_500, 3_000, ...Array(17).fill(6_000)]);
    expect(t.transcript()).toEqual([...Array(20).fill("GET /api/v1/users/101 429"), "GET /api/v1/users/101 200"]);
    expect(portalSpanMs(t.portal)).toBe(5_250 + 17 * 6_000); // 107 s, inside the default 120 s budget
  });

  it("with Retry-After: exactly the server's wait per strike", async () => {
    t = await startPortalWithClient({ seed: SEED, options: { retryAfterSeconds: 10 } });
    t.portal.faults.inject({ count: 8, status: 429 });
    expect((await t.client.users.get(101))?.id).toBe(101);
    expect(t.retries.map((retry) => retry.delayMs)).toEqual(Array(8).fill(10_000));
    expect(portalSpanMs(t.portal)).toBe(80_000);
  });

  it("a storm outlasting the budget surfaces the RateLimitError once the next wait would overrun it", async () => {
    t = await startPortalWithClient({ seed: SEED }, { retry: { rateLimitWaitMs: 30_000 } });
    t.portal.faults.inject({ count: 1_000, status: 429 });
    const error = await t.client.users.get(101).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    // 0.75 + 1.5 + 3 + 6 + 6 + 6 = 23.25 s waited; a seventh wait would end at 29.25 s, an eighth past 30 s.
    expect(t.retries.map((retry) => retry.delayMs)).toEqual([750, 1_500, 3_000, 6_000, 6_000, 6_000, 6_000]);
    expect(t.portal.log.count()).toBe(8);
    // What the provider then reports, for every resource alike: the setting that bounds the wait.
    expect(configProblem(error, t.client.apiBaseUrl)).toBe(
      `the LearnUpon portal at ${t.client.apiBaseUrl} kept refusing requests as over its rate limit (HTTP 429) ` +
        "for longer than learnupon:rateLimitWaitSeconds allows: run again later, or raise it",
    );
  });

  it("`limit: 0` still means no retry at all, 429s included", async () => {
    t = await startPortalWithClient({ seed: SEED }, { retry: { limit: 0 } });
    t.portal.faults.inject({ count: 1, status: 429 });
    await expect(t.client.users.get(101)).rejects.toBeInstanceOf(RateLimitError);
    expect(t.portal.log.count()).toBe(1);
  });
});

describe("one storm, one wait: the shared limiter", () => {
  it("400 parallel calls refused at once, then 10 more 429s: 11 waits, one probe at a time, every call succeeds", async () => {
    t = await startPortalWithClient({ seed: SEED });
    t.portal.faults.inject({ count: 410, status: 429 });
    const results = await Promise.all(Array.from({ length: 400 }, () => t!.client.users.get(101)));

    expect(results.every((user) => user?.id === 101)).toBe(true);
    // The 400 were all on their way when the first 429 came back: one strike, one pause. After it,
    // one request at a time probes the window, each refused probe a new strike, until one passes.
    expect(t.client.rateLimiter.stats().pauses).toBe(11);
    const statuses = t.portal.log.entries().map((entry) => entry.status);
    expect(statuses.slice(0, 410)).toEqual(Array(410).fill(429));
    expect(statuses.slice(410)).toEqual(Array(400).fill(200));
    // Waits per strike: 0.75, 1.5, 3, then 6 s (8 s ceiling, jitter 0.5): 53.25 s in all, for everyone
    // at once; then the 400 leave at the limiter's steady rate, a few milliseconds on the fake clock.
    const stormMs = 750 + 1_500 + 3_000 + 8 * 6_000;
    expect(portalSpanMs(t.portal)).toBeGreaterThanOrEqual(stormMs);
    expect(portalSpanMs(t.portal)).toBeLessThan(stormMs + 100);
    expect(t.client.stats()).toMatchObject({ requests: 810, rateLimited: 410, retries: 410 });
  });

  it("the portal enforces its real 300 a minute and the client is told 100,000: 1,000 calls complete", async () => {
    const clock = fakeClock();
    portal = await startFakePortal({ now: clock.now, seed: SEED, options: { rateLimit: { perMinute: 300, perWeek: 500_000 } } });
    // The production set-up: the process-wide limiter for the portal, reading X-LU-Rate-Limit-Remaining-Minute.
    const client = createLearnUponClient({
      portalUrl: portal.url,
      username: portal.username,
      password: portal.password,
      rateLimit: { perMinute: 100_000, share: 1 },
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0.5,
    });
    clients.push(client);
    const errors: unknown[] = [];
    let next = 0;
    const worker = async () => {
      while (next < 1_000) {
        next += 1;
        await client.users.get(101).catch((error: unknown) => errors.push(error));
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));

    expect(errors).toEqual([]);
    const log = portal.log.entries();
    expect(log.filter((entry) => entry.status === 200)).toHaveLength(1_000);
    const refused = log.filter((entry) => entry.status === 429).length;
    // 1,000 requests at 300 a minute cannot take less than (1,000 − 300) / 5 per second = 140 s.
    const spanMs = portalSpanMs(portal);
    expect(spanMs).toBeGreaterThanOrEqual(140_000);
    console.log(`1,000 calls against 300/min with the client told 100,000/min: ${refused} × 429 absorbed, ${(spanMs / 1000).toFixed(0)} s on the portal's clock`);
  });
});
