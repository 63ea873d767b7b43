/**
 * `check` for the three resources: every invalid input gives exactly one failure naming the
 * resource, the field and the reason; valid inputs come back with their defaults; inputs holding
 * the preview's unknown-value sentinel pass through, with defaults. And neither `check` nor `diff`
 * makes a single request, whatever the inputs.
 */
import { describe, expect, it } from "vitest";
import { enrollmentLifecycle } from "../../provider/resources/enrollment.js";
import { groupMembershipLifecycle } from "../../provider/resources/group-membership.js";
import { UNKNOWN } from "../../provider/resources/lifecycle.js";
import { userLifecycle } from "../../provider/resources/user.js";
import * as runtime from "../../provider/runtime.js";
import { usePortals } from "./support.js";

const start = usePortals();

const ADA = { employeeId: "E1001", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" };

describe("User check", () => {
  it.each<[string, unknown, string]>([
    ["email", "ada.example.com", "is not a valid email address"],
    ["userType", "boss", "must be one of learner, instructor, manager, admin"],
    ["firstName", "", "must not be empty"],
    ["lastName", "   ", "must not be empty"],
    ["lastName", "Love\nlace", "must be on one line, without control characters: it holds a line break (U+000A) at character 5"],
    ["password", "abc12", "must be at least 6 characters (LearnUpon's minimum)"],
    ["language", "English", "must be an ISO language code such as en or pt-BR"],
    ["enabled", "yes", "must be true or false"],
    ["removal", "archive", "must be one of deactivate, delete, retain"],
  ])("rejects %s %j with one failure naming the user, the field and the reason", async (field, value, reason) => {
    expect(await userLifecycle.check({}, { ...ADA, [field]: value })).toEqual({
      failures: [{ property: field, reason: `User E1001: ${field} ${reason}` }],
    });
  });

  it("applies the defaults to valid inputs: enabled, and no role (a new person becomes a learner, an adopted one keeps theirs)", async () => {
    expect(await userLifecycle.check({}, ADA)).toEqual({ inputs: { ...ADA, enabled: true } });
  });

  it("keeps what is declared over the defaults", async () => {
    const declared = { ...ADA, userType: "admin", enabled: false, language: "pt-BR", customData: { Department: "R&D" }, password: "s3cret!", removal: "retain" };
    expect(await userLifecycle.check({}, declared)).toEqual({ inputs: declared });
  });

  it("passes an unknown email through and still applies the defaults", async () => {
    expect(await userLifecycle.check({}, { ...ADA, email: UNKNOWN })).toEqual({
      inputs: { ...ADA, email: UNKNOWN, enabled: true },
    });
  });
});

describe("Enrollment check", () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ["both userId and userEmail", { userId: 11, userEmail: "ada@example.com", courseId: 201 }, "userId", "give exactly one of userId or userEmail"],
    ["neither userId nor userEmail", { courseId: 201 }, "userId", "give exactly one of userId or userEmail"],
    ["neither courseId nor courseName", { userId: 11 }, "courseId", "give exactly one of courseId or courseName"],
    ["a due date not written YYYY-MM-DD", { userId: 11, courseId: 201, dueDate: "31/03/2027" }, "dueDate", "must be a date written YYYY-MM-DD"],
    ["an expiry date not written YYYY-MM-DD", { userId: 11, courseId: 201, expiresAt: "2027-3-31" }, "expiresAt", "must be a date written YYYY-MM-DD"],
    ["a due date that is not in the calendar", { userId: 11, courseId: 201, dueDate: "2027-13-45" }, "dueDate", "2027-13-45 is not a date: there is no month 13"],
    ["an expiry date that is not in the calendar", { userId: 11, courseId: 201, expiresAt: "2027-02-29" }, "expiresAt", "2027-02-29 is not a date: 2027-02 has days 01 to 28"],
    ["a course name on two lines", { userId: 11, courseName: "Security\nAwareness" }, "courseName", "must be on one line, without control characters: it holds a line break (U+000A) at character 9"],
    ["a bad user email", { userEmail: "ada", courseId: 201 }, "userEmail", "is not a valid email address"],
    ["a user id that is not a number", { userId: "11", courseId: 201 }, "userId", "must be a LearnUpon user id (a number)"],
  ])("rejects %s with one failure naming the enrollment, the field and the reason", async (_case, news, property, reason) => {
    expect(await enrollmentLifecycle.check({}, news)).toEqual({ failures: [{ property, reason: `Enrollment: ${property} ${reason}` }] });
  });

  it("applies the defaults to valid inputs: removeHistory false", async () => {
    expect(await enrollmentLifecycle.check({}, { userEmail: "ada@example.com", courseName: "Security Awareness", dueDate: "2027-03-31" })).toEqual({
      inputs: { userEmail: "ada@example.com", courseName: "Security Awareness", dueDate: "2027-03-31", removeHistory: false },
    });
  });

  it("passes an unknown user id through and still applies the defaults", async () => {
    expect(await enrollmentLifecycle.check({}, { userId: UNKNOWN, courseName: "Security Awareness" })).toEqual({
      inputs: { userId: UNKNOWN, courseName: "Security Awareness", removeHistory: false },
    });
  });
});

