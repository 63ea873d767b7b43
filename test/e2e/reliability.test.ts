/**
 * Reliability end to end: people are never lost or duplicated, whatever the network or the user
 * does. The real `pulumi` CLI and engine run the root roster program (index.ts) against the fake
 * LearnUpon portal over HTTP, with the portal's fault injection.
 *
 * - Faults: 429 storms with and without Retry-After, 5xx bursts, connection resets, answers slower
 *   than the per-call timeout, and credentials revoked halfway. Each run completes, or fails with one
 *   clear error; then a plain re-run converges. The fault matrix is printed for the closing note.
 * - Interrupted run: `pulumi up` of 200 people killed with SIGKILL halfway, then the recovery the
 *   README documents.
 * - Bad input: each mistake fails `pulumi preview` with one error naming the file, entry, field and
 *   reason, and the portal sees no write.
 * - Concurrency: 100 people into one group and one course at `--parallel 16`.
 * - Secrets (last): the password is in no state file, no output, no error of all the runs above.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { http } from "msw";
import { afterAll, describe, expect, it } from "vitest";
import type { FakePortal, FaultSpec } from "../../provider/fake-portal/index.js";
import { killSession } from "./reliability/processes.js";
import {
  auditPortal,
  CONVERGED,
  countFailedAttempts,
  countRetries,
  diagnosticErrors,
  evidence,
  filesContaining,
  makePeople,
  PASSWORD,
  PROJECT_ROOT,
  readCheckpoint,
  startScenario,
  type Person,
  type Scenario,
} from "./reliability/scenario.js";

const scenarios: Scenario[] = [];
async function scenario(...args: Parameters<typeof startScenario>): Promise<Scenario> {
  const started = await startScenario(...args);
  scenarios.push(started);
  return started;
}

afterAll(async () => {
  for (const started of scenarios) await started.dispose();
  for (const dir of evidence.stateDirs) await rm(dir, { recursive: true, force: true });
});

const DYNAMIC = "pulumi-nodejs:dynamic/learnupon";
const USER_TYPE = `${DYNAMIC}:User`;
const CREDENTIALS_REJECTED = "LearnUpon rejected the API credentials (HTTP 401): check learnupon:username and learnupon:password";

// The fault runs are independent (a portal and a backend each) and spend much of their time in
// back-off waits, so they run side by side.
describe.concurrent("faults: each run completes or fails with one clear error, and a re-run converges", () => {
  /** Twelve people over three groups, each with one or two courses: 12 users, 12 memberships, 16 enrollments. */
  const people = makePeople(12, "F", (index) => ({
    groups: [["Engineering", "Sales", "Support"][index % 3]!],
    courses: index % 3 === 0 ? ["Security Awareness", "Code of Conduct"] : ["Security Awareness"],
  }));

  interface Fault {
    name: string;
    /** Per-call timeout for the run, in seconds. */
    timeoutSeconds?: number;
    /** Queues the fault on the portal before the run starts. */
    arm(portal: FakePortal): void;
    /** What the first run must end with: success, or this one error. */
    outcome: "completes" | { error: string };
  }

  /** Queues `spec` for the first `count` POSTs of each kind: users, memberships and enrollments. */
  const onEachKindOfWrite = (portal: FakePortal, spec: Omit<FaultSpec, "match">) => {
    for (const pathPrefix of ["/api/v1/users", "/api/v1/group_memberships", "/api/v1/enrollments"]) {
      portal.faults.inject({ ...spec, match: { method: "POST", pathPrefix } });
    }
  };

  // A run's first request is the snapshot's one listing of users, then come the writes. The faults
  // hit both, and stay within the client's four retries per request so that the runs can complete.
  const faults: Fault[] = [
    {
      name: "429 storm, Retry-After: 1",
      arm(portal) {
        portal.options.retryAfterSeconds = 1;
        portal.faults.inject({ count: 2, status: 429 });
        onEachKindOfWrite(portal, { count: 3, status: 429 });
      },
      outcome: "completes",
    },
    {
      name: "429 storm, no Retry-After",
      arm(portal) {
        portal.faults.inject({ count: 2, status: 429 });
        onEachKindOfWrite(portal, { count: 3, status: 429 });
      },
      outcome: "completes",
    },
    {
      name: "5xx burst (503, then 500 on writes)",
      arm(portal) {
        portal.faults.inject({ count: 2, status: 503 });
        onEachKindOfWrite(portal, { count: 2, status: 500 });
      },
      outcome: "completes",
    },
    {
      name: "connection resets",
      arm(portal) {
        portal.faults.inject({ count: 2, reset: true });
        onEachKindOfWrite(portal, { count: 2, reset: true });
      },
      outcome: "completes",
    },
    {
      // The slow writes land 1.2 s after they were sent: after the client gave up, before it looks.
      name: "answers slower than the 1 s timeout",
      timeoutSeconds: 1,
      arm(portal) {
        portal.faults.inject({ count: 1, latencyMs: 1_500 });
        onEachKindOfWrite(portal, { count: 2, latencyMs: 1_200 });
      },
      outcome: "completes",
    },
    {
      name: "401 halfway (after 6 of 12 user POSTs)",
      arm(portal) {
        let userPosts = 0;
        // Passes every request on; after the sixth user POST, the portal refuses everything that follows.
        portal.use(
          http.post("*/api/v1/users", () => {
            userPosts += 1;
            if (userPosts === people.length / 2) portal.faults.inject({ count: 1_000_000, status: 401, body: portal.options.unauthorizedBody });
            return undefined;
          }),
        );
      },
      outcome: { error: CREDENTIALS_REJECTED },
    },
  ];

  const matrix: string[] = []; // by fault, whatever order the runs finish in
  afterAll(() => {
    console.log(
      [
        "| fault | result | API calls | failed attempts | retries | run time | re-run API calls | duplicates | lost |",
        "|---|---|---|---|---|---|---|---|---|",
        ...matrix,
      ].join("\n"),
    );
  });

  it.each(faults.map((fault, index) => [fault.name, fault, index] as const))("%s", async (_name, fault, index) => {
    const timeoutSeconds = fault.timeoutSeconds ?? 30;
    const run = await scenario({ stack: `reliability-fault-${index}`, roster: people, config: { "learnupon:timeoutSeconds": String(timeoutSeconds) } });
    fault.arm(run.portal);

    const first = await run.pulumi(["up", "--yes", "--skip-preview"]);
    const firstCalls = run.portal.log.entries();
    const errors = diagnosticErrors(first.stdout);
    if (fault.outcome === "completes") {
      expect({ exitCode: first.exitCode, errors }).toEqual({ exitCode: 0, errors: [] });
      // Every failed attempt was repeated exactly once, and nothing else was: no POST went twice.
      const slowWritesThatLanded = firstCalls.filter((entry) => entry.method === "POST" && entry.durationMs >= timeoutSeconds * 1000).length;
      expect(countRetries(firstCalls, timeoutSeconds * 1000)).toBe(countFailedAttempts(firstCalls, timeoutSeconds * 1000) - slowWritesThatLanded);
      expect(auditPortal(run.portal, people)).toEqual(CONVERGED);
    } else {
      expect(first.exitCode).not.toBe(0);
      expect(errors).toEqual([fault.outcome.error]);
    }

    // The credentials are fixed, the network is healthy again: a plain re-run converges.
    run.portal.faults.clear();
    run.portal.resetHandlers();
    run.portal.log.clear();
    const rerun = await run.pulumi(["up", "--yes", "--skip-preview"]);
    expect({ exitCode: rerun.exitCode, errors: diagnosticErrors(rerun.stdout) }).toEqual({ exitCode: 0, errors: [] });
    const audit = auditPortal(run.portal, people);
    expect(audit).toEqual(CONVERGED);

    const result = first.exitCode === 0 ? "completed" : `failed: ${errors.join("; ")}`;
    const failedAttempts = countFailedAttempts(firstCalls, timeoutSeconds * 1000);
    const duplicates = audit.duplicateUsers + audit.duplicateEnrollments + audit.duplicateMemberships;
    matrix[index] = (
      `| ${fault.name} | ${result} | ${firstCalls.length} | ${failedAttempts} | ${countRetries(firstCalls, timeoutSeconds * 1000)} | ${(first.durationMs / 1000).toFixed(1)} s | ${run.portal.log.count()} | ${duplicates} | ${audit.lostPeople.length} |`
    );
  });
});

