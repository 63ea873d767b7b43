/**
 * The LearnUpon backend of the LMS seam against the fake portal over real HTTP: the field table
 * both ways, text ids, and the exact requests each method makes (the portal's transcript), which
 * must be those of the wire client the resources called before the seam.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AmbiguousNameError, collect } from "../../provider/client/index.js";
import type { SeedData } from "../../provider/fake-portal/index.js";
import { learnUponLms } from "../../provider/lms/learnupon/client.js";
import { lmsEnrollmentOf, lmsUserOf, USER_FIELDS } from "../../provider/lms/learnupon/fields.js";
import type { LmsClient, LmsUser } from "../../provider/lms/model.js";
import { startPortalWithClient, type PortalWithClient } from "../client/portal-client.js";

const SEED: SeedData = {
  customFields: [{ label: "Department" }, { label: "Cost centre" }, { label: "Team" }],
  courses: [
    { id: 201, name: "Onboarding" },
    { id: 202, name: "Security Basics" },
    { id: 203, name: "Draft Course", published_status_id: "draft" },
    { id: 204, name: "Compliance" },
    { id: 205, name: "Compliance" },
  ],
  groups: [
    { id: 301, title: "Sales" },
    { id: 302, title: "Sales EMEA" },
  ],
  users: [
    {
      id: 101,
      email: "Ada@Example.com",
      first_name: "Ada",
      last_name: "Lovelace",
      user_type: "admin",
      locale: "fr",
      CustomData: { Department: "R&D", "Cost centre": 4711, Team: null },
    },
    { id: 102, email: "grace@example.com", first_name: "Grace", last_name: "Hopper", enabled: false },
    { id: 103, username: "linus", first_name: "Linus", last_name: "Torvalds" },
  ],
  memberships: [{ group_id: 301, user_id: 101 }],
  enrollments: [
    { id: 601, user_id: 101, course_id: 201, status: "in_progress", due_date: "2026-12-01", expires_at: "2027-01-31" },
    { id: 602, user_id: 102, course_id: 201, status: "completed" },
  ],
};

const ADA: LmsUser = {
  id: "101",
  email: "Ada@Example.com",
  firstName: "Ada",
  lastName: "Lovelace",
  userType: "admin",
  enabled: true,
  language: "fr",
  customData: { Department: "R&D", "Cost centre": "4711" },
};

let t: PortalWithClient;
let lms: LmsClient;
beforeEach(async () => {
  t = await startPortalWithClient({ seed: SEED });
  lms = learnUponLms(t.client);
});
afterEach(async () => {
  await t.close();
});

/** The bodies of the portal's writes, with their method and path. */
const writes = () => t.portal.log.writes().map((e) => [`${e.method} ${e.path}`, e.body]);

describe("the field table", () => {
  it("names each plain field once, on both sides", () => {
    expect(USER_FIELDS.map((row) => row.domain)).toEqual(["email", "firstName", "lastName", "username", "userType", "enabled", "language"]);
    expect(new Set(USER_FIELDS.map((row) => row.wire)).size).toBe(USER_FIELDS.length);
  });

  it("reads a wire user's nulls as the seam's defaults", () => {
    const wire = { id: 7, email: null, username: null, first_name: null, last_name: null, user_type: null, enabled: null, locale: null, CustomData: null };
    expect(lmsUserOf(wire)).toEqual({ id: "7", firstName: "", lastName: "", enabled: true, customData: {} });
  });

  it("reads an enrollment's missing status and progress as not started, at 0", () => {
    expect(lmsEnrollmentOf({ id: 1, user_id: 2, course_id: 3, status: null, percentage_complete: null, due_date: "2026-05-04 00:00:00.000+02:00" })).toEqual({
      id: "1",
      userId: "2",
      courseId: "3",
      status: "not_started",
      progress: 0,
      dueDate: "2026-05-04",
    });
  });
});

