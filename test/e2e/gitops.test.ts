/**
 * The GitOps tools end to end: the real `pulumi` CLI and engine on the root roster program, a file
 * backend, the fake portal over HTTP, and the package's CLI as users run it (`dist/provider/cli.js`).
 *
 * - The removal guard refuses a mass removal, and the API user's removal, at preview, with nothing
 *   written to the portal; approved with `roster:approveRemovals`, the same change deactivates exactly
 *   those people.
 * - `summary` of a real `pulumi preview --refresh --json` with every kind of change matches the
 *   golden markdown. `RECORD_GITOPS_FIXTURE=1` stores that preview as the unit tests' fixture and
 *   rewrites the golden file instead; review both diffs before committing them.
 * - `dump` of a portal gives a roster whose first `pulumi up` writes nothing and which then previews
 *   no changes.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakePortal, type SeedData } from "../../provider/fake-portal/index.js";
import { loadRoster } from "../../provider/roster/roster-file.js";
import { demoSeed } from "../support/demo-seed.js";
import { runCommand } from "../support/pulumi-cli.js";
import { RosterStack, type Person } from "../support/roster-stack.js";

const projectRoot = resolve(__dirname, "..", "..");
const packageCli = join(projectRoot, "dist", "provider", "cli.js");
const fixtures = join(projectRoot, "test", "gitops", "fixtures");

/** Runs the package's CLI as `npx pulumi-learnupon` would, with `stdin` piped in. */
function runPackageCli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  // Only PATH from this process: the runner's own LEARNUPON_* variables must not reach the CLI.
  return runCommand(process.execPath, [packageCli, ...args], {
    cwd: projectRoot,
    env: { PATH: process.env["PATH"] ?? "", ...options.env },
    inheritEnv: false,
    check: false,
    stdin: options.stdin ?? "",
  });
}

/** Tolerates a "read" step: the guard's reference to the stack itself, which is not a change. */
function changeKinds(previewJson: string): string[] {
  return Object.keys(JSON.parse(previewJson).changeSummary).filter((kind) => kind !== "read");
}

describe("the removal guard", () => {
  const apiUser: Person = { employeeId: "E000", email: "api@example.com", firstName: "API", lastName: "User", userType: "admin" };
  const staff: Person[] = Array.from({ length: 99 }, (_, index) => {
    const number = String(index + 1).padStart(3, "0");
    return { employeeId: `P${number}`, email: `p${number}@example.com`, firstName: "Person", lastName: number };
  });
  const leavers = staff.slice(69); // P070 to P099: 30 of the 100 people
  const stayers = staff.slice(0, 69);
  let stack: RosterStack;

  beforeAll(async () => {
    // The portal's API key belongs to an admin whose username is their email.
    const portal = await startFakePortal({
      username: apiUser.email,
      seed: { users: [{ email: apiUser.email, first_name: "API", last_name: "User", user_type: "admin" }] },
      options: { rateLimit: false },
    });
    stack = await RosterStack.start(portal, "e2e-gitops-guard");
    await stack.writeRoster([apiUser, ...staff]);
    await stack.pulumi(["up", "--yes", "--skip-preview"]);
    expect(staff.every((person) => stack.userByEmail(person.email)?.enabled)).toBe(true);
  });

  afterAll(async () => {
    await stack?.dispose();
    await stack?.portal.close();
  });

  it("refuses a roster removing 30 of 100 people at preview, and writes nothing", async () => {
    await stack.writeRoster([apiUser, ...stayers]);
    stack.portal.log.clear();

    const preview = await stack.pulumi(["preview"], { check: false });
    const output = preview.stdout + preview.stderr;
    expect(preview.exitCode).not.toBe(0);
    expect(output).toContain("roster change refused: it would deactivate or delete 30 of the 100 active people this stack manages, more than the limit of 10");
    for (const person of leavers.slice(0, 10)) expect(output).toContain(`${person.employeeId} ${person.email}: deactivate (removed from the roster)`);
    expect(output).not.toContain(leavers[10]!.email);
    expect(output).toContain("… and 20 more");
    expect(output).toContain("pulumi config set roster:approveRemovals 30");

    // `up` without a preview is refused the same way, and keeps the record of who the stack manages.
    expect((await stack.pulumi(["up", "--yes", "--skip-preview"], { check: false })).exitCode).not.toBe(0);
    expect(stack.portal.log.writes()).toEqual([]);
    const managedPeople = JSON.parse((await stack.pulumi(["stack", "output", "managedPeople", "--json", "--show-secrets"])).stdout);
    expect(Object.keys(managedPeople)).toHaveLength(100);
  });

  it("deactivates exactly those 30 once roster:approveRemovals approves the change", async () => {
    await stack.workspace.setConfig("roster:approveRemovals", "30");
    stack.portal.log.clear();
    await stack.pulumi(["up", "--yes", "--skip-preview"]);

    const deactivated = [...stack.portal.store.users.values()].filter((user) => !user.enabled).map((user) => user.email);
    expect(deactivated.sort()).toEqual(leavers.map((person) => person.email));
    expect(stack.portal.log.writes().map((entry) => [entry.method, entry.body])).toEqual(
      leavers.map(() => ["PUT", { User: { enabled: false } }]),
    );
  });

  it("refuses to deactivate the API user, even within the removal limit", async () => {
    // The approval was for the change above alone.
    await stack.workspace.run(["config", "rm", "--stack", stack.workspace.stack, "roster:approveRemovals"]);
    await stack.writeRoster(stayers);
    stack.portal.log.clear();

    const preview = await stack.pulumi(["preview"], { check: false });
    expect(preview.exitCode).not.toBe(0);
    expect(preview.stdout + preview.stderr).toContain(
      "it would deactivate or delete the portal's API user or an admin:\n" +
        "      - E000 api@example.com: deactivate (removed from the roster, admin, the portal's API user)",
    );
    expect(stack.portal.log.writes()).toEqual([]);

    await stack.workspace.setConfig("roster:allowAdminRemoval", "true");
    expect((await stack.pulumi(["preview"], { check: false })).exitCode).toBe(0);
  });
});

