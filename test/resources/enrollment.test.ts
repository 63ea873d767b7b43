/**
 * The Enrollment lifecycle against the fake portal over real HTTP, through the production client:
 * create (by course name, resolved once per run; adopting what a group's auto-enroll made, however
 * the run's snapshot was ordered), read (status and progress reported, never a diff), update (the
 * unwrapped due-date PATCH), delete (not-started removed, completed kept unless removeHistory) and
 * diff (what replaces, and that an unknown user id never does).
 */
import { describe, expect, it } from "vitest";
import type { SeedData } from "../../provider/fake-portal/index.js";
import { enrollmentLifecycle, type EnrollmentInputs, type EnrollmentOutputs } from "../../provider/resources/enrollment.js";
import { groupMembershipLifecycle, type GroupMembershipInputs } from "../../provider/resources/group-membership.js";
import { UNKNOWN } from "../../provider/resources/lifecycle.js";
import type { ProviderContext } from "../../provider/runtime.js";
import { usePortals } from "./support.js";

const start = usePortals();

const SEED: SeedData = {
  courses: [
    { id: 201, name: "Security Awareness" },
    { id: 202, name: "Git Fundamentals" },
  ],
  groups: [{ id: 301, title: "Engineering" }],
  groupCourses: [{ group_id: 301, course_id: 202 }],
  users: [
    { id: 11, email: "ada@example.com", first_name: "Ada", last_name: "Lovelace" },
    { id: 12, email: "alan@example.com", first_name: "Alan", last_name: "Turing" },
  ],
};

/** The inputs as the engine passes them to create and update: validated by check, defaults applied. */
async function checked(news: Record<string, unknown>): Promise<EnrollmentInputs> {
  const result = await enrollmentLifecycle.check({}, news);
  if (!result.inputs || result.failures?.length) throw new Error(`check failed: ${JSON.stringify(result.failures)}`);
  return result.inputs;
}

async function create(context: ProviderContext, news: Record<string, unknown>) {
  const result = await enrollmentLifecycle.create(context, await checked(news));
  return { id: result.id, outs: result.outs as EnrollmentOutputs };
}

async function joinGroup(context: ProviderContext, userId: number, groupId: number) {
  const inputs: GroupMembershipInputs = { userId, groupId, processEnrollments: true };
  await groupMembershipLifecycle.create(context, inputs);
}

describe("Enrollment create", () => {
  it("enrolls by course name, resolving the course once for the whole run", async () => {
    const t = await start({ seed: SEED });

    const ada = await create(t.context, { userEmail: "ada@example.com", courseName: "Security Awareness" });
    const alan = await create(t.context, { userId: 12, courseName: "Security Awareness", dueDate: "2027-03-31" });

    expect(ada).toEqual({
      id: "600001",
      outs: { userEmail: "ada@example.com", courseName: "Security Awareness", removeHistory: false, enrollmentId: 600001, userId: 11, courseId: 201, status: "not_started", progress: 0 },
    });
    expect(alan).toEqual({
      id: "600002",
      outs: { userId: 12, courseName: "Security Awareness", dueDate: "2027-03-31", removeHistory: false, enrollmentId: 600002, courseId: 201, status: "not_started", progress: 0 },
    });
    expect(t.portal.log.count({ method: "GET", pathPrefix: "/api/v1/courses" })).toBe(1);
    expect(t.writes()).toEqual([
      { method: "POST", path: "/api/v1/enrollments", body: { Enrollment: { email: "ada@example.com", course_id: 201 } } },
      { method: "POST", path: "/api/v1/enrollments", body: { Enrollment: { email: "alan@example.com", course_id: 201, due_date: "2027-03-31" } } },
    ]);
    expect(t.portal.store.enrollments.get(600002)).toMatchObject({ user_id: 12, course_id: 201, due_date: "2027-03-31" });
  });

  it("refuses a course name two published courses share, naming their ids, and writes nothing", async () => {
    const t = await start({ seed: { ...SEED, courses: [...SEED.courses!, { id: 205, name: "Security Awareness" }] } });

    await expect(create(t.context, { userEmail: "ada@example.com", courseName: "Security Awareness" })).rejects.toThrow(
      '2 published LearnUpon courses are named "Security Awareness" (ids 201, 205): give courseId to say which one, or rename the others in the portal',
    );
    expect(t.writes()).toEqual([]);
  });

  it("adopts the enrollment a group's auto-enroll made: same id, no POST, no error", async () => {
    const t = await start({ seed: SEED });
    await joinGroup(t.context, 11, 301);
    const [autoEnrolled] = [...t.portal.store.enrollments.values()];

    const result = await create(t.context, { userId: 11, courseId: 202 });

    expect(autoEnrolled).toMatchObject({ id: 600001, user_id: 11, course_id: 202, group_id: 301 });
    expect(result).toEqual({
      id: "600001",
      outs: { userId: 11, courseId: 202, removeHistory: false, enrollmentId: 600001, status: "not_started", progress: 0 },
    });
    expect(t.portal.log.count({ method: "POST", pathPrefix: "/api/v1/enrollments" })).toBe(0);
    expect(t.portal.store.enrollments.size).toBe(1);
  });

  it("adopts the auto-enrolled one too when the run listed the course before the group enrolled the user", async () => {
    const t = await start({ seed: SEED });
    await create(t.context, { userId: 12, courseId: 202 }); // lists course 202's enrollments into the snapshot
    await joinGroup(t.context, 11, 301); // auto-enrolls Ada behind the snapshot's back

    const result = await create(t.context, { userId: 11, courseId: 202, dueDate: "2027-06-30" });

    expect(result).toEqual({
      id: "600002",
      outs: { userId: 11, courseId: 202, dueDate: "2027-06-30", removeHistory: false, enrollmentId: 600002, status: "not_started", progress: 0 },
    });
    expect(t.portal.log.entries({ pathPrefix: "/api/v1/enrollments/600002" }).map((e) => [e.method, e.status, e.body])).toEqual([
      ["PATCH", 200, { due_date: "2027-06-30" }],
      ["GET", 200, undefined], // the PATCH is read back: its "success" does not say the date was taken
    ]);
    expect(t.portal.log.entries({ method: "POST", pathPrefix: "/api/v1/enrollments" }).map((e) => e.status)).toEqual([200, 422]);
    expect(t.portal.store.enrollments.size).toBe(2);
    expect(t.portal.store.enrollments.get(600002)).toMatchObject({ user_id: 11, due_date: "2027-06-30" });
  });
});

