/**
 * The classify step of `summary` on its own: which resources a preview's steps are, and what they
 * change, as data before any markdown. The golden test in summary.test.ts covers the markdown.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classifyPreview } from "../../provider/gitops/summary/classify.js";
import { parsePreview } from "../../provider/gitops/summary/parse.js";
import { renderSummary } from "../../provider/gitops/summary/render.js";
import { resourceKindOf } from "../../provider/resources/lifecycle.js";

const recorded = readFileSync(join(__dirname, "fixtures", "every-change.preview.json"), "utf8");

function classify(steps: object[], config: object = {}) {
  return classifyPreview(parsePreview(JSON.stringify({ config, steps })), {});
}

function step(op: string, type: string, name: string, states: { oldState?: object; newState?: object }) {
  return { op, urn: `urn:pulumi:prod::roster::${type}::${name}`, ...states };
}

describe("resourceKindOf", () => {
  it("reads the kind from any backend's dynamic resource token", () => {
    expect(resourceKindOf("pulumi-nodejs:dynamic/learnupon:User")).toBe("User");
    expect(resourceKindOf("pulumi-nodejs:dynamic/learnamp:Enrollment")).toBe("Enrollment");
    expect(resourceKindOf("pulumi-nodejs:dynamic/northpass:GroupMembership")).toBe("GroupMembership");
  });

  it("names no kind for other resources", () => {
    for (const token of ["pulumi:pulumi:Stack", "learnupon:index:Roster", "pulumi-nodejs:dynamic:Resource", "pulumi-nodejs:dynamic/learnupon:Course", "aws:iam/user:User"]) {
      expect(resourceKindOf(token)).toBeUndefined();
    }
  });
});

describe("classifyPreview", () => {
  it("classifies another backend's resources as LearnUpon's, and the summary reads the same", () => {
    const learnUpon = classifyPreview(parsePreview(recorded), {});
    expect(learnUpon.people.added.length).toBeGreaterThan(0);
    expect(learnUpon.drift.length).toBeGreaterThan(0);
    for (const backend of ["learnamp", "northpass", "learnifier"]) {
      const other = classifyPreview(parsePreview(recorded.replaceAll("pulumi-nodejs:dynamic/learnupon:", `pulumi-nodejs:dynamic/${backend}:`)), {});
      expect(other).toEqual(learnUpon);
      expect(renderSummary(other)).toBe(readFileSync(join(__dirname, "fixtures", "every-change.summary.md"), "utf8"));
    }
  });

  it("leaves out steps of resources it does not know", () => {
    const changes = classify([
      step("create", "pulumi:pulumi:Stack", "roster-prod", { newState: { type: "pulumi:pulumi:Stack" } }),
      step("create", "learnupon:index:Roster", "roster", { newState: { type: "learnupon:index:Roster", inputs: { email: "x@example.com" } } }),
    ]);
    expect(changes.people.added).toEqual([]);
    expect(changes.enrollments.added).toEqual([]);
  });

  it("compares the fields the User resource exports, in its order, each only when declared", () => {
    const USER = "pulumi-nodejs:dynamic/learnamp:User";
    const before = { employeeId: "E1", email: "Ada@Example.com", firstName: "Ada", lastName: "Lovelace", userType: "learner", enabled: true, language: "en" };
    const declared = { employeeId: "E1", email: "ada@example.com", firstName: "Augusta", lastName: "King", userType: "manager", enabled: true, removal: "retain" };
    const changes = classify([step("update", USER, "E1", { oldState: { type: USER, outputs: before }, newState: { type: USER, inputs: declared } })]);
    const [changed] = changes.people.changed;
    // In USER_SUMMARY_FIELDS' order; the email differs in case only, and `language` is not declared.
    expect(changed?.changes).toEqual([
      { field: "firstName", before: "Ada", after: "Augusta" },
      { field: "lastName", before: "Lovelace", after: "King" },
      { field: "userType", before: "learner", after: "manager" },
      { field: "removal", before: undefined, after: "retain" },
    ]);
    // Data, not markdown: the name is as the roster gives it, escaping is render's.
    expect(changed?.person).toEqual({ name: "E1", fullName: "Augusta King", email: "ada@example.com" });
  });

  it("reports a person deactivated by hand as drift, and an enrollment gone from the portal as recreated", () => {
    const USER = "pulumi-nodejs:dynamic/northpass:User";
    const ENROLLMENT = "pulumi-nodejs:dynamic/northpass:Enrollment";
    const person = { employeeId: "E1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", enabled: true };
    const enrollment = { userEmail: "ada@example.com", courseName: "Git", removeHistory: false };
    const changes = classify([
      step("refresh", USER, "E1", { oldState: { type: USER, inputs: person }, newState: { type: USER, inputs: person } }),
      step("update", USER, "E1", { oldState: { type: USER, inputs: { ...person, enabled: false } }, newState: { type: USER, inputs: person } }),
      step("refresh", ENROLLMENT, "git", { oldState: { type: ENROLLMENT, inputs: enrollment } }),
      step("create", ENROLLMENT, "git", { newState: { type: ENROLLMENT, inputs: enrollment } }),
    ]);
    expect(changes.drift).toEqual([
      { subject: { person: { name: "E1", fullName: "Ada Lovelace", email: "ada@example.com" } }, recreated: false, changes: [{ field: "enabled", before: true, after: false }] },
      {
        subject: { entry: { kind: "Enrollment", owner: { userEmail: "ada@example.com" }, target: { name: "Git" } } },
        recreated: true,
        changes: [],
      },
    ]);
  });

  it("keeps a finished enrollment as training history unless removeHistory is set, and sorts people out by removal policy", () => {
    const ENROLLMENT = "pulumi-nodejs:dynamic/learnifier:Enrollment";
    const USER = "pulumi-nodejs:dynamic/learnifier:User";
    const removed = (name: string, outputs: object) => step("delete", ENROLLMENT, name, { oldState: { type: ENROLLMENT, outputs: { userId: 7, courseId: 3, ...outputs } } });
    const leaver = (name: string, outputs: object) => step("delete", USER, name, { oldState: { type: USER, outputs: { enabled: true, ...outputs } } });
    const changes = classify(
      [
        removed("passed", { status: "passed" }),
        removed("purged", { status: "completed", removeHistory: true }),
        removed("started", { status: "in_progress" }),
        leaver("E1", {}),
        leaver("E2", { removal: "retain" }),
        leaver("E3", { removal: "deactivate", enabled: false }),
      ],
      { "learnupon:userRemoval": "delete" },
    );
    expect(changes.enrollments.removed.map(({ keptWithStatus }) => keptWithStatus)).toEqual(["passed", undefined, undefined]);
    expect(changes.enrollments.removed[0]?.entry).toEqual({ kind: "Enrollment", owner: { userId: 7 }, target: { id: 3 } });
    expect(changes.people.deleted.map(({ person }) => person.name)).toEqual(["E1"]);
    expect(changes.people.unmanaged.map(({ person, reason }) => [person.name, reason])).toEqual([
      ["E2", "retain policy"],
      ["E3", "already deactivated"],
    ]);
  });
});
