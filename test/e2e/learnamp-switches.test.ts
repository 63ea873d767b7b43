/**
 * The Learn Amp backend against its fake at each value of each switch (one per point our notes
 * leave open, docs/learnamp-api-notes.md), with the real `pulumi` engine and the root roster
 * program: a first `up` creates people in their teams, a second `preview` makes no call, a person
 * deactivated by hand (which empties their teams) is repaired by `up --refresh`, after which a
 * refresh finds no drift, and `destroy` deactivates everyone.
 *
 * `npm test` runs a sample: the defaults and the 2024 release. `ROSTER_FULL_MATRIX=1` runs every
 * value of every switch.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { LEARNAMP_SWITCHES } from "../../provider/fake-portal/learnamp/index.js";
import { BACKENDS } from "../support/backends.js";
import { createWorkspace } from "../support/pulumi-cli.js";
import type { Person } from "../support/roster-stack.js";

const projectRoot = resolve(__dirname, "..", "..");
const learnAmp = BACKENDS.find((backend) => backend.name === "learnamp")!;

/** Each non-default value of each switch, after the defaults themselves. */
const FULL_MATRIX: Array<Record<string, string>> = [
  {},
  ...Object.entries(LEARNAMP_SWITCHES).flatMap(([name, values]) => values.slice(1).map((value) => ({ [name]: value }))),
];
const SAMPLE: Array<Record<string, string>> = [{}, { era: "2024" }];
const variants = process.env["ROSTER_FULL_MATRIX"] === "1" ? FULL_MATRIX : SAMPLE;

const people: Person[] = [
  { employeeId: "S1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", groups: ["Engineering", "Sales"] },
  { employeeId: "S2", email: "alan@example.com", firstName: "Alan", lastName: "Turing", groups: ["Sales"] },
  { employeeId: "S3", email: "grace@example.com", firstName: "Grace", lastName: "Hopper", groups: ["Support"] },
];

describe.each(variants.map((switches) => ({ switches, label: JSON.stringify(switches) })))("Learn Amp with switches $label", ({ switches }) => {
  it("creates, stays quiet, repairs a hand-made deactivation, and destroys", async () => {
    const portal = await learnAmp.start({ switches });
    const scratch = await mkdtemp(join(tmpdir(), "pulumi-learnamp-switches-"));
    const workspace = await createWorkspace({ programDir: projectRoot, stack: `e2e-learnamp-${Object.values(switches).join("-") || "defaults"}` });
    const pulumi = (...args: string[]) => workspace.run([...args, "--stack", workspace.stack]);
    try {
      await workspace.setConfig("roster:lms", "learnamp");
      await workspace.setConfig("roster:file", join(scratch, "roster.yaml"));
      for (const [key, value] of Object.entries(portal.config)) await workspace.setConfig(key, value);
      for (const [key, value] of Object.entries(portal.secrets)) await workspace.setConfig(key, value, { secret: true });
      await writeFile(join(scratch, "roster.yaml"), stringify({ people }));

      await pulumi("up", "--yes", "--skip-preview");
      for (const person of people) {
        expect(portal.person(person.email), person.email).toMatchObject({ firstName: person.firstName, enabled: true });
      }
      for (const [email, group] of [["ada@example.com", "Engineering"], ["ada@example.com", "Sales"], ["alan@example.com", "Sales"], ["grace@example.com", "Support"]] as const) {
        expect(portal.isMember(email, group), `${email} in ${group}`).toBe(true);
      }

      portal.clearLog();
      const quiet = await pulumi("preview", "--json");
      expect(Object.keys(JSON.parse(quiet.stdout).changeSummary).filter((kind) => kind !== "read")).toEqual(["same"]);
      expect(portal.calls()).toBe(0);

      portal.byHand.deactivate("ada@example.com");
      await pulumi("up", "--refresh", "--yes", "--skip-preview");
      expect(portal.person("ada@example.com")).toMatchObject({ enabled: true });
      expect(portal.isMember("ada@example.com", "Engineering") && portal.isMember("ada@example.com", "Sales")).toBe(true);

      portal.clearLog();
      const refreshed = await pulumi("preview", "--refresh", "--json");
      expect(Object.keys(JSON.parse(refreshed.stdout).changeSummary).filter((kind) => kind !== "read")).toEqual(["same"]);
      expect(portal.writes()).toBe(0);

      await pulumi("destroy", "--yes", "--skip-preview");
      for (const person of people) expect(portal.person(person.email), person.email).toMatchObject({ enabled: false });
    } finally {
      await workspace.dispose();
      await portal.close();
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
