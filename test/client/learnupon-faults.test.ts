/**
 * Faults over real HTTP: the fake portal injects 429s, 5xx bursts, resets, latency and malformed
 * bodies, and the production client's retry path must recover (GET/PUT/PATCH/DELETE), retry a
 * POST only after a look-up proves it did not land, and turn wrong shapes into
 * ResponseShapeError. Waits run on a fake clock; delays are asserted as computed.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { http, HttpResponse } from "msw";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AuthError,
  createLearnUponClient,
  RateLimitError,
  ResponseShapeError,
  ServerError,
  TimeoutError,
  collect,
} from "../../provider/client/index.js";
import { createRateLimiter } from "../../provider/client/rate-limiter.js";
import type { SeedData } from "../../provider/fake-portal/index.js";
import { startPortalWithClient, type PortalWithClient } from "./portal-client.js";

const SEED: SeedData = {
  courses: [{ id: 201, name: "Onboarding" }],
  groups: [{ id: 301, title: "Sales" }],
  users: [
    { id: 101, email: "ada@example.com", first_name: "Ada" },
    { id: 102, email: "grace@example.com", first_name: "Grace" },
  ],
};

let t: PortalWithClient;
beforeEach(async () => {
  t = await startPortalWithClient({ seed: SEED });
});
afterEach(async () => {
  await t.close();
});

const reasons = () => t.retries.map(({ method, retryNumber, delayMs, reason }) => ({ method, retryNumber, delayMs, reason }));

describe("idempotent calls are retried", () => {
  it("429 without Retry-After: exponential backoff, the shared limiter pauses", async () => {
    t.portal.faults.inject({ count: 2, status: 429 });
    expect((await t.client.users.get(101))?.id).toBe(101);
    expect(reasons()).toEqual([
      { method: "GET", retryNumber: 1, delayMs: 750, reason: "429" },
      { method: "GET", retryNumber: 2, delayMs: 1_500, reason: "429" },
    ]);
    expect(t.transcript()).toEqual(["GET /api/v1/users/101 429", "GET /api/v1/users/101 429", "GET /api/v1/users/101 200"]);
    expect(t.client.rateLimiter.stats().pauses).toBe(2);
    expect(t.client.stats()).toMatchObject({ requests: 3, retries: 2, rateLimited: 2 });
  });

  it("429 with Retry-After: waits exactly that long (the next request arrives 7 s later on the portal's clock)", async () => {
    t.portal.options.retryAfterSeconds = 7;
    t.portal.faults.inject({ count: 1, status: 429 });
    await t.client.users.update(101, { first_name: "Ada B." });
    expect(reasons()).toEqual([{ method: "PUT", retryNumber: 1, delayMs: 7_000, reason: "429" }]);
    const [refused, accepted] = t.portal.log.entries();
    expect(Date.parse(accepted?.at ?? "") - Date.parse(refused?.at ?? "")).toBe(7_000);
    expect(t.portal.store.users.get(101)?.first_name).toBe("Ada B.");
  });

  it("a 429 holds back every caller of the portal, not only the one refused", async () => {
    t.portal.options.retryAfterSeconds = 5;
    t.portal.faults.inject({ count: 1, status: 429, match: { pathPrefix: "/api/v1/users/101" } });
    let other: Promise<unknown> | undefined;
    const client = createLearnUponClient({
      portalUrl: t.portal.url,
      username: t.portal.username,
      password: t.portal.password,
      rateLimiter: t.client.rateLimiter,
      now: t.clock.now,
      sleep: t.clock.sleep,
      // The moment the 429 has been handled, an unrelated call starts.
      onRetry: () => {
        other ??= t.client.users.get(102);
      },
    });
    await client.users.get(101);
    await other;
    const [refused, ...later] = t.portal.log.entries();
    expect(refused).toMatchObject({ path: "/api/v1/users/101", status: 429 });
    expect(later.map((e) => [e.path, Date.parse(e.at) - Date.parse(refused?.at ?? "") >= 5_000])).toEqual([
      ["/api/v1/users/102", true],
      ["/api/v1/users/101", true],
    ]);
    await client.close();
  });

  it("a 5xx burst shorter than the retry limit is absorbed", async () => {
    t.portal.faults.inject({ count: 3, status: 503 });
    expect(await collect(t.client.enrollments.searchByUser(101))).toEqual([]);
    expect(reasons().map((r) => [r.reason, r.delayMs])).toEqual([
      ["503", 750],
      ["503", 1_500],
      ["503", 3_000],
    ]);
    expect(t.client.stats()).toMatchObject({ requests: 4, retries: 3, serverErrors: 3 });
  });

  it("a 5xx burst longer than the retry limit surfaces the ServerError after 1 + 4 attempts", async () => {
    t.portal.faults.inject({ count: 10, status: 500 });
    const error = await t.client.enrollments.delete(601).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).message).toBe("DELETE /enrollments/601 failed with 500: Injected fault");
    expect(t.transcript()).toEqual(Array(5).fill("DELETE /api/v1/enrollments/601 500"));
  });

  it("a reset connection is retried", async () => {
    t.portal.faults.inject({ count: 1, reset: true });
    await t.client.enrollments.update(999, { dueDate: "2026-12-01" }).catch(() => undefined); // 404 after the reset: not retried
    expect(reasons()).toEqual([{ method: "PATCH", retryNumber: 1, delayMs: 750, reason: "network" }]);
    expect(t.transcript()).toEqual(["PATCH /api/v1/enrollments/999 0", "PATCH /api/v1/enrollments/999 404"]);
  });

  it("latency beyond the per-call timeout is a TimeoutError, and a GET is retried", async () => {
    const client = createLearnUponClient({
      portalUrl: t.portal.url,
      username: t.portal.username,
      password: t.portal.password,
      timeoutMs: 500, // the retry must answer within it on a busy machine
      rateLimiter: t.client.rateLimiter,
      sleep: t.clock.sleep,
      onRetry: (event) => t.retries.push(event),
    });
    t.portal.faults.inject({ count: 1, latencyMs: 2_000 });
    expect((await client.users.get(102))?.email).toBe("grace@example.com");
    expect(t.retries.map((r) => r.reason)).toEqual(["timeout"]);
    expect(client.stats()).toMatchObject({ requests: 2, timeouts: 1, retries: 1 });
    await client.close();
  });

  it("a timeout on every attempt surfaces a TimeoutError", async () => {
    const client = createLearnUponClient({
      portalUrl: t.portal.url,
      username: t.portal.username,
      password: t.portal.password,
      timeoutMs: 50,
      retry: { limit: 1 },
      rateLimiter: t.client.rateLimiter,
      sleep: t.clock.sleep,
    });
    t.portal.faults.inject({ count: 2, latencyMs: 300 });
    await expect(client.users.get(102)).rejects.toBeInstanceOf(TimeoutError);
    await client.close();
  });
});

describe("a POST is retried only after a look-up proves it did not land", () => {
  it("users.create: 503, then a search finds no user, then the POST again", async () => {
    t.portal.faults.inject({ count: 1, status: 503, match: { method: "POST" } });
    const id = await t.client.users.create({ email: "new@example.com", password: "secret1" });
    expect(t.portal.store.users.get(id)?.email).toBe("new@example.com");
    expect(t.transcript()).toEqual([
      "POST /api/v1/users 503",
      "GET /api/v1/users/search?email=new%40example.com 404",
      "POST /api/v1/users 200",
    ]);
    expect(t.retries).toEqual([{ method: "POST", path: "/users", retryNumber: 1, delayMs: 750, reason: "503", confirmed: true }]);
    expect(t.client.stats()).toMatchObject({ confirmations: 1, retries: 1, requestsByMethod: { POST: 2, GET: 1 } });
  });

  it("users.create: a POST that landed but answered 500 is NOT repeated; the error surfaces", async () => {
    t.portal.use(
      http.post(`${t.portal.apiUrl}/users`, () => {
        t.portal.store.seed({ users: [{ email: "landed@example.com" }] });
        return HttpResponse.json({ message: "Internal error" }, { status: 500 });
      }),
    );
    await expect(t.client.users.create({ email: "landed@example.com", password: "secret1" })).rejects.toBeInstanceOf(ServerError);
    expect(t.transcript()).toEqual(["POST /api/v1/users 500", "GET /api/v1/users/search?email=landed%40example.com 200"]);
    expect(t.retries).toEqual([]);
  });

  it("users.create: a POST that timed out and landed late still makes one user", async () => {
    const client = createLearnUponClient({
      portalUrl: t.portal.url,
      username: t.portal.username,
      password: t.portal.password,
      timeoutMs: 500,
      rateLimiter: t.client.rateLimiter,
      sleep: t.clock.sleep,
    });
    t.portal.faults.inject({ count: 1, latencyMs: 1_500, match: { method: "POST" } });
    const id = await client.users.create({ email: "late@example.com", password: "secret1" });
    // Wait (bounded) for the first, slow POST to reach the portal.
    for (let i = 0; i < 200 && t.portal.log.count({ method: "POST" }) < 2; i++) await sleep(25);
    const users = t.portal.store.list(t.portal.store.users).filter((u) => u.email === "late@example.com");
    expect(users.map((u) => u.id)).toEqual([id]);
    expect(t.portal.log.entries({ method: "POST" }).map((e) => e.status)).toEqual([200, 422]); // the late one was refused
    await client.close();
  });

  it("users.create without an email (username portals) is not retried at all", async () => {
    t.portal.faults.inject({ count: 1, status: 502, match: { method: "POST" } });
    await expect(t.client.users.create({ username: "jdoe", password: "secret1" })).rejects.toBeInstanceOf(ServerError);
    expect(t.transcript()).toEqual(["POST /api/v1/users 502"]);
  });

  it("enrollments.create: a reset, then a search finds no enrollment, then the POST again", async () => {
    t.portal.faults.inject({ count: 1, reset: true, match: { method: "POST" } });
    expect(await t.client.enrollments.create({ userId: 102, courseId: 201 })).toEqual({ id: expect.any(Number) });
    expect(t.transcript()).toEqual([
      "POST /api/v1/enrollments 0",
      "GET /api/v1/enrollments/search?user_id=102&page=1 200",
      "POST /api/v1/enrollments 200",
    ]);
  });

  it("groupMemberships.create: a 429, then the user's groups show no membership, then the POST again", async () => {
    t.portal.faults.inject({ count: 1, status: 429, match: { method: "POST" } });
    expect(await t.client.groupMemberships.create({ groupId: 301, userId: 101 })).toEqual({ id: expect.any(Number) });
    expect(t.transcript()).toEqual([
      "POST /api/v1/group_memberships 429",
      "GET /api/v1/group_memberships?user_id=101&page=1 200",
      "POST /api/v1/group_memberships 200",
    ]);
  });

  it("a POST refused with 429 for longer than the wait budget surfaces RateLimitError", async () => {
    const client = createLearnUponClient({
      portalUrl: t.portal.url,
      username: t.portal.username,
      password: t.portal.password,
      retry: { rateLimitWaitMs: 10_000 },
      rateLimiter: t.client.rateLimiter,
      now: t.clock.now,
      sleep: t.clock.sleep,
      random: () => 0.5,
    });
    t.portal.faults.inject({ count: 100, status: 429, match: { method: "POST" } });
    await expect(client.users.create({ email: "x@example.com", password: "secret1" })).rejects.toBeInstanceOf(RateLimitError);
    // Each look-up between the POSTs is answered, which ends the storm: every 429 is a first strike,
    // 750 ms at this jitter. Retried while the time waited plus the next wait fits in 10 s: 13 times.
    expect(t.portal.log.count({ method: "POST" })).toBe(14);
    expect(client.stats()).toMatchObject({ confirmations: 13, retries: 13, rateLimited: 14 });
    await client.close();
  });
});

describe("authentication", () => {
  it("a rejected key pair is an AuthError and is not retried", async () => {
    const client = createLearnUponClient({
      portalUrl: t.portal.url,
      username: t.portal.username,
      password: "wrong-password",
      rateLimiter: createRateLimiter({ perMinute: 60_000 }),
    });
    const error = await client.users.get(101).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toBe("GET /users/101 failed with 401: Invalid API credentials");
    expect(t.transcript()).toEqual(["GET /api/v1/users/101 401"]);
    await client.close();
  });
});

describe("a malformed response is a ResponseShapeError naming endpoint and field", () => {
  it.each([
    {
      name: "list envelope under the wrong key",
      override: () => http.get("*/api/v1/users", () => HttpResponse.json({ customDataFieldDefintions: [], users: [] })),
      call: (c: PortalWithClient["client"]) => collect(c.users.list()),
      message: "Unexpected response shape from GET /users: user: Invalid input: expected array, received undefined",
    },
    {
      name: "an id that is a string",
      override: () => http.get("*/api/v1/users/:id", () => HttpResponse.json({ user: [{ id: "101", email: "ada@example.com" }] })),
      call: (c: PortalWithClient["client"]) => c.users.get(101),
      message: "Unexpected response shape from GET /users/{id}: user[0].id: Invalid input: expected number, received string",
    },
    {
      name: "create answering without an id",
      override: () => http.post("*/api/v1/enrollments", () => HttpResponse.json({ success: "ok" })),
      call: (c: PortalWithClient["client"]) => c.enrollments.create({ email: "ada@example.com", courseId: 201 }),
      message: "Unexpected response shape from POST /enrollments: id: Invalid input: expected number, received undefined",
    },
    {
      name: "HTML instead of JSON",
      override: () => http.get("*/api/v1/courses", () => HttpResponse.text("<html>maintenance</html>")),
      call: (c: PortalWithClient["client"]) => c.courses.findById(201),
      message: "Unexpected response shape from GET /courses: (body): Invalid input: expected object, received string",
    },
    {
      name: "a wrong type deep in an enrollment",
      override: () => http.get("*/api/v1/enrollments/search", () => HttpResponse.json({ enrollments: [{ id: 1, user_id: 101, course_id: "x" }] })),
      call: (c: PortalWithClient["client"]) => collect(c.enrollments.searchByUser(101)),
      message: "Unexpected response shape from GET /enrollments/search: enrollments[0].course_id: Invalid input: expected number, received string",
    },
  ])("$name", async ({ override, call, message }) => {
    t.portal.use(override());
    const error = await call(t.client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseShapeError);
    expect((error as ResponseShapeError).message).toBe(message);
    expect(t.portal.log.count()).toBe(1); // not retried: the exchange itself worked
  });
});
