/**
 * What every reliability scenario needs: a fake portal over HTTP, a stack in its own file backend
 * running the root roster program, a roster file, and the checks that matter whatever happened:
 * nobody duplicated, nobody lost.
 *
 * Every `pulumi` output and every state folder is kept until the end of the file, so the last
 * test can search them all for the password.
 * @module
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll } from "vitest";
import { stringify } from "yaml";
import { startFakePortal, type FakePortal, type PortalOptions, type RequestLogEntry } from "../../../provider/fake-portal/index.js";
import type { RosterPerson } from "../../../provider/roster/roster-file.js";
import { demoSeed } from "../../support/demo-seed.js";
import { createWorkspace, type PulumiWorkspace, type RunResult } from "../../support/pulumi-cli.js";

export const PROJECT_ROOT = resolve(__dirname, "..", "..", "..");

/** Every portal of this file uses it, so one search finds it wherever it leaked. */
export const PASSWORD = "Reliab1lity-Pa55word-7c1e";

export type Person = Pick<RosterPerson, "employeeId" | "email" | "firstName" | "lastName" | "groups"> & { courses: string[]; userType?: string };

/** `count` people named `<prefix>001`…, with the groups and courses `shape` gives each (by index). */
export function makePeople(count: number, prefix: string, shape: (index: number) => { groups: string[]; courses: string[] }): Person[] {
  return Array.from({ length: count }, (_, index) => {
    const id = `${prefix}${String(index + 1).padStart(3, "0")}`;
    return { employeeId: id, email: `${id.toLowerCase()}@example.com`, firstName: "Person", lastName: id, ...shape(index) };
  });
}

/** Everything any scenario ran or wrote, for the secrets test. */
export const evidence = { outputs: [] as string[], stateDirs: [] as string[], basicTokens: [] as string[] };

export interface Scenario {
  readonly portal: FakePortal;
  readonly workspace: PulumiWorkspace;
  readonly rosterFile: string;
  /** Runs `pulumi <args> --stack <stack>`, never throwing on a failed exit. */
  pulumi(args: string[], options?: { env?: Record<string, string> }): Promise<RunResult>;
  /** Starts `pulumi <args>` in a new session (so that the whole run can be killed) and returns at once. */
  spawnPulumi(args: string[]): { child: ChildProcess; exited: Promise<number | null> };
  writeRoster(people: Person[]): Promise<void>;
  /** Removes the stack config file from the project folder; the state stays for the secrets test. */
  dispose(): Promise<void>;
}

export interface ScenarioOptions {
  stack: string;
  /** The roster: people written as YAML, or a file as it is (a CSV, a broken file). */
  roster: Person[] | { fileName: string; text: string };
  /** The stack's `learnupon:password`. @default PASSWORD, which the portal expects */
  password?: string;
  portalOptions?: Partial<PortalOptions>;
  /** Extra stack config, e.g. `learnupon:timeoutSeconds`. */
  config?: Record<string, string>;
  env?: Record<string, string>;
}

/** `startScenario` for one test file: every scenario it starts is disposed of after the file's tests. */
export function useScenarios(): (options: ScenarioOptions) => Promise<Scenario> {
  const started: Scenario[] = [];
  afterAll(async () => {
    for (const scenario of started) await scenario.dispose();
  });
  return async (options) => {
    const scenario = await startScenario(options);
    started.push(scenario);
    return scenario;
  };
}

