/**
 * The roster program against a fake portal answering the less convenient way on every point of
 * issue 14 at once: enrollment dates as date-times, group member rows carrying the membership id,
 * search misses as 200 + error body, and the expiry taken only as `expiry_date`
 * (docs/learnupon-api-notes.md). A refresh must still find no drift and a second preview no work.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakePortal, type FakePortal } from "../../provider/fake-portal/index.js";
import type { RosterPerson } from "../../provider/roster/roster-file.js";
import { createWorkspace, type PulumiWorkspace } from "../support/pulumi-cli.js";
import { demoSeed } from "../support/demo-seed.js";

const projectRoot = resolve(__dirname, "..", "..");

type Person = Partial<RosterPerson> & Pick<RosterPerson, "employeeId" | "email" | "firstName" | "lastName">;

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
  let workspace: PulumiWorkspace;
  let scratch: string;
  let rosterFile: string;

  const pulumi = (...args: string[]) => workspace.run([...args, "--stack", workspace.stack]);
  const writeRoster = (roster: Person[]) => writeFile(rosterFile, stringify({ people: roster }));
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
    scratch = await mkdtemp(join(tmpdir(), "pulumi-learnupon-e2e-real-"));
    rosterFile = join(scratch, "roster.yaml");
    await writeRoster(people);
    workspace = await createWorkspace({ programDir: projectRoot, stack: "e2e-real-portal" });
    await workspace.setConfig("learnupon:portalUrl", portal.url);
    await workspace.setConfig("learnupon:username", portal.username);
    await workspace.setConfig("learnupon:password", portal.password, { secret: true });
    await workspace.setConfig("learnupon:requestsPerMinute", "100000");
    await workspace.setConfig("roster:file", rosterFile);
  });

  afterAll(async () => {
    await workspace?.dispose();
    await portal?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
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
