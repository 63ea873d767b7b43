/**
 * The authoritative roster (issue 18), end to end: the real `pulumi` engine, a file backend and the
 * root roster program, against each backend's fake portal. One stack per backend goes through the
 * steps in order.
 *
 * The portal holds the roster's three people and five made by hand: two carrying an employee id,
 * two without, and a boss. Where the LMS has protected roles the boss is an admin; Northpass has
 * none, so there the boss is kept out by `roster:ignore` instead. Where the LMS cannot hold an
 * employee id (Northpass), nobody carries one: the "with employee id" group is empty, and the steps
 * that deactivate use `roster:unmanaged: all`.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { summarizePreview } from "../../provider/gitops/preview-summary.js";
import { backendNamed } from "../../provider/lms/backends.js";
import { parseUnmanaged } from "../../provider/roster/unmanaged.js";
import { BACKENDS, type PortalUnderTest } from "../support/backends.js";
import { createWorkspace, type PulumiWorkspace } from "../support/pulumi-cli.js";
import type { Person } from "../support/roster-stack.js";

const projectRoot = resolve(__dirname, "..", "..");

interface PreviewStep {
  op: string;
  urn: string;
  newState?: { type: string; inputs?: Record<string, unknown> };
}

/** The logical names of the Users a preview creates to deactivate someone the roster does not declare. */
function unmanagedDeactivations(previewJson: string): string[] {
  const steps = (JSON.parse(previewJson).steps ?? []) as PreviewStep[];
  return steps
    .filter((step) => step.op === "create" && step.newState?.inputs?.["unmanaged"] === true && step.newState.inputs["enabled"] === false)
    .map((step) => step.urn.slice(step.urn.lastIndexOf("::") + 2))
    .sort();
}

/** The unmanaged-people report the preview's diagnostics carry. */
function unmanagedReport(previewJson: string) {
  const diagnostics = (JSON.parse(previewJson).diagnostics ?? []) as Array<{ message: string; severity: string }>;
  return diagnostics.map((diagnostic) => parseUnmanaged(diagnostic.message)).find((report) => report !== undefined);
}

function changeKinds(previewJson: string): string[] {
  return Object.keys(JSON.parse(previewJson).changeSummary).filter((kind) => kind !== "read");
}

