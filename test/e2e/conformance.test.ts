/**
 * The backend conformance suite: the same end-to-end steps, with the real `pulumi` engine and the
 * root roster program, for every backend in `test/support/backends.ts`, each against its own fake
 * portal. A backend is done when it passes:
 *
 * 1. a first `up` creates everyone in the roster, with their groups and courses;
 * 2. a second `preview` plans no change and makes no API call;
 * 3. an edit (one added, one removed and so deactivated, an email changed in place, a name changed) converges;
 * 4. drift made by hand shows in `preview --refresh` without a write, and `up --refresh` repairs it;
 * 5. a removed person added back is re-enabled: the same LMS user;
 * 6. `destroy` deactivates everyone and keeps their training history.
 *
 * Each backend runs with its fake portal's defaults. With `ROSTER_FULL_MATRIX=1` it runs again with
 * each switch of its fake portal at each other value, one at a time: a backend is done when every
 * variant passes (a value that makes convergence impossible by design is listed as such in
 * `test/support/backends.ts`, with why, and tested in that backend's own switch test).
 *
 * A backend without enrollments first shows that a roster naming a course fails at `preview`,
 * naming the row, the field and why, before anything is written; its steps then carry no courses.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type BackendUnderTest, type PortalUnderTest } from "../support/backends.js";
import { createWorkspace, type PulumiWorkspace } from "../support/pulumi-cli.js";
import type { Person } from "../support/roster-stack.js";

const projectRoot = resolve(__dirname, "..", "..");

/** The kinds of step a preview plans, but "read": the removal guard's reference to the stack itself. */
function changeKinds(previewJson: string): string[] {
  return Object.keys(JSON.parse(previewJson).changeSummary).filter((kind) => kind !== "read");
}

/** The defaults, and with the full matrix each switch at each other value. */
function variants(backend: BackendUnderTest): Array<Record<string, string>> {
  if (process.env["ROSTER_FULL_MATRIX"] !== "1") return [{}];
  const others = Object.entries(backend.switches).flatMap(([name, values]) =>
    values.slice(1).filter((value) => !backend.outsideConformance?.[name]?.values.includes(value)).map((value) => ({ [name]: value })),
  );
  return [{}, ...others];
}

const runs = BACKENDS.flatMap((backend) => variants(backend).map((switches) => ({ backend, switches, label: JSON.stringify(switches) })));

