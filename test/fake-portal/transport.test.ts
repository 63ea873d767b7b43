/**
 * Contract §4.1, §4.2, §4.10 and §4.11: authentication, the content-type trap, route quirks and the
 * rate-limit buckets, over real HTTP.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { FakePortal } from "../../provider/fake-portal/index.js";
import { FIXED_TIME, api, luHeaders, startTestPortal } from "./support.js";

let portal: FakePortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

describe("authentication (§4.1)", () => {
  it("answers wrong or missing credentials with 401 JSON and no rate-limit headers", async () => {
    portal = await startTestPortal({ username: "key", password: "secret", options: { rateLimit: { perMinute: 300, perWeek: 500_000 } } });

    const wrong = await api(portal, "GET", "/users", { auth: { username: "key", password: "nope" } });
    const missing = await api(portal, "GET", "/users", { auth: false });
    const right = await api(portal, "GET", "/users");

    expect([wrong.status, wrong.json, luHeaders(wrong)]).toEqual([401, { message: "Invalid API credentials" }, {}]);
    expect([missing.status, missing.json]).toEqual([401, { message: "Invalid API credentials" }]);
    expect(right.status).toBe(200);
  });

  it("uses the configured 401 body", async () => {
    portal = await startTestPortal({ options: { unauthorizedBody: { error: "Unauthorized" } } });
    const answer = await api(portal, "GET", "/users", { auth: false });
    expect([answer.status, answer.json]).toEqual([401, { error: "Unauthorized" }]);
  });
});

describe("JSON encoding (§4.2)", () => {
  it("rejects a GET that says it carries JSON but has no body", async () => {
    portal = await startTestPortal();
    const answer = await api(portal, "GET", "/users", { headers: { "content-type": "application/json" } });
    expect([answer.status, answer.json]).toEqual([400, { error: "There was a problem in the JSON you submitted." }]);
  });

  it("rejects malformed JSON on a write with the same error", async () => {
    portal = await startTestPortal();
    const answer = await api(portal, "POST", "/users", {
      rawBody: '{"User":{"email":"a@x.com",',
      headers: { "content-type": "application/json" },
    });
    expect([answer.status, answer.json]).toEqual([400, { error: "There was a problem in the JSON you submitted." }]);
    expect(portal.store.users.size).toBe(0);
  });

  it("ignores a JSON body sent without a JSON content type, so its wrapper is missing", async () => {
    portal = await startTestPortal();
    const answer = await api(portal, "POST", "/users", {
      rawBody: JSON.stringify({ User: { email: "a@x.com", password: "secret1" } }),
      headers: { "content-type": "text/plain" },
    });
    expect([answer.status, answer.json]).toEqual([404, { message: "Invalid user parameters provided" }]);
  });
});

describe("route quirks (§4.10)", () => {
  it("answers 404 for GET /courses/{id}, the seed's /groups/{id}/memberships and unknown paths", async () => {
    portal = await startTestPortal({ seed: { courses: [{ id: 7, name: "Onboarding" }], groups: [{ id: 8, title: "Sales" }] } });

    const answers = await Promise.all([
      api(portal, "GET", "/courses/7"),
      api(portal, "GET", "/groups/8/memberships"),
      api(portal, "POST", "/groups/8/memberships", { body: { membership: { user_id: 1 } } }),
      api(portal, "GET", "/no_such_thing"),
    ]);

    expect(answers.map((answer) => [answer.status, answer.json])).toEqual([
      [404, { message: "Not found" }],
      [404, { message: "Not found" }],
      [404, { message: "Not found" }],
      [404, { message: "Not found" }],
    ]);
  });

  it("answers a plain GET /enrollments with 401 unless switched off", async () => {
    portal = await startTestPortal();
    const refused = await api(portal, "GET", "/enrollments");
    portal.options.enrollmentsListUnauthorized = false;
    const listed = await api(portal, "GET", "/enrollments");

    expect([refused.status, refused.json]).toEqual([401, { message: "Invalid API credentials" }]);
    expect([listed.status, listed.json]).toEqual([200, { enrollments: [] }]);
  });
});

describe("rate limiting (§4.11)", () => {
  it("sends the remaining-budget headers on 2xx answers only", async () => {
    portal = await startTestPortal({ options: { rateLimit: { perMinute: 300, perWeek: 500_000 } } });

    const listed = await api(portal, "GET", "/users");
    const missing = await api(portal, "GET", "/users/1");
    const listedAgain = await api(portal, "GET", "/users");

    expect(luHeaders(listed)).toEqual({
      "lu-current-page": "1",
      "lu-has-next-page": "false",
      "lu-records-per-page": "500",
      "x-lu-rate-limit-remaining-minute": "299",
      "x-lu-rate-limit-remaining-week": "499999",
    });
    expect([missing.status, luHeaders(missing)]).toEqual([404, {}]);
    // The 404 spent a request too.
    expect(luHeaders(listedAgain)["x-lu-rate-limit-remaining-minute"]).toBe("297");
  });

  it("answers 429 once the minute budget is spent, and refills with the clock", async () => {
    let now = FIXED_TIME;
    portal = await startTestPortal({ now: () => now, options: { rateLimit: { perMinute: 3, perWeek: 500_000 } } });

    const allowed = [];
    for (let index = 0; index < 3; index++) allowed.push(await api(portal, "GET", "/users"));
    const refused = await api(portal, "GET", "/users");
    now += 20_000; // a third of a minute: one request's worth
    const afterRefill = await api(portal, "GET", "/users");
    const refusedAgain = await api(portal, "GET", "/users");

    expect(allowed.map((answer) => luHeaders(answer)["x-lu-rate-limit-remaining-minute"])).toEqual(["2", "1", "0"]);
    expect([refused.status, refused.json, luHeaders(refused)]).toEqual([
      429,
      { response_type: "ERROR", message: "Number of requests has exceeded the 1 minute limit" },
      {},
    ]);
    expect([afterRefill.status, luHeaders(afterRefill)["x-lu-rate-limit-remaining-minute"]]).toEqual([200, "0"]);
    expect(refusedAgain.status).toBe(429);
  });

  it("sends Retry-After only when configured", async () => {
    portal = await startTestPortal({ options: { rateLimit: { perMinute: 1, perWeek: 500_000 }, retryAfterSeconds: 60 } });
    await api(portal, "GET", "/users");
    const refused = await api(portal, "GET", "/users");
    expect([refused.status, luHeaders(refused)]).toEqual([429, { "retry-after": "60" }]);
  });

  it("answers 429 when the weekly budget is spent", async () => {
    portal = await startTestPortal({ options: { rateLimit: { perMinute: 300, perWeek: 2 } } });
    const statuses = [];
    for (let index = 0; index < 3; index++) statuses.push((await api(portal, "GET", "/users")).status);
    const refused = await api(portal, "GET", "/users");
    expect(statuses).toEqual([200, 200, 429]);
    expect(refused.json).toEqual({ response_type: "ERROR", message: "Number of requests has exceeded the 1 week limit" });
  });

  it("does not spend the budget on rejected credentials", async () => {
    portal = await startTestPortal({ options: { rateLimit: { perMinute: 2, perWeek: 500_000 } } });
    await api(portal, "GET", "/users", { auth: false });
    const answer = await api(portal, "GET", "/users");
    expect(luHeaders(answer)["x-lu-rate-limit-remaining-minute"]).toBe("1");
  });
});