describe.each(BACKENDS)("an authoritative roster on $name", (backend) => {
  const { capabilities } = backendNamed(backend.name);
  const holdsIds = backend.employeeIdConfig !== undefined;
  const adminRole = capabilities.protectedUserTypes.find((role) => capabilities.userTypes.includes(role)) ?? capabilities.protectedUserTypes[0];
  const roster: Person[] = [
    { employeeId: "E1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" },
    { employeeId: "E2", email: "alan@example.com", firstName: "Alan", lastName: "Turing" },
    { employeeId: "E3", email: "grace@example.com", firstName: "Grace", lastName: "Hopper" },
  ];
  const byHand = {
    withId: [
      { email: "hand.one@example.com", firstName: "Hand", lastName: "One", employeeId: "X901" },
      { email: "hand.two@example.com", firstName: "Hand", lastName: "Two", employeeId: "X902" },
    ],
    withoutId: [
      { email: "hand.three@example.com", firstName: "Hand", lastName: "Three" },
      { email: "hand.four@example.com", firstName: "Hand", lastName: "Four" },
    ],
    boss: { email: "boss@admins.example.com", firstName: "Big", lastName: "Boss", ...(adminRole !== undefined && { userType: adminRole }) },
  };
  const handMade = [...byHand.withId, ...byHand.withoutId];
  // Those `roster:unmanaged: withEmployeeId` deactivates; everyone made by hand but the boss with `all`.
  const withId = holdsIds ? byHand.withId : [];

  let portal: PortalUnderTest;
  let workspace: PulumiWorkspace;
  let scratch: string;
  const pulumi = (args: string[], options: { check?: boolean } = {}) => workspace.run([...args, "--stack", workspace.stack], options);
  const writeRoster = (people: Person[]) => writeFile(join(scratch, "roster.yaml"), stringify({ people }));
  const id = (email: string) => portal.person(email)!.id;
  const lmsName = (email: string) => `lms-${id(email)}`;
  const resourceNames = (people: Array<{ email: string; employeeId?: string }>) =>
    people.map((person) => (holdsIds && person.employeeId !== undefined ? person.employeeId : lmsName(person.email))).sort();

  beforeAll(async () => {
    portal = await backend.start({
      seed: {
        groups: [...backend.groups],
        courses: [...backend.courses],
        people: [...roster.map(({ employeeId, email, firstName, lastName }) => ({ employeeId, email, firstName, lastName })), ...handMade, byHand.boss],
      },
    });
    scratch = await mkdtemp(join(tmpdir(), "pulumi-learnupon-authoritative-"));
    workspace = await createWorkspace({ programDir: projectRoot, stack: `e2e-authoritative-${backend.name}` });
    await workspace.setConfig("roster:lms", backend.name);
    await workspace.setConfig("roster:file", join(scratch, "roster.yaml"));
    for (const [key, value] of Object.entries({ ...portal.config, ...backend.employeeIdConfig })) await workspace.setConfig(key, value);
    for (const [key, value] of Object.entries(portal.secrets)) await workspace.setConfig(key, value, { secret: true });
    if (adminRole === undefined) await workspace.setConfig("roster:ignore", "*@admins.example.com");
    await writeRoster(roster);
  });

  afterAll(async () => {
    await workspace?.dispose();
    await portal?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("additive (the default): the preview lists the four unmanaged people, in their two groups, and writes nothing", async () => {
    portal.clearLog();
    const preview = await pulumi(["preview", "--json"]);
    expect(portal.writes()).toBe(0);
    const report = unmanagedReport(preview.stdout);
    expect(report?.counts).toEqual({ withEmployeeId: withId.length, withoutEmployeeId: 4 - withId.length });
    expect(report?.people.map((person) => person.label.split(" ")[0]).sort()).toEqual(handMade.map((person) => person.email).sort());
    expect(report?.people.filter((person) => person.employeeId !== undefined).map((person) => person.employeeId)).toEqual(withId.map((person) => person.employeeId));
    expect(report?.verdict).toBe("roster:mode additive leaves them as they are");
    expect(unmanagedDeactivations(preview.stdout)).toEqual([]);
    const summary = summarizePreview(preview.stdout);
    expect(summary).toContain("#### Not in the roster (4)");
    expect(summary).toContain("hand.three@example.com \\(Hand Three\\)");
    expect(summary).not.toContain("boss@admins.example.com");

    await pulumi(["up", "--yes", "--skip-preview"]);
    for (const person of [...roster, ...handMade, byHand.boss]) expect(portal.person(person.email), person.email).toMatchObject({ enabled: true });
    if (holdsIds) for (const person of roster) expect(portal.person(person.email)?.employeeId).toBe(person.employeeId);
  });

  it("authoritative: the preview shows exactly the deactivations of those with an employee id (all four with `all`), writing nothing", async () => {
    await workspace.setConfig("roster:mode", "authoritative");
    portal.clearLog();
    const preview = await pulumi(["preview", "--json"]);
    expect(unmanagedDeactivations(preview.stdout)).toEqual(resourceNames(withId));
    // Where no one carries an employee id, nobody is deactivated without `all`: the group is empty.
    if (!holdsIds) expect(changeKinds(preview.stdout)).toEqual(["same"]);

    await workspace.setConfig("roster:unmanaged", "all");
    const all = await pulumi(["preview", "--json"]);
    expect(unmanagedDeactivations(all.stdout)).toEqual(resourceNames(handMade));
    expect(summarizePreview(all.stdout)).toContain("not in the roster (roster:mode authoritative)");
    expect(portal.writes()).toBe(0);
  });

  it("the removal guard refuses them when they exceed its limit", async () => {
    await workspace.setConfig("roster:maxRemovals", "1");
    portal.clearLog();
    const preview = await pulumi(["preview"], { check: false });
    expect(preview.exitCode).not.toBe(0);
    expect(preview.stdout + preview.stderr).toContain("it would deactivate or delete 4 people (4 not in the roster; the stack manages 3 active people), more than roster:maxRemovals 1");
    const up = await pulumi(["up", "--yes"], { check: false });
    expect(up.exitCode).not.toBe(0);
    expect(portal.writes()).toBe(0);
    await pulumi(["config", "rm", "roster:maxRemovals"]);
  });

  it("up deactivates exactly them, leaving the roster, the others and the admin untouched; a second up writes nothing", async () => {
    if (holdsIds) await pulumi(["config", "rm", "roster:unmanaged"]);
    const deactivated = holdsIds ? byHand.withId : handMade;
    await pulumi(["up", "--yes"]);
    for (const person of deactivated) expect(portal.person(person.email), person.email).toMatchObject({ enabled: false });
    for (const person of [...roster, ...handMade.filter((person) => !deactivated.includes(person)), byHand.boss]) {
      expect(portal.person(person.email), person.email).toMatchObject({ enabled: true });
    }

    portal.clearLog();
    await pulumi(["up", "--yes"]);
    expect(portal.writes()).toBe(0);
    const preview = await pulumi(["preview", "--json"]);
    expect(changeKinds(preview.stdout)).toEqual(["same"]);
  });

  it("a person added back to the roster is re-enabled: the same user", async () => {
    const [back] = byHand.withId as [(typeof byHand.withId)[number]];
    const before = id(back.email);
    await writeRoster([...roster, back]);
    await pulumi(["up", "--yes"]);
    expect(portal.person(back.email)).toMatchObject({ id: before, enabled: true });
  });

  // Only where the LMS holds an employee id: Northpass has none, so there is no marker to edit (rather than a skipped test).
  if (holdsIds) it("a hand edit of the employee id in the portal shows at preview --refresh; and up --refresh repairs it", async () => {
    portal.byHand.setEmployeeId(roster[0]!.email, "HAND-EDIT");
    portal.clearLog();
    const preview = await pulumi(["preview", "--refresh", "--json"]);
    expect(changeKinds(preview.stdout)).toContain("update");
    expect(portal.writes()).toBe(0);
    await pulumi(["up", "--refresh", "--yes", "--skip-preview"]);
    expect(portal.person(roster[0]!.email)?.employeeId).toBe("E1");
  });
});
