/**
 * Roster files as HR exports them: the rules `pulumi preview` applies before any call to the portal.
 * Every problem of a file is reported at once as `file:row: field: reason`; warnings go to the
 * `warn` callback (Pulumi's log in a program) in the same form.
 */
import { describe, expect, it } from "vitest";
import { dateProblem } from "../../provider/resources/input-rules.js";
import { parseCsvRoster, parseYamlRoster, RosterError, rosterOptionsFromStack, type RosterOptions } from "../../provider/roster/roster-file.js";

const HEADER = "Employee ID,Email,First Name,Last Name";

/** The problems a file is refused with, or [] when it loads. */
function problemsOf(load: () => unknown): string[] {
  try {
    load();
    return [];
  } catch (error) {
    if (error instanceof RosterError) return error.problems;
    throw error;
  }
}

function csv(text: string, options: RosterOptions = {}) {
  const warnings: string[] = [];
  const people = parseCsvRoster("people.csv", text, { warn: (message) => warnings.push(message), ...options });
  return { people, warnings };
}

function yaml(people: object[]) {
  return parseYamlRoster("roster.yaml", JSON.stringify({ people }), { warn: () => undefined });
}

const ada = { employeeId: "E1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" };

describe("dates", () => {
  it.each([
    ["2027-13-45", "2027-13-45 is not a date: there is no month 13"],
    ["2027-00-10", "2027-00-10 is not a date: there is no month 00"],
    ["2027-04-31", "2027-04-31 is not a date: 2027-04 has days 01 to 30"],
    ["2027-02-29", "2027-02-29 is not a date: 2027-02 has days 01 to 28"],
    ["2027-01-00", "2027-01-00 is not a date: 2027-01 has days 01 to 31"],
    ["31/01/2027", "must be a date written YYYY-MM-DD"],
    ["2027-1-31", "must be a date written YYYY-MM-DD"],
  ])("refuses %s: %s", (text, reason) => {
    expect(dateProblem(text)).toBe(reason);
  });

  it.each(["2027-01-31", "2028-02-29", "2000-02-29", "2027-12-31"])("accepts %s", (text) => {
    expect(dateProblem(text)).toBeUndefined();
  });

  it("refuses an impossible due date and expiry date in YAML, both at once, naming the entry and field", () => {
    const problems = problemsOf(() =>
      yaml([
        { ...ada, courses: [{ name: "Security Awareness", dueDate: "2027-13-45" }] },
        { ...ada, employeeId: "E2", email: "alan@example.com", courses: ["Code of Conduct", { name: "Git", expiresAt: "2027-02-30" }] },
      ]),
    );
    expect(problems).toEqual([
      "roster.yaml:people[0]: courses.0.dueDate: 2027-13-45 is not a date: there is no month 13",
      "roster.yaml:people[1]: courses.1.expiresAt: 2027-02-30 is not a date: 2027-02 has days 01 to 28",
    ]);
  });
});

describe("CSV columns", () => {
  it("refuses two columns that give one field, and two custom columns that LearnUpon would read as one", () => {
    const problems = problemsOf(() => csv(`${HEADER},Email Address,Department,department\nE1,ada@example.com,Ada,Lovelace,ada@old.example.com,R&D,HR\n`));
    expect(problems).toEqual([
      'people.csv:row 1: email: two columns give it, "Email" and "Email Address": keep one, or list the other in roster:ignoreColumns',
      'people.csv:row 1: customData.department: two columns give it, "Department" and "department": keep one, or list the other in roster:ignoreColumns',
    ]);
  });

  it("leaves out the columns ignoreColumns names, matched as headers are, known or custom", () => {
    const text = `${HEADER},Email Address,Cost Centre,Department\nE1,ada@example.com,Ada,Lovelace,ada@old.example.com,CC-7,R&D\n`;
    const { people } = csv(text, { ignoreColumns: ["email_address", "COST CENTRE"] });
    expect(people).toEqual([{ ...ada, enabled: true, customData: { Department: "R&D" }, groups: [], courses: [] }]);
  });

  it("matches role values without regard to case, as headers are", () => {
    const { people } = csv(`${HEADER},ROLE\nE1,ada@example.com,Ada,Lovelace,Manager\nE2,alan@example.com,Alan,Turing,ADMIN\nE3,grace@example.com,Grace,Hopper, instructor \n`);
    expect(people.map((person) => person.userType)).toEqual(["manager", "admin", "instructor"]);
    expect(yaml([{ ...ada, userType: "Admin" }])[0]?.userType).toBe("admin");
    expect(problemsOf(() => csv(`${HEADER},Role\nE1,ada@example.com,Ada,Lovelace,Boss\n`))).toEqual([
      "people.csv:row 2: userType: must be one of learner, instructor, manager, admin",
    ]);
  });

  it("refuses a value under a blank header, and accepts the blank column of a trailing comma", () => {
    expect(csv(`${HEADER},\nE1,ada@example.com,Ada,Lovelace,\n`).people).toHaveLength(1);
    expect(problemsOf(() => csv(`${HEADER},\nE1,ada@example.com,Ada,Lovelace,R&D\n`))).toEqual([
      'people.csv:row 2: column 5: holds "R&D" but has no header',
    ]);
  });
});

