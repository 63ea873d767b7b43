/**
 * Groups, memberships, group courses and courses over real HTTP (§4.6, §4.10, §4.14, §4.18 to
 * §4.22), including the seed's own warning scenario: create, join a group, enrol again.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { FakePortal, SeedData } from "../../provider/fake-portal/index.js";
import { api, idOf, luHeaders, startTestPortal } from "./support.js";

const T = "2026-01-02T03:04:05Z";

let portal: FakePortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

const SEED: SeedData = {
  courses: [
    { id: 5, name: "Onboarding" },
    { id: 6, name: "Customer Care" },
    { id: 7, name: "Draft Course", published_status_id: "draft" },
  ],
  groups: [
    { id: 9, title: "Support", description: "Front line" },
    { id: 10, title: "Support Leads" },
  ],
  groupCourses: [
    { id: 15, group_id: 9, course_id: 5 },
    { id: 16, group_id: 9, course_id: 6 },
  ],
  users: [
    { id: 11, email: "ada@example.com" },
    { id: 12, email: "alan@example.com" },
    { id: 13, email: "grace@example.com", enabled: false },
  ],
};

type Row = Record<string, unknown>;

function join(target: FakePortal, fields: Record<string, unknown>) {
  return api(target, "POST", "/group_memberships", { body: { GroupMembership: fields } });
}

function enrollmentsOf(target: FakePortal, userId: number): [number, number | null, string][] {
  return [...target.store.enrollments.values()]
    .filter((enrollment) => enrollment.user_id === userId)
    .map((enrollment) => [enrollment.course_id, enrollment.group_id, enrollment.status]);
}

describe("joining a group (§4.19, §4.14)", () => {
  it("enrols the new member in every group course, marked with the group", async () => {
    portal = await startTestPortal({ seed: SEED });
    const answer = await join(portal, { group_id: 9, user_id: 11 });
    expect([answer.status, answer.json]).toEqual([200, { id: 500001 }]);
    expect(enrollmentsOf(portal, 11)).toEqual([
      [5, 9, "not_started"],
      [6, 9, "not_started"],
    ]);
  });

  it("leaves existing enrollments alone and raises no error for them", async () => {
    portal = await startTestPortal({ seed: { ...SEED, enrollments: [{ id: 70, user_id: 11, course_id: 5, status: "completed" }] } });
    const answer = await join(portal, { group_id: 9, user_id: 11 });
    expect(answer.status).toBe(200);
    expect(enrollmentsOf(portal, 11)).toEqual([
      [5, null, "completed"],
      [6, 9, "not_started"],
    ]);
  });

  it("gives a disabled user no group enrollments unless switched", async () => {
    portal = await startTestPortal({ seed: SEED });
    await join(portal, { group_id: 9, user_id: 13 });
    const skipped = enrollmentsOf(portal, 13);
    portal.options.groupEnrollmentSkipsDisabledUsers = false;
    await join(portal, { group_id: 10, user_id: 13 });
    await api(portal, "POST", "/group_courses", { body: { GroupCourse: { group_id: "10", course_id: "5" } } });

    expect(skipped).toEqual([]);
    expect(portal.store.findMembership(9, 13)).toBeDefined();
    expect(enrollmentsOf(portal, 13)).toEqual([[5, 10, "not_started"]]);
  });

  it("does not enrol with process_enrollments \"false\"", async () => {
    portal = await startTestPortal({ seed: SEED });
    await join(portal, { group_id: 9, user_id: 11, process_enrollments: "false" });
    expect(enrollmentsOf(portal, 11)).toEqual([]);
  });

  it("refuses a duplicate membership with 422, or answers the existing id when silent", async () => {
    portal = await startTestPortal({ seed: SEED });
    const first = await join(portal, { group_id: 9, user_id: 11 });
    const duplicate = await join(portal, { group_id: 9, user_id: 11 });
    portal.options.duplicateMembership = "silent";
    const silent = await join(portal, { group_id: 9, user_id: 11 });

    expect([duplicate.status, duplicate.json]).toEqual([422, { message: "User is already a member of this group" }]);
    expect([silent.status, silent.json]).toEqual([200, { id: idOf(first) }]);
    expect(portal.store.memberships.size).toBe(1);
  });

  it("answers 404 for an unknown group or user, and the wrapper status without the wrapper", async () => {
    portal = await startTestPortal({ seed: SEED });
    const answers = [
      await join(portal, { group_id: 99, user_id: 11 }),
      await join(portal, { group_id: 9, user_id: 99 }),
      await api(portal, "POST", "/group_memberships", { body: { group_id: 9, user_id: 11 } }),
    ];
    expect(answers.map((answer) => [answer.status, answer.json])).toEqual([
      [404, { message: "Group not found" }],
      [404, { message: "User not found" }],
      [404, { message: "Invalid group membership parameters provided" }],
    ]);
  });
});

describe("listing memberships (§4.6)", () => {
  const seed: SeedData = {
    ...SEED,
    memberships: [
      { id: 41, group_id: 9, user_id: 11 },
      { id: 42, group_id: 9, user_id: 12 },
      { id: 43, group_id: 10, user_id: 11 },
    ],
  };

  it("lists a group's members as users, with group_membership_id under version_id=1.1", async () => {
    portal = await startTestPortal({ seed, options: { pageSize: 1 } });
    const plain = await api(portal, "GET", "/group_memberships?group_id=9");
    const versioned = await api(portal, "GET", "/group_memberships?group_id=9&version_id=1.1&page=2");

    const plainRows = (plain.json as { user: Row[] }).user;
    const versionedRows = (versioned.json as { user: Row[] }).user;
    expect(Object.keys(plain.json as object)).toEqual(["user"]);
    expect([plainRows[0]?.id, plainRows[0]?.email, "group_membership_id" in (plainRows[0] ?? {})]).toEqual([11, "ada@example.com", false]);
    expect(luHeaders(plain)["lu-has-next-page"]).toBe("true");
    expect([versionedRows[0]?.id, versionedRows[0]?.group_membership_id]).toEqual([12, 42]);
    expect(luHeaders(versioned)["lu-has-next-page"]).toBe("false");
  });

  it("lists a user's groups under `group`", async () => {
    portal = await startTestPortal({ seed });
    const answer = await api(portal, "GET", "/group_memberships?user_id=11");
    expect(answer.json).toEqual({
      group: [
        { id: 9, title: "Support", description: "Front line", created_at: T, updated_at: T, number_of_members: 2 },
        { id: 10, title: "Support Leads", description: "", created_at: T, updated_at: T, number_of_members: 1 },
      ],
    });
  });
});

describe("leaving a group (§4.19)", () => {
  it("removes a membership by id and keeps the enrollments it gave", async () => {
    portal = await startTestPortal({ seed: SEED });
    const membershipId = idOf(await join(portal, { group_id: 9, user_id: 11 }));
    const answer = await api(portal, "DELETE", `/group_memberships/${membershipId}`);
    const again = await api(portal, "DELETE", `/group_memberships/${membershipId}`);

    expect([answer.status, answer.json]).toEqual([200, { success: "ok" }]);
    expect([again.status, again.json]).toEqual([404, { message: "Group membership not found" }]);
    expect(enrollmentsOf(portal, 11)).toHaveLength(2);
  });

  it("removes by pair through /0 and, with process_unenrollments, the group's unstarted enrollments", async () => {
    portal = await startTestPortal({
      seed: {
        ...SEED,
        memberships: [{ id: 41, group_id: 9, user_id: 11 }],
        enrollments: [
          { id: 71, user_id: 11, course_id: 5, group_id: 9, status: "in_progress" },
          { id: 72, user_id: 11, course_id: 6, group_id: 9, status: "completed" },
          { id: 73, user_id: 11, course_id: 7 },
        ],
      },
    });
    const answer = await api(portal, "DELETE", "/group_memberships/0", {
      body: { GroupMembership: { group_id: 9, user_id: 11 }, process_unenrollments: "true" },
    });

    expect([answer.status, answer.json]).toEqual([200, { success: "ok" }]);
    expect(portal.store.memberships.size).toBe(0);
    expect([...portal.store.enrollments.keys()]).toEqual([72, 73]);
  });
});

describe("groups and group courses (§4.20, §4.21)", () => {
  it("matches ?title= exactly, or as a substring when switched", async () => {
    portal = await startTestPortal({ seed: SEED });
    const exact = await api(portal, "GET", "/groups?title=Support");
    portal.options.groupTitleMatch = "partial";
    const partial = await api(portal, "GET", "/groups?title=support");
    const titles = (answer: { json: unknown }) => (answer.json as { groups: { title: string }[] }).groups.map((g) => g.title);

    expect(titles(exact)).toEqual(["Support"]);
    expect(titles(partial)).toEqual(["Support", "Support Leads"]);
  });

  it("creates a group with a unique title and keeps number_of_members accurate", async () => {
    portal = await startTestPortal({ seed: SEED });
    const created = await api(portal, "POST", "/groups", { body: { Group: { title: "Engineering" } } });
    const duplicate = await api(portal, "POST", "/groups", { body: { Group: { title: "Support" } } });
    await join(portal, { group_id: idOf(created), user_id: 11 });
    const listed = await api(portal, "GET", "/groups?title=Engineering");

    expect([created.status, created.json]).toEqual([200, { id: 300001 }]);
    expect([duplicate.status, duplicate.json]).toEqual([422, { message: "Title has already been taken" }]);
    expect((listed.json as { groups: Row[] }).groups[0]?.number_of_members).toBe(1);
  });

  it("enrols current enabled members when a course joins the group", async () => {
    portal = await startTestPortal({ seed: { ...SEED, memberships: [{ group_id: 10, user_id: 11 }, { group_id: 10, user_id: 13 }] } });
    const answer = await api(portal, "POST", "/group_courses", {
      body: { GroupCourse: { group_id: "10", course_id: "6" }, re_enroll_completed: "true" },
    });
    const listed = await api(portal, "GET", "/group_courses?group_id=10");

    expect([answer.status, answer.json]).toEqual([200, { id: 400001 }]);
    expect(enrollmentsOf(portal, 11)).toEqual([[6, 10, "not_started"]]);
    expect(enrollmentsOf(portal, 13)).toEqual([]);
    expect(listed.json).toEqual({ group_courses: [{ id: 400001, group_id: 10, course_id: 6, course_name: "Customer Care", created_at: T }] });
  });

  it("removes a group course, and with delete_enrollments its unstarted enrollments only", async () => {
    portal = await startTestPortal({
      seed: {
        ...SEED,
        enrollments: [
          { id: 71, user_id: 11, course_id: 5, group_id: 9 },
          { id: 72, user_id: 12, course_id: 5, group_id: 9, status: "passed" },
        ],
      },
    });
    const answer = await api(portal, "DELETE", "/group_courses/15", { body: { delete_enrollments: "true" } });
    expect([answer.status, [...portal.store.groupCourses.keys()], [...portal.store.enrollments.keys()]]).toEqual([200, [16], [72]]);
  });

  it("deletes a group but not its users, and its unstarted enrollments only when asked", async () => {
    portal = await startTestPortal({
      seed: {
        ...SEED,
        memberships: [{ group_id: 9, user_id: 11 }],
        enrollments: [
          { id: 71, user_id: 11, course_id: 5, group_id: 9 },
          { id: 72, user_id: 11, course_id: 6, group_id: 9, status: "completed" },
        ],
      },
    });
    const answer = await api(portal, "DELETE", "/groups/9", { body: { delete_enrollments: "true" } });
    expect(answer.status).toBe(200);
    expect([portal.store.groups.has(9), portal.store.users.has(11), portal.store.memberships.size]).toEqual([false, true, 0]);
    expect([...portal.store.enrollments.keys()]).toEqual([72]);
  });

  it("lists group invites under the singular `group_invite`", async () => {
    portal = await startTestPortal({ seed: SEED });
    await api(portal, "POST", "/group_invites", { body: { GroupInvite: { email_addresses: "x@example.com", group_id: 9 } } });
    const answer = await api(portal, "GET", "/group_invites?group_id=9");
    expect(answer.json).toEqual({
      group_invite: [
        {
          id: 800001,
          invite_status: "sent",
          invite_email_address: "x@example.com",
          accept_url: "/invites/800001/accept",
          group_id: 9,
          group_membership_type_id: 1,
          created_at: T,
        },
      ],
    });
    // Invitees are not users.
    expect((await api(portal, "GET", "/users/search?email=x%40example.com")).status).toBe(404);
  });
});

describe("the seed's warning scenario (§4.22)", () => {
  it("create user, join a group with a course, then enrol in that course: a duplicate", async () => {
    portal = await startTestPortal({ seed: SEED });

    const created = await api(portal, "POST", "/users", { body: { User: { email: "joan@example.com", password: "secret1" } } });
    const joined = await join(portal, { group_id: 9, user_id: idOf(created) });
    const enrolled = await api(portal, "POST", "/enrollments", { body: { Enrollment: { email: "joan@example.com", course_id: 5 } } });

    expect([created.status, joined.status]).toEqual([200, 200]);
    expect([enrolled.status, enrolled.json]).toEqual([422, { message: "User is already enrolled in this course" }]);
    expect(enrollmentsOf(portal, idOf(created))).toEqual([
      [5, 9, "not_started"],
      [6, 9, "not_started"],
    ]);
  });
});

describe("courses (§4.10, §4.18)", () => {
  const names = (answer: { json: unknown }) => (answer.json as { courses: { name: string }[] }).courses.map((c) => c.name);

  it("lists published courses only, filtered by course_id or a case-insensitive name pattern", async () => {
    portal = await startTestPortal({ seed: SEED });
    expect(names(await api(portal, "GET", "/courses"))).toEqual(["Onboarding", "Customer Care"]);
    expect(names(await api(portal, "GET", "/courses?course_id=6"))).toEqual(["Customer Care"]);
    expect(names(await api(portal, "GET", "/courses?course_id=7"))).toEqual([]);
    expect(names(await api(portal, "GET", "/courses?name=CARE"))).toEqual(["Customer Care"]);
  });

  it("ignores ?id= and ?reference_code=", async () => {
    portal = await startTestPortal({ seed: SEED });
    expect(names(await api(portal, "GET", "/courses?id=6"))).toEqual(["Onboarding", "Customer Care"]);
    expect(names(await api(portal, "GET", "/courses?reference_code=CC-1"))).toEqual(["Onboarding", "Customer Care"]);
  });

  it("leaves num_enrolled stale unless switched", async () => {
    portal = await startTestPortal({ seed: { ...SEED, enrollments: [{ user_id: 11, course_id: 5 }, { user_id: 12, course_id: 5, status: "passed" }] } });
    const course = async () => (await api(portal!, "GET", "/courses?course_id=5")).json as { courses: Row[] };
    const stale = (await course()).courses[0];
    portal.options.courseCountersStale = false;
    const counted = (await course()).courses[0];

    expect([stale?.num_enrolled, stale?.num_passed]).toEqual([0, 0]);
    expect([counted?.num_enrolled, counted?.num_not_started, counted?.num_passed]).toEqual([2, 1, 1]);
  });
});
