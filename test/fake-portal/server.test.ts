/**
 * The HTTP harness around the handlers: injected faults and latency, the request log and its
 * redaction, per-test msw handlers, the `/__fake/` admin endpoints, and independent portals.
 */
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import type { FakePortal } from "../../provider/fake-portal/index.js";
import { api, basicAuth, luHeaders, startTestPortal } from "./support.js";

const portals: FakePortal[] = [];
afterEach(async () => {
  await Promise.all(portals.splice(0).map((portal) => portal.close()));
});

async function start(...args: Parameters<typeof startTestPortal>): Promise<FakePortal> {
  const portal = await startTestPortal(...args);
  portals.push(portal);
  return portal;
}

describe("fault injection", () => {
  it("answers the next N matching requests with the injected status, then the portal again", async () => {
    const portal = await start();
    portal.faults.inject({ count: 2, status: 503, match: { method: "get", pathPrefix: "/api/v1/users" } });

    const post = await api(portal, "POST", "/groups", { body: { Group: { title: "Sales" } } });
    const statuses = [];
    for (let index = 0; index < 3; index++) statuses.push((await api(portal, "GET", "/users")).status);

    expect(post.status).toBe(200);
    expect(statuses).toEqual([503, 503, 200]);
    expect(portal.log.entries().map((entry) => [entry.method, entry.status, entry.fault])).toEqual([
      ["POST", 200, undefined],
      ["GET", 503, "status"],
      ["GET", 503, "status"],
      ["GET", 200, undefined],
    ]);
    expect(portal.faults.pending()).toBe(0);
  });

  it("forces 429s with LearnUpon's body, and a custom body and headers", async () => {
    const portal = await start();
    portal.faults.inject({ count: 1, status: 429 });
    portal.faults.inject({ count: 1, status: 500, body: { error: "boom" }, headers: { "x-trace": "t1" } });

    const limited = await api(portal, "GET", "/users");
    const failed = await api(portal, "GET", "/users");

    expect([limited.status, limited.json, luHeaders(limited)]).toEqual([
      429,
      { response_type: "ERROR", message: "Number of requests has exceeded the 1 minute limit" },
      {},
    ]);
    expect([failed.status, failed.json, failed.headers.get("x-trace")]).toEqual([500, { error: "boom" }, "t1"]);
  });

  it("resets the connection", async () => {
    const portal = await start();
    portal.faults.inject({ count: 1, reset: true });

    await expect(api(portal, "GET", "/users")).rejects.toThrow(TypeError);
    expect((await api(portal, "GET", "/users")).status).toBe(200);
    expect(portal.log.entries().map((entry) => [entry.status, entry.fault])).toEqual([
      [0, "reset"],
      [200, undefined],
    ]);
  });

  it("delays by the injected latency and by setLatency", async () => {
    const portal = await start();
    portal.faults.inject({ count: 1, latencyMs: 150 });
    const timed = async () => {
      const started = performance.now();
      const answer = await api(portal, "GET", "/users");
      return [answer.status, performance.now() - started] as const;
    };

    const [faultStatus, faultMs] = await timed();
    const [, plainMs] = await timed();
    portal.setLatency(100);
    const [, slowMs] = await timed();

    expect(faultStatus).toBe(200);
    expect(faultMs).toBeGreaterThanOrEqual(140);
    expect(plainMs).toBeLessThan(100);
    expect(slowMs).toBeGreaterThanOrEqual(90);
  });

  it("refuses a fault that does nothing", async () => {
    const portal = await start();
    expect(() => portal.faults.inject({ count: 1 })).toThrow("a fault needs a status, reset or latencyMs");
  });
});

describe("request log", () => {
  it("records method, path with query, status, time and writes, and counts by filter", async () => {
    const portal = await start({ seed: { users: [{ id: 11, email: "ada@example.com" }] } });
    await api(portal, "GET", "/users?page=2");
    await api(portal, "GET", "/users/search?email=ada%40example.com");
    await api(portal, "PUT", "/users/11", { body: { User: { first_name: "Ada" } } });
    await api(portal, "GET", "/nowhere");

    const first = portal.log.entries()[0];
    expect(first).toEqual({
      seq: 1,
      method: "GET",
      path: "/api/v1/users?page=2",
      status: 200,
      at: "2026-01-02T03:04:05.678Z",
      durationMs: first?.durationMs,
      write: false,
    });
    expect(portal.log.count()).toBe(4);
    expect(portal.log.count({ method: "get", pathPrefix: "/api/v1/users" })).toBe(2);
    expect(portal.log.writes().map((entry) => [entry.method, entry.path, entry.body])).toEqual([
      ["PUT", "/api/v1/users/11", { User: { first_name: "Ada" } }],
    ]);
    portal.log.clear();
    expect(portal.log.entries()).toEqual([]);
  });

  it("never stores credentials: no headers, and passwords redacted", async () => {
    const portal = await start();
    await api(portal, "POST", "/users", { body: { User: { email: "a@x.com", password: "hunter22", new_password: "x" } } });

    const serialized = JSON.stringify(portal.log.entries());
    expect(portal.log.entries()[0]?.body).toEqual({ User: { email: "a@x.com", password: "[REDACTED]", new_password: "[REDACTED]" } });
    expect(serialized).not.toContain("hunter22");
    expect(serialized).not.toContain(portal.password);
    expect(serialized.toLowerCase()).not.toContain("authorization");
  });
});