export async function startScenario(options: ScenarioOptions): Promise<Scenario> {
  const portal = await startFakePortal({ seed: demoSeed(), password: PASSWORD, options: { rateLimit: false, ...options.portalOptions } });
  evidence.basicTokens.push(Buffer.from(`${portal.username}:${portal.password}`).toString("base64"));
  const rosterDir = await mkdtemp(join(tmpdir(), "pulumi-learnupon-reliability-"));
  const rosterFile = join(rosterDir, Array.isArray(options.roster) ? "roster.yaml" : options.roster.fileName);
  const workspace = await createWorkspace({ programDir: PROJECT_ROOT, stack: options.stack, ...(options.env ? { env: options.env } : {}) });
  evidence.stateDirs.push(workspace.stateDir);

  /** Keeps the output for the secrets test; `command` replaces a command line that holds the secret itself. */
  const record = (result: RunResult, command = result.command): RunResult => {
    evidence.outputs.push(`$ ${command}\n${result.stdout}\n${result.stderr}`);
    return result;
  };
  const scenario: Scenario = {
    portal,
    workspace,
    rosterFile,
    pulumi: async (args, runOptions = {}) =>
      record(await workspace.run([...args, "--stack", options.stack], { check: false, ...(runOptions.env ? { env: runOptions.env } : {}) })),
    spawnPulumi(args) {
      const child = spawn("pulumi", ["--non-interactive", "--color=never", ...args, "--stack", options.stack], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, ...workspace.env },
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolveExit) =>
        child.on("close", (code) => {
          evidence.outputs.push(`$ pulumi ${args.join(" ")} (spawned)\n${output}`);
          resolveExit(code);
        }),
      );
      return { child, exited };
    },
    writeRoster: (people) => writeFile(rosterFile, stringify({ people })),
    async dispose() {
      await rm(join(PROJECT_ROOT, `Pulumi.${options.stack}.yaml`), { force: true });
      await rm(rosterDir, { recursive: true, force: true });
      await portal.close();
    },
  };

  if (Array.isArray(options.roster)) await scenario.writeRoster(options.roster);
  else await writeFile(rosterFile, options.roster.text);
  const config: Record<string, string> = {
    "learnupon:portalUrl": portal.url,
    "learnupon:username": portal.username,
    // The client's own limiter would otherwise space 300 requests over a minute.
    "learnupon:requestsPerMinute": "100000",
    "roster:file": rosterFile,
    ...options.config,
  };
  const setAll = ["config", "set-all", "--stack", options.stack];
  for (const [key, value] of Object.entries(config)) setAll.push("--plaintext", `${key}=${value}`);
  const secret = ["--secret", `learnupon:password=${options.password ?? PASSWORD}`];
  const result = record(await workspace.run([...setAll, ...secret], { check: false }), `pulumi ${setAll.join(" ")} --secret learnupon:password=…`);
  if (result.exitCode !== 0) throw new Error(`pulumi config set-all failed:\n${result.stderr}`);
  return scenario;
}

export interface PortalAudit {
  /** Users holding the same email, without regard to case, beyond the first. */
  duplicateUsers: number;
  /** Enrollments of the same user in the same course beyond the first. */
  duplicateEnrollments: number;
  /** Memberships of the same user in the same group beyond the first. */
  duplicateMemberships: number;
  /** Declared people with no enabled user. */
  lostPeople: string[];
  /** Declared memberships and enrollments the portal does not have, as `E001 in Sales`. */
  missing: string[];
}

/** Compares the portal with the declared people: what is doubled and what is missing. */
export function auditPortal(portal: FakePortal, people: Person[]): PortalAudit {
  const { store } = portal;
  const beyondFirst = (keys: string[]) => keys.length - new Set(keys).size;
  const users = [...store.users.values()];
  const byEmail = new Map(users.map((user) => [user.email?.toLowerCase(), user]));
  const courseId = (name: string) => [...store.courses.values()].find((course) => course.name === name)?.id;
  const groupId = (title: string) => [...store.groups.values()].find((group) => group.title === title)?.id;
  const enrollmentKeys = new Set([...store.enrollments.values()].map((enrollment) => `${enrollment.user_id}:${enrollment.course_id}`));
  const lostPeople: string[] = [];
  const missing: string[] = [];
  for (const person of people) {
    const user = byEmail.get(person.email.toLowerCase());
    if (!user?.enabled) {
      lostPeople.push(person.employeeId);
      continue;
    }
    for (const group of person.groups) {
      if (!store.findMembership(groupId(group) ?? -1, user.id)) missing.push(`${person.employeeId} in ${group}`);
    }
    for (const course of person.courses) {
      if (!enrollmentKeys.has(`${user.id}:${courseId(course)}`)) missing.push(`${person.employeeId} in ${course}`);
    }
  }
  return {
    duplicateUsers: beyondFirst(users.map((user) => user.email?.toLowerCase() ?? `(no email) ${user.id}`)),
    duplicateEnrollments: beyondFirst([...store.enrollments.values()].map((enrollment) => `${enrollment.user_id}:${enrollment.course_id}`)),
    duplicateMemberships: beyondFirst([...store.memberships.values()].map((membership) => `${membership.group_id}:${membership.user_id}`)),
    lostPeople,
    missing,
  };
}

