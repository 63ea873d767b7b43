/**
 * The mass-removal guard as a pure function: who counts as removed, the limits, and the message.
 * The end-to-end test (test/e2e/gitops.test.ts) shows it stopping a real preview.
 */
import { describe, expect, it } from "vitest";
import {
  assertRemovalsAllowed,
  managedPeopleAfter,
  managedPeopleOf,
  plannedRemovals,
  removalLimit,
  RemovalRefusedError,
  type ManagedPeople,
  type RemovalGuardSettings,
} from "../../provider/roster/removal-guard.js";
import type { RosterPerson } from "../../provider/roster/roster-file.js";

function person(employeeId: string, fields: Partial<RosterPerson> = {}): RosterPerson {
  return {
    employeeId,
    email: `${employeeId.toLowerCase()}@example.com`,
    firstName: "First",
    lastName: employeeId,
    userType: "learner",
    enabled: true,
    groups: [],
    courses: [],
    ...fields,
  };
}

/** `count` learners E1, E2, …: a roster and what the stack remembers of it. */
function staff(count: number): RosterPerson[] {
  return Array.from({ length: count }, (_, index) => person(`E${index + 1}`));
}

function guard(previous: RosterPerson[] | undefined, settings: Partial<RemovalGuardSettings> = {}): RemovalGuardSettings {
  return { previous: previous && managedPeopleOf(previous), defaultRemoval: "deactivate", ...settings };
}

describe("plannedRemovals", () => {
  const settings = { defaultRemoval: "deactivate" as const };

  it("counts people who leave the roster, by their removal policy or the stack's", () => {
    const previous = managedPeopleOf([person("E1"), person("E2", { removal: "delete" }), person("E3", { removal: "retain" }), person("E4")]);
    expect(plannedRemovals(previous, [], settings).map((removal) => [removal.employeeId, removal.action])).toEqual([
      ["E1", "deactivate"],
      ["E2", "delete"],
      ["E4", "deactivate"],
    ]);
    expect(plannedRemovals(previous, [], { defaultRemoval: "retain" }).map((removal) => removal.employeeId)).toEqual(["E2"]);
  });

  it("counts people the roster sets to enabled: false, not those already deactivated, unless they are deleted", () => {
    const previous = managedPeopleOf([person("E1"), person("E2", { enabled: false }), person("E3", { enabled: false, removal: "delete" })]);
    const roster = [person("E1", { enabled: false })];
    expect(plannedRemovals(previous, roster, settings)).toEqual([
      { employeeId: "E1", email: "e1@example.com", action: "deactivate", cause: "enabled: false", admin: false, apiUser: false },
      { employeeId: "E3", email: "e3@example.com", action: "delete", cause: "removed from the roster", admin: false, apiUser: false },
    ]);
  });

  it("goes by employee id: a new email or a new person who starts deactivated is no removal", () => {
    const previous = managedPeopleOf([person("E1")]);
    expect(plannedRemovals(previous, [person("E1", { email: "new@example.com" }), person("E2", { enabled: false })], settings)).toEqual([]);
  });

  it("marks admins, and the API user when learnupon:username is their email, in any letter case", () => {
    const previous = managedPeopleOf([person("E1", { userType: "admin" }), person("E2", { email: "API@Example.com" }), person("E3")]);
    const roster = [person("E3", { userType: "admin", enabled: false })];
    const removals = plannedRemovals(previous, roster, { ...settings, apiUsername: "api@example.com" });
    expect(removals.map(({ employeeId, admin, apiUser }) => ({ employeeId, admin, apiUser }))).toEqual([
      { employeeId: "E1", admin: true, apiUser: false },
      { employeeId: "E2", admin: false, apiUser: true },
      { employeeId: "E3", admin: true, apiUser: false },
    ]);
    expect(plannedRemovals(previous, roster, { ...settings, apiUsername: "e2" }).some((removal) => removal.apiUser)).toBe(false);
  });
});

describe("removalLimit", () => {
  it("is the larger of 5 people and 10% of the active people by default", () => {
    expect(removalLimit(undefined, 20).count).toBe(5);
    expect(removalLimit(undefined, 100).count).toBe(10);
    expect(removalLimit(undefined, 109).count).toBe(10);
  });

  it("takes roster:maxRemovals as a count or a percentage", () => {
    expect(removalLimit("40", 100)).toEqual({ count: 40, description: "roster:maxRemovals 40" });
    expect(removalLimit("35%", 101)).toEqual({ count: 35, description: "roster:maxRemovals 35% (35 people)" });
    expect(removalLimit("0", 100).count).toBe(0);
  });

  it("refuses anything else, naming the setting", () => {
    for (const value of ["forty", "-3", "150%", "10 %", ""]) {
      expect(() => removalLimit(value, 100)).toThrow(RemovalRefusedError);
    }
    expect(() => removalLimit("forty", 100)).toThrow('roster:maxRemovals must be a count such as 40 or a percentage such as 35%, not "forty"');
  });
});