describe("Enrollment read", () => {
  it.each([
    ["in_progress", 0],
    ["completed", 100],
  ] as const)("reports status %s (progress %d) in the outputs, and diff then sees no change", async (status, progress) => {
    const t = await start({ seed: SEED });
    const inputs = await checked({ userEmail: "ada@example.com", courseName: "Security Awareness", dueDate: "2027-03-31" });
    const { id, outs } = await enrollmentLifecycle.create(t.context, inputs);
    const record = t.portal.store.enrollments.get(600001);
    if (record) record.status = status;

    const result = await enrollmentLifecycle.read(t.nextRun(), id, outs as EnrollmentOutputs);

    const live = { ...inputs, userId: 11, courseId: 201 };
    // The inputs as declared: the ids resolved from the email and the course name are outputs only.
    expect(result).toEqual({ id: "600001", props: { ...live, enrollmentId: 600001, status, progress }, inputs });
    expect(await enrollmentLifecycle.diff(id, result.props as EnrollmentOutputs, inputs)).toEqual({ changes: false, replaces: [] });
  });

  it("shows a due date changed by hand, so diff reports an update", async () => {
    const t = await start({ seed: SEED });
    const inputs = await checked({ userId: 11, courseId: 201, dueDate: "2027-03-31" });
    const { id, outs } = await enrollmentLifecycle.create(t.context, inputs);
    const record = t.portal.store.enrollments.get(600001);
    if (record) record.due_date = "2027-12-31";

    const result = await enrollmentLifecycle.read(t.nextRun(), id, outs as EnrollmentOutputs);

    expect(result.props).toMatchObject({ dueDate: "2027-12-31" });
    expect(await enrollmentLifecycle.diff(id, result.props as EnrollmentOutputs, inputs)).toEqual({ changes: true, replaces: [] });
  });

  it("drops an enrollment removed by hand ({ id: '' }) with a warning", async () => {
    const t = await start({ seed: SEED });
    const { id, outs } = await create(t.context, { userId: 11, courseId: 201 });
    t.portal.store.enrollments.delete(600001);

    const result = await enrollmentLifecycle.read(t.nextRun(), id, outs);

    expect(result).toEqual({ id: "" });
    expect(t.stderr()).toEqual([
      "warning: LearnUpon enrollment 600001 (user 11 in course 201) no longer exists; it is dropped from the stack and will be created again on the next update",
    ]);
  });
});

describe("Enrollment update", () => {
  it("sends a due-date change as an unwrapped PATCH and keeps status and progress", async () => {
    const t = await start({ seed: SEED });
    const { id, outs } = await create(t.context, { userId: 11, courseName: "Security Awareness", dueDate: "2027-03-31" });
    const news = await checked({ userId: 11, courseName: "Security Awareness", dueDate: "2027-06-30" });
    t.portal.log.clear();

    expect(await enrollmentLifecycle.diff(id, outs, news)).toEqual({ changes: true, replaces: [] });
    const result = await enrollmentLifecycle.update(t.nextRun(), id, outs, news);

    expect(result).toEqual({ outs: { ...outs, dueDate: "2027-06-30" } });
    expect(t.writes()).toEqual([{ method: "PATCH", path: "/api/v1/enrollments/600001", body: { due_date: "2027-06-30" } }]);
    expect(t.portal.store.enrollments.get(600001)?.due_date).toBe("2027-06-30");
  });
});