describe("delimiters", () => {
  const expected = [{ ...ada, userType: "manager", enabled: true, groups: ["Engineering", "Sales"], courses: [{ name: "Security Awareness" }] }];

  it("reads a ;-delimited file, as Excel writes it in many locales", () => {
    const text = `\uFEFFEmployee ID;Email;First Name;Last Name;Role;Groups;Courses\r\nE1;ada@example.com;Ada;Lovelace;Manager;"Engineering;Sales";Security Awareness\r\n`;
    expect(csv(text).people).toEqual(expected);
  });

  it("reads a tab-delimited file", () => {
    const text = `Employee ID\tEmail\tFirst Name\tLast Name\tRole\tGroups\tCourses\nE1\tada@example.com\tAda\tLovelace\tmanager\tEngineering|Sales\tSecurity Awareness\n`;
    expect(csv(text).people).toEqual(expected);
  });

  it("keeps commas when the header has more of them, even with ; inside quoted cells", () => {
    const text = `${HEADER},Groups\nE1,ada@example.com,Ada,Lovelace,"Engineering;Sales"\n`;
    expect(csv(text).people[0]?.groups).toEqual(["Engineering", "Sales"]);
  });

  it("refuses a header split into one column, saying how it was split, instead of reading empty employee ids", () => {
    const text = "Employee ID|Email|First Name|Last Name\nE1|ada@example.com|Ada|Lovelace\n";
    const found = 'split at commas, the header row gives 1 column, "Employee ID|Email|First Name|Last Name"';
    expect(problemsOf(() => csv(text))).toEqual([
      `people.csv:row 1: employeeId: no column holds it (a header such as "Employee ID"); ${found}`,
      `people.csv:row 1: email: no column holds it (a header such as "Email"); ${found}`,
      `people.csv:row 1: firstName: no column holds it (a header such as "First Name"); ${found}`,
      `people.csv:row 1: lastName: no column holds it (a header such as "Last Name"); ${found}`,
    ]);
  });
});

describe("names", () => {
  it("refuses line breaks and control characters in names, groups and courses, every one at once", () => {
    const text = `${HEADER},Groups,Courses\nE1,ada@example.com,"Ada\nMarie",Lovelace,Engineering,Security Awareness\nE2,alan@example.com,Alan,"Tu\u0007ring","Sal\res",Code of\tConduct\n`;
    expect(problemsOf(() => csv(text))).toEqual([
      "people.csv:row 2: firstName: must be on one line, without control characters: it holds a line break (U+000A) at character 4",
      "people.csv:row 3: lastName: must be on one line, without control characters: it holds a control character (U+0007) at character 3",
      "people.csv:row 3: groups.0: must be on one line, without control characters: it holds a line break (U+000D) at character 4",
      "people.csv:row 3: courses.0.name: must be on one line, without control characters: it holds a control character (U+0009) at character 8",
    ]);
    expect(problemsOf(() => yaml([{ ...ada, courses: [{ name: "Git\u2028Basics" }] }]))).toEqual([
      "roster.yaml:people[0]: courses.0.name: must be on one line, without control characters: it holds a control character (U+2028) at character 4",
    ]);
  });

  it("warns about cells a spreadsheet would run as a formula, naming the row and field, and still loads them", () => {
    const text = `${HEADER},Department,Groups,Courses\nE1,ada@example.com,"=HYPERLINK(""http://x"")",Lovelace,+1 555,Engineering,Security Awareness\nE2,alan@example.com,Alan,-Turing,R&D,@Sales,- Code of Conduct\n`;
    const { people, warnings } = csv(text);
    expect(people).toHaveLength(2);
    expect(people[0]?.firstName).toBe('=HYPERLINK("http://x")');
    const reason = "spreadsheets opening the portal's exports may run it as a formula";
    expect(warnings).toEqual([
      `people.csv:row 2: firstName: starts with "=": ${reason}`,
      `people.csv:row 2: customData.Department: starts with "+": ${reason}`,
      `people.csv:row 3: lastName: starts with "-": ${reason}`,
      `people.csv:row 3: groups.0: starts with "@": ${reason}`,
      `people.csv:row 3: courses.0: starts with "-": ${reason}`,
    ]);
  });
});

describe("all problems at once", () => {
  it("reports the file's problems of every kind in one error, and no warning for a refused file", () => {
    const warnings: string[] = [];
    const text = `${HEADER},Role,Courses\nE1,ada@example.com,=Ada,Lovelace,Admin,Security Awareness\nE2,alan@example.com,"Al\nan",Turing,Boss,\nE1,grace@example.com,Grace,Hopper,,\n`;
    const problems = problemsOf(() => parseCsvRoster("people.csv", text, { warn: (message) => warnings.push(message) }));
    expect(problems).toEqual([
      "people.csv:row 3: firstName: must be on one line, without control characters: it holds a line break (U+000A) at character 3",
      "people.csv:row 3: userType: must be one of learner, instructor, manager, admin",
      "people.csv:row 4: employeeId: E1 is already used by row 2",
    ]);
    expect(warnings).toEqual([]);
  });
});

describe("rosterOptionsFromStack", () => {
  const from = (value: string | undefined) => rosterOptionsFromStack({ get: (key) => (key === "ignoreColumns" ? value : undefined) });

  it("reads roster:ignoreColumns as a list or as text separated by commas", () => {
    expect(from(undefined)).toEqual({});
    expect(from("Manager, Cost Centre")).toEqual({ ignoreColumns: ["Manager", "Cost Centre"] });
    expect(from('["Manager","Cost, Centre"]')).toEqual({ ignoreColumns: ["Manager", "Cost, Centre"] });
  });

  it("refuses a value that is not a list of text", () => {
    expect(() => from("[1, 2]")).toThrow("roster:ignoreColumns must list CSV headers: a list of text, or text separated by commas");
    expect(() => from("[Manager")).toThrow("roster:ignoreColumns must list CSV headers");
  });
});
