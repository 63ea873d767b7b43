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
 * - Rate limit: 100 people against a portal enforcing its real 300 requests a minute, the client
 *   configured to exceed it.
 * - Concurrency: 100 people into one group and one course at `--parallel 16`.
 * - Secrets (last): the password is in no state file (but as the ciphertext Pulumi keeps of the
 *   provider's config), no output, no error of all the runs above; `refresh` uses that stored config.
 */
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { http } from "msw";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
  // hit both. 429s are waited out for up to two minutes per call; the other faults stay within
  // the client's four retries per request, so that the runs can complete.
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
      // The run's first request, the snapshot's listing of users, is refused eight times running:
      // every resource waits for it. Probes after about 1, 2, 4, then 8 s: 25 to 47 s in all.
      name: "8 × 429 in a row, no Retry-After",
      arm(portal) {
        portal.faults.inject({ count: 8, status: 429 });
      },
      outcome: "completes",
    },
    {
      name: "12 × 429 in a row, Retry-After: 1, then 3 on each kind of write",
      arm(portal) {
        portal.options.retryAfterSeconds = 1;
        portal.faults.inject({ count: 12, status: 429 });
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
        "| fault | result | API calls | failed attempts | retries | re-run API calls | duplicates | lost |",
        "|---|---|---|---|---|---|---|---|",
        ...matrix,
      ].join("\n"),
    );
  });

  it.each(faults.map((fault, index) => [fault.name, fault, index] as const))("%s", async (_name, fault, index) => {
    const timeoutSeconds = fault.timeoutSeconds ?? 30;
    const run = await scenario({ stack: `reliability-fault-${index}`, roster: people, config: { "learnupon:timeoutSeconds": String(timeoutSeconds) } });
    fault.arm(run.portal);

    const first = await run.pulumi(["up", "--yes", "--skip-preview"]);
    const calls = run.portal.log.entries();
    const errors = diagnosticErrors(first.stdout);
    const failedAttempts = countFailedAttempts(calls, timeoutSeconds * 1000);
    const retries = countRetries(calls, timeoutSeconds * 1000);
    if (fault.outcome === "completes") {
      expect({ exitCode: first.exitCode, errors }).toEqual({ exitCode: 0, errors: [] });
      expect(auditPortal(run.portal, people)).toEqual(CONVERGED);
      // Each failed attempt was repeated once and nothing else was, but for the slow writes that
      // landed: those were found and adopted, not sent again. No POST went twice.
      const slowWritesThatLanded = calls.filter((entry) => entry.method === "POST" && entry.durationMs >= timeoutSeconds * 1000).length;
      expect(retries).toBe(failedAttempts - slowWritesThatLanded);
    } else {
      expect(first.exitCode).not.toBe(0);
      expect(errors).toEqual([fault.outcome.error]);
      expect(retries).toBe(0); // rejected credentials are not worth another attempt
    }

    // The network is healthy again, the credentials are fixed: a plain re-run converges.
    run.portal.faults.clear();
    run.portal.resetHandlers();
    run.portal.log.clear();
    const rerun = await run.pulumi(["up", "--yes", "--skip-preview"]);
    expect({ exitCode: rerun.exitCode, errors: diagnosticErrors(rerun.stdout) }).toEqual({ exitCode: 0, errors: [] });
    const audit = auditPortal(run.portal, people);
    expect(audit).toEqual(CONVERGED);
    // After a run that completed, there is nothing left to do: not a single call.
    if (fault.outcome === "completes") expect(run.portal.log.count()).toBe(0);

    const result = first.exitCode === 0 ? "completed" : `failed: ${errors.join("; ")}`;
    const duplicates = audit.duplicateUsers + audit.duplicateEnrollments + audit.duplicateMemberships;
    matrix[index] = `| ${fault.name} | ${result} | ${calls.length} | ${failedAttempts} | ${retries} | ${run.portal.log.count()} | ${duplicates} | ${audit.lostPeople.length} |`;
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

    // What the next run meets: the killed run's lock (or, killed mid-write, an empty metadata file).
    const blocked = await run.pulumi(["up", "--yes", "--skip-preview"]);
    expect(blocked.exitCode).not.toBe(0);
    expect(blocked.stderr).toMatch(/the stack is currently locked by 1 lock|failed to load checkpoint: EOF/);

    // The recovery documented in the README, step by step.
    let cancel = await run.pulumi(["cancel", "--yes"]); // removes the lock
    if (`${cancel.stdout}${cancel.stderr}`.includes("failed to load checkpoint: EOF")) {
      // Killed while the file backend rewrote a checkpoint's metadata sidecar: drop the empty file.
      const emptied = execFileSync("find", [join(run.workspace.stateDir, "backend", ".pulumi"), "-name", "*.attrs", "-size", "0", "-print", "-delete"]);
      console.log(`the kill left empty checkpoint metadata, removed: ${emptied.toString().trim()}`);
      cancel = await run.pulumi(["cancel", "--yes"]);
    }
    expect(cancel.exitCode).toBe(0);
    // The engine cannot know whether the creates in flight landed: drop them; `up` adopts what did.
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

describe("bad input: one clear error at preview, naming where, which field and why, and no write", () => {
  const ada = { employeeId: "E001", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", groups: ["Engineering"], courses: ["Security Awareness"] };
  const alan = { employeeId: "E002", email: "alan@example.com", firstName: "Alan", lastName: "Turing", groups: ["Sales"], courses: ["Code of Conduct"] };
  const CSV_HEADER = "Employee ID,Email,First Name,Last Name,Role,Language,Groups,Courses";
  const WRONG_PASSWORD = "Not-The-Password-3b8d";

  interface BadInput {
    name: string;
    /** A roster file: YAML from people, or the text of a CSV. */
    roster: Person[] | { csv: string };
    /** The stack's `learnupon:portalUrl`, or one made from the portal's own URL and the stand-in website's. */
    portalUrl?: string | ((urls: { portal: string; website: string }) => string);
    password?: string;
    /** The one error, with `<roster>` standing for the roster file and `<api>` for the portal's API. */
    error: string;
    /** Mistakes in the file stop the program before any call; the others take the portal's answer to a read. */
    calls: "none" | "reads only";
  }

  // One preview each. Several mistakes of the same file make one error listing them all.
  const badInputs: BadInput[] = [
    {
      name: "malformed email, duplicate employee id, empty name and unknown userType in YAML",
      roster: [
        ada,
        { ...alan, email: "alan@@example" },
        { ...alan, employeeId: "E001", email: "grace@example.com" },
        { ...alan, employeeId: "E003", email: "linus@example.com", firstName: " " },
        { ...alan, employeeId: "E004", email: "joan@example.com", userType: "superuser" },
      ],
      error: [
        "roster <roster> has 4 problems:",
        "- <roster>:people[1]: email: is not a valid email address",
        "- <roster>:people[2]: employeeId: E001 is already used by people[0]",
        "- <roster>:people[3]: firstName: must not be empty",
        "- <roster>:people[4]: userType: must be one of learner, instructor, manager, admin",
      ].join("\n"),
      calls: "none",
    },
    {
      name: "two emails differing only in case, and blank cells, in CSV",
      roster: { csv: `${CSV_HEADER}\nE001,ada@example.com,Ada,Lovelace,,,,\nE002,Ada@Example.COM,Ada,King,,,,\n,alan@example.com,,Turing,,,,\n` },
      error: [
        "roster <roster> has 3 problems:",
        "- <roster>:row 3: email: Ada@Example.COM is already used by row 2",
        "- <roster>:row 4: employeeId: must not be empty",
        "- <roster>:row 4: firstName: must not be empty",
      ].join("\n"),
      calls: "none",
    },
    {
      name: "CSV row with missing columns",
      roster: { csv: `${CSV_HEADER}\nE001,ada@example.com,Ada,Lovelace,,,,\nE002,alan@example.com,Alan\n` },
      error: "roster <roster> has 1 problem:\n- <roster>:row 3: has 3 columns, the header has 8",
      calls: "none",
    },
    {
      name: "CSV with an unclosed quote",
      roster: { csv: `${CSV_HEADER}\nE001,ada@example.com,Ada,Lovelace,,,,\nE002,alan@example.com,"Alan,Turing,,,,\n` },
      error: "roster <roster> has 1 problem:\n- is not valid CSV: Quote Not Closed: the parsing is finished with an opening quote at line 3",
      calls: "none",
    },
    {
      name: "unknown course and unknown group",
      roster: [ada, { ...alan, groups: ["Enginering"], courses: ["Code of Conduct", "Securty Awareness"] }],
      error: [
        "the roster names groups or courses the LearnUpon portal at <api> does not have:",
        '- <roster>:people[1]: groups: no group is titled "Enginering"',
        '- <roster>:people[1]: courses: no published course is named "Securty Awareness"',
      ].join("\n"),
      calls: "reads only",
    },
    {
      name: "wrong portal URL",
      roster: [ada, alan],
      portalUrl: "http://127.0.0.1:1",
      error: "cannot check the roster against the LearnUpon portal: cannot reach the LearnUpon portal at http://127.0.0.1:1/api/v1 (ECONNREFUSED): check learnupon:portalUrl",
      calls: "none",
    },
    {
      name: "portal URL of a website answering HTML",
      roster: [ada, alan],
      portalUrl: ({ website }) => website,
      error:
        "cannot check the roster against the LearnUpon portal: the portal at <website>/api/v1 answered GET /users " +
        "with an HTML page, not LearnUpon's JSON API: check learnupon:portalUrl",
      calls: "none",
    },
    {
      name: "https to the portal's plain-http port",
      roster: [ada, alan],
      portalUrl: ({ portal }) => portal.replace("http://", "https://"),
      error:
        "cannot check the roster against the LearnUpon portal: TLS handshake with the LearnUpon portal at <https-api> failed " +
        "(is it http, not https?): check learnupon:portalUrl",
      calls: "none",
    },
    {
      // Last: `-c` saves the wrong password in the stack config.
      name: "bad credentials",
      roster: [ada, alan],
      password: WRONG_PASSWORD,
      error: `cannot check the roster against the LearnUpon portal: ${CREDENTIALS_REJECTED}`,
      calls: "reads only",
    },
  ];

  let run: Scenario;
  /** A company website where the portal URL should be: every path answers a web page. */
  let website: Server;
  let websiteUrl = "";
  beforeAll(async () => {
    run = await scenario({ stack: "reliability-bad-input", roster: [] }); // never deployed: every preview fails
    website = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end("<!DOCTYPE html><html><body>Acme Corp</body></html>");
    });
    await new Promise<void>((resolve) => website.listen(0, "127.0.0.1", resolve));
    websiteUrl = `http://127.0.0.1:${(website.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    website.closeAllConnections();
    await new Promise((resolve) => website.close(resolve));
  });

  it.each(badInputs.map((input, index) => [input.name, input, index] as const))("%s", async (_name, input, index) => {
    const rosterFile = join(dirname(run.rosterFile), Array.isArray(input.roster) ? `roster-${index}.yaml` : `people-${index}.csv`);
    await writeFile(rosterFile, Array.isArray(input.roster) ? stringify({ people: input.roster }) : input.roster.csv);
    const portalUrl = typeof input.portalUrl === "function" ? input.portalUrl({ portal: run.portal.url, website: websiteUrl }) : input.portalUrl;
    const config = ["-c", `roster:file=${rosterFile}`, "-c", `learnupon:portalUrl=${portalUrl ?? run.portal.url}`];
    if (input.password) config.push("-c", `learnupon:password=${input.password}`);
    run.portal.log.clear();

    const preview = await run.pulumi(["preview", ...config]);

    expect(preview.exitCode).not.toBe(0);
    const expected = input.error
      .replaceAll("<roster>", rosterFile)
      .replaceAll("<api>", run.portal.apiUrl)
      .replaceAll("<website>", websiteUrl)
      .replaceAll("<https-api>", run.portal.apiUrl.replace("http://", "https://"));
    expect(diagnosticErrors(preview.stdout)).toEqual([expected]);
    expect(`${preview.stdout}${preview.stderr}`).not.toContain(WRONG_PASSWORD);
    expect(`${preview.stdout}${preview.stderr}`).not.toContain(PASSWORD);
    expect(run.portal.log.writes()).toEqual([]);
    if (input.calls === "none") expect(run.portal.log.entries()).toEqual([]);
    // Fails fast, not hangs: the preview gives a refused connection two retries, under a second in all
    // (a preview takes 3 to 5 s here; the provider's usual four retries alone would wait up to 15 s).
    if (input.portalUrl) expect(preview.durationMs).toBeLessThan(20_000);
  });
});

describe("the portal's own rate limit", () => {
  it("300 a minute, enforced by the portal, with the client told 100,000: 100 people, the run completes", async () => {
    const people = makePeople(100, "R", () => ({ groups: ["Support"], courses: ["Customer Care"] }));
    const run = await scenario({ stack: "reliability-rate-limit", roster: people, portalOptions: { rateLimit: { perMinute: 300, perWeek: 500_000 } } });

    const up = await run.pulumi(["up", "--yes", "--skip-preview", "--parallel", "16"]);

    expect({ exitCode: up.exitCode, errors: diagnosticErrors(up.stdout) }).toEqual({ exitCode: 0, errors: [] });
    expect(auditPortal(run.portal, people)).toEqual(CONVERGED);
    const calls = run.portal.log.entries();
    expect(calls.length).toBeGreaterThan(300); // more than one window's worth: the limit was really met
    const refused = calls.filter((entry) => entry.status === 429).length;
    console.log(`100 people against the portal's 300/min, client told 100,000/min: ${calls.length} API calls, ${refused} × 429 absorbed, ${(up.durationMs / 1000).toFixed(1)} s`);
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

/** How Pulumi marks a secret in state: this key with this value, next to the `ciphertext`. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE_VALUE = "1b47061264138c4ac30d75fd1eb44270";
const WRONG_REFRESH_PASSWORD = "Wrong-Refresh-Pa55word-9d2f";

/** The inputs of the stack's default provider for dynamic resources, as the state file keeps them. */
function defaultProviderInputs(stateText: string): Record<string, unknown> {
  const resources: { type: string; urn: string; inputs?: Record<string, unknown> }[] = JSON.parse(stateText).checkpoint.latest.resources;
  const providers = resources.filter((resource) => resource.type === "pulumi:providers:pulumi-nodejs");
  expect(providers.map((provider) => provider.urn.split("::").at(-1))).toEqual(["default"]);
  return providers[0]?.inputs ?? {};
}

// Last: searches everything the runs above left behind.
describe("secrets", () => {
  it("the password is in state only as ciphertext, in no output and no error; refresh uses the stored config; at -v=9 only Pulumi's own Configure log shows it", async () => {
    const people = makePeople(4, "S", () => ({ groups: ["Support"], courses: ["Customer Care"] }));
    const run = await scenario({ stack: "reliability-secrets", roster: people.slice(0, 3) });
    const secrets = [PASSWORD, Buffer.from(PASSWORD).toString("base64"), ...evidence.basicTokens];
    const linesWithSecrets = (text: string) => text.split("\n").filter((line) => secrets.some((secret) => line.includes(secret)));

    // As the README says to set it up: the password a secret in the stack config. The engine hands
    // it to the provider's Configure, and at -v=9 Pulumi 3.259 logs the inside of that secret
    // (sdk/go/common/resource/plugin/rpc.go marshals {sig, value} through the logging path).
    const verboseWithConfig = await run.pulumi(["up", "--yes", "--skip-preview", "-v=9", "--logtostderr"]);
    expect(verboseWithConfig.exitCode).toBe(0);
    expect(verboseWithConfig.stderr.length).toBeGreaterThan(100_000); // the engine's debug log, RPC payloads included
    const engineConfigureLog = /"msg":"Marshaling property for RPC\[Provider\[0x[0-9a-f]+\]\.Configure\(\)\.inputs\]: value=\{[^"]*\}"/;
    const leakedByEngine = linesWithSecrets(verboseWithConfig.stderr);
    expect(linesWithSecrets(verboseWithConfig.stdout)).toEqual([]);
    expect(leakedByEngine.filter((line) => !engineConfigureLog.test(line))).toEqual([]); // counted in the log line below

    // Pulumi keeps the stack config the provider was configured with in the state, in the default
    // provider's inputs: the password there only as a secret's ciphertext, never as plain text.
    const stateText = await run.workspace.readStateFile();
    expect(stateText).not.toContain(PASSWORD);
    const passwordInState = defaultProviderInputs(stateText)["learnupon:password"];
    expect(passwordInState).toEqual({ [SECRET_SIGNATURE]: SECRET_SIGNATURE_VALUE, ciphertext: expect.any(String) });

    // `refresh` configures the provider from that stored config, not from the current stack
    // config: with the URL and password now wrong, a refresh still reads the portal with the old
    // ones. `refresh --run-program` takes the current config, and the wrong password is refused.
    run.portal.log.clear();
    const wrong = ["-c", "learnupon:portalUrl=http://127.0.0.1:1", "-c", `learnupon:password=${WRONG_REFRESH_PASSWORD}`];
    const storedConfigRefresh = await run.pulumi(["refresh", "--yes", ...wrong]);
    expect({ exitCode: storedConfigRefresh.exitCode, errors: diagnosticErrors(storedConfigRefresh.stdout) }).toEqual({ exitCode: 0, errors: [] });
    expect(run.portal.log.count()).toBeGreaterThan(0);
    expect(run.portal.log.entries().every((entry) => entry.status === 200)).toBe(true);
    const currentConfigRefresh = await run.pulumi(["refresh", "--yes", "--run-program", "-c", `learnupon:portalUrl=${run.portal.url}`]);
    expect(currentConfigRefresh.exitCode).not.toBe(0);
    // The engine's summary and the provider's error, in either order.
    expect(new Set(diagnosticErrors(currentConfigRefresh.stdout))).toEqual(new Set(["preview failed", `Preview failed: ${CREDENTIALS_REJECTED}`]));
    expect(`${storedConfigRefresh.stdout}${currentConfigRefresh.stdout}`).not.toContain(WRONG_REFRESH_PASSWORD);

    // With the password in LEARNUPON_PASSWORD instead, the engine never sees it: not a trace.
    const configRm = await run.pulumi(["config", "rm", "learnupon:password"]);
    expect(configRm.exitCode).toBe(0);
    await run.writeRoster(people); // one more person, so the provider works with the password
    const verboseWithEnv = await run.pulumi(["up", "--yes", "--skip-preview", "-v=9", "--logtostderr"], { env: { LEARNUPON_PASSWORD: PASSWORD } });
    expect(verboseWithEnv.exitCode).toBe(0);
    expect(auditPortal(run.portal, people)).toEqual(CONVERGED);
    expect(linesWithSecrets(`${verboseWithEnv.stdout}\n${verboseWithEnv.stderr}`)).toEqual([]);
    expect(defaultProviderInputs(await run.workspace.readStateFile())).not.toHaveProperty(["learnupon:password"]);

    // The search works: a file holding the password is found.
    const control = await mkdtemp(join(tmpdir(), "pulumi-learnupon-control-"));
    await writeFile(join(control, "control.txt"), `…${PASSWORD}…`);
    expect(await filesContaining([control], [PASSWORD])).toEqual([join(control, "control.txt")]);
    await rm(control, { recursive: true, force: true });

    // Every file backend (history and backups included), every PULUMI_HOME, every stack config file.
    const stackConfigFiles = scenarios.map((started) => join(PROJECT_ROOT, `Pulumi.${started.workspace.stack}.yaml`));
    expect(evidence.stateDirs).toHaveLength(scenarios.length);
    expect(await filesContaining([...evidence.stateDirs, ...stackConfigFiles], secrets)).toEqual([]);
    // Every output and error of every run in this file, but for the engine's lines above.
    const outputs = evidence.outputs.filter((output) => !output.includes(verboseWithConfig.stderr));
    expect(outputs.flatMap(linesWithSecrets)).toEqual([]);
    console.log(
      `searched ${evidence.stateDirs.length} state folders, ${stackConfigFiles.length} stack config files and ${evidence.outputs.length} outputs ` +
        `(${Math.round(evidence.outputs.join("").length / 1024)} KB); the engine's -v=9 Configure log showed the stack-config password ${leakedByEngine.length} time(s)`,
    );
  });
});
