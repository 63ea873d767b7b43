/**
 * Roster files: the people a portal should have, as HR exports them.
 *
 * YAML (or JSON):
 *
 * ```yaml
 * people:
 *   - employeeId: E1001
 *     email: ada@example.com
 *     firstName: Ada
 *     lastName: Lovelace
 *     userType: learner          # learner | instructor | manager | admin (unset: learner when created, kept when adopted)
 *     groups: [Engineering]
 *     courses: [Security Basics, { name: Git Fundamentals, dueDate: 2027-01-31 }]
 * ```
 *
 * CSV: one row per person, with a header row, separated by `,`, `;` (Excel in many locales) or tabs,
 * whichever the header row holds. Columns are matched by name, ignoring case, spaces and
 * underscores: employee id, email, first name, last name, user type (or role), enabled, language,
 * groups, courses. Groups and courses hold several values separated by `;` or `|`. Any other
 * column becomes custom user data keyed by its header, unless `ignoreColumns` names it; two
 * columns for one field are refused, as is a header row without the four identity columns.
 *
 * Values are checked as the portal would need them: dates that exist, names on one line, user
 * types in any letter case. A value starting with `=`, `+`, `-` or `@` gets a warning: spreadsheets
 * opening the portal's exports may run it as a formula.
 *
 * Every problem is reported as `file:row or entry: field: reason`, all at once.
 * @module
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseCsv } from "csv-parse/sync";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { USER_REMOVAL_POLICIES } from "../lms/config.js";
import { calendarDate, refuseControlCharacters } from "../resources/input-rules.js";
import type { LmsBackend } from "../lms/backend.js";
import { backendNamed } from "../lms/backends.js";
import { learnUpon } from "../lms/learnupon/backend.js";

export interface RosterCourse {
  name: string;
  dueDate?: string;
  expiresAt?: string;
}

export interface RosterPerson {
  employeeId: string;
  email: string;
  firstName: string;
  lastName: string;
  username?: string;
  /** Unset: a new person is a learner, and an adopted one keeps the role the portal gives them. */
  /** The LMS's own role name (LearnUpon: learner, instructor, manager, admin). */
  userType?: string | undefined;
  enabled: boolean;
  language?: string;
  customData?: Record<string, string>;
  removal?: (typeof USER_REMOVAL_POLICIES)[number];
  groups: string[];
  courses: RosterCourse[];
}

export interface RosterOptions {
  /** The LMS the roster is for: its roles, and what it cannot hold, are refused by row. @default LearnUpon */
  lms?: Pick<LmsBackend, "title" | "capabilities"> | undefined;
  /**
   * CSV headers whose columns are left out, matched as the known columns are (without regard to
   * case, spaces and underscores): for an HR export's columns the portal has no custom field for.
   */
  ignoreColumns?: string[];
  /** Receives each warning, as `file:row: field: reason`. @default Pulumi's log, shown by `pulumi preview` */
  warn?: (message: string) => void;
}

/**
 * The options stack config sets: the LMS (`roster:lms`), and `roster:ignoreColumns`, CSV headers as a list
 * (`pulumi config set --path 'roster:ignoreColumns[0]' Manager`) or comma-separated (`Manager,Cost Centre`).
 */
export function rosterOptionsFromStack(config: { get(key: string): string | undefined } = new pulumi.Config("roster")): RosterOptions {
  const lms = config.get("lms");
  const forLms = lms === undefined ? {} : { lms: backendNamed(lms) };
  const value = config.get("ignoreColumns");
  if (value === undefined || value.trim() === "") return forLms;
  let names: unknown = value.split(",");
  if (value.trim().startsWith("[")) {
    try {
      names = JSON.parse(value);
    } catch {
      names = undefined;
    }
  }
  if (!Array.isArray(names) || !names.every((name) => typeof name === "string")) {
    throw new pulumi.RunError("roster:ignoreColumns must list CSV headers: a list of text, or text separated by commas");
  }
  return { ...forLms, ignoreColumns: names.map((name) => name.trim()).filter((name) => name !== "") };
}

/** A RunError, so `pulumi preview` prints the problems alone, without a stack trace. */
export class RosterError extends pulumi.RunError {
  override readonly name = "RosterError";
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`roster ${file} has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n  - ${problems.join("\n  - ")}`);
  }
}

