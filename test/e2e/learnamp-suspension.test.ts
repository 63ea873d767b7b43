/**
 * Learn Amp takes a deactivated person out of every team. Their memberships then read as
 * suspended, not as drift, and re-activating them puts them back in their teams in the same `up`:
 * whether the roster deactivated them or someone did by hand.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type PortalUnderTest } from "../support/backends.js";
import { createWorkspace, type PulumiWorkspace } from "../support/pulumi-cli.js";
import type { Person } from "../support/roster-stack.js";

const projectRoot = resolve(__dirname, "..", "..");
const learnAmp = BACKENDS.find((backend) => backend.name === "learnamp")!;

/** The kinds of step a preview plans, but the removal guard's `read` of the stack itself. */
function steps(previewJson: string): Record<string, number> {
  const { read: _guard, ...kinds } = JSON.parse(previewJson).changeSummary as Record<string, number>;
  return kinds;
}

describe("Learn Amp team memberships of a deactivated person", () => {
  const ada: Person = { employeeId: "S1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", groups: ["Engineering", "Sales"], courses: [] };
  const alan: Person = { employeeId: "S2", email: "alan@example.com", firstName: "Alan", lastName: "Turing", groups: ["Sales"], courses: [] };
  let portal: PortalUnderTest;
  let workspace: PulumiWorkspace;
  let scratch: string;
  const pulumi = (...args: string[]) => workspace.run([...args, "--stack", workspace.stack]);
  const writeRoster = (people: Array<Person & { enabled?: boolean }>) => writeFile(join(scratch, "roster.yaml"), stringify({ people }));
  const teamsOf = (person: Person) => (person.groups ?? []).filter((team) => portal.isMember(person.email, team));

  beforeAll(async () => {
    portal = await learnAmp.start();
    scratch = await mkdtemp(join(tmpdir(), "pulumi-learnupon-suspension-"));
    workspace = await createWorkspace({ programDir: projectRoot, stack: "e2e-learnamp-suspension" });
    await workspace.setConfig("roster:lms", "learnamp");
    await workspace.setConfig("roster:file", join(scratch, "roster.yaml"));
    for (const [key, value] of Object.entries(portal.config)) await workspace.setConfig(key, value);
    for (const [key, value] of Object.entries(portal.secrets)) await workspace.setConfig(key, value, { secret: true });
    await writeRoster([ada, alan]);
    await pulumi("up", "--yes", "--skip-preview");
  });

  afterAll(async () => {
    await workspace?.dispose();
    await portal?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("deactivated by the roster: teams emptied, memberships suspended (no drift at refresh), restored by the up that re-activates", async () => {
    await writeRoster([{ ...ada, enabled: false }, alan]);
    await pulumi("up", "--yes", "--skip-preview");
    expect(portal.person(ada.email)).toMatchObject({ enabled: false });
    expect(teamsOf(ada)).toEqual([]);

    const refreshed = await pulumi("preview", "--refresh", "--json");
    expect(steps(refreshed.stdout)).toEqual({ same: expect.any(Number) });

    const adaId = portal.person(ada.email)!.id;
    await writeRoster([ada, alan]);
    await pulumi("up", "--yes", "--skip-preview");
    expect(portal.person(ada.email)).toMatchObject({ id: adaId, enabled: true });
    expect(teamsOf(ada)).toEqual(["Engineering", "Sales"]);
    expect(teamsOf(alan)).toEqual(["Sales"]);
  });

  it("deactivated by hand: up --refresh re-activates them and puts them back in their teams, the memberships updated, not re-created", async () => {
    portal.byHand.deactivate(ada.email);
    expect(teamsOf(ada)).toEqual([]);
    const preview = await pulumi("preview", "--refresh", "--json");
    expect(steps(preview.stdout)).not.toHaveProperty("create");
    expect(steps(preview.stdout)).toMatchObject({ update: 3 }); // Ada, and her two memberships

    await pulumi("up", "--refresh", "--yes", "--skip-preview");
    expect(portal.person(ada.email)).toMatchObject({ enabled: true });
    expect(teamsOf(ada)).toEqual(["Engineering", "Sales"]);
    portal.clearLog();
    await pulumi("preview", "--expect-no-changes");
    expect(portal.calls()).toBe(0);
  });
});