describe("summary of a preview", () => {
  const base: Person[] = [
    { employeeId: "E1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", userType: "manager", groups: ["Engineering"], courses: [{ name: "Security Awareness" }] },
    { employeeId: "E2", email: "alan.turing@example.com", firstName: "Alan", lastName: "Turing", groups: ["Engineering"], courses: [{ name: "Code of Conduct", dueDate: "2027-01-31" }] },
    { employeeId: "E3", email: "grace@example.com", firstName: "Grace", lastName: "Hopper", groups: ["Sales"], courses: [{ name: "Security Awareness" }, { name: "Code of Conduct" }] },
    { employeeId: "E4", email: "shep.hyken@example.com", firstName: "Shep", lastName: "Hyken", groups: ["Support"] },
    { employeeId: "E5", email: "linus@example.com", firstName: "Linus", lastName: "Torvalds", courses: [{ name: "Security Awareness" }] },
    { employeeId: "E6", email: "joan@example.com", firstName: "Joan", lastName: "Clarke", enabled: false },
    { employeeId: "E7", email: "dennis@example.com", firstName: "Dennis", lastName: "Ritchie", removal: "delete" },
    { employeeId: "E8", email: "ken@example.com", firstName: "Ken", lastName: "Thompson", removal: "retain" },
    { employeeId: "E10", email: "barbara@example.com", firstName: "Barbara", lastName: "Liskov" },
  ];
  const [ada, alan, grace, shep, , joan, , , barbara] = base as [Person, Person, Person, Person, Person, Person, Person, Person, Person];
  /** Every kind of change: added, removed under each policy, disabled, re-enabled, edited, moved between groups and courses. */
  const changed: Person[] = [
    { ...ada, email: "ada.king@example.com", lastName: "King" },
    { ...alan, courses: [{ name: "Code of Conduct", dueDate: "2027-02-28" }] },
    { ...grace, groups: ["Support"], courses: [{ name: "Security Awareness" }] },
    shep,
    { ...joan, enabled: true },
    { ...barbara, enabled: false },
    { employeeId: "E9", email: "margaret@example.com", firstName: "Margaret", lastName: "Hamilton", groups: ["Sales"], courses: [{ name: "Code of Conduct", dueDate: "2027-03-31" }] },
  ];
  let stack: RosterStack;

  beforeAll(async () => {
    stack = await RosterStack.start(await startFakePortal({ seed: demoSeed(), options: { rateLimit: false } }), "e2e-gitops-summary");
    await stack.writeRoster(base);
    await stack.pulumi(["up", "--yes", "--skip-preview"]);
  });

  afterAll(async () => {
    await stack?.dispose();
    await stack?.portal.close();
  });

  it("describes every kind of change, and the drift made by hand, as the golden file says", async () => {
    // By hand in the portal: a rename, a deactivation, a removed enrollment, a finished course.
    const { store } = stack.portal;
    store.updateUser(stack.userByEmail("alan.turing@example.com")!.id, { first_name: "Alain" });
    store.updateUser(stack.userByEmail("shep.hyken@example.com")!.id, { enabled: false });
    const enrollmentOf = (email: string, course: string) =>
      [...store.enrollments.values()].find(
        (enrollment) => enrollment.user_id === stack.userByEmail(email)!.id && store.courses.get(enrollment.course_id)?.name === course,
      )!;
    store.unenroll(enrollmentOf("grace@example.com", "Security Awareness"), true);
    enrollmentOf("linus@example.com", "Security Awareness").status = "completed";
    await stack.writeRoster(changed);

    const preview = await stack.pulumi(["preview", "--refresh", "--json"]);
    const summary = await runPackageCli(["summary"], { stdin: preview.stdout });
    expect(summary.stderr).toBe("");

    if (process.env["RECORD_GITOPS_FIXTURE"] === "1") {
      await writeFile(join(fixtures, "every-change.preview.json"), `${JSON.stringify(forFixture(JSON.parse(preview.stdout)), null, 2)}\n`);
      await writeFile(join(fixtures, "every-change.summary.md"), summary.stdout);
    }
    expect(summary.stdout).toBe(await readFile(join(fixtures, "every-change.summary.md"), "utf8"));
    expect(summary.stdout).not.toContain(stack.portal.password);
  });
});