/** A blank CSV cell arrives as undefined: for a required field that is "empty", not "not text". */
const blankOr = (reason: string) => (issue: { input?: unknown }) => (issue.input === undefined ? "must not be empty" : reason);
const nonEmpty = z.string({ error: blankOr("must be text") }).trim().min(1, "must not be empty");
/** Names, titles: what the portal shows on one line. */
const oneLine = nonEmpty.superRefine(refuseControlCharacters);

function personSchema(lms: Pick<LmsBackend, "title" | "capabilities">) {
  const roles = lms.capabilities.userTypes;
  // A course is its name, or an object with the name and dates. (Not a union: a union reports a bad
  // name as "Invalid input".)
  const course = z.preprocess(
    (value) => (typeof value === "string" ? { name: value } : value),
    z.object({ name: oneLine, dueDate: calendarDate().optional(), expiresAt: calendarDate().optional() }, "must be a course name, or { name, dueDate, expiresAt }").strict(),
  );
  return z
    .object({
      // A number in YAML (employeeId: 1001) is an id too; a blank cell must not become "undefined".
      employeeId: z.preprocess(
        (value) => (typeof value === "number" ? String(value) : value),
        nonEmpty.regex(/^[\w.@-]+$/, "may hold only letters, digits, and . _ @ -"),
      ),
      email: z.email({ error: blankOr("is not a valid email address") }),
      firstName: oneLine,
      lastName: oneLine,
      username: oneLine.optional(),
      // `Manager` and `ADMIN` as HR systems write them: matched without regard to case, as headers are.
      // Unset: a new person is a learner, and an adopted one keeps the role the portal gives them.
      userType: z.preprocess(
        (value) => (typeof value === "string" ? value.trim().toLowerCase() : value),
        z.enum(roles as [string, ...string[]], { error: `must be one of ${roles.join(", ")}` }).optional(),
      ),
      enabled: z.boolean("must be true or false").default(true),
      language: z.string().regex(/^[a-z]{2}([-_][A-Za-z]{2})?$/, "must be an ISO language code such as en or pt-BR").optional(),
      customData: z.record(z.string(), z.coerce.string()).optional(),
      removal: z.enum(USER_REMOVAL_POLICIES, { error: `must be one of ${USER_REMOVAL_POLICIES.join(", ")}` }).optional(),
      groups: z.array(oneLine).default([]),
      courses: z.array(course).default([]),
    })
    .strict();
}

/** A short hash of everything the roster says about a person: equal digests, nothing to change. */
export function personDigest(person: RosterPerson): string {
  return createHash("sha256").update(JSON.stringify(person)).digest("base64url").slice(0, 16);
}

/** Where each loaded person was declared (`people.csv:row 4`), so later errors can point at it. */
const entrySources = new WeakMap<RosterPerson, string>();

/** `file:row or entry` of a person returned by `loadRoster`, or undefined for one built in code. */
export function rosterEntryOf(person: RosterPerson): string | undefined {
  return entrySources.get(person);
}

/** Reads and validates a roster file (.yaml, .yml, .json or .csv). Throws a RosterError listing every problem. */
export function loadRoster(file: string, options: RosterOptions = {}): RosterPerson[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new RosterError(file, [`cannot be read: ${(error as Error).message}`]);
  }
  return extname(file).toLowerCase() === ".csv" ? parseCsvRoster(file, text, options) : parseYamlRoster(file, text, options);
}

export function parseYamlRoster(file: string, text: string, options: RosterOptions = {}): RosterPerson[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new RosterError(file, [`is not valid YAML: ${(error as Error).message}`]);
  }
  const people = (document as { people?: unknown } | null)?.people;
  if (!Array.isArray(people)) throw new RosterError(file, ["must have a `people:` list"]);
  return validatePeople(file, people.map((entry, index) => ({ where: `people[${index}]`, entry })), options);
}

const CSV_COLUMNS: Record<string, keyof RosterPerson> = {
  employeeid: "employeeId",
  employeenumber: "employeeId",
  email: "email",
  emailaddress: "email",
  firstname: "firstName",
  lastname: "lastName",
  username: "username",
  usertype: "userType",
  role: "userType",
  enabled: "enabled",
  active: "enabled",
  language: "language",
  groups: "groups",
  courses: "courses",
  removal: "removal",
};

function listCell(cell: string): string[] {
  return cell.split(/[;|]/).map((value) => value.trim()).filter((value) => value.length > 0);
}

function booleanCell(cell: string): unknown {
  const normalized = cell.trim().toLowerCase();
  if (["true", "yes", "y", "1", "active"].includes(normalized)) return true;
  if (["false", "no", "n", "0", "inactive"].includes(normalized)) return false;
  return cell; // rejected by the schema with the field's name
}

