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
 * CSV: one row per person, with a header row. Columns are matched by name, ignoring case, spaces and
 * underscores: employee id, email, first name, last name, user type (or role), enabled, language,
 * groups, courses. Groups and courses hold several values separated by `;` or `|`. Any other
 * column becomes custom user data keyed by its header.
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
import { USER_REMOVAL_POLICIES } from "../settings.js";
import { USER_TYPES } from "../resources/user.js";

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
  userType?: (typeof USER_TYPES)[number] | undefined;
  enabled: boolean;
  language?: string;
  customData?: Record<string, string>;
  removal?: (typeof USER_REMOVAL_POLICIES)[number];
  groups: string[];
  courses: RosterCourse[];
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

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date written YYYY-MM-DD");
/** A blank CSV cell arrives as undefined: for a required field that is "empty", not "not text". */
const blankOr = (reason: string) => (issue: { input?: unknown }) => (issue.input === undefined ? "must not be empty" : reason);
const nonEmpty = z.string({ error: blankOr("must be text") }).trim().min(1, "must not be empty");

function personSchema() {
  const course = z.union([
    nonEmpty.transform((name) => ({ name })),
    z.object({ name: nonEmpty, dueDate: isoDate.optional(), expiresAt: isoDate.optional() }).strict(),
  ]);
  return z
    .object({
      // A number in YAML (employeeId: 1001) is an id too; a blank cell must not become "undefined".
      employeeId: z.preprocess(
        (value) => (typeof value === "number" ? String(value) : value),
        nonEmpty.regex(/^[\w.@-]+$/, "may hold only letters, digits, and . _ @ -"),
      ),
      email: z.email({ error: blankOr("is not a valid email address") }),
      firstName: nonEmpty,
      lastName: nonEmpty,
      username: nonEmpty.optional(),
      userType: z.enum(USER_TYPES, { error: `must be one of ${USER_TYPES.join(", ")}` }).optional(),
      enabled: z.boolean("must be true or false").default(true),
      language: z.string().regex(/^[a-z]{2}([-_][A-Za-z]{2})?$/, "must be an ISO language code such as en or pt-BR").optional(),
      customData: z.record(z.string(), z.coerce.string()).optional(),
      removal: z.enum(USER_REMOVAL_POLICIES, { error: `must be one of ${USER_REMOVAL_POLICIES.join(", ")}` }).optional(),
      groups: z.array(nonEmpty).default([]),
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
export function loadRoster(file: string): RosterPerson[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new RosterError(file, [`cannot be read: ${(error as Error).message}`]);
  }
  return extname(file).toLowerCase() === ".csv" ? parseCsvRoster(file, text) : parseYamlRoster(file, text);
}

export function parseYamlRoster(file: string, text: string): RosterPerson[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new RosterError(file, [`is not valid YAML: ${(error as Error).message}`]);
  }
  const people = (document as { people?: unknown } | null)?.people;
  if (!Array.isArray(people)) throw new RosterError(file, ["must have a `people:` list"]);
  return validatePeople(file, people.map((entry, index) => ({ where: `people[${index}]`, entry })));
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

export function parseCsvRoster(file: string, text: string): RosterPerson[] {
  let rows: string[][];
  try {
    rows = parseCsv(text, { skip_empty_lines: true, trim: true, bom: true, relax_column_count: true });
  } catch (error) {
    throw new RosterError(file, [`is not valid CSV: ${(error as Error).message}`]);
  }
  const [header, ...body] = rows;
  if (!header) throw new RosterError(file, ["is empty: expected a header row"]);
  const columns = header.map((name) => CSV_COLUMNS[name.toLowerCase().replace(/[\s_-]/g, "")] ?? name);
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
      if (column === "groups" || column === "courses") entry[column] = listCell(cell);
      else if (column === "enabled") entry[column] = cell === "" ? undefined : booleanCell(cell);
      else if (Object.values(CSV_COLUMNS).includes(column as keyof RosterPerson)) entry[column] = cell === "" ? undefined : cell;
      else if (cell !== "") customData[column] = cell;
    });
    if (Object.keys(customData).length > 0) entry["customData"] = customData;
    return { where, entry };
  });
  if (problems.length > 0) throw new RosterError(file, problems);
  return validatePeople(file, entries);
}

function validatePeople(file: string, entries: Array<{ where: string; entry: unknown }>): RosterPerson[] {
  const schema = personSchema();
  const problems: string[] = [];
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
    // LearnUpon compares emails without case, so two people differing only in case would be one user.
    const keys = { employeeId: person.employeeId, email: person.email.toLowerCase() };
    for (const field of ["employeeId", "email"] as const) {
      const earlier = firstSeen[field].get(keys[field]);
      if (earlier) problems.push(`${file}:${where}: ${field}: ${person[field]} is already used by ${earlier}`);
      else firstSeen[field].set(keys[field], where);
    }
    people.push(person);
  }
  if (problems.length > 0) throw new RosterError(file, problems);
  return people;
}