describe("an interrupted run", () => {
  it("is killed with SIGKILL halfway through creating 200 people, and the documented recovery converges", async () => {
    // 200 people; every fourth also joins Sales and takes Security Awareness (50 memberships, 50 enrollments).
    const people = makePeople(200, "K", (index) => (index % 4 === 0 ? { groups: ["Sales"], courses: ["Security Awareness"] } : { groups: [], courses: [] }));
    const run = await scenario({ stack: "reliability-interrupted", roster: people });
    const userPosts = () => run.portal.log.count({ method: "POST", pathPrefix: "/api/v1/users" });

    const { child, exited } = run.spawnPulumi(["up", "--yes", "--skip-preview"]);
    const deadline = Date.now() + 120_000;
    while (userPosts() < people.length / 2 && Date.now() < deadline) await sleep(10);
    await killSession(child.pid!);
    expect(await exited).toBeNull(); // killed by the signal, not exited
    const atKill = { userPosts: userPosts(), checkpoint: await readCheckpoint(run.workspace) };
    const rosterUsers = () => [...run.portal.store.users.values()].filter((user) => /^k\d{3}@example\.com$/.test(user.email ?? ""));
    const usersAtKill = rosterUsers().length;
    console.log(
      `killed after ${atKill.userPosts} user POSTs: the portal has ${usersAtKill} of the people, the state ${atKill.checkpoint.typeCounts[USER_TYPE] ?? 0}, ` +
        `with ${atKill.checkpoint.pendingOperations} operations pending`,
    );
    expect(atKill.userPosts).toBeGreaterThanOrEqual(people.length / 2);
    expect(atKill.userPosts).toBeLessThan(people.length);

    // The recovery documented in the README, step by step.
    let cancel = await run.pulumi(["cancel", "--yes"]); // removes the lock the killed run left
    if (`${cancel.stdout}${cancel.stderr}`.includes("failed to load checkpoint: EOF")) {
      // Killed while the file backend rewrote a checkpoint's metadata sidecar: drop the empty file.
      const emptied = execFileSync("find", [join(run.workspace.stateDir, "backend", ".pulumi"), "-name", "*.attrs", "-size", "0", "-print", "-delete"]);
      console.log(`the kill left empty checkpoint metadata, removed: ${emptied.toString().trim()}`);
      cancel = await run.pulumi(["cancel", "--yes"]);
    }
    expect(cancel.exitCode).toBe(0);
    const refresh = await run.pulumi(["refresh", "--clear-pending-creates", "--yes", "--skip-preview"]);
    expect(refresh.exitCode).toBe(0);
    expect((await readCheckpoint(run.workspace)).pendingOperations).toBe(0);
    run.portal.log.clear();
    const up = await run.pulumi(["up", "--yes", "--skip-preview"]);
    expect({ exitCode: up.exitCode, errors: diagnosticErrors(up.stdout) }).toEqual({ exitCode: 0, errors: [] });

    expect(rosterUsers()).toHaveLength(200);
    expect(auditPortal(run.portal, people)).toEqual(CONVERGED);
    // Whoever the killed run had created, in the state or not, was adopted rather than posted again.
    expect(userPosts()).toBe(200 - usersAtKill);
    expect(await readCheckpoint(run.workspace)).toEqual({
      typeCounts: expect.objectContaining({ [USER_TYPE]: 200, [`${DYNAMIC}:GroupMembership`]: 50, [`${DYNAMIC}:Enrollment`]: 50 }),
      pendingOperations: 0,
    });
  });
});

