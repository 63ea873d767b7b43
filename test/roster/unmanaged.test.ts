import { describe, expect, it } from "vitest";
import { learnAmp } from "../../provider/lms/learnamp/backend.js";
import { learnUpon } from "../../provider/lms/learnupon/backend.js";
import { northpass } from "../../provider/lms/northpass/backend.js";
import type { LmsUser } from "../../provider/lms/model.js";
import { assertRemovalsAllowed, managedPeopleAfter, NOT_IN_ROSTER, RemovalRefusedError, type Removal } from "../../provider/roster/removal-guard.js";
import type { RosterPerson } from "../../provider/roster/roster-file.js";
import {
  describeUnmanaged,
  employeeIdPlace,
  findUnmanaged,
  parseUnmanaged,
  resourceName,
  stillDeactivated,
  toDeactivate,
  type RosterAuthority,
} from "../../provider/roster/unmanaged.js";

const FIELD = "Employee Id";

function user(id: number, email: string, fields: Partial<LmsUser> = {}): LmsUser {
  return { id: String(id), email, firstName: "First", lastName: `Last${id}`, userType: "learner", enabled: true, customData: {}, ...fields };
}

function person(employeeId: string, email: string): RosterPerson {
  return { employeeId, email, firstName: "First", lastName: "Last", enabled: true, groups: [], courses: [] };
}

const authority = (overrides: Partial<RosterAuthority> = {}): RosterAuthority => ({
  mode: "additive",
  unmanaged: "withEmployeeId",
  ignore: [],
  employeeIdIn: { customField: FIELD },
  lmsTitle: "LearnUpon",
  roleRules: learnUpon.capabilities,
  apiUser: "api@example.com",
  ownerField: "Managed By",
  stackName: "organization/roster/prod",
  userRemoval: "deactivate",
  ...overrides,
});

const portal: LmsUser[] = [
  user(1, "ada@example.com", { customData: { [FIELD]: "E1" } }), // declared by email
  user(2, "renamed@example.com", { customData: { [FIELD]: "E2" } }), // declared by employee id
  user(3, "old.alan@example.com"), // declared by the email the last update had
  user(4, "hand.one@example.com", { customData: { [FIELD]: "X901" } }),
  user(5, "hand.two@example.com"),
  user(6, "gone@example.com", { enabled: false, customData: { [FIELD]: "X902" } }),
  user(7, "boss@example.com", { userType: "admin" }),
  user(8, "api@example.com"),
  user(9, "contractor@agency.example.com"),
  user(10, "theirs@example.com", { customData: { "Managed By": "organization/roster/other" } }),
  user(11, "ours@example.com", { customData: { "Managed By": "organization/roster/prod" } }),
  user(12, "leaving@example.com"),
];
const roster = [person("E1", "ada@example.com"), person("E2", "bob@example.com"), person("E3", "alan@example.com")];
const previous = {
  E3: { email: "old.alan@example.com", enabled: true },
  E4: { email: "leaving@example.com", enabled: true }, // leaves the roster now: their own User removes them
  E5: { email: "left@example.com", enabled: false, gone: true }, // left earlier
};

describe("findUnmanaged", () => {
  it("finds the active people the roster does not declare, in two groups, never admins, the API user, ignored or other stacks' people", () => {
    const report = findUnmanaged(portal, roster, authority({ ignore: ["*@agency.example.com"] }), previous);
    expect(report.withEmployeeId.map((found) => [found.lmsId, found.employeeId])).toEqual([["4", "X901"]]);
    expect(report.withoutEmployeeId.map((found) => found.email)).toEqual(["hand.two@example.com", "ours@example.com"]);
  });

  it("with no place for the employee id, nobody carries one, and roster people are matched by email only", () => {
    const report = findUnmanaged(portal, roster, authority({ employeeIdIn: undefined, roleRules: northpass.capabilities, ignore: ["contractor@agency.example.com"] }), previous);
    expect(report.withEmployeeId).toEqual([]);
    // Northpass has no protected roles: the boss is unmanaged there unless roster:ignore names them.
    expect(report.withoutEmployeeId.map((found) => found.lmsId)).toEqual(["2", "4", "5", "7", "11"]);
  });

  it("reads the employee id from the external id where the LMS keeps one, and from the custom field only on an LMS without", () => {
    expect(employeeIdPlace(learnAmp.capabilities, undefined)).toEqual({ externalId: true });
    expect(employeeIdPlace(learnUpon.capabilities, FIELD)).toEqual({ customField: FIELD });
    expect(employeeIdPlace(learnUpon.capabilities, undefined)).toBeUndefined();
    expect(employeeIdPlace(northpass.capabilities, FIELD)).toBeUndefined();
    const report = findUnmanaged([user(1, "x@example.com", { externalId: "X1" }), user(2, "y@example.com", { externalId: "E1" })], roster, authority({ employeeIdIn: { externalId: true } }), undefined);
    expect(report.withEmployeeId.map((found) => found.employeeId)).toEqual(["X1"]);
    expect(report.withoutEmployeeId).toEqual([]);
  });
});

