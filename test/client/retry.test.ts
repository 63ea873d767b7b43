/**
 * Retry policy: the pure decision table, then transcripts of the production retry path
 * (createApiClient → sendWithRetry → limiter → undici transport) against a scripted HTTP server.
 * Time is a fake clock: the computed delays are asserted, nothing really waits.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createApiClient } from "../../provider/client/api-client.js";
import { basicAuth } from "../../provider/client/auth.js";
import {
  AuthError,
  NetworkError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
} from "../../provider/client/errors.js";
import { createRateLimiter } from "../../provider/client/rate-limiter.js";
import { decideRetry, normalizeRetryOptions, type RetryEvent } from "../../provider/client/retry.js";
import { fakeClock, startScriptedServer, type ScriptStep, type ScriptedServer } from "./scripted-server.js";

const NOW = Date.parse("2026-03-02T10:00:00Z");
const init = (status: number, retryAfter?: string) => ({ method: "GET", path: "/users", status, ...(retryAfter && { retryAfter }) });

describe("normalizeRetryOptions", () => {
  it("fills in the documented defaults", () => {
    expect(normalizeRetryOptions()).toEqual({
      limit: 4,
      idempotentMethods: ["GET", "PUT", "PATCH", "DELETE"],
      statusCodes: [408, 429, 500, 502, 503, 504],
      backoffBaseMs: 1_000,
      backoffMaxMs: 30_000,
      maxRetryAfterMs: 60_000,
      rateLimitWaitMs: 120_000,
      rateLimitBackoffMaxMs: 8_000,
    });
  });

  it("keeps given values and ignores undefined ones", () => {
    expect(normalizeRetryOptions({ limit: 0, backoffBaseMs: undefined })).toMatchObject({ limit: 0, backoffBaseMs: 1_000 });
  });

  it("rejects a negative limit", () => {
    expect(() => normalizeRetryOptions({ limit: -1 })).toThrow("retry limit must be a non-negative integer, got -1");
  });
});

describe("decideRetry", () => {
  const options = normalizeRetryOptions();
  it.each([
    { name: "429 with Retry-After on GET", error: new RateLimitError("x", init(429, "7")), method: "GET", expected: { retry: true, delayMs: 7_000, reason: "429", needsConfirmation: false } },
    { name: "429 without Retry-After: backoff", error: new RateLimitError("x", init(429)), method: "GET", expected: { retry: true, delayMs: 1_000, reason: "429", needsConfirmation: false } },
    { name: "Retry-After beyond the cap", error: new RateLimitError("x", init(429, "86400")), method: "GET", expected: { retry: true, delayMs: 60_000, reason: "429", needsConfirmation: false } },
    { name: "503 with an HTTP-date Retry-After", error: new ServerError("x", init(503, "Mon, 02 Mar 2026 10:00:02 GMT")), method: "PUT", expected: { retry: true, delayMs: 2_000, reason: "503", needsConfirmation: false } },
    { name: "500 on DELETE", error: new ServerError("x", init(500)), method: "DELETE", expected: { retry: true, delayMs: 1_000, reason: "500", needsConfirmation: false } },
    { name: "501 is not transient", error: new ServerError("x", init(501)), method: "GET", expected: { retry: false, delayMs: 0, reason: "not retryable", needsConfirmation: false } },
    { name: "timeout on PATCH", error: new TimeoutError("x", { method: "PATCH", path: "/e/1" }), method: "PATCH", expected: { retry: true, delayMs: 1_000, reason: "timeout", needsConfirmation: false } },
    { name: "reset on GET", error: new NetworkError("x", { method: "GET", path: "/users" }), method: "GET", expected: { retry: true, delayMs: 1_000, reason: "network", needsConfirmation: false } },
    { name: "500 on POST needs confirmation", error: new ServerError("x", init(500)), method: "POST", expected: { retry: true, delayMs: 1_000, reason: "500", needsConfirmation: true } },
    { name: "422 never", error: new ValidationError("x", init(422)), method: "GET", expected: { retry: false, delayMs: 0, reason: "not retryable", needsConfirmation: false } },
    { name: "401 never", error: new AuthError("x", init(401)), method: "GET", expected: { retry: false, delayMs: 0, reason: "not retryable", needsConfirmation: false } },
    { name: "a programming error never", error: new TypeError("boom"), method: "GET", expected: { retry: false, delayMs: 0, reason: "not retryable", needsConfirmation: false } },
  ] as const)("$name", ({ error, method, expected }) => {
    expect(decideRetry({ error, method, retryNumber: 1, nowMs: NOW }, options, () => 0.999)).toEqual(expected);
  });

  it("gives up after `limit` retries", () => {
    const error = new ServerError("x", init(500));
    const decisions = [1, 2, 3, 4, 5].map((retryNumber) => decideRetry({ error, method: "GET", retryNumber, nowMs: NOW }, options, () => 0));
    expect(decisions.map((d) => [d.retry, d.delayMs])).toEqual([
      [true, 500],
      [true, 1_000],
      [true, 2_000],
      [true, 4_000],
      [false, 8_000],
    ]);
  });
});

describe("sendWithRetry over HTTP (transcripts)", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function clientFor(script: ScriptStep[], extra: { timeoutMs?: number } = {}) {
    server = await startScriptedServer(script);
    const clock = fakeClock(NOW);
    const limiter = createRateLimiter({ perMinute: 600_000, share: 1, now: clock.now, sleep: clock.sleep });
    const events: RetryEvent[] = [];
    const api = createApiClient({
      baseUrl: `${server.url}/api/v1`,
      auth: basicAuth("key-user", "key-secret"),
      rateLimiter: limiter,
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0.5,
      onRetry: (event) => events.push(event),
      ...extra,
    });
    return { api, clock, limiter, events, log: () => server?.log.map((r) => `${r.method} ${r.url}`) };
  }

  it("GET: 429 (Retry-After), 503, reset, then success — every delay computed and honoured", async () => {
    const { api, events, log, clock, limiter } = await clientFor([
      { status: 429, body: { message: "Number of requests has exceeded the 1 minute limit" }, headers: { "retry-after": "3" } },
      { status: 503, body: { message: "down" } },
      "reset",
      { status: 200, body: { user: [] } },
    ]);
    const response = await api.send({ method: "GET", path: "/users", query: { page: 1 } });
    expect(response.body).toEqual({ user: [] });
    expect(events.map(({ retryNumber, delayMs, reason }) => ({ retryNumber, delayMs, reason }))).toEqual([
      { retryNumber: 1, delayMs: 3_000, reason: "429" },
      { retryNumber: 2, delayMs: 1_500, reason: "503" }, // 2 s ceiling, equal jitter at 0.5
      { retryNumber: 3, delayMs: 3_000, reason: "network" },
    ]);
    expect(log()).toEqual(Array(4).fill("GET /api/v1/users?page=1"));
    // The 429 wait went through the shared limiter (everyone pauses), the others through sleep.
    expect(limiter.stats().pauses).toBe(1);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(3_000 + 1_500 + 3_000);
    expect(api.stats()).toMatchObject({ requests: 4, retries: 3, rateLimited: 1, serverErrors: 1, networkErrors: 1, confirmations: 0 });
  });

  it("GET: gives up after the limit and surfaces the last error", async () => {
    const { api, events, log } = await clientFor([{ status: 500, body: { message: "boom" } }]);
    const error = await api.send({ method: "GET", path: "/users" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(events.map((e) => e.delayMs)).toEqual([750, 1_500, 3_000, 6_000]);
    expect(log()).toHaveLength(5);
  });

  it("GET: an attempt beyond the per-call timeout is a TimeoutError and is retried", async () => {
    const { api, events, log } = await clientFor(
      [{ status: 200, body: {}, delayMs: 3_000 }, { status: 200, body: { ok: true } }],
      { timeoutMs: 500 }, // the retry must answer within it on a busy machine
    );
    expect((await api.send({ method: "GET", path: "/slow" })).body).toEqual({ ok: true });
    expect(events.map((e) => e.reason)).toEqual(["timeout"]);
    expect(log()).toEqual(["GET /api/v1/slow", "GET /api/v1/slow"]);
  });

  it("POST: a 500 is NOT retried without a confirmation look-up", async () => {
    const { api, events, log } = await clientFor([{ status: 500, body: { message: "boom" } }, { status: 200, body: { id: 1 } }]);
    const error = await api.send({ method: "POST", path: "/users", body: { User: {} } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(events).toEqual([]);
    expect(log()).toEqual(["POST /api/v1/users"]);
  });

  it("POST: a 429 is NOT retried without a confirmation look-up either", async () => {
    const { api, log, limiter } = await clientFor([{ status: 429, body: {} }]);
    await expect(api.send({ method: "POST", path: "/users", body: {} })).rejects.toBeInstanceOf(RateLimitError);
    expect(log()).toEqual(["POST /api/v1/users"]);
    expect(limiter.stats().pauses).toBe(1); // but everyone still backs off
  });

  it("POST: retried once the look-up proves the first attempt did not land", async () => {
    const { api, events, log } = await clientFor([
      { status: 502, body: {} },
      { status: 200, body: { id: 42 } },
    ]);
    let lookups = 0;
    const response = await api.send(
      { method: "POST", path: "/users", body: { User: { email: "a@x.com" } } },
      {
        confirmNotApplied: async () => {
          lookups += 1;
          return true; // the look-up saw no such user
        },
      },
    );
    expect(response.body).toEqual({ id: 42 });
    expect(lookups).toBe(1);
    expect(events).toEqual([{ method: "POST", path: "/users", retryNumber: 1, delayMs: 750, reason: "502", confirmed: true }]);
    expect(log()).toEqual(["POST /api/v1/users", "POST /api/v1/users"]);
    expect(api.stats()).toMatchObject({ confirmations: 1, retries: 1, requestsByMethod: { POST: 2 } });
  });

  it("POST: the original error surfaces when the look-up finds the record (or fails)", async () => {
    const { api, log } = await clientFor([{ status: 504, body: {} }]);
    const found = await api.send({ method: "POST", path: "/users", body: {} }, { confirmNotApplied: async () => false }).catch((e: unknown) => e);
    expect(found).toBeInstanceOf(ServerError);
    expect((found as ServerError).status).toBe(504);
    const broken = await api
      .send({ method: "POST", path: "/users", body: {} }, { confirmNotApplied: () => Promise.reject(new Error("lookup down")) })
      .catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(ServerError);
    expect(log()).toEqual(["POST /api/v1/users", "POST /api/v1/users"]);
  });

  it("4xx other than 408/429 is never retried", async () => {
    const { api, log } = await clientFor([{ status: 422, body: { message: "bad" } }]);
    await expect(api.send({ method: "PUT", path: "/users/1", body: {} })).rejects.toBeInstanceOf(ValidationError);
    expect(log()).toHaveLength(1);
  });
});