describe("users", () => {
  it("list reads every user, deactivated and username-only ones too, with locale as language and CustomData as text", async () => {
    const users = await collect(lms.users.list());
    expect(users).toEqual([
      ADA,
      { id: "102", email: "grace@example.com", firstName: "Grace", lastName: "Hopper", userType: "learner", enabled: false, language: "en", customData: {} },
      { id: "103", username: "linus", firstName: "Linus", lastName: "Torvalds", userType: "learner", enabled: true, language: "en", customData: {} },
    ]);
    expect(t.transcript()).toEqual(["GET /api/v1/users?page=1 200"]);
  });

  it("findByEmail ignores case and finds deactivated users", async () => {
    expect(await lms.users.findByEmail("ADA@example.COM")).toEqual(ADA);
    expect(await lms.users.findByEmail("grace@example.com")).toMatchObject({ id: "102", enabled: false });
    expect(await lms.users.findByEmail("nobody@example.com")).toBeUndefined();
    expect(t.transcript()).toEqual([
      "GET /api/v1/users/search?email=ADA%40example.COM 200",
      "GET /api/v1/users/search?email=grace%40example.com 200",
      "GET /api/v1/users/search?email=nobody%40example.com 404",
    ]);
  });

  it("create POSTs the wire names, the language as language, and returns the id as text", async () => {
    const id = await lms.users.create({
      email: "sam@example.com",
      firstName: "Sam",
      lastName: "Smith",
      userType: "learner",
      language: "de",
      customData: { Department: "Ops" },
      password: "secret1",
    });
    expect(id).toMatch(/^\d+$/);
    expect(writes()).toEqual([
      [
        "POST /api/v1/users",
        {
          User: {
            email: "sam@example.com",
            first_name: "Sam",
            last_name: "Smith",
            user_type: "learner",
            language: "de",
            CustomData: { Department: "Ops" },
            password: "[REDACTED]",
          },
        },
      ],
    ]);
    expect(await lms.users.findByEmail("sam@example.com")).toEqual({
      id,
      email: "sam@example.com",
      firstName: "Sam",
      lastName: "Smith",
      userType: "learner",
      enabled: true,
      language: "de",
      customData: { Department: "Ops" },
    });
  });

  it("update sends a rename as new_email in one PUT and answers the user as the portal then reads them", async () => {
    const changes = { email: "ada.king@example.com", lastName: "King", language: "en", customData: { Department: "Ops" } };
    const updated = await lms.users.update(ADA, changes);
    expect(t.transcript()).toEqual(["PUT /api/v1/users/101 200"]);
    expect(writes()).toEqual([
      ["PUT /api/v1/users/101", { User: { new_email: "ada.king@example.com", last_name: "King", language: "en", CustomData: { Department: "Ops" } } }],
    ]);
    // CustomData merges by label: the cost centre is kept.
    expect(updated).toEqual({ ...ADA, email: "ada.king@example.com", lastName: "King", language: "en", customData: { Department: "Ops", "Cost centre": "4711" } });
    expect(await lms.users.findByEmail("ada.king@example.com")).toEqual(updated);
  });

  it("update deactivates with enabled alone, and sends nothing when nothing changes", async () => {
    expect(await lms.users.update(ADA, { enabled: false })).toEqual({ ...ADA, enabled: false });
    expect(await lms.users.update(ADA, {})).toEqual(ADA);
    expect(writes()).toEqual([["PUT /api/v1/users/101", { User: { enabled: false } }]]);
    expect(t.portal.store.users.get(101)?.enabled).toBe(false);
  });

  it("delete is true, then false once the user is gone", async () => {
    expect(await lms.users.delete("102")).toBe(true);
    expect(await lms.users.delete("102")).toBe(false);
    expect(t.transcript()).toEqual(["DELETE /api/v1/users/102 200", "DELETE /api/v1/users/102 404"]);
  });

  it("customFieldLabels reads the definitions from the first page of users", async () => {
    expect(await lms.users.customFieldLabels()).toEqual(["Department", "Cost centre", "Team"]);
    expect(t.transcript()).toEqual(["GET /api/v1/users?page=1 200"]);
  });

  it("refuses an id that is not a LearnUpon id before any request", async () => {
    await expect(lms.users.delete("ada")).rejects.toThrow('user id must be a LearnUpon id (a positive integer), got "ada"');
    await expect(lms.users.update({ ...ADA, id: "" }, { enabled: false })).rejects.toThrow(TypeError);
    expect(t.transcript()).toEqual([]);
  });
});

