/**
 * The Northpass backend end to end, with the real `pulumi` engine and the root roster program, on
 * the fake school with its uncertain points switched: every switch value must converge the roster
 * the same way, and a school that ignores deactivation must fail the removal loudly, naming the
 * person, and record nothing as removed.
 *
 * `npm test` runs a sample: every switch at its other value at once, and the ignored deactivation.
 * `ROSTER_FULL_MATRIX=1` runs each switch at each value, one at a time.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NORTHPASS_SWITCHES, NorthpassFakeSchool, uuidOf, type NorthpassSwitches } from "../../provider/fake-portal/northpass/index.js";
import { createWorkspace } from "../support/pulumi-cli.js";
import type { Person } from "../support/roster-stack.js";

const projectRoot = resolve(__dirname, "..", "..");

type Variant = Partial<NorthpassSwitches>;

/** Each switch at its value other than the default, one at a time: with the defaults, every value once. */
function oneAtATime(): Variant[] {
  const variants: Variant[] = [{}];
  for (const [name, values] of Object.entries(NORTHPASS_SWITCHES)) {
    if (name === "deactivation") continue; // its other value cannot converge: the failure run below covers it
    for (const value of values.slice(1)) variants.push({ [name]: value });
  }
  return variants;
}

const SAMPLE: Variant[] = [{ duplicateMember: "2xx", emptyList: "200", retryAfter: "sent", existingEmail: "422" }];
const CONVERGING = process.env["ROSTER_FULL_MATRIX"] === "1" ? oneAtATime() : SAMPLE;

const ada: Person = { employeeId: "N1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", groups: ["Engineering"] };
const alan: Person = { employeeId: "N2", email: "alan@example.com", firstName: "Alan", lastName: "Turing", groups: ["Engineering", "Sales"] };
const grace: Person = { employeeId: "N3", email: "grace@example.com", firstName: "Grace", lastName: "Hopper", groups: ["Sales"] };
const linus: Person = { employeeId: "N4", email: "linus@example.com", firstName: "Linus", lastName: "Torvalds", groups: [] };