describe("per-test handlers", () => {
  it("puts use() handlers first until resetHandlers()", async () => {
    const portal = await start();
    portal.use(http.get("*/api/v1/users", () => HttpResponse.json({ user: [], injected: true }, { status: 418 })));

    const overridden = await api(portal, "GET", "/users");
    portal.resetHandlers();
    const normal = await api(portal, "GET", "/users");

    expect([overridden.status, overridden.json]).toEqual([418, { user: [], injected: true }]);
    expect([normal.status, normal.json]).toEqual([200, { customDataFieldDefintions: [], user: [] }]);
    expect(portal.log.entries().map((entry) => entry.status)).toEqual([418, 200]);
  });
});

describe("admin endpoints", () => {
  it("require the portal's credentials", async () => {
    const portal = await start();
    const answer = await api(portal, "GET", "/__fake/log", { auth: false });
    expect([answer.status, answer.json]).toEqual([401, { message: "Invalid API credentials" }]);
  });

  it("seed, read state, read and count the log, then reset", async () => {
    const portal = await start();
    const seeded = await api(portal, "POST", "/__fake/seed", {
      body: { courses: [{ name: "Onboarding" }], users: [{ email: "ada@example.com" }] },
    });
    await api(portal, "GET", "/users");
    await api(portal, "POST", "/groups", { body: { Group: { title: "Sales" } } });

    const state = (await api(portal, "GET", "/__fake/state")).json as { users: { email: string }[]; groups: unknown[] };
    const log = await api(portal, "GET", "/__fake/log?method=POST");
    const count = await api(portal, "GET", "/__fake/log/count?pathPrefix=/api/v1/users");
    const reset = await api(portal, "POST", "/__fake/reset");

    expect(seeded.json).toEqual({
      customFields: [],
      courses: [200001],
      groups: [],
      groupCourses: [],
      users: [100001],
      memberships: [],
      enrollments: [],
    });
    expect([state.users.map((user) => user.email), state.groups.length]).toEqual([["ada@example.com"], 1]);
    expect((log.json as { requests: { path: string }[] }).requests.map((entry) => entry.path)).toEqual(["/api/v1/groups"]);
    expect(count.json).toEqual({ count: 1, writes: 0 });
    expect([reset.status, portal.store.users.size, portal.log.count()]).toEqual([200, 0, 0]);
  });

  it("inject faults, change options and latency, and report bad input", async () => {
    const portal = await start();
    const fault = await api(portal, "POST", "/__fake/faults", { body: { count: 1, status: 502 } });
    const faulted = await api(portal, "GET", "/users");
    const options = await api(portal, "PATCH", "/__fake/options", { body: { pageSize: 2, duplicateMembership: "silent" } });
    const latency = await api(portal, "PUT", "/__fake/latency", { body: { latencyMs: 0 } });
    const badSeed = await api(portal, "POST", "/__fake/seed", { body: { users: [{ email: "a@x.com", nickname: "x" }] } });
    const badOption = await api(portal, "PATCH", "/__fake/options", { body: { pageSize: 0 } });
    const unknown = await api(portal, "GET", "/__fake/nothing");

    expect([fault.json, faulted.status]).toEqual([{ pending: 1 }, 502]);
    expect([portal.options.pageSize, portal.options.duplicateMembership]).toEqual([2, "silent"]);
    expect((options.json as { pageSize: number }).pageSize).toBe(2);
    expect(latency.json).toEqual({ success: "ok" });
    expect(badSeed.status).toBe(400);
    expect((badSeed.json as { message: string }).message).toContain("nickname");
    expect(badOption.status).toBe(400);
    expect([unknown.status, unknown.json]).toEqual([404, { message: "No admin route GET /nothing" }]);
  });

  it("are neither logged, rate limited nor faulted", async () => {
    const portal = await start({ options: { rateLimit: { perMinute: 1, perWeek: 500_000 } } });
    portal.faults.inject({ count: 1, status: 500 });
    for (let index = 0; index < 5; index++) expect((await api(portal, "GET", "/__fake/log")).status).toBe(200);

    const first = await api(portal, "GET", "/users");
    const second = await api(portal, "GET", "/users");

    expect([first.status, second.status]).toEqual([500, 200]);
    expect(luHeaders(second)["x-lu-rate-limit-remaining-minute"]).toBe("0");
    expect(portal.log.entries().map((entry) => entry.path)).toEqual(["/api/v1/users", "/api/v1/users"]);
  });
});

describe("several portals", () => {
  it("keep separate stores, credentials, logs and budgets in one process", async () => {
    const [one, two] = await Promise.all([
      start({ options: { rateLimit: { perMinute: 1, perWeek: 500_000 } } }),
      start({ options: { rateLimit: { perMinute: 1, perWeek: 500_000 } } }),
    ]);
    await api(one!, "POST", "/groups", { body: { Group: { title: "Sales" } } });
    const crossCredentials = await fetch(`${two!.apiUrl}/groups`, { headers: { authorization: basicAuth(one!.username, one!.password) } });
    const twoGroups = await api(two!, "GET", "/groups");

    expect(crossCredentials.status).toBe(401);
    expect([twoGroups.status, twoGroups.json]).toEqual([200, { groups: [] }]);
    expect([one!.log.count(), two!.log.count(), one!.store.groups.size]).toEqual([1, 2, 1]);
  });

  it("close twice without error", async () => {
    const portal = await start();
    await portal.close();
    await expect(portal.close()).resolves.toBeUndefined();
  });
});