describe("dump", () => {
  const seed: SeedData = {
    customFields: [{ label: "Employee ID" }, { label: "Department" }],
    courses: [
      { id: 201, name: "Security Awareness" },
      { id: 202, name: "Code of Conduct" },
      { id: 203, name: "Git Fundamentals" },
    ],
    groups: [
      { id: 301, title: "Engineering" },
      { id: 302, title: "Sales" },
    ],
    groupCourses: [{ group_id: 301, course_id: 203 }],
    users: [
      { id: 11, email: "api@example.com", first_name: "API", last_name: "User", user_type: "admin" },
      { id: 12, email: "Ada@Example.com", first_name: "Ada", last_name: "Lovelace", user_type: "manager", CustomData: { "Employee ID": "E1001", Department: "R&D" } },
      { id: 13, email: "alan@example.com", first_name: "Alan", last_name: "Turing", locale: "fr", CustomData: { "Employee ID": "E1002" } },
      { id: 14, email: "grace@example.com", first_name: "Grace", last_name: "Hopper", enabled: false },
    ],
    memberships: [
      { group_id: 301, user_id: 12 },
      { group_id: 301, user_id: 13 },
      { group_id: 302, user_id: 14 },
    ],
    enrollments: [
      { user_id: 12, course_id: 201, status: "completed" },
      { user_id: 12, course_id: 203, group_id: 301, status: "in_progress", due_date: "2027-03-31" },
      { user_id: 13, course_id: 202, status: "not_started", due_date: "2027-01-31", expires_at: "2027-12-31" },
      { user_id: 14, course_id: 201, status: "passed" },
    ],
  };
  let stack: RosterStack;

  beforeAll(async () => {
    stack = await RosterStack.start(await startFakePortal({ seed, options: { rateLimit: false } }), "e2e-gitops-dump");
  });

  afterAll(async () => {
    await stack?.dispose();
    await stack?.portal.close();
  });

  it("writes the portal's people, memberships and enrollments as a roster file", async () => {
    const { portal } = stack;
    const dump = await runPackageCli(["dump", "--out", stack.rosterFile], {
      env: {
        LEARNUPON_PORTAL_URL: portal.url,
        LEARNUPON_USERNAME: portal.username,
        LEARNUPON_PASSWORD: portal.password,
        LEARNUPON_REQUESTS_PER_MINUTE: "100000",
      },
    });
    expect(dump).toMatchObject({ exitCode: 0, stdout: "" });
    expect(dump.stderr).toBe(`wrote 4 people (1 deactivated), 3 group memberships and 4 enrollments to ${stack.rosterFile}\n`);
    expect(loadRoster(stack.rosterFile)).toEqual([
      { employeeId: "E1001", email: "Ada@Example.com", firstName: "Ada", lastName: "Lovelace", userType: "manager", enabled: true, groups: ["Engineering"], courses: [{ name: "Git Fundamentals", dueDate: "2027-03-31" }, { name: "Security Awareness" }] },
      { employeeId: "E1002", email: "alan@example.com", firstName: "Alan", lastName: "Turing", enabled: true, groups: ["Engineering"], courses: [{ name: "Code of Conduct", dueDate: "2027-01-31", expiresAt: "2027-12-31" }] },
      { employeeId: "LU-11", email: "api@example.com", firstName: "API", lastName: "User", userType: "admin", enabled: true, groups: [], courses: [] },
      { employeeId: "LU-14", email: "grace@example.com", firstName: "Grace", lastName: "Hopper", enabled: false, groups: ["Sales"], courses: [{ name: "Security Awareness" }] },
    ]);
    expect(portal.log.writes()).toEqual([]);
  });

  it("adopts the dumped roster without a single write, then previews no changes", async () => {
    stack.portal.log.clear();
    await stack.pulumi(["up", "--yes", "--skip-preview"]);
    expect(stack.portal.log.writes()).toEqual([]);

    const preview = await stack.pulumi(["preview", "--refresh", "--expect-no-changes", "--json"]);
    expect(changeKinds(preview.stdout)).toEqual(["same"]);
    expect(stack.portal.log.writes()).toEqual([]);
  });
});

/**
 * The preview as the fixture keeps it: without source positions, stack traces and the roster path (machine paths,
 * which the summary does not read).
 */
function forFixture(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(forFixture);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "sourcePosition" && key !== "stackTrace")
      // The scratch roster's path is a machine path too.
      .map(([key, field]) => [key, key === "roster:file" ? "roster.yaml" : forFixture(field)]),
  );
}
