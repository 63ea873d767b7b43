import { describe, expect, it } from "vitest";
import { BudgetExhaustedError } from "../../provider/client/errors.js";
import { LEARNUPON_RATE_LIMIT } from "../../provider/client/learnupon/conventions.js";
import { createRateLimiter, sharedRateLimiter } from "../../provider/client/rate-limiter.js";
import { fakeClock } from "./scripted-server.js";

const CALL = { method: "GET", path: "/users" };

/** Acquires `count` permits in parallel and returns the fake-clock time each was granted, relative to the start. */
async function grantTimes(limiter: ReturnType<typeof createRateLimiter>, clock: ReturnType<typeof fakeClock>, count: number) {
  const start = clock.now();
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: count }, () => limiter.acquire(CALL).then(() => times.push(clock.now() - start))),
  );
  return times;
}

describe("createRateLimiter", () => {
  it("lets a small burst through, then spaces requests at share × perMinute", async () => {
    const clock = fakeClock();
    // 300/min at 80% = 4 per second = one every 250 ms.
    const limiter = createRateLimiter({ perMinute: 300, share: 0.8, burst: 2, now: clock.now, sleep: clock.sleep });
    expect(await grantTimes(limiter, clock, 6)).toEqual([0, 0, 250, 500, 750, 1000]);
    expect(limiter.stats()).toEqual({ acquired: 6, waitedMs: 1000, pauses: 0 });
  });

  it("never exceeds its share over a minute of sustained demand", async () => {
    const clock = fakeClock();
    // LearnUpon's 300/min; the core's defaults: 80%, burst 5.
    const limiter = createRateLimiter({ perMinute: LEARNUPON_RATE_LIMIT.perMinute, now: clock.now, sleep: clock.sleep });
    const times = await grantTimes(limiter, clock, 600);
    const inFirstMinute = times.filter((t) => t < 60_000).length;
    expect(inFirstMinute).toBe(5 + 240 - 1); // the burst, then 4/s; the 240th refill lands at exactly 60 s
    expect(times.at(-1)).toBe((600 - 5) * 250);
  });

  it("serves callers in arrival order", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perMinute: 60, share: 1, burst: 1, now: clock.now, sleep: clock.sleep });
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((n) => limiter.acquire(CALL).then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it("pauseFor holds back every caller, then resumes at the steady rate without a burst", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perMinute: 60, share: 1, burst: 5, now: clock.now, sleep: clock.sleep });
    limiter.pauseFor(10_000);
    expect(await grantTimes(limiter, clock, 3)).toEqual([10_000, 11_000, 12_000]);
    expect(limiter.stats().pauses).toBe(1);
  });

  it("a shorter pause does not cut a longer one short", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perMinute: 60_000, share: 1, now: clock.now, sleep: clock.sleep });
    limiter.pauseFor(5_000);
    limiter.pauseFor(1_000);
    expect(await grantTimes(limiter, clock, 1)).toEqual([5_000]);
  });

  it("slows down when the server's remaining-requests header runs low", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({
      perMinute: 60_000,
      share: 1,
      remainingHeader: "X-LU-Rate-Limit-Remaining-Minute",
      now: clock.now,
      sleep: clock.sleep,
    });
    limiter.observe({ "x-lu-rate-limit-remaining-minute": "250" });
    expect(await grantTimes(limiter, clock, 1)).toEqual([0]);
    limiter.observe({ "x-lu-rate-limit-remaining-minute": "2" }); // 60 s spread over 3 → 20 s
    expect(await grantTimes(limiter, clock, 1)).toEqual([20_000]);
  });

  it("ignores the remaining header unless told its name", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ now: clock.now, sleep: clock.sleep });
    limiter.observe({ "x-lu-rate-limit-remaining-minute": "0" });
    expect(limiter.stats().pauses).toBe(0);
  });

  it("stops with BudgetExhaustedError at its share of the weekly budget", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perWeek: 10, share: 0.5, perMinute: 60_000, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 5; i++) await limiter.acquire(CALL);
    const error = await limiter.acquire({ method: "POST", path: "/users" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExhaustedError);
    expect((error as BudgetExhaustedError).message).toBe(
      "Request budget exhausted: this process already sent 5 requests, 50% of the portal's 10 per week; " +
        "raise rateLimit.perWeek or rateLimit.share, or wait for the quota to recover",
    );
    expect((error as BudgetExhaustedError).method).toBe("POST");
  });

  it.each([
    { options: { share: 0 }, message: "rate limit share must be in (0, 1], got 0" },
    { options: { share: 1.5 }, message: "rate limit share must be in (0, 1], got 1.5" },
    { options: { perMinute: 0 }, message: "rate limit perMinute and perWeek must be positive and burst at least 1" },
  ])("rejects $options", ({ options, message }) => {
    expect(() => createRateLimiter(options)).toThrow(message);
  });
});

describe("createRateLimiter: the budget as data", () => {
  it("a per-second budget: 10/s at 80% is one request every 125 ms", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 10, share: 0.8, burst: 1, now: clock.now, sleep: clock.sleep });
    expect(await grantTimes(limiter, clock, 5)).toEqual([0, 125, 250, 375, 500]);
  });

  it("a per-second budget reads the remaining header over a one-second window", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 1_000, share: 1, remainingHeader: "X-Remaining", now: clock.now, sleep: clock.sleep });
    limiter.observe({ "x-remaining": "1" }); // 1 s spread over 2 → 500 ms
    expect(await grantTimes(limiter, clock, 1)).toEqual([500]);
  });

  it("without a budget: a cautious 60 a minute, and no weekly cap", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ share: 1, burst: 1, now: clock.now, sleep: clock.sleep });
    expect(await grantTimes(limiter, clock, 3)).toEqual([0, 1_000, 2_000]);
    const unlimitedWeek = createRateLimiter({ perSecond: 1e9, share: 1, now: clock.now, sleep: clock.sleep });
    await grantTimes(unlimitedWeek, clock, 2_000);
    expect(unlimitedWeek.stats().acquired).toBe(2_000);
  });

  it.each([
    { options: { perSecond: 10, perMinute: 600 }, message: "rate limit takes perSecond or perMinute, not both" },
    { options: { perSecond: 0 }, message: "rate limit perSecond and perWeek must be positive and burst at least 1" },
  ])("rejects $options", ({ options, message }) => {
    expect(() => createRateLimiter(options)).toThrow(message);
  });
});

describe("sharedRateLimiter", () => {
  it("returns one limiter per key per process, kept on globalThis", () => {
    const key = `https://shared-${Math.random()}.example/api/v1`;
    const first = sharedRateLimiter(key, { perMinute: 100 });
    expect(sharedRateLimiter(key, { perMinute: 5 })).toBe(first);
    expect(sharedRateLimiter(`${key}/other`)).not.toBe(first);
    const registry = (globalThis as Record<symbol, unknown>)[Symbol.for("pulumi-lms-client.rate-limiters")];
    expect((registry as Map<string, unknown>).get(key)).toBe(first);
  });
});
