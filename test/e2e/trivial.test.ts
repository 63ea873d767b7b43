import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace, runCommand, type PulumiWorkspace } from "../support/pulumi-cli.js";

// The exact pin is the dev dependency; users get the peer range.
const PINNED_PULUMI_VERSION = require("../../package.json").devDependencies["@pulumi/pulumi"] as string;

describe("the real pulumi engine runs a trivial dynamic resource", () => {
  let workspace: PulumiWorkspace;

  beforeAll(async () => {
    workspace = await createWorkspace({ programDir: join(__dirname, "programs", "trivial"), stack: "e2e-trivial" });
  });
  afterAll(async () => {
    await workspace?.dispose();
  });

  it("uses the pinned CLI", async () => {
    const version = await runCommand("pulumi", ["version"], { cwd: __dirname, env: {}, check: true });
    console.log(`pulumi version: ${version.stdout.trim()}`);
    expect(version.stdout.trim()).toBe(`v${PINNED_PULUMI_VERSION}`);
  });

  it("creates the resource with pulumi up on Node 22", async () => {
    await workspace.run(["up", "--yes", "--stack", workspace.stack]);
    const outputs = JSON.parse((await workspace.run(["stack", "output", "--json", "--stack", workspace.stack])).stdout);
    console.log(`program ran on node ${outputs.nodeVersion}`);
    expect(outputs.nodeVersion).toMatch(/^v22\./);
    expect(outputs.value).toBe("world");
  });

  it("previews no changes on a second run", async () => {
    const preview = await workspace.run(["preview", "--json", "--stack", workspace.stack]);
    expect(JSON.parse(preview.stdout).changeSummary).toEqual({ same: 2 });
  });

  it("removes the resource with pulumi destroy", async () => {
    await workspace.run(["destroy", "--yes", "--stack", workspace.stack]);
    const state = JSON.parse(await workspace.readStateFile());
    expect(state.checkpoint.latest.resources ?? []).toEqual([]);
  });
});