/** What a CSV column holds. */
type CsvColumn =
  | { kind: "field"; field: keyof RosterPerson }
  | { kind: "custom"; label: string }
  | { kind: "ignored" }
  /** A blank header: fine while its cells are blank too (a trailing delimiter), refused otherwise. */
  | { kind: "unnamed" };

/** The identity every person needs; a header without one of them was most likely split wrong. */
const REQUIRED_COLUMNS = { employeeId: "Employee ID", email: "Email", firstName: "First Name", lastName: "Last Name" } as const;

const DELIMITERS = { ",": "commas", ";": "semicolons", "\t": "tabs" } as const;
type Delimiter = keyof typeof DELIMITERS;

/** Header names compare without regard to case, spaces, underscores and dashes. */
function headerKey(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, "");
}

/**
 * The delimiter the header row uses most, outside quotes: `,`, `;` or a tab. Excel writes `;` where
 * the decimal separator is a comma; read with `,`, such a file is one column and nobody's id.
 */
function headerDelimiter(text: string): Delimiter {
  const counts: Record<Delimiter, number> = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const character of text) {
    if (character === '"') quoted = !quoted;
    else if (!quoted && (character === "\n" || character === "\r")) break;
    else if (!quoted && character in counts) counts[character as Delimiter] += 1;
  }
  // A tie keeps the first of `,` `;` tab.
  return (Object.keys(counts) as Delimiter[]).reduce((best, delimiter) => (counts[delimiter] > counts[best] ? delimiter : best));
}

/** The header's columns, or every problem with it: two columns for one field, a missing identity column. */
function readHeader(file: string, header: string[], delimiter: Delimiter, ignoreColumns: string[]): CsvColumn[] {
  const ignored = new Set(ignoreColumns.map(headerKey));
  const columns = header.map((name): CsvColumn => {
    const key = headerKey(name);
    if (ignored.has(key)) return { kind: "ignored" };
    if (key === "") return { kind: "unnamed" };
    const field = CSV_COLUMNS[key];
    return field ? { kind: "field", field } : { kind: "custom", label: name };
  });

  const problems: string[] = [];
  const seen = new Map<string, string>();
  columns.forEach((column, position) => {
    if (column.kind !== "field" && column.kind !== "custom") return;
    // LearnUpon matches custom-data labels without regard to case and spaces: two such columns are one field.
    const field = column.kind === "field" ? column.field : `customData.${column.label}`;
    const key = column.kind === "field" ? column.field : `customData.${headerKey(column.label)}`;
    const earlier = seen.get(key);
    if (earlier === undefined) seen.set(key, header[position]!);
    else problems.push(`${file}:row 1: ${field}: two columns give it, "${earlier}" and "${header[position]}": keep one, or list the other in roster:ignoreColumns`);
  });
  for (const [field, example] of Object.entries(REQUIRED_COLUMNS)) {
    if (columns.some((column) => column.kind === "field" && column.field === field)) continue;
    const found = header.length === 1 ? `1 column, "${header[0]}"` : `${header.length} columns: ${header.map((name) => `"${name}"`).join(", ")}`;
    problems.push(`${file}:row 1: ${field}: no column holds it (a header such as "${example}"); split at ${DELIMITERS[delimiter]}, the header row gives ${found}`);
  }
  if (problems.length > 0) throw new RosterError(file, problems);
  return columns;
}

export function parseCsvRoster(file: string, text: string, options: RosterOptions = {}): RosterPerson[] {
  const delimiter = headerDelimiter(text.replace(/^\uFEFF/, ""));
  let rows: string[][];
  try {
    rows = parseCsv(text, { delimiter, skip_empty_lines: true, trim: true, bom: true, relax_column_count: true });
  } catch (error) {
    throw new RosterError(file, [`is not valid CSV: ${(error as Error).message}`]);
  }
  const [header, ...body] = rows;
  if (!header) throw new RosterError(file, ["is empty: expected a header row"]);
  const columns = readHeader(file, header, delimiter, options.ignoreColumns ?? []);
  const problems: string[] = [];
  const entries = body.map((cells, index) => {
    const where = `row ${index + 2}`; // the header is row 1
    if (cells.length !== columns.length) {
      problems.push(`${file}:${where}: has ${cells.length} columns, the header has ${columns.length}`);
    }
    const entry: Record<string, unknown> = {};
    const customData: Record<string, string> = {};
    columns.forEach((column, position) => {
      const cell = cells[position] ?? "";
      if (column.kind === "unnamed" && cell !== "") problems.push(`${file}:${where}: column ${position + 1}: holds "${cell}" but has no header`);
      if (column.kind === "custom" && cell !== "") customData[column.label] = cell;
      if (column.kind !== "field") return;
      const { field } = column;
      if (field === "groups" || field === "courses") entry[field] = listCell(cell);
      else if (field === "enabled") entry[field] = cell === "" ? undefined : booleanCell(cell);
      else entry[field] = cell === "" ? undefined : cell;
    });
    if (Object.keys(customData).length > 0) entry["customData"] = customData;
    return { where, entry };
  });
  if (problems.length > 0) throw new RosterError(file, problems);
  return validatePeople(file, entries, options);
}

