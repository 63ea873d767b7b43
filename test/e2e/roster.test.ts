/**
 * The roster program end to end: the real `pulumi` CLI and engine, a file backend, and the fake
 * portal over HTTP. One scenario, in order, as a team would live it.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakePortal, type FakePortal } from "../../provider/fake-portal/index.js";
import type { RosterPerson } from "../../provider/roster/roster-file.js";
import { createWorkspace, type PulumiWorkspace } from "../support/pulumi-cli.js";
import { COURSES, demoSeed } from "../support/demo-seed.js";

const projectRoot = resolve(__dirname, "..", "..");

type Person = Partial<RosterPerson> & Pick<RosterPerson, "employeeId" | "email" | "firstName" | "lastName">;

/** The kinds of step a preview plans, but "read": the removal guard's reference to the stack itself, which changes nothing. */
function changeKinds(previewJson: string): string[] {
  return Object.keys(JSON.parse(previewJson).changeSummary).filter((kind) => kind !== "read");
}

const basePeople: Person[] = [
  { employeeId: "E1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", userType: "manager", groups: ["Engineering"], courses: [{ name: "Security Awareness" }] },
  { employeeId: "E2", email: "alan.turing@example.com", firstName: "Alan", lastName: "Turing", groups: ["Engineering"], courses: [{ name: "Code of Conduct", dueDate: "2027-01-31" }] },
  { employeeId: "E3", email: "grace@example.com", firstName: "Grace", lastName: "Hopper", groups: ["Sales"], courses: [{ name: "Security Awareness" }, { name: "Code of Conduct" }] },
  { employeeId: "E4", email: "shep.hyken@example.com", firstName: "Shep", lastName: "Hyken", groups: ["Support"], courses: [{ name: "Security Awareness" }] },
  { employeeId: "E5", email: "linus@example.com", firstName: "Linus", lastName: "Torvalds", groups: [], courses: [{ name: "Security Awareness" }] },
];

