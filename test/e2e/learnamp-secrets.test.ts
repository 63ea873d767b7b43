/**
 * Learn Amp's client secret and the OAuth2 tokens the provider gets with it appear in no state, no
 * output and no error, `-v=9` included (for the secret given by environment; given as stack config,
 * the engine's own Configure log is the one place, as for LearnUpon's password). And one provider
 * process asks for one token, shared by every resource.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLearnAmpSandbox, type LearnAmpSandbox } from "../../provider/fake-portal/learnamp/index.js";
import { createWorkspace, type PulumiWorkspace } from "../support/pulumi-cli.js";
import type { Person } from "../support/roster-stack.js";

const projectRoot = resolve(__dirname, "..", "..");

/** Every file below `dir` but plugin binaries, which the stack never writes to. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && !entry.parentPath.includes("plugins"))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe("Learn Amp credentials", () => {
  const people: Person[] = Array.from({ length: 6 }, (_, index) => ({
    employeeId: `K${index}`,
    email: `k${index}@example.com`,
    firstName: "Key",
    lastName: `Holder${index}`,
    groups: ["Sales"],
    courses: [],
  }));
  let sandbox: LearnAmpSandbox;
  let workspace: PulumiWorkspace;
  let scratch: string;
  const outputs: string[] = [];
  const pulumi = async (args: string[], env: Record<string, string> = {}) => {
    const run = await workspace.run([...args, "--stack", workspace.stack], { env });
    outputs.push(run.stdout, run.stderr);
    return run;
  };

  beforeAll(async () => {
    sandbox = await startLearnAmpSandbox({ seed: { groups: ["Sales"], courses: [], people: [] }, rateLimit: false });
    scratch = await mkdtemp(join(tmpdir(), "pulumi-learnupon-learnamp-secrets-"));
    workspace = await createWorkspace({ programDir: projectRoot, stack: "e2e-learnamp-secrets" });
    await workspace.setConfig("roster:lms", "learnamp");
    await workspace.setConfig("roster:file", join(scratch, "roster.yaml"));
    await workspace.setConfig("learnamp:requestsPerMinute", "100000");
    for (const [key, value] of Object.entries(sandbox.config)) await workspace.setConfig(key, value);
  });

  afterAll(async () => {
    await workspace?.dispose();
    await sandbox?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("keeps the secret (given by environment) and every token out of state, outputs and -v=9 logs; one token per provider process", async () => {
    const [secretKey, secret] = Object.entries(sandbox.secrets)[0]!;
    expect(secretKey).toBe("learnamp:clientSecret");
    const env = { LEARNAMP_CLIENT_SECRET: secret };
    await writeFile(join(scratch, "roster.yaml"), stringify({ people: people.slice(0, 4) }));
    const first = await pulumi(["up", "--yes", "--skip-preview", "-v=9", "--logtostderr"], env);
    expect(first.exitCode).toBe(0);
    expect(first.stderr.length).toBeGreaterThan(100_000); // the engine's debug log, RPC payloads included
    expect(sandbox.portal.store.tokenRequests).toBe(1); // four people, four teams joined: one token

    await writeFile(join(scratch, "roster.yaml"), stringify({ people }));
    const second = await pulumi(["up", "--refresh", "--yes", "--skip-preview", "-v=9", "--logtostderr"], env);
    expect(second.exitCode).toBe(0);
    expect(sandbox.portal.store.tokenRequests).toBe(2); // one more provider process, one more token
    const tokens = [...sandbox.portal.store.tokens.keys()];
    expect(tokens.length).toBeGreaterThanOrEqual(2);

    const secrets = [secret, ...tokens];
    const leaks = (text: string) => text.split("\n").filter((line) => secrets.some((value) => line.includes(value)));
    expect(outputs.flatMap(leaks)).toEqual([]);
    const state = await workspace.readStateFile();
    expect(leaks(state)).toEqual([]);
    // Everything the stack wrote: its file backend with history and backups, its PULUMI_HOME, its config file.
    const files = [...(await filesUnder(workspace.stateDir)), join(projectRoot, `Pulumi.${workspace.stack}.yaml`)];
    const contents = await Promise.all(files.map(async (file) => [file, await readFile(file, "utf8").catch(() => "")] as const));
    expect(contents.filter(([, text]) => secrets.some((value) => text.includes(value))).map(([file]) => file)).toEqual([]);
  });
});
