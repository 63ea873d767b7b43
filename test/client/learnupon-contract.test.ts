/**
 * Contract suite: the production LearnUpon client against the fake portal over real HTTP.
 * Each test pins one point of our API notes (docs/learnupon-api-notes.md) the client relies on, and asserts the
 * portal's request log (the transcript), not just the result.
 */
import { http, HttpResponse } from "msw";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AmbiguousNameError,
  calendarDate,
  collect,
  createLearnUponClient,
  DuplicateError,
  enrollmentDates,
  learnUponApiBaseUrl,
} from "../../provider/client/index.js";
import { createRateLimiter } from "../../provider/client/rate-limiter.js";
import type { SeedData } from "../../provider/fake-portal/index.js";
import { api } from "../fake-portal/support.js";
import { startPortalWithClient, type PortalWithClient } from "./portal-client.js";

const SEED: SeedData = {
  customFields: [{ label: "Department" }],
  courses: [
    { id: 201, name: "Onboarding" },
    { id: 202, name: "Security Basics" },
    { id: 203, name: "Draft Course", published_status_id: "draft" },
    { id: 204, name: "onboarding advanced" },
  ],
  groups: [
    { id: 301, title: "Sales" },
    { id: 302, title: "Sales EMEA" },
  ],
  groupCourses: [{ group_id: 301, course_id: 202 }],
  users: [
    { id: 101, email: "Ada@Example.com", first_name: "Ada", last_name: "Lovelace" },
    { id: 102, email: "grace@example.com", first_name: "Grace", last_name: "Hopper" },
  ],
  enrollments: [
    { id: 601, user_id: 101, course_id: 201, status: "in_progress" },
    { id: 602, user_id: 102, course_id: 201, status: "completed", percentage: 90 },
  ],
};

let t: PortalWithClient;
beforeEach(async () => {
  t = await startPortalWithClient({ seed: SEED });
});
afterEach(async () => {
  await t.close();
});

describe("base URL (client side rule)", () => {
  it.each([
    { portalUrl: "https://acme.learnupon.com", expected: "https://acme.learnupon.com/api/v1" },
    { portalUrl: "https://acme.learnupon.com/", expected: "https://acme.learnupon.com/api/v1" },
    { portalUrl: "https://acme.learnuponau.com/api/v1", expected: "https://acme.learnuponau.com/api/v1" },
    { portalUrl: "https://acme.learnupon.com/api/v1/", expected: "https://acme.learnupon.com/api/v1" },
    { portalUrl: "http://127.0.0.1:8080?x=1#y", expected: "http://127.0.0.1:8080/api/v1" },
  ])("$portalUrl → $expected", ({ portalUrl, expected }) => {
    expect(learnUponApiBaseUrl(portalUrl)).toBe(expected);
  });

  it("rejects a non-http URL", () => {
    expect(() => learnUponApiBaseUrl("ftp://acme.learnupon.com")).toThrow("portalUrl must be an http(s) URL, got protocol ftp:");
  });

  it.each(["root", "api"] as const)("reaches the portal given its %s URL", async (form) => {
    const client = createLearnUponClient({
      portalUrl: form === "root" ? t.portal.url : `${t.portal.apiUrl}/`,
      username: t.portal.username,
      password: t.portal.password,
      rateLimiter: createRateLimiter({ perMinute: 60_000 }),
    });
    expect((await client.users.get(101))?.email).toBe("Ada@Example.com");
    expect(t.transcript()).toEqual(["GET /api/v1/users/101 200"]);
    await client.close();
  });
});