describe("memberships", () => {
  it("listByGroup gives the members' ids as text; isMember asks the portal", async () => {
    expect(await collect(lms.memberships.listByGroup("301"))).toEqual(["101"]);
    expect(await lms.memberships.isMember("301", "101")).toBe(true);
    expect(await lms.memberships.isMember("302", "101")).toBe(false);
    expect(t.transcript()).toEqual([
      "GET /api/v1/group_memberships?group_id=301&page=1 200",
      "GET /api/v1/group_memberships?user_id=101&page=1 200",
      "GET /api/v1/group_memberships?user_id=101&page=1 200",
    ]);
  });

  it("add POSTs the pair and takes already a member as done; remove DELETEs it and takes gone as done", async () => {
    await lms.memberships.add({ groupId: "302", userId: "102", processEnrollments: false });
    await lms.memberships.add({ groupId: "302", userId: "102", processEnrollments: false });
    await lms.memberships.remove({ groupId: "302", userId: "102" });
    await lms.memberships.remove({ groupId: "302", userId: "102" });
    const pair = { GroupMembership: { group_id: 302, user_id: 102 } };
    expect(t.transcript()).toEqual([
      "POST /api/v1/group_memberships 200",
      "POST /api/v1/group_memberships 422",
      "DELETE /api/v1/group_memberships/0 200",
      "DELETE /api/v1/group_memberships/0 404",
    ]);
    expect(writes()).toEqual([
      ["POST /api/v1/group_memberships", { GroupMembership: { ...pair.GroupMembership, process_enrollments: false } }],
      ["POST /api/v1/group_memberships", { GroupMembership: { ...pair.GroupMembership, process_enrollments: false } }],
      ["DELETE /api/v1/group_memberships/0", pair],
      ["DELETE /api/v1/group_memberships/0", pair],
    ]);
  });
});