/** A stack of the roster program on a fake school with `switches`. */
async function schoolStack(name: string, switches: Variant) {
  const school = await NorthpassFakeSchool.start({
    seed: {
      groups: ["Engineering", "Sales"],
      courses: ["Security Awareness"],
      // Grace exists already, deactivated: she is adopted and reactivated.
      people: [{ email: "Grace@Example.com", firstName: "Grace", lastName: "H.", enabled: false }],
      groupCourses: { Engineering: ["Security Awareness"] },
    },
    options: { ...switches },
  });
  const scratch = await mkdtemp(join(tmpdir(), "pulumi-learnupon-northpass-"));
  const workspace = await createWorkspace({ programDir: projectRoot, stack: name });
  await workspace.setConfig("roster:lms", "northpass");
  await workspace.setConfig("roster:file", join(scratch, "roster.yaml"));
  await workspace.setConfig("northpass:baseUrl", school.apiUrl);
  await workspace.setConfig("northpass:apiKey", school.apiKey, { secret: true });
  const person = (email: string) => school.store.personByEmail(email);
  return {
    school,
    workspace,
    writeRoster: (people: Person[]) => writeFile(join(scratch, "roster.yaml"), stringify({ people })),
    pulumi: (args: string[], check = true) => workspace.run([...args, "--stack", workspace.stack], { check }),
    person,
    enabled: (email: string) => {
      const found = person(email);
      return found !== undefined && found.deactivated_at === null;
    },
    isMember(email: string, group: string) {
      const found = person(email);
      const groupRecord = school.store.groupByName(group);
      return found !== undefined && groupRecord !== undefined && school.store.membership(groupRecord.id, found.id) !== undefined;
    },
    async dispose() {
      await workspace.dispose();
      await school.close();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

type SchoolStack = Awaited<ReturnType<typeof schoolStack>>;

function expectSchoolToMatch(stack: SchoolStack, roster: Person[]): void {
  for (const declared of roster) {
    expect(stack.person(declared.email), declared.email).toMatchObject({ first_name: declared.firstName, last_name: declared.lastName });
    expect(stack.enabled(declared.email), `${declared.email} active`).toBe(true);
    for (const group of declared.groups ?? []) expect(stack.isMember(declared.email, group), `${declared.email} in ${group}`).toBe(true);
  }
}

describe.each(CONVERGING)("the Northpass backend with switches %o", (switches) => {
  let stack: SchoolStack;
  const label = Object.values(switches).join("-") || "defaults";

  beforeAll(async () => {
    stack = await schoolStack(`e2e-northpass-${label}`, switches);
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it("converges a first up, plans nothing with no call after it, and converges edits", async () => {
    const people = [ada, alan, grace, linus];
    await stack.writeRoster(people);
    await stack.pulumi(["up", "--yes", "--skip-preview"]);
    expectSchoolToMatch(stack, people);

    stack.school.log.clear();
    const preview = await stack.pulumi(["preview", "--json"]);
    expect(Object.keys(JSON.parse(preview.stdout).changeSummary).filter((kind) => kind !== "read")).toEqual(["same"]);
    expect(stack.school.log.entries()).toEqual([]);

    // An email changed in place, a rename, one removed (deactivated), and 429s on the way.
    const alanId = stack.person(alan.email)!.id;
    const edited = [ada, { ...alan, email: "alan.turing@example.com" }, { ...grace, lastName: "Murray Hopper" }];
    await stack.writeRoster(edited);
    stack.school.faults.inject({ count: 2, status: 429, match: { method: "PATCH" } });
    await stack.pulumi(["up", "--yes", "--skip-preview"]);
    expectSchoolToMatch(stack, edited);
    expect(stack.person("alan.turing@example.com")!.id).toBe(alanId);
    expect(stack.enabled(linus.email)).toBe(false);
  });

  it("repairs drift made by hand, and destroy deactivates everyone", async () => {
    const sales = stack.school.store.groupByName("Sales")!;
    stack.school.store.removeMember(sales.id, stack.person(grace.email)!.id);
    await stack.pulumi(["up", "--refresh", "--yes", "--skip-preview"]);
    expect(stack.isMember(grace.email, "Sales")).toBe(true);

    await stack.pulumi(["destroy", "--yes", "--skip-preview"]);
    for (const email of [ada.email, "alan.turing@example.com", grace.email, linus.email]) expect(stack.enabled(email), email).toBe(false);
  });
});

describe("the Northpass backend on a school that ignores deactivation", () => {
  let stack: SchoolStack;

  beforeAll(async () => {
    stack = await schoolStack("e2e-northpass-ignored", { deactivation: "ignored" });
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it("fails the removal with a message naming the person, and records nothing as removed", async () => {
    await stack.writeRoster([ada, linus]);
    await stack.pulumi(["up", "--yes", "--skip-preview"]);
    const linusId = uuidOf(stack.person(linus.email)!.id);

    await stack.writeRoster([ada]);
    const run = await stack.pulumi(["up", "--yes", "--skip-preview"], false);
    expect(run.exitCode).not.toBe(0);
    expect(run.stdout + run.stderr).toContain(`Northpass did not confirm the deactivation of linus@example.com (Northpass person ${linusId})`);
    expect(stack.enabled(linus.email)).toBe(true);

    // The person is still in the stack's state: the next run tries again rather than forgetting them.
    const state = JSON.parse(await stack.workspace.readStateFile()) as { checkpoint: { latest: { resources: Array<{ type: string; id?: string }> } } };
    const users = state.checkpoint.latest.resources.filter((resource) => resource.type.endsWith(":User"));
    expect(users.map((resource) => resource.id)).toContain(linusId);
  });
});
