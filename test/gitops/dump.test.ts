/**
 * `dump`: a portal's people, memberships and enrollments as a roster file, against the fake portal
 * over HTTP with the production client. That managing the dump changes nothing is shown end to end
 * in test/e2e/gitops.test.ts.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SeedData } from "../../provider/fake-portal/index.js";
import { runDumpCli } from "../../provider/gitops/cli.js";
import { dumpPortal, formatRosterYaml } from "../../provider/gitops/dump.js";
import { learnUponLms } from "../../provider/lms/learnupon/client.js";
import { parseYamlRoster } from "../../provider/roster/roster-file.js";
import { startPortalWithClient, type PortalWithClient } from "../client/portal-client.js";

const seed: SeedData = {
  customFields: [{ label: "Employee ID" }, { label: "Staff Number" }],
  courses: [
    { id: 201, name: "Security Awareness" },
    { id: 202, name: "Code of Conduct" },
    { id: 203, name: "Draft Course", published_status_id: "draft" },
  ],
  groups: [{ id: 301, title: "Engineering" }],
  users: [
    { id: 11, email: "ada@example.com", first_name: "Ada", last_name: "Lovelace", user_type: "manager", CustomData: { "Employee ID": "E1001", "Staff Number": "S-1" } },
    { id: 12, email: "alan@example.com", username: "aturing", first_name: "Alan", last_name: "Turing", CustomData: { "employee id": "E1001" } },
    { id: 13, email: "grace@example.com", first_name: "Grace", last_name: "Hopper", enabled: false, CustomData: { "Employee ID": "E 13" } },
    { id: 14, email: null, username: "kiosk", first_name: "Kiosk", last_name: "Account" },
    { id: 15, email: "nameless@example.com" },
  ],
  memberships: [{ group_id: 301, user_id: 11 }],
  enrollments: [
    { user_id: 11, course_id: 202, status: "completed" },
    { user_id: 11, course_id: 201, status: "in_progress", due_date: "2027-03-31", expires_at: "2027-12-31" },
    { user_id: 12, course_id: 201, status: "not_started" },
    { user_id: 13, course_id: 203, status: "passed" },
  ],
};

describe("dump", () => {
  let opened: PortalWithClient | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  async function dumped(options: Parameters<typeof dumpPortal>[1] = {}) {
    opened = await startPortalWithClient({ seed });
    return dumpPortal(learnUponLms(opened.client), options);
  }

  it("writes each person as the portal has them, with their groups and every enrollment", async () => {
    const dump = await dumped();
    expect(dump.people).toEqual([
      {
        employeeId: "E1001",
        email: "ada@example.com",
        firstName: "Ada",
        lastName: "Lovelace",
        userType: "manager",
        groups: ["Engineering"],
        courses: ["Code of Conduct", { name: "Security Awareness", dueDate: "2027-03-31", expiresAt: "2027-12-31" }],
      },
      { employeeId: "LU-12", email: "alan@example.com", firstName: "Alan", lastName: "Turing", username: "aturing", courses: ["Security Awareness"] },
      { employeeId: "LU-13", email: "grace@example.com", firstName: "Grace", lastName: "Hopper", enabled: false },
    ]);
  });

  it("notes what it left out, and why", async () => {
    expect((await dumped()).leftOut).toEqual([
      'employee id "E 13" of user 13: may hold only letters, digits, and . _ @ -, so LU-13 is used instead',
      'employee id "E1001" of user 12: used twice, so LU-12 is used instead',
      'enrollment of grace@example.com in course 203 "Draft Course": the course is not published, or another course has its name',
      "user 14: no email, and a roster identifies people by email",
      "user 15 (nameless@example.com): no first or last name, which a roster requires",
    ]);
  });

  it("reads the employee id from the custom field it is told", async () => {
    const dump = await dumped({ employeeIdField: "staff number" });
    expect(dump.people.map((person) => person.employeeId)).toEqual(["LU-12", "LU-13", "S-1"]);
  });

  it("formats a roster file that loads back as the same people, one person a line", async () => {
    const dump = await dumped();
    const yaml = formatRosterYaml(dump, "https://acme.learnupon.com");
    expect(yaml.split("\n").slice(0, 4)).toEqual([
      "# The people of https://acme.learnupon.com, written by `pulumi-learnupon dump`.",
      "# Managing this roster changes nothing in the portal: the first `pulumi up` only adopts.",
      "# Left out:",
      '#   - employee id "E 13" of user 13: may hold only letters, digits, and . _ @ -, so LU-13 is used instead',
    ]);
    expect(yaml).toContain(
      "\npeople:\n  - {employeeId: E1001, email: ada@example.com, firstName: Ada, lastName: Lovelace, userType: manager, groups: [Engineering], " +
        "courses: [Code of Conduct, {name: Security Awareness, dueDate: 2027-03-31, expiresAt: 2027-12-31}]}\n",
    );
    const loaded = parseYamlRoster("dump.yaml", yaml);
    expect(loaded.map(({ employeeId, enabled, groups, courses }) => ({ employeeId, enabled, groups, courses: courses.map((course) => course.name) }))).toEqual([
      { employeeId: "E1001", enabled: true, groups: ["Engineering"], courses: ["Code of Conduct", "Security Awareness"] },
      { employeeId: "LU-12", enabled: true, groups: [], courses: ["Security Awareness"] },
      { employeeId: "LU-13", enabled: false, groups: [], courses: [] },
    ]);
  });

  it("only reads: a listing of the users, then each person's groups and enrollments", async () => {
    await dumped();
    const requests = opened!.transcript();
    expect(opened!.portal.log.writes()).toEqual([]);
    expect(requests.filter((line) => line.startsWith("GET /api/v1/users"))).toEqual(["GET /api/v1/users?page=1 200"]);
    expect(requests.filter((line) => line.includes("user_id=")).length).toBe(6); // groups and enrollments of 3 people
  });
});

describe("dump command", () => {
  let opened: PortalWithClient | undefined;
  let folder: string | undefined;
  afterEach(async () => {
    await opened?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
    opened = undefined;
    folder = undefined;
  });

  it("takes the portal and API key from LEARNUPON_* and writes the file named by --out", async () => {
    opened = await startPortalWithClient({ seed });
    folder = await mkdtemp(join(tmpdir(), "dump-cli-"));
    const out = join(folder, "roster.yaml");
    let progress = "";
    const env = {
      LEARNUPON_PORTAL_URL: opened.portal.url,
      LEARNUPON_USERNAME: opened.portal.username,
      LEARNUPON_PASSWORD: opened.portal.password,
      LEARNUPON_REQUESTS_PER_MINUTE: "100000",
    };
    await runDumpCli(["--out", out], { env, writeErr: (text) => (progress += text), writeOut: () => expect.fail("nothing on stdout with --out") });
    expect(parseYamlRoster(out, await readFile(out, "utf8"))).toHaveLength(3);
    expect(progress).toBe(`wrote 3 people (1 deactivated), 1 group memberships and 3 enrollments to ${out}; left out 5 (listed at the top of the file)\n`);
    expect(progress).not.toContain(opened.portal.password);
  });

  it("says which settings it lacks", async () => {
    await expect(runDumpCli(["--portal-url", "https://acme.learnupon.com"], { env: { LEARNUPON_USERNAME: "api" } })).rejects.toThrow(
      "dump needs LEARNUPON_PASSWORD (or --password)\nusage: pulumi-learnupon dump",
    );
  });
});
