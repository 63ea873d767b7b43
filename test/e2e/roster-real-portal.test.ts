/**
 * The roster program against a fake portal answering the less convenient way on every point of
 * issue 14 at once: enrollment dates as date-times, group member rows carrying the membership id,
 * search misses as 200 + error body, and the expiry taken only as `expiry_date`
 * (docs/learnupon-api-notes.md). A refresh must still find no drift and a second preview no work.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakePortal, type FakePortal } from "../../provider/fake-portal/index.js";
import { demoSeed } from "../support/demo-seed.js";
import { RosterStack, type Person } from "../support/roster-stack.js";

/** The kinds of step a preview plans, but "read" (the removal guard's reference to the stack itself). */
function changeKinds(previewJson: string): string[] {
  return Object.keys(JSON.parse(previewJson).changeSummary).filter((kind) => kind !== "read");
}

const people: Person[] = [
  { employeeId: "E1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", groups: ["Engineering"], courses: [{ name: "Security Awareness", dueDate: "2027-03-31", expiresAt: "2027-12-31" }] },
  { employeeId: "E2", email: "alan.turing@example.com", firstName: "Alan", lastName: "Turing", groups: ["Engineering", "Sales"], courses: [{ name: "Code of Conduct", dueDate: "2027-01-31" }] },
  { employeeId: "E3", email: "grace@example.com", firstName: "Grace", lastName: "Hopper", groups: ["Sales"], courses: [{ name: "Security Awareness" }] },
];

describe("the roster program against a portal answering the real, less convenient way", () => {
  let portal: FakePortal;
  let stack: RosterStack;

  const pulumi = (...args: string[]) => stack.pulumi(args);
  const writeRoster = (roster: Person[]) => stack.writeRoster(roster);
  const userByEmail = (email: string) => [...portal.store.users.values()].find((user) => user.email?.toLowerCase() === email);
  const courseId = (name: string) => [...portal.store.courses.values()].find((course) => course.name === name)!.id;
  const enrollmentOf = (email: string, course: string) =>
    [...portal.store.enrollments.values()].find((e) => e.user_id === userByEmail(email)!.id && e.course_id === courseId(course));

  beforeAll(async () => {
    portal = await startFakePortal({
      seed: demoSeed(),
      options: {
        rateLimit: false,
        enrollmentDates: "timestamp",
        groupMemberRows: "membership",
        searchMissStatus: 200,
        enrollmentExpiryField: "expiry_date",
      },
    });
    stack = await RosterStack.start(portal, "e2e-real-portal");
    await writeRoster(people);
  });

  afterAll(async () => {
    await stack?.dispose();
    await portal?.close();
  });

  it("converges on the first up, dates and expiry included", async () => {
    await pulumi("up", "--yes", "--skip-preview");
    expect(enrollmentOf("ada@example.com", "Security Awareness")).toMatchObject({ due_date: "2027-03-31", expires_at: "2027-12-31" });
    expect(enrollmentOf("alan.turing@example.com", "Code of Conduct")?.due_date).toBe("2027-01-31");
    expect(portal.store.findMembership([...portal.store.groups.values()].find((g) => g.title === "Sales")!.id, userByEmail("alan.turing@example.com")!.id)).toBeDefined();
  });

  it("previews no changes and makes no API calls on a second run", async () => {
    portal.log.clear();
    const preview = await pulumi("preview", "--json");
    expect(changeKinds(preview.stdout)).toEqual(["same"]);
    expect(portal.log.entries()).toEqual([]);
  });

  it("finds no drift with preview --refresh", async () => {
    portal.log.clear();
    const preview = await pulumi("preview", "--refresh", "--json");
    const steps: Array<{ op: string; urn: string }> = JSON.parse(preview.stdout).steps;
    expect(steps.filter((step) => !["same", "read", "refresh"].includes(step.op)).map((step) => `${step.op} ${step.urn.split("::").pop()}`)).toEqual([]);
    expect(changeKinds(preview.stdout)).toEqual(["same"]);
    expect(portal.log.writes()).toEqual([]);
  });

  it("moves dates, learning the expiry field from the read-back, then a refresh finds no drift again", async () => {
    const moved = people.map((person) =>
      person.employeeId === "E1" ? { ...person, courses: [{ name: "Security Awareness", dueDate: "2027-04-30", expiresAt: "2028-01-31" }] } : person,
    );
    await writeRoster(moved);
    portal.log.clear();
    await pulumi("up", "--yes", "--skip-preview");
    expect(enrollmentOf("ada@example.com", "Security Awareness")).toMatchObject({ due_date: "2027-04-30", expires_at: "2028-01-31" });
    const patches = portal.log.entries({ method: "PATCH" }).map((e) => e.body);
    // A new run tries `expires_at` first again, then learns `expiry_date` from the read-back.
    expect(patches).toEqual([{ due_date: "2027-04-30", expires_at: "2028-01-31" }, { expiry_date: "2028-01-31" }]);

    const second = await pulumi("preview", "--refresh", "--json");
    expect(changeKinds(second.stdout)).toEqual(["same"]);
  });
});
