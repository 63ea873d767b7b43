/**
 * The fake's switches for the ways real portals answer (issue 14, docs/learnupon-api-notes.md), each at
 * each value, over real HTTP with plain `fetch`.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { FakePortal, PortalOptions, SeedData } from "../../provider/fake-portal/index.js";
import { api, idOf, startTestPortal } from "./support.js";

let portal: FakePortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

const SEED: SeedData = {
  courses: [{ id: 5, name: "Onboarding" }],
  groups: [{ id: 9, title: "Support" }],
  groupCourses: [{ id: 15, group_id: 9, course_id: 5 }],
  users: [
    { id: 11, email: "ada@example.com" },
    { id: 12, email: "alan@example.com" },
    { id: 13, email: "grace@example.com" },
  ],
  memberships: [{ id: 41, group_id: 9, user_id: 12 }],
  enrollments: [{ id: 71, user_id: 11, course_id: 5, due_date: "2027-01-31", expires_at: "2027-12-31" }],
};

const start = (options: Partial<PortalOptions> = {}) => startTestPortal({ seed: SEED, options });
type Enrollments = { enrollments: Record<string, unknown>[] };

describe("enrollmentDates", () => {
  it.each([
    ["timestamp", "2027-01-31T00:00:00Z", "2027-12-31T00:00:00Z"],
    ["date", "2027-01-31", "2027-12-31"],
  ] as const)("%s: due_date %s, course_access_expires_at %s, in get and search alike", async (format, due, expiry) => {
    portal = await start({ enrollmentDates: format });
    const one = (await api(portal, "GET", "/enrollments/71")).json as Enrollments;
    const found = (await api(portal, "GET", "/enrollments/search?user_id=11")).json as Enrollments;
    for (const enrollment of [one.enrollments[0], found.enrollments[0]]) {
      expect([enrollment?.due_date, enrollment?.course_access_expires_at]).toEqual([due, expiry]);
    }
  });

  it("is the default: date-times", async () => {
    portal = await start();
    const one = (await api(portal, "GET", "/enrollments/71")).json as Enrollments;
    expect(one.enrollments[0]?.due_date).toBe("2027-01-31T00:00:00Z");
  });
});

describe("enrollmentExpiryField", () => {
  it.each(["expires_at", "expiry_date"] as const)("%s: a PATCH takes the expiry under that name only, and says ok either way", async (field) => {
    portal = await start({ enrollmentExpiryField: field });
    const other = field === "expires_at" ? "expiry_date" : "expires_at";
    const ignored = await api(portal, "PATCH", "/enrollments/71", { body: { [other]: "2028-01-01" } });
    expect([ignored.status, ignored.json, portal.store.enrollments.get(71)?.expires_at]).toEqual([200, { success: "ok" }, "2027-12-31"]);
    const taken = await api(portal, "PATCH", "/enrollments/71", { body: { [field]: "2028-02-02" } });
    expect([taken.status, taken.json, portal.store.enrollments.get(71)?.expires_at]).toEqual([200, { success: "ok" }, "2028-02-02"]);
  });

  it.each(["expires_at", "expiry_date"] as const)("%s: a POST takes the expiry under that name only", async (field) => {
    portal = await start({ enrollmentExpiryField: field });
    const created = await api(portal, "POST", "/enrollments", {
      body: { Enrollment: { email: "alan@example.com", course_id: 5, expires_at: "2028-03-03", expiry_date: "2028-04-04" } },
    });
    expect(portal.store.enrollments.get(idOf(created))?.expires_at).toBe(field === "expires_at" ? "2028-03-03" : "2028-04-04");
  });
});

describe("groupMemberRows", () => {
  it("user (default): each row is the user", async () => {
    portal = await start();
    const rows = ((await api(portal, "GET", "/group_memberships?group_id=9")).json as { user: Record<string, unknown>[] }).user;
    expect([rows[0]?.id, rows[0]?.email, "user_id" in (rows[0] ?? {})]).toEqual([12, "alan@example.com", false]);
  });

  it("membership: `id` is the membership's, the user's id is in `user_id`", async () => {
    portal = await start({ groupMemberRows: "membership" });
    const rows = ((await api(portal, "GET", "/group_memberships?group_id=9")).json as { user: Record<string, unknown>[] }).user;
    expect([rows[0]?.id, rows[0]?.user_id, rows[0]?.group_id, rows[0]?.email]).toEqual([41, 12, 9, "alan@example.com"]);
  });
});

describe("searchMissStatus", () => {
  it.each([404, 200] as const)("%s: a user search miss answers that status with the error body", async (status) => {
    portal = await start({ searchMissStatus: status });
    const answer = await api(portal, "GET", "/users/search?email=nobody@example.com");
    expect([answer.status, answer.json]).toEqual([status, { response_type: "ERROR", response_code: 404, message: "User not found" }]);
  });
});

describe("processEnrollmentsStringFalseIsTruthy", () => {
  it.each([
    [false, "false", false],
    [false, false, false],
    [false, true, true],
    [true, "false", true],
    [true, false, false],
    [true, "true", true],
  ] as const)("switch %s: process_enrollments %j enrolls: %s", async (truthy, flag, enrolled) => {
    portal = await start({ processEnrollmentsStringFalseIsTruthy: truthy });
    const answer = await api(portal, "POST", "/group_memberships", { body: { GroupMembership: { group_id: 9, user_id: 13, process_enrollments: flag } } });
    expect(answer.status).toBe(200);
    expect(portal.store.list(portal.store.enrollments).some((e) => e.user_id === 13 && e.course_id === 5)).toBe(enrolled);
  });
});

describe("timezone_id", () => {
  it("is a time-zone name, kept and shown under version_id=1.2", async () => {
    portal = await start();
    const update = await api(portal, "PUT", "/users/11", { body: { User: { timezone_id: "Eastern Time (US & Canada)" } } });
    const read = (await api(portal, "GET", "/users/11?version_id=1.2")).json as { user: Record<string, unknown>[] };
    expect([update.status, read.user[0]?.timezone_id]).toEqual([200, "Eastern Time (US & Canada)"]);
  });

  it("refuses a number", async () => {
    portal = await start();
    const answer = await api(portal, "PUT", "/users/11", { body: { User: { timezone_id: 5 } } });
    expect([answer.status, answer.json]).toEqual([400, { message: "timezone_id must be a string" }]);
  });
});
