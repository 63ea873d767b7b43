/**
 * The package from Pulumi's Automation API: an inline program run by a LocalWorkspace, with the
 * real engine, a file backend and the fake portal over HTTP.
 *
 * The engine starts the dynamic-provider host in the project's `main` folder, and the host loads
 * `@pulumi/pulumi` and the provider module stored with each resource
 * (`require("pulumi-learnupon/runtime")`) from there. For an inline program the workspace writes
 * `main: process.cwd()` into the Pulumi.yaml of its workDir (a new temporary folder by default),
 * unless `projectSettings` say otherwise: so either run the script from the project folder, or
 * pass `projectSettings.main` (what the README's example does, and this test).
 */
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LocalWorkspace, type LocalWorkspaceOptions, type Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakePortal, type FakePortal } from "../../provider/fake-portal/index.js";
import { Roster } from "../../provider/index.js";
import { E2E_PASSPHRASE } from "../support/pulumi-cli.js";

const projectRoot = resolve(__dirname, "..", "..");

/** The inline program: what a user's Automation API script passes as `program`. */
async function program() {
  const roster = new Roster("roster", {
    people: [
      { employeeId: "E1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", groups: ["Engineering"] },
      { employeeId: "E2", email: "alan@example.com", firstName: "Alan", lastName: "Turing" },
    ],
  });
  return { counts: roster.counts };
}

describe("the Automation API", () => {
  let portal: FakePortal;
  let scratch: string;
  let userProject: string;
  let stack: Stack | undefined;

  /** Engine settings: a file backend and Pulumi home of this test's own, never the user's login. */
  const workspaceOptions = (extra: LocalWorkspaceOptions = {}): LocalWorkspaceOptions => ({
    envVars: {
      PULUMI_BACKEND_URL: `file://${join(scratch, "backend")}`,
      PULUMI_HOME: join(scratch, "home"),
      PULUMI_CONFIG_PASSPHRASE: E2E_PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    },
    ...extra,
  });

  /** A stack of the inline program whose engine starts providers in `main`. */
  async function selectStack(stackName: string, main: string): Promise<Stack> {
    const selected = await LocalWorkspace.createOrSelectStack(
      { stackName, projectName: "learnupon-automation", program },
      workspaceOptions({ projectSettings: { name: "learnupon-automation", runtime: "nodejs", main } }),
    );
    await selected.setAllConfig({
      "learnupon:portalUrl": { value: portal.url },
      "learnupon:username": { value: portal.username },
      "learnupon:password": { value: portal.password, secret: true },
    });
    return selected;
  }

  beforeAll(async () => {
    portal = await startFakePortal({ seed: { groups: [{ title: "Engineering" }] }, options: { rateLimit: false } });
    scratch = await mkdtemp(join(tmpdir(), "pulumi-learnupon-automation-"));
    await mkdir(join(scratch, "backend"));
    // A user's project folder: its node_modules holds @pulumi/pulumi and pulumi-learnupon.
    userProject = await mkdtemp(join(scratch, "project-"));
    await symlink(join(projectRoot, "node_modules"), join(userProject, "node_modules"), "dir");
  });

  afterAll(async () => {
    await stack?.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
    if (stack) await rm(stack.workspace.workDir, { recursive: true, force: true });
    await portal?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("fails when the project's main folder has no node_modules: the provider host cannot start there", async () => {
    const elsewhere = await mkdtemp(join(scratch, "elsewhere-"));
    const misplaced = await selectStack("e2e-misplaced", elsewhere);
    try {
      await expect(misplaced.up()).rejects.toThrow("Cannot find module '@pulumi/pulumi/cmd/dynamic-provider'");
      expect(portal.store.users.size).toBe(0);
    } finally {
      await misplaced.workspace.removeStack(misplaced.name, { force: true }).catch(() => undefined);
      await rm(misplaced.workspace.workDir, { recursive: true, force: true });
    }
  });

  it("converges the portal with projectSettings.main set to the project folder, then destroys", async () => {
    stack = await selectStack("e2e-automation", userProject);
    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.outputs["counts"]?.value).toEqual({ activePeople: 2, deactivatedPeople: 0, enrollments: 0, memberships: 1 });
    const users = [...portal.store.users.values()].map((user) => `${user.email} ${user.enabled ? "enabled" : "disabled"}`).sort();
    expect(users).toEqual(["ada@example.com enabled", "alan@example.com enabled"]);

    const destroy = await stack.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect([...portal.store.users.values()].every((user) => !user.enabled)).toBe(true);
  });
});