describe("assertRemovalsAllowed", () => {
  it("lets anything through on a stack's first update", () => {
    expect(() => assertRemovalsAllowed([], guard(undefined))).not.toThrow();
  });

  it("allows up to the limit and refuses one more", () => {
    const everyone = staff(100);
    expect(() => assertRemovalsAllowed(everyone.slice(10), guard(everyone))).not.toThrow();
    expect(() => assertRemovalsAllowed(everyone.slice(11), guard(everyone))).toThrow(RemovalRefusedError);
    const few = staff(20);
    expect(() => assertRemovalsAllowed(few.slice(5), guard(few))).not.toThrow();
    expect(() => assertRemovalsAllowed(few.slice(6), guard(few))).toThrow(RemovalRefusedError);
  });

  it("says how many, names the first ten and tells how to allow it", () => {
    const everyone = staff(100);
    expect(() => assertRemovalsAllowed(everyone.slice(0, 70), guard(everyone))).toThrow(
      [
        "roster change refused: it would deactivate or delete 30 of the 100 active people this stack manages, more than the limit of 10 (the larger of 5 people and 10%):",
        ...Array.from({ length: 10 }, (_, index) => `  - E${71 + index} e${71 + index}@example.com: deactivate (removed from the roster)`),
        "  … and 20 more",
        "If that is intended, approve this change alone: pulumi config set roster:approveRemovals 30",
      ].join("\n"),
    );
  });

  it("allows what roster:maxRemovals allows", () => {
    const everyone = staff(100);
    expect(() => assertRemovalsAllowed(everyone.slice(0, 70), guard(everyone, { maxRemovals: "30" }))).not.toThrow();
    expect(() => assertRemovalsAllowed(everyone.slice(0, 70), guard(everyone, { maxRemovals: "30%" }))).not.toThrow();
    expect(() => assertRemovalsAllowed(everyone.slice(0, 70), guard(everyone, { maxRemovals: "29" }))).toThrow("more than roster:maxRemovals 29:");
  });

  it("refuses to remove an admin or the API user unless roster:allowAdminRemoval, whatever the count", () => {
    const previous = [person("E1", { userType: "admin" }), person("E2", { email: "api@example.com" }), ...staff(20).slice(2)];
    const roster = previous.slice(2);
    const settings = { apiUsername: "api@example.com", maxRemovals: "100%" };
    expect(() => assertRemovalsAllowed(roster, guard(previous, settings))).toThrow(
      "roster change refused: it would deactivate or delete the portal's API user or an admin:\n" +
        "  - E1 e1@example.com: deactivate (removed from the roster, admin)\n" +
        "  - E2 api@example.com: deactivate (removed from the roster, the portal's API user)\n" +
        "Admins and the API user are removed only with: pulumi config set roster:allowAdminRemoval true",
    );
    expect(() => assertRemovalsAllowed(roster, guard(previous, { ...settings, allowAdminRemoval: true }))).not.toThrow();
  });

  it("reports both refusals at once", () => {
    const previous = [person("E1", { userType: "admin" }), ...staff(20).slice(1)];
    expect(() => assertRemovalsAllowed([], guard(previous))).toThrow(/more than the limit of 5[\s\S]*\n\nAlso, it would deactivate or delete the portal's API user or an admin:/);
  });
});

describe("managedPeopleOf", () => {
  it("keeps what the next run's guard needs, by employee id", () => {
    const managed: ManagedPeople = managedPeopleOf([person("E1", { userType: "admin", removal: "delete" }), person("E2", { enabled: false })]);
    expect(managed).toEqual({
      E1: { email: "e1@example.com", userType: "admin", enabled: true, removal: "delete" },
      E2: { email: "e2@example.com", userType: "learner", enabled: false },
    });
  });
});

describe("removals over time", () => {
  const now = new Date("2027-01-10T12:00:00Z");
  const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
  /** What the stack records after `applied` changed `before` into `after` at `at`. */
  const recorded = (before: ManagedPeople | undefined, after: RosterPerson[], at: Date, settings: Partial<RemovalGuardSettings> = {}) =>
    managedPeopleAfter(after, { previous: before, defaultRemoval: "deactivate", now: at, ...settings });

  it("adds up the removals of the last 7 days against the limit: two changes of 9% each, the second refused", () => {
    const everyone = staff(100);
    const first = recorded(managedPeopleOf(everyone), everyone.slice(0, 91), daysAgo(2));
    const settings = { previous: first, defaultRemoval: "deactivate" as const, now };
    expect(() => assertRemovalsAllowed(everyone.slice(0, 82), settings)).toThrow(
      /it would deactivate or delete 9 people, and changes of the last 7 days already removed 9 \(E92, E93, .*\): 18 in all, more than the limit of 9/,
    );
    // Past the window, the earlier removals no longer count.
    expect(() => assertRemovalsAllowed(everyone.slice(0, 82), { ...settings, now: new Date(now.getTime() + 6 * 86_400_000) })).not.toThrow();
  });

  it("lets an approval through only for its exact count, and does not count approved removals later", () => {
    const everyone = staff(100);
    const previous = managedPeopleOf(everyone);
    const guard = (approveRemovals?: number) => ({ previous, defaultRemoval: "deactivate" as const, now, approveRemovals });
    expect(() => assertRemovalsAllowed(everyone.slice(0, 70), guard(30))).not.toThrow();
    expect(() => assertRemovalsAllowed(everyone.slice(0, 71), guard(30))).toThrow(
      "roster:approveRemovals is 30, but this change would deactivate, delete or demote 29",
    );
    expect(() => assertRemovalsAllowed(everyone, guard(30))).not.toThrow(); // a change removing nobody is not refused

    const afterApproved = recorded(previous, everyone.slice(0, 70), daysAgo(1), { approveRemovals: 30 });
    expect(afterApproved["E71"]).toMatchObject({ enabled: false, approved: true, removedAt: daysAgo(1).toISOString() });
    expect(() => assertRemovalsAllowed(everyone.slice(0, 66), { previous: afterApproved, defaultRemoval: "deactivate", now })).not.toThrow();
  });

  it("counts lowering an admin's role, and records the role the person holds when the roster leaves it out", () => {
    const previous = recorded(undefined, [person("E1", { userType: undefined }), person("E2")], daysAgo(3));
    const withRoles = managedPeopleAfter([person("E1", { userType: undefined }), person("E2")], { previous: undefined, defaultRemoval: "deactivate" }, { E1: "admin" });
    expect(withRoles["E1"]?.userType).toBe("admin");
    expect(previous["E1"]?.digest).toMatch(/^[\w-]{16}$/);
    const removals = plannedRemovals(withRoles, [person("E1", { userType: "learner" }), person("E2")], { defaultRemoval: "deactivate" });
    expect(removals).toEqual([
      { employeeId: "E1", email: "e1@example.com", action: "demote", cause: "userType: admin → learner", admin: true, apiUser: false },
    ]);
  });
});

describe("the portal the stack was applied to", () => {
  const home = "https://acme.learnupon.com/api/v1";
  const other = "https://other.learnupon.com/api/v1";
  const previous = managedPeopleAfter(staff(3), { previous: undefined, defaultRemoval: "deactivate", portal: home });

  it("is recorded with each person, and another portal is refused before anything is counted", () => {
    expect(previous["E1"]?.portal).toBe(home);
    expect(() => assertRemovalsAllowed(staff(3), { previous, defaultRemoval: "deactivate", portal: other })).toThrow(
      `roster change refused: this stack was last applied to the LearnUpon portal ${home}, but learnupon:portalUrl is now ${other}`,
    );
    expect(() => assertRemovalsAllowed(staff(3), { previous, defaultRemoval: "deactivate", portal: home })).not.toThrow();
  });

  it("lets a run with learnupon:movePortal through, and a record from before portals were kept", () => {
    expect(() => assertRemovalsAllowed(staff(3), { previous, defaultRemoval: "deactivate", portal: other, movePortal: true })).not.toThrow();
    expect(() => assertRemovalsAllowed(staff(3), { previous: managedPeopleOf(staff(3)), defaultRemoval: "deactivate", portal: other })).not.toThrow();
  });
});

describe("people kept for the removal window", () => {
  it("are not counted again once gone, but deleting someone the roster only deactivated still counts", () => {
    const before = [person("E1"), person("E2", { enabled: false, removal: "delete" }), person("E3")];
    const afterFirst = managedPeopleAfter(before.slice(1), { previous: managedPeopleOf(before), defaultRemoval: "deactivate" });
    expect(afterFirst["E1"]).toMatchObject({ enabled: false, gone: true });
    expect(plannedRemovals(afterFirst, before.slice(1), { defaultRemoval: "deactivate" })).toEqual([]);
    expect(plannedRemovals(afterFirst, [before[2]!], { defaultRemoval: "deactivate" }).map((removal) => [removal.employeeId, removal.action])).toEqual([["E2", "delete"]]);
  });
});