describe("the roster program converges a portal", () => {
  let portal: FakePortal;
  let workspace: PulumiWorkspace;
  let scratch: string;
  let rosterFile: string;

  async function writeRoster(people: Person[]): Promise<void> {
    await writeFile(rosterFile, stringify({ people }));
  }

  const pulumi = (...args: string[]) => workspace.run([...args, "--stack", workspace.stack]);
  const userByEmail = (email: string) =>
    [...portal.store.users.values()].find((user) => user.email?.toLowerCase() === email.toLowerCase());
  const courseId = (name: string) => [...portal.store.courses.values()].find((course) => course.name === name)!.id;
  const groupId = (title: string) => [...portal.store.groups.values()].find((group) => group.title === title)!.id;

  /** Field by field: every declared person, group and course is in the portal as declared. */
  function expectPortalToMatch(people: Person[]): void {
    for (const person of people) {
      const user = userByEmail(person.email);
      expect(user, person.email).toBeDefined();
      expect({
        email: user!.email?.toLowerCase(),
        first_name: user!.first_name,
        last_name: user!.last_name,
        user_type: user!.user_type,
        enabled: user!.enabled,
      }).toEqual({
        email: person.email.toLowerCase(),
        first_name: person.firstName,
        last_name: person.lastName,
        user_type: person.userType ?? "learner",
        enabled: person.enabled ?? true,
      });
      for (const group of person.groups ?? []) {
        expect(portal.store.findMembership(groupId(group), user!.id), `${person.email} in ${group}`).toBeDefined();
      }
      for (const course of person.courses ?? []) {
        const enrollment = [...portal.store.enrollments.values()].find(
          (candidate) => candidate.user_id === user!.id && candidate.course_id === courseId(course.name),
        );
        expect(enrollment, `${person.email} in ${course.name}`).toBeDefined();
        if (course.dueDate) expect(enrollment!.due_date).toBe(course.dueDate);
      }
    }
  }

  beforeAll(async () => {
    portal = await startFakePortal({ seed: demoSeed(), options: { rateLimit: false } });
    scratch = await mkdtemp(join(tmpdir(), "pulumi-learnupon-e2e-"));
    rosterFile = join(scratch, "roster.yaml");
    await writeRoster(basePeople);
    workspace = await createWorkspace({ programDir: projectRoot, stack: "e2e-roster" });
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

  it("creates and adopts everyone on the first up", async () => {
    const alanBefore = userByEmail("alan.turing@example.com")!; // seeded as Alan.Turing@Example.com
    const shepBefore = userByEmail("shep.hyken@example.com")!; // seeded deactivated
    await pulumi("up", "--yes", "--skip-preview");

    expectPortalToMatch(basePeople);
    expect(userByEmail("alan.turing@example.com")!.id).toBe(alanBefore.id);
    expect(userByEmail("shep.hyken@example.com")!.id).toBe(shepBefore.id);
    expect(userByEmail("shep.hyken@example.com")!.enabled).toBe(true);
    expect([...portal.store.users.values()].filter((user) => user.email?.toLowerCase() === "alan.turing@example.com")).toHaveLength(1);
    expect(userByEmail("api@example.com")!.enabled).toBe(true); // not in the roster: untouched

    const outputs = JSON.parse((await pulumi("stack", "output", "--json")).stdout);
    expect(outputs).toEqual({
      people: { active: 5, deactivated: 0 },
      enrollments: 6,
      memberships: 4,
      managedPeople: "[secret]", // who the stack manages, for the next run's removal guard
    });
  });

  it("previews no changes and makes no API calls on a second run", async () => {
    portal.log.clear();
    const preview = await pulumi("preview", "--json");
    expect(changeKinds(preview.stdout)).toEqual(["same"]);
    expect(portal.log.entries()).toEqual([]);
  });

  it("adds, edits and removes people; removal deactivates", async () => {
    const ada = userByEmail("ada@example.com")!;
    const edited: Person[] = [
      { ...basePeople[0]!, email: "ada.lovelace@example.com", lastName: "King" },
      ...basePeople.slice(1, 4),
      { employeeId: "E6", email: "joan@example.com", firstName: "Joan", lastName: "Clarke", groups: ["Support"], courses: [] },
    ];
    await writeRoster(edited);
    portal.log.clear();
    await pulumi("up", "--yes", "--skip-preview");

    expectPortalToMatch(edited);
    expect(userByEmail("ada.lovelace@example.com")!.id).toBe(ada.id);
    expect(userByEmail("linus@example.com")!.enabled).toBe(false);
    expect(portal.log.writes().length).toBeGreaterThan(0);
  });

  it("re-activates the same LearnUpon user when a removed person comes back", async () => {
    const linus = userByEmail("linus@example.com")!;
    const people: Person[] = [{ ...basePeople[0]!, email: "ada.lovelace@example.com", lastName: "King" }, ...basePeople.slice(1)];
    await writeRoster(people);
    await pulumi("up", "--yes", "--skip-preview");
    expect(userByEmail("linus@example.com")).toMatchObject({ id: linus.id, enabled: true });
    expect(userByEmail("joan@example.com")!.enabled).toBe(false);
    expectPortalToMatch(people);
  });

  it("finds drift made by hand with preview --refresh and repairs it with up --refresh", async () => {
    const grace = userByEmail("grace@example.com")!;
    const alan = userByEmail("alan.turing@example.com")!;
    portal.store.updateUser(grace.id, { enabled: false });
    portal.store.updateUser(alan.id, { first_name: "Alain" });
    const enrollment = [...portal.store.enrollments.values()].find(
      (candidate) => candidate.user_id === grace.id && candidate.course_id === courseId("Code of Conduct"),
    )!;
    portal.store.unenroll(enrollment, true);

    const preview = await pulumi("preview", "--refresh", "--json");
    const steps: Array<{ op: string; urn: string }> = JSON.parse(preview.stdout).steps;
    const changed = steps.filter((step) => step.op !== "same").map((step) => `${step.op} ${step.urn.split("::").pop()}`);
    expect(changed).toEqual(expect.arrayContaining(["update E3", "update E2", "create E3/Code of Conduct"]));
    expect(grace.enabled).toBe(false); // a preview changes nothing

    await pulumi("up", "--refresh", "--yes", "--skip-preview");
    expect(userByEmail("grace@example.com")!.enabled).toBe(true);
    expect(userByEmail("alan.turing@example.com")!.first_name).toBe("Alan");
    const second = await pulumi("preview", "--refresh", "--json");
    expect(changeKinds(second.stdout)).toEqual(["same"]);
  });

  it("records drift in state with pulumi refresh alone", async () => {
    const ada = userByEmail("ada.lovelace@example.com")!;
    portal.store.updateUser(ada.id, { last_name: "Byron" });
    await pulumi("refresh", "--yes", "--skip-preview");
    const state = JSON.parse(await workspace.readStateFile());
    const adaState = state.checkpoint.latest.resources.find((resource: { urn: string }) => resource.urn.endsWith("::E1"));
    expect(adaState.outputs.lastName).toBe("Byron");
    const preview = JSON.parse((await pulumi("preview", "--json")).stdout);
    const updates = preview.steps.filter((step: { op: string }) => step.op === "update");
    expect(updates.map((step: { urn: string }) => step.urn.split("::").pop())).toEqual(["E1"]);
  });

  it("leaves people deactivated and completed enrollments in place on destroy", async () => {
    const alan = userByEmail("alan.turing@example.com")!;
    const completed = [...portal.store.enrollments.values()].find((enrollment) => enrollment.user_id === alan.id)!;
    completed.status = "completed";
    const usersBefore = portal.store.users.size;

    await pulumi("destroy", "--yes", "--skip-preview");

    expect(portal.store.users.size).toBe(usersBefore);
    for (const person of basePeople) expect(userByEmail(person.email === "ada@example.com" ? "ada.lovelace@example.com" : person.email)!.enabled).toBe(false);
    expect(portal.store.enrollments.get(completed.id)?.status).toBe("completed");
    expect(userByEmail("api@example.com")!.enabled).toBe(true);
    expect(COURSES.length).toBe(4);
  });
});
