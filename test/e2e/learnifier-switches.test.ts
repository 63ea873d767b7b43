/**
 * The Learnifier backend end to end under the fake realm's switches, one per point Learnifier's
 * documentation leaves open (provider/fake-portal/learnifier/options.ts). Each configuration runs
 * the same scenario with the real engine: a first up, a no-op preview, two managed people swapping
 * emails (with `learnifier:autoClearEmail`), drift repaired, a person with a finished course removed
 * with the `delete` policy (refused or done, as the realm says), and a destroy.
 *
 * `npm test` runs a sample: every switch at its non-default value at once (the defaults run in the
 * conformance suite). `ROSTER_FULL_MATRIX=1` runs each switch at each value, one at a time.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { LEARNIFIER_SWITCHES, defaultSwitches, type LearnifierSwitches } from "../../provider/fake-portal/learnifier/options.js";
import { startLearnifierSandbox } from "../../provider/fake-portal/learnifier/sandbox.js";
import { createWorkspace } from "../support/pulumi-cli.js";
import type { Person } from "../support/roster-stack.js";

const projectRoot = resolve(__dirname, "..", "..");

/** Every switch at its second value at once, then (full matrix) each value of each switch alone. */
function configurations(full: boolean): Array<Partial<LearnifierSwitches>> {
  const alternates = Object.fromEntries(Object.entries(LEARNIFIER_SWITCHES).map(([name, values]) => [name, values[1]])) as Partial<LearnifierSwitches>;
  if (!full) return [alternates];
  const single = Object.entries(LEARNIFIER_SWITCHES).flatMap(([name, values]) => values.map((value) => ({ [name]: value }) as Partial<LearnifierSwitches>));
  return [alternates, ...single];
}

const label = (switches: Partial<LearnifierSwitches>) => Object.entries(switches).map(([name, value]) => `${name}=${value}`).join(" ");

describe.each(configurations(process.env["ROSTER_FULL_MATRIX"] === "1"))("Learnifier with $0", (given) => {
  const switches = { ...defaultSwitches(), ...given };

  it(`converges under ${label(given)}`, async () => {
    const sandbox = await startLearnifierSandbox({ seed: { groups: ["Engineering", "Sales"], courses: ["Security", "Conduct"], people: [] }, switches });
    const { portal: realm } = sandbox;
    const scratch = await mkdtemp(join(tmpdir(), "pulumi-learnifier-switches-"));
    const workspace = await createWorkspace({ programDir: projectRoot, stack: "e2e-learnifier-switches" });
    const pulumi = (args: string[], check = true) => workspace.run([...args, "--stack", workspace.stack], { check });
    const writeRoster = (people: Person[]) => writeFile(join(scratch, "roster.yaml"), stringify({ people }));
    const user = (employeeId: string) => realm.store.userByExternalId(employeeId);
    try {
      await workspace.setConfig("roster:lms", "learnifier");
      await workspace.setConfig("roster:file", join(scratch, "roster.yaml"));
      await workspace.setConfig("learnifier:autoClearEmail", "true");
      for (const [key, value] of Object.entries(sandbox.config)) await workspace.setConfig(key, value);
      for (const [key, value] of Object.entries(sandbox.secrets)) await workspace.setConfig(key, value, { secret: true });

      const ann: Person = { employeeId: "S1", email: "ann@example.com", firstName: "Ann", lastName: "Lee", groups: ["Engineering"], courses: [{ name: "Security" }] };
      const bob: Person = { employeeId: "S2", email: "bob@example.com", firstName: "Bob", lastName: "Ray", groups: ["Sales"], courses: [{ name: "Conduct" }] };
      const cy: Person = { employeeId: "S3", email: "cy@example.com", firstName: "Cy", lastName: "Ng", groups: ["Engineering"], courses: [{ name: "Security" }], removal: "delete" };
      await writeRoster([ann, bob, cy]);
      await pulumi(["up", "--yes", "--skip-preview"]);
      expect(realm.store.participants.filter((participant) => participant.activated && !participant.inError)).toHaveLength(3);
      expect(realm.store.members.size).toBe(3);

      realm.log.clear();
      await pulumi(["preview", "--json"]);
      expect(realm.log.entries()).toEqual([]);

      // Two managed people swap emails in one run: whichever goes first takes the address with autoClearEmail.
      const swapped = [{ ...ann, email: bob.email }, { ...bob, email: ann.email }, cy];
      await writeRoster(swapped);
      await pulumi(["up", "--yes", "--skip-preview"]);
      expect([user("S1")?.primaryEmail, user("S2")?.primaryEmail]).toEqual([bob.email, ann.email]);

      // Drift by hand: Ann out of her group and project; repaired by up --refresh.
      const annId = user("S1")!.uuid;
      realm.store.members.deleteWhere((member) => member.userUuid === annId);
      realm.store.participants.deleteWhere((participant) => participant.userUuid === annId);
      await pulumi(["up", "--refresh", "--yes", "--skip-preview"]);
      expect(realm.store.members.filter((member) => member.userUuid === annId)).toHaveLength(1);
      expect(realm.store.participants.filter((participant) => participant.userUuid === annId && participant.activated)).toHaveLength(1);

      // Cy finished Security (kept as history on removal), then leaves with the delete policy.
      const cyId = user("S3")!.uuid;
      realm.store.participants.filter((participant) => participant.userUuid === cyId).forEach((participant) => (participant.activitiesCompleted = 5));
      await writeRoster(swapped.slice(0, 2));
      const removal = await pulumi(["up", "--yes", "--skip-preview"], false);
      if (switches.deleteUserRoute === "missing") {
        expect(removal.exitCode).not.toBe(0);
        expect(removal.stdout + removal.stderr).toContain("has no DELETE /users/{id}");
        expect(user("S3")).toBeDefined();
      } else if (switches.deleteWithParticipations === "refuse") {
        expect(removal.exitCode).not.toBe(0);
        expect(removal.stdout + removal.stderr).toContain("refuses to delete");
        expect(user("S3")).toBeDefined();
      } else {
        expect(removal.exitCode).toBe(0);
        expect(user("S3")).toBeUndefined();
      }

      await pulumi(["destroy", "--yes", "--skip-preview"], false);
      for (const employeeId of ["S1", "S2"]) expect(user(employeeId)).toMatchObject({ hardLock: true });
      expect(realm.store.participants.filter((participant) => participant.userUuid === annId)).toEqual([]);
    } finally {
      await workspace.dispose();
      await sandbox.close();
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