describe("enrollments", () => {
  it("listByCourse reads ids as text and the portal's date-times as days", async () => {
    expect(await collect(lms.enrollments.listByCourse("201"))).toEqual([
      { id: "601", userId: "101", courseId: "201", status: "in_progress", progress: 0, dueDate: "2026-12-01", expiresAt: "2027-01-31" },
      { id: "602", userId: "102", courseId: "201", status: "completed", progress: 100 },
    ]);
    expect(t.portal.log.entries()[0]?.path).toBe("/api/v1/enrollments/search?course_id=201&page=1");
  });

  it("find searches the user's enrollments for the course", async () => {
    expect(await lms.enrollments.find("101", "201")).toMatchObject({ id: "601", dueDate: "2026-12-01" });
    expect(await lms.enrollments.find("101", "202")).toBeUndefined();
    expect(t.transcript()).toEqual(["GET /api/v1/enrollments/search?user_id=101&page=1 200", "GET /api/v1/enrollments/search?user_id=101&page=1 200"]);
  });

  it("create enrolls by email and answers the new enrollment as the portal then reads it", async () => {
    const grace = await lms.users.findByEmail("grace@example.com");
    t.portal.log.clear();
    const result = await lms.enrollments.create({ user: grace as LmsUser, courseId: "202", dueDate: "2026-12-01" });
    expect(result).toEqual({
      created: true,
      enrollment: { id: expect.stringMatching(/^\d+$/), userId: "102", courseId: "202", status: "not_started", progress: 0, dueDate: "2026-12-01" },
    });
    // The POST, then the read-back that checks the portal took the due date.
    expect(t.transcript()).toEqual(["POST /api/v1/enrollments 200", `GET /api/v1/enrollments/${result.enrollment.id} 200`]);
    expect(writes()).toEqual([["POST /api/v1/enrollments", { Enrollment: { email: "grace@example.com", course_id: 202, due_date: "2026-12-01" } }]]);
    expect(await lms.enrollments.find("102", "202")).toEqual(result.enrollment);
  });

  it("create names a user without an email by id", async () => {
    const linus: LmsUser = { id: "103", username: "linus", firstName: "Linus", lastName: "Torvalds", enabled: true, customData: {} };
    const result = await lms.enrollments.create({ user: linus, courseId: "202" });
    expect(result).toMatchObject({ created: true, enrollment: { userId: "103", courseId: "202" } });
    expect(writes()).toEqual([["POST /api/v1/enrollments", { Enrollment: { user_id: 103, course_id: 202 } }]]);
  });

  it("create finds the enrollment a user already has", async () => {
    const result = await lms.enrollments.create({ user: ADA, courseId: "201" });
    expect(result).toEqual({
      created: false,
      enrollment: { id: "601", userId: "101", courseId: "201", status: "in_progress", progress: 0, dueDate: "2026-12-01", expiresAt: "2027-01-31" },
    });
    expect(t.transcript()).toEqual(["POST /api/v1/enrollments 422", "GET /api/v1/enrollments/search?email=Ada%40Example.com&page=1 200"]);
  });

  it("updateDates PATCHes the dates and checks the portal shows them", async () => {
    await lms.enrollments.updateDates("601", { dueDate: "2027-03-01" });
    expect(t.transcript()).toEqual(["PATCH /api/v1/enrollments/601 200", "GET /api/v1/enrollments/601 200"]);
    expect(writes()).toEqual([["PATCH /api/v1/enrollments/601", { due_date: "2027-03-01" }]]);
    expect(await lms.enrollments.find("101", "201")).toMatchObject({ dueDate: "2027-03-01", expiresAt: "2027-01-31" });
  });

  it("delete removes a finished enrollment from the history only when asked", async () => {
    expect(await lms.enrollments.delete("602", { removeHistory: false })).toBe(true); // LearnUpon keeps it
    expect(t.portal.store.enrollments.has(602)).toBe(true);
    expect(await lms.enrollments.delete("602", { removeHistory: true })).toBe(true);
    expect(t.portal.store.enrollments.has(602)).toBe(false);
    expect(await lms.enrollments.delete("602", { removeHistory: true })).toBe(false);
    expect(t.portal.log.entries().map((e) => [`${e.method} ${e.path} ${e.status}`, e.body])).toEqual([
      ["DELETE /api/v1/enrollments/602 200", undefined],
      ["DELETE /api/v1/enrollments/602 200", { remove_from_history: "true" }],
      ["DELETE /api/v1/enrollments/602 404", { remove_from_history: "true" }],
    ]);
  });
});

describe("catalog", () => {
  it("groupByTitle finds the group with exactly the title, its id as text", async () => {
    expect(await lms.catalog.groupByTitle("Sales")).toEqual({ id: "301", title: "Sales" });
    expect(await lms.catalog.groupByTitle("Marketing")).toBeUndefined();
    expect(t.transcript()).toEqual(["GET /api/v1/groups?title=Sales&page=1 200", "GET /api/v1/groups?title=Marketing&page=1 200"]);
  });

  it("courseByName finds the published course with exactly the name, and refuses to pick between two", async () => {
    expect(await lms.catalog.courseByName("Onboarding")).toEqual({ id: "201", name: "Onboarding" });
    expect(await lms.catalog.courseByName("Draft Course")).toBeUndefined();
    const shared = lms.catalog.courseByName("Compliance");
    await expect(shared).rejects.toBeInstanceOf(AmbiguousNameError);
    await expect(shared).rejects.toThrow('2 published LearnUpon courses are named "Compliance" (ids 204, 205)');
  });
});

describe("the client", () => {
  it("gives the wire client's API base URL", () => {
    expect(lms.apiBaseUrl).toBe(t.portal.apiUrl);
  });

  it("keeps ids in state as the numbers earlier versions wrote", () => {
    expect(lms.stateId("101")).toBe(101);
    expect(() => lms.stateId("x")).toThrow('id must be a LearnUpon id (a positive integer), got "x"');
  });
});