function validatePeople(file: string, entries: Array<{ where: string; entry: unknown }>, options: RosterOptions): RosterPerson[] {
  const lms = options.lms ?? learnUpon;
  const schema = personSchema(lms);
  const problems: string[] = [];
  const warnings: string[] = [];
  const people: RosterPerson[] = [];
  const firstSeen = { employeeId: new Map<string, string>(), email: new Map<string, string>() };

  for (const { where, entry } of entries) {
    const parsed = schema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.length > 0 ? issue.path.join(".") : "(entry)";
        problems.push(`${file}:${where}: ${field}: ${issue.message}`);
      }
      continue;
    }
    const person = parsed.data as RosterPerson;
    entrySources.set(person, `${file}:${where}`);
    for (const [field, reason] of unsupported(lms, person)) problems.push(`${file}:${where}: ${field}: ${reason}`);
    // LearnUpon compares emails without case, so two people differing only in case would be one user.
    const keys = { employeeId: person.employeeId, email: person.email.toLowerCase() };
    for (const field of ["employeeId", "email"] as const) {
      const earlier = firstSeen[field].get(keys[field]);
      if (earlier) problems.push(`${file}:${where}: ${field}: ${person[field]} is already used by ${earlier}`);
      else firstSeen[field].set(keys[field], where);
    }
    for (const [field, value] of portalText(person)) {
      if (FORMULA_START.test(value)) {
        warnings.push(`${file}:${where}: ${field}: starts with "${value[0]}": spreadsheets opening the portal's exports may run it as a formula`);
      }
    }
    people.push(person);
  }
  if (problems.length > 0) throw new RosterError(file, problems);
  const warn = options.warn ?? ((message: string) => void pulumi.log.warn(message));
  for (const warning of warnings) warn(warning);
  return people;
}

/** What the person declares that the LMS has no place for: courses where it has no enrollments, say. */
function unsupported(lms: Pick<LmsBackend, "title" | "capabilities">, person: RosterPerson): Array<[string, string]> {
  const { resources, unsupportedFields } = lms.capabilities;
  const found: Array<[string, string]> = [];
  const lacks = (kind: "Enrollment" | "GroupMembership") => {
    const support = resources[kind];
    return support === true ? undefined : `${lms.title} has no ${kind}: ${support.unsupported}`;
  };
  const noEnrollments = lacks("Enrollment");
  if (person.courses.length > 0 && noEnrollments) found.push(["courses", noEnrollments]);
  const noGroups = lacks("GroupMembership");
  if (person.groups.length > 0 && noGroups) found.push(["groups", noGroups]);
  for (const [field, why] of Object.entries(unsupportedFields.User ?? {})) {
    if (person[field as keyof RosterPerson] !== undefined) found.push([field, `is not supported by ${lms.title}: ${why}`]);
  }
  return found;
}

/** How a spreadsheet formula starts (OWASP's "CSV injection"). */
const FORMULA_START = /^[=+\-@]/;

/** Every text of the person that reaches the portal, by field name. */
function portalText(person: RosterPerson): Array<[string, string]> {
  const texts: Array<[string, string | undefined]> = [
    ["email", person.email],
    ["firstName", person.firstName],
    ["lastName", person.lastName],
    ["username", person.username],
    ...Object.entries(person.customData ?? {}).map(([label, value]): [string, string] => [`customData.${label}`, value]),
    ...person.groups.map((title, index): [string, string] => [`groups.${index}`, title]),
    ...person.courses.map((course, index): [string, string] => [`courses.${index}`, course.name]),
  ];
  return texts.filter((text): text is [string, string] => text[1] !== undefined);
}
