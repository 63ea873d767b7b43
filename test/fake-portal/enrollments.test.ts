/**
 * Enrollments over real HTTP: create (§4.16), search and one-element reads (§4.6), the unwrapped
 * PATCH and its silent 200s (§4.4) and the delete rules with the string flag (§4.5, §4.17).
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
    { id: 6, name: "Security Awareness" },
    { id: 7, name: "Draft Course", published_status_id: "draft" },
    { id: 8, name: "Empty Course", number_of_modules: 0 },
  ],
  groups: [{ id: 9, title: "Sales" }],
  users: [
    { id: 11, email: "ada@example.com", first_name: "Ada", last_name: "Lovelace" },
    { id: 12, email: "alan@example.com", username: "aturing" },
  ],
};

type Enrollments = { enrollments: Record<string, unknown>[] };

function enroll(target: FakePortal, fields: Record<string, unknown>) {
  return api(target, "POST", "/enrollments", { body: { Enrollment: fields } });
}

describe("create (§4.16)", () => {
  it("enrols by email without regard to case and answers id, created_at and user_id", async () => {
    portal = await startTestPortal({ seed: SEED, options: { enrollmentDates: "date" } });
    const answer = await enroll(portal, { email: "ADA@example.com", course_id: 5, due_date: "2026-12-01", created_at: "2020-01-01T00:00:00Z" });
    const read = await api(portal, "GET", `/enrollments/${idOf(answer)}`);

    expect([answer.status, answer.json]).toEqual([200, { id: 600001, created_at: T, user_id: 11 }]);
    expect(read.json).toEqual({
      enrollments: [
        {
          id: 600001,
          user_id: 11,
          first_name: "Ada",
          last_name: "Lovelace",
          email: "ada@example.com",
          username: null,
          group_id: null,
          course_id: 5,
          course_name: "Onboarding",
          course_source_id: 5,
          version: 1,
          status: "not_started",
          percentage: null,
          percentage_complete: 0,
          date_enrolled: T,
          date_started: null,
          date_completed: null,
          date_lastaccessed: null,
          updated_at: T,
          due_date: "2026-12-01",
          is_overdue: false,
          course_access_expires_at: null,
          unenrolled: false,
        },
      ],
    });
  });

  it("resolves the user by username or user_id and the course by exact name", async () => {
    portal = await startTestPortal({ seed: SEED });
    const byUsername = await enroll(portal, { username: "aturing", course_name: "Onboarding" });
    const byUserId = await enroll(portal, { user_id: 11, course_name: "Security Awareness" });
    portal.options.acceptEnrollmentUserId = false;
    const userIdRefused = await enroll(portal, { user_id: 11, course_id: 5 });

    expect([byUsername.status, (byUsername.json as { user_id: number }).user_id]).toEqual([200, 12]);
    expect([byUserId.status, (byUserId.json as { user_id: number }).user_id]).toEqual([200, 11]);
    expect([userIdRefused.status, userIdRefused.json]).toEqual([400, { message: "An email or username is required" }]);
  });

  it("answers unknown users, unknown courses and a missing wrapper with a message", async () => {
    portal = await startTestPortal({ seed: SEED });
    const answers = await Promise.all([
      enroll(portal, { email: "nobody@example.com", course_id: 5 }),
      enroll(portal, { email: "ada@example.com", course_id: 99 }),
      enroll(portal, { email: "ada@example.com", course_name: "onboarding" }),
      api(portal, "POST", "/enrollments", { body: { email: "ada@example.com", course_id: 5 } }),
    ]);
    expect(answers.map((answer) => [answer.status, answer.json])).toEqual([
      [404, { message: "User not found" }],
      [404, { message: "Course not found" }],
      [404, { message: "Course not found" }],
      [404, { message: "Invalid enrollment parameters provided" }],
    ]);
  });

  it("refuses a date that is not in the calendar, as the real portal does, and enrols nobody", async () => {
    // The portal that takes its expiry as expires_at: the other ignores that key.
    portal = await startTestPortal({ seed: SEED, options: { enrollmentExpiryField: "expires_at" } });
    const answers = await Promise.all([
      enroll(portal, { email: "ada@example.com", course_id: 5, due_date: "2027-13-45" }),
      enroll(portal, { email: "ada@example.com", course_id: 6, expires_at: "2027-02-29" }),
    ]);

    expect(answers.map((answer) => [answer.status, answer.json])).toEqual([
      [400, { message: "due_date must be a date in YYYY-MM-DD format" }],
      [400, { message: "expires_at must be a date in YYYY-MM-DD format" }],
    ]);
    expect(portal.store.enrollments.size).toBe(0);
  });

  it("answers 400 'internal error' for draft and module-less courses unless switched", async () => {
    portal = await startTestPortal({ seed: SEED });
    const draft = await enroll(portal, { email: "ada@example.com", course_id: 7 });
    const empty = await enroll(portal, { email: "ada@example.com", course_id: 8 });
    portal.options.rejectUnenrollableCourses = false;
    const allowed = await enroll(portal, { email: "ada@example.com", course_id: 7 });

    expect([draft.status, draft.json]).toEqual([400, { message: "internal error, please try again" }]);
    expect([empty.status, empty.json]).toEqual([400, { message: "internal error, please try again" }]);
    expect(allowed.status).toBe(200);
  });

  it("refuses a duplicate with 422 and re-enrols a completed one only when asked", async () => {
    portal = await startTestPortal({
      seed: { ...SEED, enrollments: [{ id: 70, user_id: 12, course_id: 6, status: "completed" }] },
    });
    await enroll(portal, { email: "ada@example.com", course_id: 5 });
    const duplicate = await enroll(portal, { email: "ada@example.com", course_id: 5 });
    const completedNoFlag = await enroll(portal, { email: "alan@example.com", course_id: 6 });
    const completedReEnrolled = await enroll(portal, { email: "alan@example.com", course_id: 6, re_enroll_if_completed: true });
    const afterReEnrolment = await enroll(portal, { email: "alan@example.com", course_id: 6, re_enroll_if_completed: true });

    expect([duplicate.status, duplicate.json]).toEqual([422, { message: "User is already enrolled in this course" }]);
    expect(completedNoFlag.status).toBe(422);
    expect(completedReEnrolled.status).toBe(200);
    // The new enrollment is not completed, so a third attempt is a duplicate again.
    expect(afterReEnrolment.status).toBe(422);
    const statuses = [...portal.store.enrollments.values()].filter((e) => e.user_id === 12).map((e) => e.status);
    expect(statuses).toEqual(["completed", "not_started"]);
  });
});

describe("reads (§4.6, §4.8, §4.10)", () => {
  const seed: SeedData = {
    ...SEED,
    enrollments: [
      { id: 71, user_id: 11, course_id: 5, group_id: 9 },
      { id: 72, user_id: 11, course_id: 6 },
      { id: 73, user_id: 12, course_id: 5 },
    ],
  };
  const ids = (answer: { json: unknown }) => (answer.json as Enrollments).enrollments.map((e) => e.id);

  it("searches by user_id, email, username, course_id and course_name", async () => {
    portal = await startTestPortal({ seed });
    const results = await Promise.all(
      ["user_id=11", "email=ADA%40example.com", "username=aturing", "course_id=5", "course_name=Security%20Awareness"].map(
        (query) => api(portal!, "GET", `/enrollments/search?${query}`),
      ),
    );
    expect(Object.keys(results[0]?.json as object)).toEqual(["enrollments"]);
    expect(results.map(ids)).toEqual([[71, 72], [71, 72], [73], [71, 73], [72]]);
  });

  it("ignores the undocumented group_id filter", async () => {
    portal = await startTestPortal({ seed });
    expect(ids(await api(portal, "GET", "/enrollments/search?course_id=5&group_id=9"))).toEqual([71, 73]);
  });

  it("pages search results", async () => {
    portal = await startTestPortal({ seed, options: { pageSize: 2 } });
    const first = await api(portal, "GET", "/enrollments/search?course_id=5&page=1");
    const second = await api(portal, "GET", "/enrollments/search?user_id=11&page=2");
    expect([ids(first), luHeaders(first)["lu-has-next-page"]]).toEqual([[71, 73], "false"]);
    expect([ids(second), luHeaders(second)["lu-current-page"]]).toEqual([[], "2"]);
  });

  it("answers an unknown enrollment id with 404", async () => {
    portal = await startTestPortal({ seed });
    const answer = await api(portal, "GET", "/enrollments/999");
    expect([answer.status, answer.json]).toEqual([404, { message: "Enrollment not found" }]);
  });
});

describe("PATCH (§4.4)", () => {
  const seed: SeedData = { ...SEED, enrollments: [{ id: 71, user_id: 11, course_id: 5 }] };

  it("changes due_date and expires_at from an unwrapped body", async () => {
    portal = await startTestPortal({ seed, options: { enrollmentDates: "date", enrollmentExpiryField: "expires_at" } });
    const answer = await api(portal, "PATCH", "/enrollments/71", { body: { due_date: "2026-12-01", expires_at: "2027-04-11" } });
    const read = (await api(portal, "GET", "/enrollments/71")).json as Enrollments;

    expect([answer.status, answer.json]).toEqual([200, { success: "ok" }]);
    expect([read.enrollments[0]?.due_date, read.enrollments[0]?.course_access_expires_at]).toEqual(["2026-12-01", "2027-04-11"]);
  });

  it("refuses a date that is not in the calendar and changes nothing", async () => {
    portal = await startTestPortal({ seed });
    const answer = await api(portal, "PATCH", "/enrollments/71", { body: { due_date: "2027-04-31" } });

    expect([answer.status, answer.json]).toEqual([400, { message: "due_date must be a date in YYYY-MM-DD format" }]);
    expect(portal.store.enrollments.get(71)?.due_date).toBeNull();
  });

  it("answers a wrapped body, status and percentage with 200 and changes nothing", async () => {
    portal = await startTestPortal({ seed });
    const wrapped = await api(portal, "PATCH", "/enrollments/71", { body: { Enrollment: { due_date: "2026-12-01" } } });
    const status = await api(portal, "PATCH", "/enrollments/71", { body: { status: "completed", percentage: 90 } });
    const stored = portal.store.enrollments.get(71);

    expect([wrapped.status, wrapped.json, status.status, status.json]).toEqual([200, { success: "ok" }, 200, { success: "ok" }]);
    expect([stored?.due_date, stored?.status, stored?.percentage]).toEqual([null, "not_started", null]);
  });
});

describe("DELETE (§4.5, §4.17)", () => {
  const seed: SeedData = {
    ...SEED,
    enrollments: [
      { id: 71, user_id: 11, course_id: 5, status: "not_started" },
      { id: 72, user_id: 11, course_id: 6, status: "in_progress" },
      { id: 73, user_id: 12, course_id: 5, status: "completed" },
      { id: 74, user_id: 12, course_id: 6, status: "passed" },
    ],
  };

  it("deletes not-started and in-progress enrollments outright", async () => {
    portal = await startTestPortal({ seed });
    const answers = [await api(portal, "DELETE", "/enrollments/71"), await api(portal, "DELETE", "/enrollments/72")];
    expect(answers.map((answer) => [answer.status, answer.json])).toEqual([
      [200, { success: "ok" }],
      [200, { success: "ok" }],
    ]);
    expect([...portal.store.enrollments.keys()]).toEqual([73, 74]);
  });

  it("keeps a finished enrollment without the flag, silently", async () => {
    portal = await startTestPortal({ seed });
    const answer = await api(portal, "DELETE", "/enrollments/73");
    expect([answer.status, answer.json, portal.store.enrollments.has(73)]).toEqual([200, { success: "ok" }, true]);
  });

  it("rejects remove_from_history sent as a boolean", async () => {
    portal = await startTestPortal({ seed });
    const answer = await api(portal, "DELETE", "/enrollments/73", { body: { remove_from_history: true } });
    expect([answer.status, answer.json]).toEqual([400, { message: "invalid deletion request, failed to find the enrollment" }]);
    expect(portal.store.enrollments.has(73)).toBe(true);
  });

  it("deletes a finished enrollment with the string flag, and only unwrapped", async () => {
    portal = await startTestPortal({ seed });
    const wrapped = await api(portal, "DELETE", "/enrollments/74", { body: { Enrollment: { remove_from_history: "true" } } });
    const keptAfterWrapped = portal.store.enrollments.has(74);
    const flagged = await api(portal, "DELETE", "/enrollments/74", { body: { remove_from_history: "true" } });

    expect([wrapped.status, keptAfterWrapped]).toEqual([200, true]);
    expect([flagged.status, portal.store.enrollments.has(74)]).toEqual([200, false]);
  });

  it("answers an unknown id with 404", async () => {
    portal = await startTestPortal({ seed });
    const answer = await api(portal, "DELETE", "/enrollments/999");
    expect([answer.status, answer.json]).toEqual([404, { message: "Enrollment not found" }]);
  });
});