describe("Enrollment delete", () => {
  /** An enrollment of Ada in Security Awareness with this status, adopted into state; the log starts empty. */
  async function adopted(status: "not_started" | "in_progress" | "completed", removeHistory = false) {
    const t = await start({ seed: { ...SEED, enrollments: [{ id: 601, user_id: 11, course_id: 201, status }] } });
    const { id, outs } = await create(t.context, { userId: 11, courseId: 201, removeHistory });
    t.portal.log.clear();
    return { t, id, outs };
  }

  it.each(["not_started", "in_progress"] as const)("removes a %s enrollment", async (status) => {
    const { t, id, outs } = await adopted(status);

    await enrollmentLifecycle.delete(t.nextRun(), id, outs);

    expect(id).toBe("601");
    expect(t.writes()).toEqual([{ method: "DELETE", path: "/api/v1/enrollments/601" }]);
    expect(t.portal.store.enrollments.has(601)).toBe(false);
  });

  it("keeps a completed enrollment as training history", async () => {
    const { t, id, outs } = await adopted("completed");

    await enrollmentLifecycle.delete(t.nextRun(), id, outs);

    expect(t.writes()).toEqual([]);
    expect(t.portal.store.enrollments.get(601)?.status).toBe("completed");
    expect(t.stdout()).toEqual(["kept completed enrollment 601 (user 11, course 201) as training history; set removeHistory to delete it"]);
  });

  it("removes a completed enrollment with removeHistory, sending remove_from_history as the string \"true\"", async () => {
    const { t, id, outs } = await adopted("completed", true);

    await enrollmentLifecycle.delete(t.nextRun(), id, outs);

    expect(t.writes()).toEqual([{ method: "DELETE", path: "/api/v1/enrollments/601", body: { remove_from_history: "true" } }]);
    expect(t.portal.store.enrollments.has(601)).toBe(false);
  });

  it("treats an enrollment already gone as deleted", async () => {
    const { t, id, outs } = await adopted("not_started");
    t.portal.store.enrollments.delete(601);

    await enrollmentLifecycle.delete(t.nextRun(), id, outs);

    expect(t.writes()).toEqual([]);
  });
});

describe("Enrollment diff", () => {
  const OLDS: EnrollmentOutputs = {
    userId: 11,
    courseId: 201,
    removeHistory: false,
    enrollmentId: 601,
    status: "in_progress",
    progress: 0,
  };
  const BY_EMAIL: EnrollmentOutputs = { ...OLDS, userEmail: "ada@example.com", courseName: "Security Awareness" };

  const BY_ID_INPUTS: EnrollmentInputs = { userId: 11, courseId: 201, removeHistory: false };
  const BY_EMAIL_INPUTS: EnrollmentInputs = { userEmail: "ada@example.com", courseName: "Security Awareness", removeHistory: false };

  it.each<[string, EnrollmentOutputs, EnrollmentInputs, string[]]>([
    ["the user id", OLDS, { ...BY_ID_INPUTS, userId: 12 }, ["userId"]],
    ["the course id", OLDS, { ...BY_ID_INPUTS, courseId: 202 }, ["courseId"]],
    ["the user email", BY_EMAIL, { ...BY_EMAIL_INPUTS, userEmail: "alan@example.com" }, ["userEmail"]],
    ["the course name", BY_EMAIL, { ...BY_EMAIL_INPUTS, courseName: "Git Fundamentals" }, ["courseName"]],
    ["both user and course", OLDS, { ...BY_ID_INPUTS, userId: 12, courseId: 202 }, ["userId", "courseId"]],
  ])("replaces the enrollment when %s changes", async (_what, olds, news, replaces) => {
    expect(await enrollmentLifecycle.diff("601", olds, news)).toEqual({ changes: true, replaces });
  });

  it("sees no change when only the user email's case differs", async () => {
    expect(await enrollmentLifecycle.diff("601", BY_EMAIL, { ...BY_EMAIL_INPUTS, userEmail: "ADA@example.com" })).toEqual({ changes: false, replaces: [] });
  });

  it("never replaces for a user id not known yet in a preview", async () => {
    const news = { ...BY_ID_INPUTS, userId: UNKNOWN as unknown as number };
    expect(await enrollmentLifecycle.diff("601", OLDS, news)).toEqual({ changes: false, replaces: [] });
  });

  it("reports an update, not a replacement, for removeHistory and the dates", async () => {
    expect(await enrollmentLifecycle.diff("601", OLDS, { ...BY_ID_INPUTS, removeHistory: true })).toEqual({ changes: true, replaces: [] });
    expect(await enrollmentLifecycle.diff("601", OLDS, { ...BY_ID_INPUTS, expiresAt: "2028-01-01" })).toEqual({ changes: true, replaces: [] });
  });
});