describe("GroupMembership check", () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ["both userId and userEmail", { userId: 11, userEmail: "ada@example.com", groupId: 301 }, "userId", "give exactly one of userId or userEmail"],
    ["neither groupId nor groupTitle", { userId: 11 }, "groupId", "give exactly one of groupId or groupTitle"],
    ["an empty group title", { userId: 11, groupTitle: " " }, "groupTitle", "must not be empty"],
    ["a group title with a tab", { userId: 11, groupTitle: "Sales\tEMEA" }, "groupTitle", "must be on one line, without control characters: it holds a control character (U+0009) at character 6"],
    ["a processEnrollments that is not a boolean", { userId: 11, groupId: 301, processEnrollments: "no" }, "processEnrollments", "must be true or false"],
  ])("rejects %s with one failure naming the membership, the field and the reason", async (_case, news, property, reason) => {
    expect(await groupMembershipLifecycle.check({}, news)).toEqual({ failures: [{ property, reason: `GroupMembership: ${property} ${reason}` }] });
  });

  it("applies the defaults to valid inputs: processEnrollments true", async () => {
    expect(await groupMembershipLifecycle.check({}, { userEmail: "ada@example.com", groupTitle: "Engineering" })).toEqual({
      inputs: { userEmail: "ada@example.com", groupTitle: "Engineering", processEnrollments: true },
    });
  });

  it("passes an unknown user id through and still applies the defaults", async () => {
    expect(await groupMembershipLifecycle.check({}, { userId: UNKNOWN, groupId: 301 })).toEqual({
      inputs: { userId: UNKNOWN, groupId: 301, processEnrollments: true },
    });
  });
});

describe("check and diff", () => {
  it("make no request to the portal, for any of the three kinds, called directly or through the runtime", async () => {
    const t = await start({
      seed: { courses: [{ id: 201, name: "Security Awareness" }], groups: [{ id: 301, title: "Engineering" }], users: [{ id: 11, email: "ada@example.com" }] },
    });
    const config: Record<string, string> = { "learnupon:portalUrl": t.portal.url, "learnupon:username": t.portal.username, "learnupon:password": t.portal.password };
    await runtime.configure({ config: { get: (key) => config[key] } });
    const user = { ...ADA, userType: "learner" as const, enabled: true };
    const enrollment = { userEmail: "ada@example.com", courseName: "Security Awareness", removeHistory: false };
    const enrolled = { ...enrollment, enrollmentId: 600001, userId: 11, courseId: 201, status: "not_started", progress: 0 };
    const membership = { userEmail: "ada@example.com", groupTitle: "Engineering", processEnrollments: true };
    const member = { ...membership, userId: 11, groupId: 301 };

    for (const call of [userLifecycle.check, (olds: unknown, news: unknown) => runtime.dispatch("User", "check", olds, news)]) {
      await call({}, ADA);
      await call({}, { ...ADA, email: "bad" });
      await call({}, { ...ADA, email: UNKNOWN });
    }
    for (const call of [enrollmentLifecycle.check, (olds: unknown, news: unknown) => runtime.dispatch("Enrollment", "check", olds, news)]) {
      await call({}, enrollment);
      await call({}, { userId: UNKNOWN, courseName: "Security Awareness" });
    }
    await groupMembershipLifecycle.check({}, membership);
    await runtime.dispatch("GroupMembership", "check", {}, { ...membership, userId: 11 });
    await userLifecycle.diff("11", { ...user, userId: 11 }, { ...user, firstName: "Augusta" });
    await runtime.dispatch("User", "diff", "11", { ...user, userId: 11 }, { ...user, email: "ADA@example.com" });
    await enrollmentLifecycle.diff("600001", enrolled, { ...enrollment, courseName: "Git Fundamentals" });
    await runtime.dispatch("Enrollment", "diff", "600001", enrolled, { ...enrollment, dueDate: "2027-03-31" });
    await groupMembershipLifecycle.diff("301:11", member, { ...membership, groupTitle: "Sales" });
    await runtime.dispatch("GroupMembership", "diff", "301:11", member, membership);

    expect(t.portal.log.entries()).toEqual([]);
  });
});