describe("who authoritative mode deactivates", () => {
  const report = findUnmanaged(portal, roster, authority({ ignore: ["*@agency.example.com"] }), previous);

  it("nobody in additive mode; those with an employee id, or everyone with `all`; nobody with removal policy retain", () => {
    expect(toDeactivate(report, authority())).toEqual([]);
    expect(toDeactivate(report, authority({ mode: "authoritative" })).map(resourceName)).toEqual(["X901"]);
    expect(toDeactivate(report, authority({ mode: "authoritative", unmanaged: "all" })).map(resourceName)).toEqual(["X901", "lms-5", "lms-11"]);
    expect(toDeactivate(report, authority({ mode: "authoritative", unmanaged: "all", userRemoval: "retain" }))).toEqual([]);
  });

  it("keeps the resources of people an earlier run deactivated while they stay deactivated and out of the roster", () => {
    const record = { X902: { email: "gone@example.com", enabled: false, removal: "retain" as const, unmanaged: true, lmsId: "6" }, "lms-5": { email: "hand.two@example.com", enabled: false, unmanaged: true, lmsId: "5" } };
    expect(stillDeactivated(portal, roster, record).map((kept) => kept.name)).toEqual(["X902"]); // lms-5 is active again
    expect(stillDeactivated(portal, [...roster, person("X902", "gone@example.com")], record)).toEqual([]);
  });

  it("counts them with the roster's own removals against the guard, before a first update too", () => {
    const removals = toDeactivate(report, authority({ mode: "authoritative", unmanaged: "all" })).map((found): Removal => ({
      employeeId: resourceName(found),
      email: found.email ?? "",
      action: "deactivate",
      cause: NOT_IN_ROSTER,
      admin: false,
      apiUser: false,
    }));
    expect(() => assertRemovalsAllowed(roster, { previous: undefined, defaultRemoval: "deactivate", maxRemovals: "2" }, removals)).toThrow(RemovalRefusedError);
    expect(() => assertRemovalsAllowed(roster, { previous: undefined, defaultRemoval: "deactivate", maxRemovals: "2" }, removals)).toThrow(
      "it would deactivate or delete 3 people (3 not in the roster; the stack manages 3 active people), more than roster:maxRemovals 2",
    );
    expect(() => assertRemovalsAllowed(roster, { previous: undefined, defaultRemoval: "deactivate" }, removals)).not.toThrow();
    const managed = { E1: { email: "ada@example.com", enabled: true }, E2: { email: "bob@example.com", enabled: true }, E9: { email: "left@example.com", enabled: true } };
    // One roster removal (E9) and three unmanaged: four, past a limit of three.
    expect(() => assertRemovalsAllowed(roster.slice(0, 2), { previous: managed, defaultRemoval: "deactivate", maxRemovals: "3" }, removals)).toThrow("it would deactivate or delete 4 people");
  });

  it("records them, stamped, so the window counts them and the next run keeps them", () => {
    const now = new Date("2026-01-10T00:00:00Z");
    const record = managedPeopleAfter(roster, { previous: undefined, defaultRemoval: "deactivate", now }, {}, {
      deactivated: { X901: { email: "hand.one@example.com", enabled: false, removal: "retain", unmanaged: true, lmsId: "4" } },
      kept: {},
    });
    expect(record["X901"]).toEqual({ email: "hand.one@example.com", enabled: false, removal: "retain", unmanaged: true, lmsId: "4", removedAt: now.toISOString() });
  });
});

describe("the report's diagnostic", () => {
  it("names the counts, what the mode does and each person, and reads back", () => {
    const report = findUnmanaged(portal, roster, authority({ ignore: ["*@agency.example.com"] }), previous);
    const message = describeUnmanaged(report, authority({ mode: "authoritative" }));
    expect(message).toBe(
      [
        "roster: 3 active people in the LearnUpon portal are not in the roster (1 with an employee id, 2 without); roster:mode authoritative deactivates the 1 with an employee id",
        "  - employee X901, user 4: hand.one@example.com (First Last4)",
        "  - no employee id, user 5: hand.two@example.com (First Last5)",
        "  - no employee id, user 11: ours@example.com (First Last11)",
      ].join("\n"),
    );
    expect(parseUnmanaged(message)).toEqual({
      lmsTitle: "LearnUpon",
      verdict: "roster:mode authoritative deactivates the 1 with an employee id",
      counts: { withEmployeeId: 1, withoutEmployeeId: 2 },
      people: [
        { employeeId: "X901", lmsId: "4", label: "hand.one@example.com (First Last4)" },
        { lmsId: "5", label: "hand.two@example.com (First Last5)" },
        { lmsId: "11", label: "ours@example.com (First Last11)" },
      ],
    });
    expect(parseUnmanaged("some other message")).toBeUndefined();
  });
});