describe("users", () => {
  it("lists 1,200 users over exactly pages 1..3 by LU-Has-Next-Page, past customDataFieldDefintions", async () => {
    t.portal.store.seed({ users: Array.from({ length: 1_198 }, (_, i) => ({ email: `learner${i}@example.com` })) });
    const users = await collect(t.client.users.list());
    expect(users).toHaveLength(1_200);
    expect(new Set(users.map((u) => u.id)).size).toBe(1_200);
    expect(t.transcript()).toEqual(["GET /api/v1/users?page=1 200", "GET /api/v1/users?page=2 200", "GET /api/v1/users?page=3 200"]);
  });

  it("stops fetching pages when the caller stops iterating", async () => {
    t.portal.store.seed({ users: Array.from({ length: 1_198 }, (_, i) => ({ email: `learner${i}@example.com` })) });
    let seen = 0;
    for await (const _user of t.client.users.list()) {
      if (++seen === 10) break;
    }
    expect(t.transcript()).toEqual(["GET /api/v1/users?page=1 200"]);
  });

  it("listPage reports hasNextPage from the header", async () => {
    t.portal.options.pageSize = 1;
    expect(await t.client.users.listPage(1)).toMatchObject({ hasNextPage: true, items: [{ id: 101 }] });
    expect(await t.client.users.listPage(2)).toMatchObject({ hasNextPage: false, items: [{ id: 102 }] });
    expect(await t.client.users.listPage(3)).toEqual({ hasNextPage: false, items: [] });
  });

  it("get reads the one-element user array and keeps unknown fields", async () => {
    const user = await t.client.users.get(101);
    expect(user).toMatchObject({ id: 101, email: "Ada@Example.com", first_name: "Ada", enabled: true, user_type: "learner" });
    expect(user).toHaveProperty("sign_in_count"); // not in our schema: passed through
    expect(await t.client.users.get(999_999)).toBeUndefined();
    expect(t.transcript()).toEqual(["GET /api/v1/users/101 200", "GET /api/v1/users/999999 404"]);
  });

  it("searchByEmail matches case-insensitively and maps 404 + response_code to undefined", async () => {
    expect((await t.client.users.searchByEmail("ada@EXAMPLE.com"))?.id).toBe(101);
    expect(await t.client.users.searchByEmail("nobody@example.com")).toBeUndefined();
    expect(t.transcript()).toEqual([
      "GET /api/v1/users/search?email=ada%40EXAMPLE.com 200",
      "GET /api/v1/users/search?email=nobody%40example.com 404",
    ]);
  });

  it("customFields reads the definitions that come with the first page of GET /users: one call", async () => {
    t.portal.options.pageSize = 1;
    expect(await t.client.users.customFields()).toEqual([{ id: 700001, type_id: 1, label: "Department", predefined_values: [] }]);
    expect(t.transcript()).toEqual(["GET /api/v1/users?page=1 200"]);
  });

  it("searchByEmail re-checks the result: an ignored filter returning the roster does not match someone else", async () => {
    // Answers every search with Grace alone, whatever the email: the real portal would find Ada.
    t.portal.use(http.get(`${t.portal.apiUrl}/users/search`, () => HttpResponse.json({ user: [{ id: 102, email: "grace@example.com" }] })));
    expect(await t.client.users.searchByEmail("Ada@example.com")).toBeUndefined();
    expect((await t.client.users.searchByEmail("GRACE@example.com"))?.id).toBe(102);
  });

  it("create wraps the body in User and returns the flat id", async () => {
    const id = await t.client.users.create({ email: "new@example.com", password: "secret1", first_name: "New", user_type: "learner" });
    expect(t.portal.store.users.get(id)).toMatchObject({ email: "new@example.com", first_name: "New" });
    const [post] = t.portal.log.entries({ method: "POST" });
    expect(post?.body).toEqual({ User: { email: "new@example.com", password: "[REDACTED]", first_name: "New", user_type: "learner" } });
  });

  it("a duplicate email is a DuplicateError, and the POST is not repeated", async () => {
    const error = await t.client.users.create({ email: "ADA@example.com", password: "secret1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateError);
    expect((error as DuplicateError).message).toBe("POST /users failed with 422: A user already exists with the email ADA@example.com");
    expect(t.transcript()).toEqual(["POST /api/v1/users 422"]);
  });

  it("invalid fields fail before anything is sent", async () => {
    await expect(t.client.users.create({ email: "x@example.com", password: "123" })).rejects.toThrow(
      "Invalid request for POST /users: User.password: password must have at least 6 characters",
    );
    await expect(t.client.users.update(101, { account_expires: "01/02/2027" })).rejects.toThrow(
      "Invalid request for PUT /users/{id}: User.account_expires: expected a date as YYYY-MM-DD",
    );
    expect(t.transcript()).toEqual([]);
  });

  it("update sends only the given fields, wrapped; rename goes through new_email", async () => {
    await t.client.users.update(101, { last_name: "King", new_email: "ada.king@example.com" });
    expect(t.portal.log.entries()[0]?.body).toEqual({ User: { last_name: "King", new_email: "ada.king@example.com" } });
    expect(t.portal.store.users.get(101)).toMatchObject({ first_name: "Ada", last_name: "King", email: "ada.king@example.com" });
  });

  it("setEnabled deactivates and reactivates with PUT enabled", async () => {
    await t.client.users.setEnabled(101, false);
    expect(t.portal.store.users.get(101)?.enabled).toBe(false);
    await t.client.users.setEnabled(101, true);
    expect(t.portal.store.users.get(101)?.enabled).toBe(true);
    expect(t.portal.log.entries().map((e) => e.body)).toEqual([{ User: { enabled: false } }, { User: { enabled: true } }]);
  });

  it.each([Number.NaN, 0, -3, 1.5])("refuses the id %s before sending anything", async (id) => {
    await expect(t.client.users.delete(id)).rejects.toThrow(`Invalid LearnUpon id for users: ${id}`);
    await expect(t.client.enrollments.get(id)).rejects.toThrow(`Invalid LearnUpon id for enrollments: ${id}`);
    expect(t.transcript()).toEqual([]);
  });

  it("delete is idempotent: 404 means already gone", async () => {
    expect(await t.client.users.delete(102)).toBe(true);
    expect(await t.client.users.delete(102)).toBe(false);
    expect(t.transcript()).toEqual(["DELETE /api/v1/users/102 200", "DELETE /api/v1/users/102 404"]);
  });
});

describe("enrollments", () => {
  it("create by email wraps in Enrollment and returns the id", async () => {
    const result = await t.client.enrollments.create({ email: "grace@example.com", courseId: 202, dueDate: "2026-12-01" });
    expect(result).toEqual({ id: expect.any(Number) });
    expect(t.portal.log.entries()[0]?.body).toEqual({ Enrollment: { email: "grace@example.com", course_id: 202, due_date: "2026-12-01" } });
  });

  it("create by user id", async () => {
    const result = await t.client.enrollments.create({ userId: 102, courseId: 204 });
    expect("id" in result && t.portal.store.enrollments.get(result.id)).toMatchObject({ user_id: 102, course_id: 204 });
  });

  it("a duplicate after a group auto-enrollment is alreadyEnrolled, confirmed by a search", async () => {
    const userId = await t.client.users.create({ email: "sam@example.com", password: "secret1" });
    expect(await t.client.groupMemberships.create({ groupId: 301, userId })).toEqual({ id: expect.any(Number) });
    const result = await t.client.enrollments.create({ email: "sam@example.com", courseId: 202 });
    expect(result).toMatchObject({ alreadyEnrolled: true, enrollment: { user_id: userId, course_id: 202, group_id: 301 } });
    expect(t.transcript()).toEqual([
      "POST /api/v1/users 200",
      "POST /api/v1/group_memberships 200",
      "POST /api/v1/enrollments 422",
      "GET /api/v1/enrollments/search?email=sam%40example.com&page=1 200",
    ]);
  });

  it("a 4xx duplicate that a search cannot confirm surfaces as the error", async () => {
    t.portal.use(http.post(`${t.portal.apiUrl}/enrollments`, () => HttpResponse.json({ message: "already processing" }, { status: 422 })));
    await expect(t.client.enrollments.create({ userId: 102, courseId: 202 })).rejects.toBeInstanceOf(DuplicateError);
  });

  it("searchByUser and searchByCourse page through the enrollments envelope", async () => {
    t.portal.options.pageSize = 1;
    expect((await collect(t.client.enrollments.searchByCourse(201))).map((e) => e.id)).toEqual([601, 602]);
    expect((await collect(t.client.enrollments.searchByUser(102))).map((e) => e.id)).toEqual([602]);
    expect(t.transcript()).toEqual([
      "GET /api/v1/enrollments/search?course_id=201&page=1 200",
      "GET /api/v1/enrollments/search?course_id=201&page=2 200",
      "GET /api/v1/enrollments/search?user_id=102&page=1 200",
    ]);
  });

  it("search results are re-checked: an ignored filter does not leak other people's enrollments", async () => {
    // Answers every search with Ada's enrollment only, as if the filter had been ignored.
    t.portal.use(
      http.get(`${t.portal.apiUrl}/enrollments/search`, () =>
        HttpResponse.json({ enrollments: [{ id: 601, user_id: 101, course_id: 201, email: "Ada@Example.com" }] }),
      ),
    );
    expect(await collect(t.client.enrollments.searchByUser(102))).toEqual([]);
    expect(await collect(t.client.enrollments.searchByCourse(202))).toEqual([]);
    expect(await t.client.enrollments.find({ email: "grace@example.com", courseId: 201 })).toBeUndefined();
    expect((await t.client.enrollments.find({ email: "ada@example.com", courseId: 201 }))?.id).toBe(601);
  });

  it("get reads the one-element enrollments array", async () => {
    expect(await t.client.enrollments.get(602)).toMatchObject({ id: 602, status: "completed", percentage_complete: 100 });
    expect(await t.client.enrollments.get(699)).toBeUndefined();
  });

  it("update PATCHes an unwrapped body with only the given dates", async () => {
    t.portal.options.enrollmentDates = "date";
    t.portal.options.enrollmentExpiryField = "expires_at";
    await t.client.enrollments.update(601, { dueDate: "2026-12-01", expiresAt: undefined });
    await t.client.enrollments.update(601, { expiresAt: "2027-04-11" });
    await t.client.enrollments.update(601, {}); // nothing to send
    expect(t.portal.log.entries({ method: "PATCH" }).map((e) => [e.method, e.body])).toEqual([
      ["PATCH", { due_date: "2026-12-01" }],
      ["PATCH", { expires_at: "2027-04-11" }],
    ]);
    expect(await t.client.enrollments.get(601)).toMatchObject({ due_date: "2026-12-01", course_access_expires_at: "2027-04-11" });
  });

  it("delete sends remove_from_history as the STRING true, unwrapped, only when asked", async () => {
    expect(await t.client.enrollments.delete(602)).toBe(true); // completed: LearnUpon's silent no-op
    expect(t.portal.store.enrollments.has(602)).toBe(true);
    expect(await t.client.enrollments.delete(602, { removeFromHistory: true })).toBe(true);
    expect(t.portal.store.enrollments.has(602)).toBe(false);
    expect(await t.client.enrollments.delete(602, { removeFromHistory: true })).toBe(false);
    expect(t.portal.log.entries().map((e) => [e.status, e.body])).toEqual([
      [200, undefined],
      [200, { remove_from_history: "true" }],
      [404, { remove_from_history: "true" }],
    ]);
  });
});

describe("group memberships", () => {
  it("create sends the wrapped pair with process_enrollments as a JSON boolean", async () => {
    await t.client.groupMemberships.create({ groupId: 301, userId: 101 });
    await t.client.groupMemberships.create({ groupId: 302, userId: 102, processEnrollments: false });
    expect(t.portal.log.entries().map((e) => e.body)).toEqual([
      { GroupMembership: { group_id: 301, user_id: 101, process_enrollments: true } },
      { GroupMembership: { group_id: 302, user_id: 102, process_enrollments: false } },
    ]);
    // The group's course was given to the first member only.
    expect(t.portal.store.list(t.portal.store.enrollments).filter((e) => e.course_id === 202).map((e) => e.user_id)).toEqual([101]);
  });

  it("already a member is success", async () => {
    await t.client.groupMemberships.create({ groupId: 301, userId: 101 });
    expect(await t.client.groupMemberships.create({ groupId: 301, userId: 101 })).toEqual({ alreadyMember: true });
    expect(t.transcript()).toEqual(["POST /api/v1/group_memberships 200", "POST /api/v1/group_memberships 422"]);
  });

  it("listByGroup returns the members' user ids from the plain listing; listByUser returns groups", async () => {
    await t.client.groupMemberships.create({ groupId: 302, userId: 101 });
    const members = await collect(t.client.groupMemberships.listByGroup(302));
    expect(members).toEqual([{ userId: 101, membershipId: undefined, email: "Ada@Example.com" }]);
    expect(await collect(t.client.groupMemberships.listByUser(101))).toEqual([expect.objectContaining({ id: 302, title: "Sales EMEA" })]);
    expect(t.transcript({ method: "GET" })).toEqual([
      "GET /api/v1/group_memberships?group_id=302&page=1 200",
      "GET /api/v1/group_memberships?user_id=101&page=1 200",
    ]);
  });

  it("delete uses DELETE /group_memberships/0 with the wrapped pair; 404 is already gone", async () => {
    await t.client.groupMemberships.create({ groupId: 301, userId: 101 });
    expect(await t.client.groupMemberships.delete({ groupId: 301, userId: 101 })).toBe(true);
    expect(await t.client.groupMemberships.delete({ groupId: 301, userId: 101, processUnenrollments: true })).toBe(false);
    expect(t.portal.log.entries({ method: "DELETE" }).map((e) => [e.path, e.status, e.body])).toEqual([
      ["/api/v1/group_memberships/0", 200, { GroupMembership: { group_id: 301, user_id: 101 } }],
      ["/api/v1/group_memberships/0", 404, { GroupMembership: { group_id: 301, user_id: 101, process_unenrollments: "true" } }],
    ]);
    // LearnUpon's default keeps the enrollments the group gave.
    expect(t.portal.store.list(t.portal.store.enrollments).some((e) => e.user_id === 101 && e.course_id === 202)).toBe(true);
  });
});

describe("groups and courses", () => {
  it("groups.findByTitle re-checks for an exact title even when the server matches partially", async () => {
    t.portal.options.groupTitleMatch = "partial";
    expect((await t.client.groups.findByTitle("Sales"))?.id).toBe(301);
    expect(await t.client.groups.findByTitle("sales")).toBeUndefined();
    expect(t.transcript()).toEqual(["GET /api/v1/groups?title=Sales&page=1 200", "GET /api/v1/groups?title=sales&page=1 200"]);
  });

  it("groups.findById scans the groups list and stops at the match", async () => {
    t.portal.options.pageSize = 1;
    expect((await t.client.groups.findById(301))?.title).toBe("Sales");
    expect(await t.client.groups.findById(399)).toBeUndefined();
    expect(t.transcript()).toEqual([
      "GET /api/v1/groups?page=1 200",
      "GET /api/v1/groups?page=1 200",
      "GET /api/v1/groups?page=2 200",
    ]);
  });

  it("courses.findById uses ?course_id= and re-checks the id, so an ignored filter cannot mislead it", async () => {
    expect((await t.client.courses.findById(202))?.name).toBe("Security Basics");
    t.portal.use(
      http.get(`${t.portal.apiUrl}/courses`, () => HttpResponse.json({ courses: [{ id: 201, name: "Onboarding" }, { id: 204, name: "x" }] })),
    );
    expect((await t.client.courses.findById(204))?.name).toBe("x");
    expect(await t.client.courses.findById(205)).toBeUndefined();
    expect(t.transcript()[0]).toBe("GET /api/v1/courses?course_id=202&page=1 200");
  });

  it("courses.findByName is exact and case-sensitive after the server's pattern match; drafts are not found", async () => {
    expect((await t.client.courses.findByName("Onboarding"))?.id).toBe(201);
    expect(await t.client.courses.findByName("onboarding")).toBeUndefined();
    expect(await t.client.courses.findByName("Draft Course")).toBeUndefined();
  });

  it("a name two published courses share, or a title two groups share, is refused with their ids, and asked once", async () => {
    t.portal.store.seed({
      courses: [
        { id: 205, name: "Onboarding" },
        { id: 206, name: "Security Basics", published_status_id: "draft" },
      ],
      groups: [{ id: 303, title: "Sales" }],
    });
    const refusals = await Promise.all([
      t.client.courses.findByName("Onboarding").catch((error: unknown) => error),
      t.client.courses.findByName("Onboarding").catch((error: unknown) => error),
      t.client.groups.findByTitle("Sales").catch((error: unknown) => error),
    ]);
    expect(refusals.map((error) => [error instanceof AmbiguousNameError, (error as Error).message])).toEqual([
      [true, '2 published LearnUpon courses are named "Onboarding" (ids 201, 205)'],
      [true, '2 published LearnUpon courses are named "Onboarding" (ids 201, 205)'],
      [true, '2 LearnUpon groups are titled "Sales" (ids 301, 303)'],
    ]);
    await expect(t.client.groups.findByTitle("Sales")).rejects.toThrow(AmbiguousNameError);
    // A draft of the same name is no rival: only published courses are listed.
    expect((await t.client.courses.findByName("Security Basics"))?.id).toBe(202);
    expect(t.transcript()).toEqual([
      "GET /api/v1/courses?name=Onboarding&page=1 200",
      "GET /api/v1/groups?title=Sales&page=1 200",
      "GET /api/v1/courses?name=Security+Basics&page=1 200",
    ]);
  });

  it("a name search reads every page, so a rival on page 2 is seen", async () => {
    t.portal.store.seed({ courses: [{ id: 205, name: "Onboarding" }] });
    t.portal.options.pageSize = 1;
    await expect(t.client.courses.findByName("Onboarding")).rejects.toThrow('(ids 201, 205)');
    expect(t.transcript()).toEqual([
      "GET /api/v1/courses?name=Onboarding&page=1 200",
      "GET /api/v1/courses?name=Onboarding&page=2 200",
      "GET /api/v1/courses?name=Onboarding&page=3 200",
    ]);
  });

  it("look-ups are cached for the life of the client, and concurrent ones share a request", async () => {
    await Promise.all([t.client.courses.findByName("Onboarding"), t.client.courses.findByName("Onboarding")]);
    await t.client.courses.findByName("Onboarding");
    await t.client.groups.findByTitle("Sales");
    await t.client.groups.findByTitle("Sales");
    expect(t.transcript()).toEqual(["GET /api/v1/courses?name=Onboarding&page=1 200", "GET /api/v1/groups?title=Sales&page=1 200"]);
  });
});

describe("transport conventions", () => {
  it("bodyless GETs carry no Content-Type (the portal would answer 400), writes do", async () => {
    // The fake answers a GET declaring JSON with 400 "There was a problem in the JSON you submitted."
    // (contract §1.2); every GET below succeeding is the proof. It only logs bodies sent as JSON.
    await t.client.users.get(101);
    await collect(t.client.enrollments.searchByUser(101));
    await t.client.enrollments.update(601, { dueDate: "2026-11-01" });
    expect(t.portal.log.entries().map((e) => [e.method, e.status, e.body !== undefined])).toEqual([
      ["GET", 200, false],
      ["GET", 200, false],
      ["PATCH", 200, true],
      ["GET", 200, false], // the PATCH read back
    ]);
  });

  it("counts requests by method for benchmarks", async () => {
    await t.client.users.get(101);
    await t.client.users.setEnabled(101, false);
    await t.client.users.delete(101);
    expect(t.client.stats()).toEqual({
      requestsByMethod: { GET: 1, PUT: 1, DELETE: 1 },
      requests: 3,
      retries: 0,
      confirmations: 0,
      rateLimited: 0,
      serverErrors: 0,
      timeouts: 0,
      networkErrors: 0,
    });
  });
});

// Issue 14: each way a real portal may answer, with the fake's switch at each value
// (docs/learnupon-api-notes.md names the sources).
describe("as real portals answer", () => {
  describe("enrollment dates are read as days, whatever their precision", () => {
    it.each([
      ["timestamp", "2027-01-31T00:00:00Z"],
      ["date", "2027-01-31"],
    ] as const)("enrollmentDates=%s: the portal writes %s, the client reads 2027-01-31", async (format, wire) => {
      t.portal.options.enrollmentDates = format;
      t.portal.store.seed({ enrollments: [{ id: 611, user_id: 101, course_id: 202, due_date: "2027-01-31", expires_at: "2027-12-31" }] });
      const enrollment = await t.client.enrollments.get(611);
      expect(enrollment?.due_date).toBe(wire);
      expect(enrollmentDates(enrollment!)).toEqual({ dueDate: "2027-01-31", expiresAt: "2027-12-31" });
    });

    it.each([
      ["2027-01-31", "2027-01-31"],
      ["2027-01-31T00:00:00Z", "2027-01-31"],
      ["2027-01-31T23:59:59.999-05:00", "2027-01-31"],
      ["2027-01-31 00:00:00 +0100", "2027-01-31"],
      ["2027-02-30T00:00:00Z", undefined],
      ["31/01/2027", undefined],
      ["", undefined],
      [null, undefined],
    ])("calendarDate(%j) is %j", (value, day) => {
      expect(calendarDate(value)).toBe(day);
    });
  });

  describe("group members are told apart from memberships", () => {
    it.each(["user", "membership"] as const)("groupMemberRows=%s: listByGroup yields the user id", async (shape) => {
      t.portal.options.groupMemberRows = shape;
      await t.client.groupMemberships.create({ groupId: 302, userId: 101 });
      const membershipId = t.portal.store.findMembership(302, 101)!.id;
      expect(membershipId).not.toBe(101);
      expect(await collect(t.client.groupMemberships.listByGroup(302))).toEqual([
        { userId: 101, membershipId: shape === "membership" ? membershipId : undefined, email: "Ada@Example.com" },
      ]);
      expect(t.transcript({ method: "GET" })).toEqual(["GET /api/v1/group_memberships?group_id=302&page=1 200"]);
    });
  });

  describe("timezone_id is a time-zone name", () => {
    it("sends the name as a string, and the portal keeps it", async () => {
      const id = await t.client.users.create({ email: "tz@example.com", password: "secret1", timezone_id: "Eastern Time (US & Canada)" });
      expect(t.portal.store.users.get(id)?.timezone_id).toBe("Eastern Time (US & Canada)");
      const answer = await api(t.portal, "GET", `/users/${id}?version_id=1.2`);
      expect((answer.json as { user: { timezone_id: unknown }[] }).user[0]?.timezone_id).toBe("Eastern Time (US & Canada)");
    });

    it("refuses an integer before sending, and the portal refuses one too", async () => {
      await expect(t.client.users.update(101, { timezone_id: 5 as unknown as string })).rejects.toThrow(
        "Invalid request for PUT /users/{id}: User.timezone_id: Invalid input: expected string, received number",
      );
      expect(t.transcript()).toEqual([]);
      const answer = await api(t.portal, "PUT", "/users/101", { body: { User: { timezone_id: 5 } } });
      expect([answer.status, answer.json]).toEqual([400, { message: "timezone_id must be a string" }]);
    });
  });

  describe("the expiry goes under the field name the portal takes", () => {
    it("enrollmentExpiryField=expires_at: one PATCH, read back once", async () => {
      t.portal.options.enrollmentExpiryField = "expires_at";
      await t.client.enrollments.update(601, { dueDate: "2026-12-01", expiresAt: "2027-04-11" });
      expect(t.portal.log.entries().map((e) => [e.method, e.path, e.body])).toEqual([
        ["PATCH", "/api/v1/enrollments/601", { due_date: "2026-12-01", expires_at: "2027-04-11" }],
        ["GET", "/api/v1/enrollments/601", undefined],
      ]);
      expect(t.portal.store.enrollments.get(601)).toMatchObject({ due_date: "2026-12-01", expires_at: "2027-04-11" });
    });

    it("enrollmentExpiryField=expiry_date: retried under expiry_date, which is then used first for the run", async () => {
      t.portal.options.enrollmentExpiryField = "expiry_date";
      await t.client.enrollments.update(601, { dueDate: "2026-12-01", expiresAt: "2027-04-11" });
      await t.client.enrollments.update(602, { expiresAt: "2027-05-01" });
      expect(t.portal.log.entries().map((e) => [e.method, e.path, e.body])).toEqual([
        ["PATCH", "/api/v1/enrollments/601", { due_date: "2026-12-01", expires_at: "2027-04-11" }],
        ["GET", "/api/v1/enrollments/601", undefined],
        ["PATCH", "/api/v1/enrollments/601", { expiry_date: "2027-04-11" }],
        ["GET", "/api/v1/enrollments/601", undefined],
        ["PATCH", "/api/v1/enrollments/602", { expiry_date: "2027-05-01" }],
        ["GET", "/api/v1/enrollments/602", undefined],
      ]);
      expect(t.portal.store.enrollments.get(601)).toMatchObject({ due_date: "2026-12-01", expires_at: "2027-04-11" });
      expect(t.portal.store.enrollments.get(602)?.expires_at).toBe("2027-05-01");
    });

    it.each(["expires_at", "expiry_date"] as const)("enrollmentExpiryField=%s: a created enrollment ends up with its expiry", async (field) => {
      t.portal.options.enrollmentExpiryField = field;
      const result = await t.client.enrollments.create({ userId: 102, courseId: 204, dueDate: "2026-12-01", expiresAt: "2027-04-11" });
      expect("id" in result && t.portal.store.enrollments.get(result.id)).toMatchObject({ due_date: "2026-12-01", expires_at: "2027-04-11" });
      expect(t.transcript({ method: "PATCH" })).toHaveLength(field === "expires_at" ? 0 : 1);
    });

    it("a date the portal does not take is an error, not a success", async () => {
      t.portal.use(http.patch(`${t.portal.apiUrl}/enrollments/:id`, () => HttpResponse.json({ success: "ok" })));
      await expect(t.client.enrollments.update(601, { dueDate: "2026-12-01", expiresAt: "2027-04-11" })).rejects.toThrow(
        "LearnUpon answered success but did not take the due date 2026-12-01 (it shows none) and the expiry date 2027-04-11 " +
          "(it shows none; sent as expires_at and as expiry_date) for enrollment 601",
      );
      expect(t.transcript()).toEqual([
        "PATCH /api/v1/enrollments/601 200",
        "GET /api/v1/enrollments/601 200",
        "PATCH /api/v1/enrollments/601 200",
        "GET /api/v1/enrollments/601 200",
      ]);
    });
  });

  describe("not found is told by the body, not the status", () => {
    it.each([404, 200] as const)("searchMissStatus=%s: a user search miss is undefined", async (status) => {
      t.portal.options.searchMissStatus = status;
      expect(await t.client.users.searchByEmail("nobody@example.com")).toBeUndefined();
      expect((await t.client.users.searchByEmail("grace@example.com"))?.id).toBe(102);
      expect(t.transcript()).toEqual([
        `GET /api/v1/users/search?email=nobody%40example.com ${status}`,
        "GET /api/v1/users/search?email=grace%40example.com 200",
      ]);
    });

    it.each([200, 400, 404])("an error body with %s is an empty list and a missing record", async (status) => {
      const missing = () => HttpResponse.json({ response_type: "ERROR", response_code: 404, message: "Not found" }, { status });
      t.portal.use(http.get(`${t.portal.apiUrl}/enrollments/search`, missing), http.get(`${t.portal.apiUrl}/users/:id`, missing));
      expect(await collect(t.client.enrollments.searchByCourse(201))).toEqual([]);
      expect(await t.client.users.get(101)).toBeUndefined();
    });

    it("credential and rate-limit errors are not taken for a miss", async () => {
      t.portal.use(http.get(`${t.portal.apiUrl}/users/search`, () => HttpResponse.json({ response_type: "ERROR", response_code: 401 }, { status: 401 })));
      await expect(t.client.users.searchByEmail("nobody@example.com")).rejects.toMatchObject({ name: "AuthError" });
    });
  });

  describe("process_enrollments is a JSON boolean", () => {
    it.each([false, true])("processEnrollmentsStringFalseIsTruthy=%s: opting out leaves the group's courses alone", async (truthy) => {
      t.portal.options.processEnrollmentsStringFalseIsTruthy = truthy;
      await t.client.groupMemberships.create({ groupId: 301, userId: 102, processEnrollments: false });
      expect(t.portal.log.entries()[0]?.body).toEqual({ GroupMembership: { group_id: 301, user_id: 102, process_enrollments: false } });
      expect(t.portal.store.list(t.portal.store.enrollments).some((e) => e.user_id === 102 && e.course_id === 202)).toBe(false);
    });

    it.each([false, true])("processEnrollmentsStringFalseIsTruthy=%s: the string \"false\" enrolls only when read as truthy", async (truthy) => {
      t.portal.options.processEnrollmentsStringFalseIsTruthy = truthy;
      await api(t.portal, "POST", "/group_memberships", { body: { GroupMembership: { group_id: 301, user_id: 102, process_enrollments: "false" } } });
      expect(t.portal.store.list(t.portal.store.enrollments).some((e) => e.user_id === 102 && e.course_id === 202)).toBe(truthy);
    });
  });
});
