/**
 * What a backend cannot manage fails `check` at preview, naming the resource, the field, the LMS
 * and why; LearnUpon, which manages everything a roster declares, refuses nothing.
 */
import { describe, expect, it } from "vitest";
import { capabilityFailures, type LmsBackend } from "../../provider/lms/backend.js";
import { backendFor, SUPPORTED_LMSES } from "../../provider/lms/backends.js";
import { learnUpon } from "../../provider/lms/learnupon/backend.js";
import { userLifecycle } from "../../provider/resources/user.js";

/** An LMS like Northpass: no enrollment an API call can make, no password, roles of its own. */
const groupsOnly: Pick<LmsBackend, "title" | "capabilities"> = {
  title: "Northpass",
  capabilities: {
    resources: { User: true, GroupMembership: true, Enrollment: { unsupported: "course access comes from groups; assign the course to a group and declare the membership" } },
    unsupportedFields: { User: { password: "people sign in through the LMS's own invitation" } },
    userTypes: ["learner", "admin"],
    defaultUserType: "learner",
    protectedUserTypes: ["admin"],
    holdsEmployeeId: false,
    externalId: false,
    numericIds: false,
  },
};

describe("capabilityFailures", () => {
  it("names the resource, the LMS and why for a resource the LMS has no API for", () => {
    expect(capabilityFailures(groupsOnly, "Enrollment", undefined, { userId: 1, courseName: "Onboarding" })).toEqual([
      {
        property: "(inputs)",
        reason: "Enrollment: Northpass has no Enrollment: course access comes from groups; assign the course to a group and declare the membership",
      },
    ]);
  });

  it("names the field a person cannot have there", () => {
    expect(capabilityFailures(groupsOnly, "User", "E1", { employeeId: "E1", password: "s3cret!", userType: "admin" })).toEqual([
      { property: "password", reason: "User E1: password is not supported by Northpass: people sign in through the LMS's own invitation" },
    ]);
  });

  it("checks the role against the LMS's own roles, and ids as the LMS writes them", async () => {
    const ada = { employeeId: "E1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" };
    expect(await userLifecycle.check({}, { ...ada, userType: "manager" }, groupsOnly)).toEqual({
      failures: [{ property: "userType", reason: "User E1: userType must be one of learner, admin" }],
    });
    expect(await userLifecycle.check({}, { ...ada, userType: "manager" }, learnUpon)).toEqual({ inputs: { ...ada, userType: "manager", enabled: true } });
  });

  it("refuses nothing on LearnUpon", () => {
    const user = { employeeId: "E1", password: "s3cret!", userType: "manager" };
    expect(capabilityFailures(learnUpon, "User", "E1", user)).toEqual([]);
    expect(capabilityFailures(learnUpon, "Enrollment", undefined, { userId: 1, courseName: "Onboarding" })).toEqual([]);
  });
});

describe("backendFor", () => {
  it("is LearnUpon by default and by name, and names the choices for anything else", () => {
    expect(SUPPORTED_LMSES).toEqual(["learnupon", "learnamp", "learnifier", "northpass"]);
    expect(backendFor({ get: () => undefined }).name).toBe("learnupon");
    expect(backendFor({ get: () => "LearnUpon" }).name).toBe("learnupon");
    expect(() => backendFor({ get: () => "moodle" })).toThrow('roster:lms must be one of learnupon, learnamp, learnifier, northpass, not "moodle"');
  });
});