// Each mistake runs in a stack of its own, all side by side: a preview each, nothing deployed.
describe.concurrent("bad input: one clear error at preview, naming where, which field and why, and no write", () => {
  const ada = { employeeId: "E001", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", groups: ["Engineering"], courses: ["Security Awareness"] };
  const alan = { employeeId: "E002", email: "alan@example.com", firstName: "Alan", lastName: "Turing", groups: ["Sales"], courses: ["Code of Conduct"] };
  const CSV_HEADER = "Employee ID,Email,First Name,Last Name,Role,Language,Groups,Courses";
  const WRONG_PASSWORD = "Not-The-Password-3b8d";

  interface BadInput {
    name: string;
    roster: Person[] | { fileName: string; text: string };
    password?: string;
    config?: Record<string, string>;
    /** The one error, with `<roster>` standing for the roster file's path. */
    error: string;
    /** Mistakes in the file stop the program before any call; the rest need the portal's answer to a read. */
    calls: "none" | "reads only";
  }

  const badInputs: BadInput[] = [
    {
      name: "malformed email",
      roster: [ada, { ...alan, email: "alan@@example" }],
      error: "roster <roster> has 1 problem:\n- <roster>:people[1]: email: is not a valid email address",
      calls: "none",
    },
    {
      name: "duplicate employee id",
      roster: [ada, { ...alan, employeeId: "E001" }],
      error: "roster <roster> has 1 problem:\n- <roster>:people[1]: employeeId: E001 is already used by people[0]",
      calls: "none",
    },
    {
      name: "two emails differing only in case",
      roster: { fileName: "people.csv", text: `${CSV_HEADER}\nE001,ada@example.com,Ada,Lovelace,,,,\nE002,Ada@Example.COM,Ada,King,,,,\n` },
      error: "roster <roster> has 1 problem:\n- <roster>:row 3: email: Ada@Example.COM is already used by row 2",
      calls: "none",
    },
    {
      name: "empty name",
      roster: { fileName: "people.csv", text: `${CSV_HEADER}\nE001,ada@example.com,Ada,Lovelace,,,,\nE002,alan@example.com,,Turing,,,,\n` },
      error: "roster <roster> has 1 problem:\n- <roster>:row 3: firstName: must not be empty",
      calls: "none",
    },
    {
      name: "CSV row with missing columns",
      roster: { fileName: "people.csv", text: `${CSV_HEADER}\nE001,ada@example.com,Ada,Lovelace,,,,\nE002,alan@example.com,Alan\n` },
      error: "roster <roster> has 1 problem:\n- <roster>:row 3: has 3 columns, the header has 8",
      calls: "none",
    },
    {
      name: "CSV row with an unclosed quote",
      roster: { fileName: "people.csv", text: `${CSV_HEADER}\nE001,ada@example.com,Ada,Lovelace,,,,\nE002,alan@example.com,"Alan,Turing,,,,\n` },
      error: "roster <roster> has 1 problem:\n- is not valid CSV: Quote Not Closed: the parsing is finished with an opening quote at line 3",
      calls: "none",
    },
    {
      name: "unknown userType",
      roster: [ada, { ...alan, userType: "superuser" }],
      error: "roster <roster> has 1 problem:\n- <roster>:people[1]: userType: must be one of learner, instructor, manager, admin",
      calls: "none",
    },
    {
      name: "unknown course",
      roster: [ada, { ...alan, courses: ["Code of Conduct", "Securty Awareness"] }],
      error: 'the roster names a group or course the LearnUpon portal at <api> does not have:\n- <roster>:people[1]: courses: no published course is named "Securty Awareness"',
      calls: "reads only",
    },
    {
      name: "unknown group",
      roster: { fileName: "people.csv", text: `${CSV_HEADER}\nE001,ada@example.com,Ada,Lovelace,,,Engineering,\nE002,alan@example.com,Alan,Turing,,,Enginering,\n` },
      error: 'the roster names a group or course the LearnUpon portal at <api> does not have:\n- <roster>:row 3: groups: no group is titled "Enginering"',
      calls: "reads only",
    },
    {
      name: "bad credentials",
      roster: [ada, alan],
      password: WRONG_PASSWORD,
      error: `cannot check the roster against the LearnUpon portal: ${CREDENTIALS_REJECTED}`,
      calls: "reads only",
    },
    {
      name: "wrong portal URL",
      roster: [ada, alan],
      config: { "learnupon:portalUrl": "http://127.0.0.1:1" },
      error: "cannot check the roster against the LearnUpon portal: cannot reach the LearnUpon portal at http://127.0.0.1:1/api/v1 (ECONNREFUSED): check learnupon:portalUrl",
      calls: "none",
    },
  ];

  it.each(badInputs.map((input, index) => [input.name, input, index] as const))("%s", async (_name, input, index) => {
    const run = await scenario({
      stack: `reliability-bad-${index}`,
      roster: input.roster,
      ...(input.password ? { password: input.password } : {}),
      ...(input.config ? { config: input.config } : {}),
    });
    const preview = await run.pulumi(["preview"]);

    expect(preview.exitCode).not.toBe(0);
    const expected = input.error.replaceAll("<roster>", run.rosterFile).replaceAll("<api>", run.portal.apiUrl);
    expect(diagnosticErrors(preview.stdout)).toEqual([expected]);
    expect(`${preview.stdout}${preview.stderr}`).not.toContain(WRONG_PASSWORD);
    expect(run.portal.log.writes()).toEqual([]);
    if (input.calls === "none") expect(run.portal.log.entries()).toEqual([]);
    // Fails fast: the preview's few retries of a refused connection take well under a second.
    if (input.config?.["learnupon:portalUrl"]) expect(preview.durationMs).toBeLessThan(20_000);
  });
});

describe("concurrency", () => {
  it("puts 100 people into one group and one course at --parallel 16 with no error and no duplicate", async () => {
    const people = makePeople(100, "C", () => ({ groups: ["Sales"], courses: ["Security Awareness"] }));
    // Without checkpoint writes between steps the engine runs the 16 operations truly side by side,
    // which is the harder case for the provider; create-or-adopt makes it safe (see README).
    const run = await scenario({ stack: "reliability-concurrency", roster: people, env: { PULUMI_SKIP_CHECKPOINTS: "true" } });

    const up = await run.pulumi(["up", "--yes", "--skip-preview", "--parallel", "16"]);

    expect({ exitCode: up.exitCode, errors: diagnosticErrors(up.stdout) }).toEqual({ exitCode: 0, errors: [] });
    expect(auditPortal(run.portal, people)).toEqual(CONVERGED);
    // One POST per person and kind: no write was repeated, none was refused as a duplicate.
    const posts = (pathPrefix: string) => run.portal.log.entries({ method: "POST", pathPrefix }).map((entry) => entry.status);
    expect(posts("/api/v1/users")).toEqual(Array(100).fill(200));
    expect(posts("/api/v1/group_memberships")).toEqual(Array(100).fill(200));
    expect(posts("/api/v1/enrollments")).toEqual(Array(100).fill(200));
    console.log(`100 people at --parallel 16: ${run.portal.log.count()} API calls, ${run.portal.log.writes().length} writes, ${(up.durationMs / 1000).toFixed(1)} s`);
  });
});

// Last: searches everything the runs above left behind.
describe("secrets", () => {
  it("the password is in no state file, no verbose log, no output and no error", async () => {
    const people = makePeople(3, "S", () => ({ groups: ["Support"], courses: ["Customer Care"] }));
    const run = await scenario({ stack: "reliability-secrets", roster: people });
    const verbose = await run.pulumi(["up", "--yes", "--skip-preview", "-v=9", "--logtostderr"]);
    expect(verbose.exitCode).toBe(0);
    expect(verbose.stderr.length).toBeGreaterThan(100_000); // the engine's debug log, RPC payloads included

    // The search works: a file holding the password is found.
    const control = await mkdtemp(join(tmpdir(), "pulumi-learnupon-control-"));
    await writeFile(join(control, "control.txt"), `…${PASSWORD}…`);
    expect(await filesContaining([control], [PASSWORD])).toEqual([join(control, "control.txt")]);
    await rm(control, { recursive: true, force: true });

    // The password, and the Basic credentials it goes out in, as text and as base64.
    const secrets = [PASSWORD, Buffer.from(PASSWORD).toString("base64"), ...evidence.basicTokens];
    const stackConfigFiles = scenarios.map((started) => join(PROJECT_ROOT, `Pulumi.${started.workspace.stack}.yaml`));
    expect(evidence.stateDirs.length).toBe(scenarios.length);
    expect(await filesContaining(evidence.stateDirs, secrets)).toEqual([]); // file backends (history and backups included) and PULUMI_HOMEs
    expect(await filesContaining(stackConfigFiles, secrets)).toEqual([]); // the stack config holds it encrypted
    const leaks = evidence.outputs.filter((output) => secrets.some((secret) => output.includes(secret)));
    expect(leaks).toEqual([]);
    console.log(`searched ${evidence.stateDirs.length} state folders and ${evidence.outputs.length} outputs (${Math.round(evidence.outputs.join("").length / 1024)} KB)`);
  });
});
