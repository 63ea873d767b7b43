/**
 * The sync article's rule, end to end with the real `pulumi` engine and the root roster program:
 * people made in Learnifier by hand (no external id: an administrator, a walk-in learner) are
 * left alone through `up`, `refresh` and `destroy`, even in the groups and projects the roster
 * manages. "Alone" is checked twice: their records read back unchanged, and no request the
 * provider sent wrote to them.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLearnifierSandbox } from "../../provider/fake-portal/learnifier/sandbox.js";
import type { LearnifierFakePortal } from "../../provider/fake-portal/learnifier/index.js";
import { createWorkspace, type PulumiWorkspace } from "../support/pulumi-cli.js";
import type { Person } from "../support/roster-stack.js";

const projectRoot = resolve(__dirname, "..", "..");
const HAND_MADE = ["admin@example.com", "walkin@example.com"];

describe("Learnifier users made by hand", () => {
  let realm: LearnifierFakePortal;
  let close: () => Promise<void>;
  let workspace: PulumiWorkspace;
  let scratch: string;
  const pulumi = (...args: string[]) => workspace.run([...args, "--stack", workspace.stack]);
  const people: Person[] = [
    { employeeId: "H1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", groups: ["Engineering"], courses: [{ name: "Security Awareness" }] },
    { employeeId: "H2", email: "alan@example.com", firstName: "Alan", lastName: "Turing", groups: ["Engineering"], courses: [] },
  ];

  /** Everything the realm holds about the hand-made people: their records, groups and participations. */
  function handMade(): unknown {
    return HAND_MADE.map((email) => {
      const user = realm.store.userByEmail(email)!;
      const groups = realm.store.members.filter((member) => member.userUuid === user.uuid).map((member) => member.groupId);
      const participations = realm.store.participants.filter((participant) => participant.userUuid === user.uuid).map((participant) => ({ ...participant }));
      return { user: { ...user }, groups, participations };
    });
  }

  /** Writes whose path or body name a hand-made person. */
  function writesToHandMade(): string[] {
    const ids = HAND_MADE.map((email) => realm.store.userByEmail(email)!.uuid);
    return realm.log
      .writes()
      .filter((entry) => ids.some((id) => entry.path.includes(id) || JSON.stringify(entry.body ?? {}).includes(id)))
      .map((entry) => `${entry.method} ${entry.path}`);
  }

  beforeAll(async () => {
    const sandbox = await startLearnifierSandbox({
      seed: {
        groups: ["Engineering", "Sales"],
        courses: ["Security Awareness"],
        people: [
          { email: "admin@example.com", firstName: "Portal", lastName: "Admin", userType: "admin" },
          { email: "walkin@example.com", firstName: "Walk", lastName: "In" },
        ],
      },
    });
    realm = sandbox.portal;
    close = sandbox.close;
    // The walk-in learner is in a group and a project the roster manages, as people made by hand often are.
    const walkIn = realm.store.userByEmail("walkin@example.com")!;
    const engineering = realm.store.groups.find((group) => group.name === "Engineering")!;
    const security = realm.store.projects.find((project) => project.name === "Security Awareness")!;
    realm.store.addMember(engineering, walkIn.uuid);
    realm.store.activate(security, realm.store.addParticipant(security, { userid: walkIn.uuid }, null).participant);

    scratch = await mkdtemp(join(tmpdir(), "pulumi-learnifier-hand-made-"));
    await writeFile(join(scratch, "roster.yaml"), stringify({ people }));
    workspace = await createWorkspace({ programDir: projectRoot, stack: "e2e-learnifier-hand-made" });
    await workspace.setConfig("roster:lms", "learnifier");
    await workspace.setConfig("roster:file", join(scratch, "roster.yaml"));
    for (const [key, value] of Object.entries(sandbox.config)) await workspace.setConfig(key, value);
    for (const [key, value] of Object.entries(sandbox.secrets)) await workspace.setConfig(key, value, { secret: true });
  });

  afterAll(async () => {
    await workspace?.dispose();
    await close?.();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("are left alone by up, refresh and destroy, while the roster's people are created, kept and locked", async () => {
    const before = handMade();

    await pulumi("up", "--yes", "--skip-preview");
    for (const person of people) expect(realm.store.userByExternalId(person.employeeId)).toMatchObject({ primaryEmail: person.email, hardLock: false });
    expect(handMade()).toEqual(before);

    await pulumi("refresh", "--yes", "--skip-preview");
    await pulumi("up", "--refresh", "--yes", "--skip-preview");
    expect(handMade()).toEqual(before);

    await pulumi("destroy", "--yes", "--skip-preview");
    for (const person of people) expect(realm.store.userByExternalId(person.employeeId)).toMatchObject({ hardLock: true, locked: true });
    expect(handMade()).toEqual(before);
    expect(writesToHandMade()).toEqual([]);
  });
});