describe.each(runs)("the $backend.name backend, switches $label", ({ backend, switches }) => {
  const [engineering, sales] = backend.groups as [string, string];
  const [security, conduct] = backend.courses as [string, string];
  const courses = (...names: string[]) => (backend.enrollments ? names.map((name) => ({ name })) : []);
  const people: Person[] = [
    { employeeId: "C1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", groups: [engineering], courses: courses(security) },
    { employeeId: "C2", email: "alan@example.com", firstName: "Alan", lastName: "Turing", groups: [engineering, sales], courses: courses(conduct) },
    { employeeId: "C3", email: "grace@example.com", firstName: "Grace", lastName: "Hopper", groups: [sales], courses: courses(security, conduct) },
    { employeeId: "C4", email: "shep@example.com", firstName: "Shep", lastName: "Hyken", groups: [], courses: courses(security) },
  ];
  const [ada, alan, grace, shep] = people as [Person, Person, Person, Person];
  const linus: Person = { employeeId: "C5", email: "linus@example.com", firstName: "Linus", lastName: "Torvalds", groups: [sales], courses: [] };
  const edited: Person[] = [ada, { ...alan, email: "alan.turing@example.com" }, { ...grace, lastName: "Murray Hopper" }, linus];

  let portal: PortalUnderTest;
  let workspace: PulumiWorkspace;
  let scratch: string;
  const pulumi = (...args: string[]) => workspace.run([...args, "--stack", workspace.stack]);
  const writeRoster = (roster: Person[]) => writeFile(join(scratch, "roster.yaml"), stringify({ people: roster }));

  /** Every declared person is in the portal as declared, enabled, in their groups and courses. */
  function expectPortalToMatch(roster: Person[]): void {
    for (const person of roster) {
      expect(portal.person(person.email), person.email).toMatchObject({ firstName: person.firstName, lastName: person.lastName, enabled: true });
      for (const group of person.groups ?? []) expect(portal.isMember(person.email, group), `${person.email} in ${group}`).toBe(true);
      for (const course of person.courses ?? []) expect(portal.isEnrolled(person.email, course.name), `${person.email} in ${course.name}`).toBe(true);
    }
  }

  beforeAll(async () => {
    portal = await backend.start({ switches });
    scratch = await mkdtemp(join(tmpdir(), "pulumi-learnupon-conformance-"));
    workspace = await createWorkspace({ programDir: projectRoot, stack: `e2e-conformance-${backend.name}-${Object.entries(switches).flat().join("-").replace(/[^\w-]/g, "") || "defaults"}` });
    await workspace.setConfig("roster:lms", backend.name);
    await workspace.setConfig("roster:file", join(scratch, "roster.yaml"));
    for (const [key, value] of Object.entries(portal.config)) await workspace.setConfig(key, value);
    for (const [key, value] of Object.entries(portal.secrets)) await workspace.setConfig(key, value, { secret: true });
  });

  afterAll(async () => {
    await workspace?.dispose();
    await portal?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  // Only for a backend without enrollments: LearnUpon has them, so the step does not apply (rather than being skipped).
  if (!backend.enrollments) it("0. refuses at preview a roster naming a course, as the LMS has no enrollments, writing nothing", async () => {
    await writeRoster([{ ...ada, courses: [{ name: security }] }]);
    portal.clearLog();
    const preview = await workspace.run(["preview", "--stack", workspace.stack], { check: false });
    expect(preview.exitCode).not.toBe(0);
    expect(`${preview.stdout}${preview.stderr}`).toMatch(new RegExp(`roster\\.yaml:[^:]+: courses: ${backend.title} has no Enrollment`));
    expect(portal.writes()).toBe(0);
  });

  it("1. creates everyone in the roster on the first up", async () => {
    await writeRoster(people);
    await pulumi("up", "--yes", "--skip-preview");
    expectPortalToMatch(people);
  });

  it("2. previews no change, with no API call, on a second run", async () => {
    portal.clearLog();
    const preview = await pulumi("preview", "--json");
    expect(changeKinds(preview.stdout)).toEqual(["same"]);
    expect(portal.calls()).toBe(0);
  });

  it("3. adds, removes (deactivates), changes an email in place and renames", async () => {
    const alanId = portal.person(alan.email)!.id;
    await writeRoster(edited);
    await pulumi("up", "--yes", "--skip-preview");
    expectPortalToMatch(edited);
    expect(portal.person("alan.turing@example.com")!.id).toBe(alanId);
    expect(portal.person(shep.email)).toMatchObject({ enabled: false });
  });

  it("4. shows drift made by hand at preview --refresh without a write, and repairs it with up --refresh", async () => {
    portal.byHand.deactivate(ada.email);
    portal.byHand.rename(linus.email, "Linux");
    portal.byHand.removeMembership(grace.email, sales);
    if (backend.enrollments) portal.byHand.removeEnrollment(ada.email, security);
    portal.clearLog();

    const preview = await pulumi("preview", "--refresh", "--json");
    expect(changeKinds(preview.stdout)).toEqual(expect.arrayContaining(["update", "create"]));
    expect(portal.writes()).toBe(0);

    await pulumi("up", "--refresh", "--yes", "--skip-preview");
    expectPortalToMatch(edited);
  });

  it("5. re-enables a removed person who is added back: the same user", async () => {
    const shepId = portal.person(shep.email)!.id;
    await writeRoster([...edited, shep]);
    await pulumi("up", "--yes", "--skip-preview");
    expect(portal.person(shep.email)).toMatchObject({ id: shepId, enabled: true });
  });

  it("6. destroy deactivates everyone and keeps their training history", async () => {
    if (backend.enrollments) portal.byHand.completeCourse(grace.email, conduct);
    await pulumi("destroy", "--yes", "--skip-preview");
    for (const person of [...edited, shep]) expect(portal.person(person.email), person.email).toMatchObject({ enabled: false });
    if (backend.enrollments) expect(portal.isEnrolled(grace.email, conduct)).toBe(true);
  });
});