export const CONVERGED: PortalAudit = { duplicateUsers: 0, duplicateEnrollments: 0, duplicateMemberships: 0, lostPeople: [], missing: [] };

/** True when the attempt got no usable answer: reset, throttled, failed on the server, or slower than the client waits. */
function attemptFailed(entry: RequestLogEntry, timeoutMs: number): boolean {
  return entry.fault !== undefined || entry.status === 0 || entry.status === 429 || entry.status >= 500 || entry.durationMs >= timeoutMs;
}

/**
 * Requests the provider sent again because the previous attempt of the very same request (method,
 * path and body) failed. Counted from the portal's log, in order of arrival.
 */
export function countRetries(entries: RequestLogEntry[], timeoutMs: number): number {
  const byArrival = [...entries].sort((a, b) => a.at.localeCompare(b.at) || a.seq - b.seq);
  const previousFailed = new Map<string, boolean>();
  let retries = 0;
  for (const entry of byArrival) {
    const key = `${entry.method} ${entry.path} ${JSON.stringify(entry.body ?? null)}`;
    if (previousFailed.get(key)) retries += 1;
    previousFailed.set(key, attemptFailed(entry, timeoutMs));
  }
  return retries;
}

/** Attempts that failed, by the same rule as `countRetries`. */
export function countFailedAttempts(entries: RequestLogEntry[], timeoutMs: number): number {
  return entries.filter((entry) => attemptFailed(entry, timeoutMs)).length;
}

/**
 * The distinct errors of a run's Diagnostics section, each with its indented continuation lines,
 * leaving out the engine's own summary ("update failed").
 */
export function diagnosticErrors(output: string): string[] {
  const diagnostics = output.split("\nDiagnostics:\n")[1]?.split(/\n(?:Outputs|Resources):\n/)[0] ?? "";
  const errors: string[] = [];
  let current: string[] | undefined;
  for (const line of diagnostics.split("\n")) {
    const start = /^ {4}error: (.*)$/.exec(line);
    if (start) {
      current = [start[1]!];
      errors.push("");
    } else if (current && /^ {6,}\S/.test(line)) {
      current.push(line.trim());
    } else {
      current = undefined;
    }
    if (current) errors[errors.length - 1] = current.join("\n");
  }
  return [...new Set(errors)].filter((error) => error !== "update failed");
}

/** The files among `paths` (folders searched recursively) whose bytes contain any of `needles`. */
export async function filesContaining(paths: string[], needles: string[]): Promise<string[]> {
  const hits: string[] = [];
  const visit = async (path: string): Promise<void> => {
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) {
      for (const name of await readdir(path)) await visit(join(path, name));
    } else if (info?.isFile()) {
      const bytes = await readFile(path);
      if (needles.some((needle) => bytes.includes(needle))) hits.push(path);
    }
  };
  for (const path of paths) await visit(path);
  return hits;
}

/** The stack's checkpoint: resources by type and the operations a killed run left pending. */
export async function readCheckpoint(workspace: PulumiWorkspace): Promise<{ typeCounts: Record<string, number>; pendingOperations: number }> {
  const latest = JSON.parse(await workspace.readStateFile()).checkpoint.latest ?? {};
  const typeCounts: Record<string, number> = {};
  for (const resource of latest.resources ?? []) typeCounts[resource.type] = (typeCounts[resource.type] ?? 0) + 1;
  return { typeCounts, pendingOperations: (latest.pending_operations ?? []).length };
}
