/**
 * Input that must fail at preview, end to end: the real `pulumi` CLI and engine on the root roster
 * program, a file backend, and the fake portal over HTTP.
 *
 * - Each mistake fails `pulumi preview` with one error naming the file, row, field and reason, and
 *   the portal sees no write (and no call at all when the file alone shows the mistake): an
 *   impossible date, a course or group the portal has twice, two columns for one field, a column
 *   the portal has no custom field for, a name on two lines.
 * - What HR exports look like is read right: a `;`-delimited CSV, roles in capitals, and a cell a
 *   spreadsheet would run as a formula (a warning naming the row and field).
 * - A column with no custom field never reaches the portal to be dropped there on every update: a
 *   preview that would update a user with it fails, and `roster:ignoreColumns` leaves it out.
 */
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { diagnosticErrors, useScenarios, type Person, type Scenario } from "./reliability/scenario.js";

const scenario = useScenarios();

/** A course and a group the demo portal gets a second of, with these ids. */
const SECOND_CUSTOMER_CARE = 299;
const SECOND_SUPPORT = 399;

describe("bad input: one clear error at preview, naming file, row, field and reason, and no write", () => {
  const ada: Person = { employeeId: "E001", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", groups: ["Engineering"], courses: ["Security Awareness"] };
  const alan: Person = { employeeId: "E002", email: "alan@example.com", firstName: "Alan", lastName: "Turing", groups: ["Sales"], courses: ["Code of Conduct"] };
  const CSV_HEADER = "Employee ID,Email,First Name,Last Name,Role,Groups,Courses";

  interface BadInput {
    name: string;
    /** A roster file: YAML from entries, or the text of a CSV. */
    roster: object[] | { csv: string };
    /** The one error, with `<roster>` standing for the roster file and `<api>` for the portal's API. */
    error: string;
    /** Mistakes in the file stop the program before any call; the others take the portal's answer to reads. */
    calls: "none" | "reads only";
  }

  const badInputs: BadInput[] = [
    {
      name: "an impossible due date and expiry date",
      roster: [ada, { ...alan, courses: [{ name: "Code of Conduct", dueDate: "2027-13-45" }, { name: "Security Awareness", expiresAt: "2027-02-30" }] }],
      error: [
        "roster <roster> has 2 problems:",
        "- <roster>:people[1]: courses.0.dueDate: 2027-13-45 is not a date: there is no month 13",
        "- <roster>:people[1]: courses.1.expiresAt: 2027-02-30 is not a date: 2027-02 has days 01 to 28",
      ].join("\n"),
      calls: "none",
    },
    {
      name: "a course name and a group title the portal has twice",
      roster: [ada, { ...alan, groups: ["Support"], courses: ["Customer Care"] }],
      error: [
        "the roster does not fit the LearnUpon portal at <api>:",
        `- <roster>:people[1]: groups: 2 LearnUpon groups are titled "Support" (ids 303, ${SECOND_SUPPORT}): rename all but one in the portal, so the roster names one`,
        `- <roster>:people[1]: courses: 2 published LearnUpon courses are named "Customer Care" (ids 204, ${SECOND_CUSTOMER_CARE}): rename all but one in the portal, so the roster names one`,
      ].join("\n"),
      calls: "reads only",
    },
    {
      name: "two CSV columns for one field",
      roster: { csv: `Employee ID,Email,First Name,Last Name,Email Address\nE001,ada@example.com,Ada,Lovelace,ada@old.example.com\n` },
      error: [
        "roster <roster> has 1 problem:",
        '- <roster>:row 1: email: two columns give it, "Email" and "Email Address": keep one, or list the other in roster:ignoreColumns',
      ].join("\n"),
      calls: "none",
    },
    {
      name: "a CSV column the portal has no custom field for",
      roster: { csv: `${CSV_HEADER},Department,Manager\nE001,ada@example.com,Ada,Lovelace,,,,R&D,Grace\nE002,alan@example.com,Alan,Turing,,,,,Ada\n` },
      error: [
        "the roster does not fit the LearnUpon portal at <api>:",
        ...["row 2", "row 3"].map(
          (row) =>
            `- <roster>:${row}: customData.Manager: the portal has no custom user field labelled "Manager" (its fields: "Department"), ` +
            "so LearnUpon would drop the value on every update; add the field in the portal, or leave the column out with roster:ignoreColumns",
        ),
      ].join("\n"),
      calls: "reads only",
    },
    {
      name: "names and titles on two lines",
      roster: { csv: `${CSV_HEADER}\nE001,ada@example.com,"Ada\nMarie",Lovelace,,"Engineering|Sa\nles",Security Awareness\n` },
      error: [
        "roster <roster> has 2 problems:",
        "- <roster>:row 2: firstName: must be on one line, without control characters: it holds a line break (U+000A) at character 4",
        "- <roster>:row 2: groups.1: must be on one line, without control characters: it holds a line break (U+000A) at character 3",
      ].join("\n"),
      calls: "none",
    },
    {
      name: "a header row that is not split at , ; or tabs",
      roster: { csv: "Employee ID|Email|First Name|Last Name\nE001|ada@example.com|Ada|Lovelace\n" },
      error: [
        "roster <roster> has 4 problems:",
        ...[
          ["employeeId", "Employee ID"],
          ["email", "Email"],
          ["firstName", "First Name"],
          ["lastName", "Last Name"],
        ].map(
          ([field, header]) =>
            `- <roster>:row 1: ${field}: no column holds it (a header such as "${header}"); split at commas, the header row gives 1 column, "Employee ID|Email|First Name|Last Name"`,
        ),
      ].join("\n"),
      calls: "none",
    },
  ];

  let run: Scenario;
  beforeAll(async () => {
    run = await scenario({ stack: "input-bad", roster: [] }); // never deployed by the previews
    run.portal.store.seed({ courses: [{ id: SECOND_CUSTOMER_CARE, name: "Customer Care" }], groups: [{ id: SECOND_SUPPORT, title: "Support" }] });
  });

  it.each(badInputs.map((input, index) => [input.name, input, index] as const))("%s", async (_name, input, index) => {
    const rosterFile = join(dirname(run.rosterFile), Array.isArray(input.roster) ? `roster-${index}.yaml` : `people-${index}.csv`);
    await writeFile(rosterFile, Array.isArray(input.roster) ? stringify({ people: input.roster }) : input.roster.csv);
    run.portal.log.clear();

    const preview = await run.pulumi(["preview", "-c", `roster:file=${rosterFile}`]);

    expect(preview.exitCode).not.toBe(0);
    const expected = input.error.replaceAll("<roster>", rosterFile).replaceAll("<api>", run.portal.apiUrl);
    expect(diagnosticErrors(preview.stdout)).toEqual([expected]);
    expect(run.portal.log.writes()).toEqual([]);
    if (input.calls === "none") expect(run.portal.log.entries()).toEqual([]);
    else expect(run.portal.log.entries().length).toBeGreaterThan(0);
  });

  it("without a preview, the enrollment and the membership refuse the shared name themselves, naming the ids", async () => {
    const rosterFile = join(dirname(run.rosterFile), "skip-preview.yaml");
    await writeFile(rosterFile, stringify({ people: [{ ...alan, groups: ["Support"], courses: ["Customer Care"] }] }));
    run.portal.log.clear();

    const up = await run.pulumi(["up", "--yes", "--skip-preview", "-c", `roster:file=${rosterFile}`]);

    expect(up.exitCode).not.toBe(0);
    const output = up.stdout + up.stderr;
    expect(output).toContain(`2 published LearnUpon courses are named "Customer Care" (ids 204, ${SECOND_CUSTOMER_CARE}): give courseId to say which one`);
    expect(output).toContain(`2 LearnUpon groups are titled "Support" (ids 303, ${SECOND_SUPPORT}): give groupId to say which one`);
    // Only the person was written: nobody was enrolled in, or added to, a course or group nobody chose.
    expect(run.portal.log.writes().map((entry) => `${entry.method} ${entry.path}`)).toEqual(["POST /api/v1/users"]);
  });
});

describe("HR exports as they come", () => {
  const HEADER = "Employee ID;Email;First Name;Last Name;Role;Department;Groups;Courses";
  const rows = [
    "E101;ada@example.com;Ada;Lovelace;Manager;R&D;Engineering;Security Awareness",
    'E102;alan@example.com;Alan;Turing;LEARNER;=1+1;"Engineering;Sales";Code of Conduct',
  ];
  let run: Scenario;

  beforeAll(async () => {
    run = await scenario({ stack: "input-exports", roster: { fileName: "people.csv", text: `\uFEFF${[HEADER, ...rows].join("\r\n")}\r\n` } });
  });

  it("reads a ;-delimited CSV with roles in capitals, warning about a formula cell by row and field", async () => {
    const preview = await run.pulumi(["preview"]);
    expect({ exitCode: preview.exitCode, errors: diagnosticErrors(preview.stdout) }).toEqual({ exitCode: 0, errors: [] });
    expect(preview.stdout).toContain(
      `warning: ${run.rosterFile}:row 3: customData.Department: starts with "=": spreadsheets opening the portal's exports may run it as a formula`,
    );
    expect(run.portal.log.writes()).toEqual([]);

    const up = await run.pulumi(["up", "--yes", "--skip-preview"]);
    expect(up.exitCode).toBe(0);
    const user = (email: string) => [...run.portal.store.users.values()].find((candidate) => candidate.email === email);
    expect([user("ada@example.com")?.user_type, user("ada@example.com")?.customData]).toEqual(["manager", { Department: "R&D" }]);
    expect([user("alan@example.com")?.user_type, user("alan@example.com")?.customData]).toEqual(["learner", { Department: "=1+1" }]);
  });

  it("refuses, at a refreshing preview, a column that would be sent and dropped on every update; ignoreColumns leaves it out", async () => {
    await writeFile(run.rosterFile, `${[`${HEADER};Manager`, `${rows[0]};Grace`, `${rows[1]};`].join("\n")}\n`);
    run.portal.log.clear();

    const refused = await run.pulumi(["preview", "--refresh"]);
    expect(refused.exitCode).not.toBe(0);
    expect(diagnosticErrors(refused.stdout)).toEqual([
      [
        `the roster does not fit the LearnUpon portal at ${run.portal.apiUrl}:`,
        `- ${run.rosterFile}:row 2: customData.Manager: the portal has no custom user field labelled "Manager" (its fields: "Department"), ` +
          "so LearnUpon would drop the value on every update; add the field in the portal, or leave the column out with roster:ignoreColumns",
      ].join("\n"),
    ]);
    expect(run.portal.log.writes()).toEqual([]);

    await run.workspace.setConfig("roster:ignoreColumns", "Manager");
    run.portal.log.clear();
    const up = await run.pulumi(["up", "--yes", "--refresh"]);
    expect(up.exitCode).toBe(0);
    // Nothing to change: the column is left out, so nobody is updated, now or on the next run.
    expect(run.portal.log.writes()).toEqual([]);
  });

  it("makes no call at all for a preview with nothing to create or update", async () => {
    run.portal.log.clear();
    const preview = await run.pulumi(["preview"]);
    expect(preview.exitCode).toBe(0);
    expect(run.portal.log.entries()).toEqual([]);
  });
});
