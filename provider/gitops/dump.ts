/**
 * `dumpPortal`: a portal's current people, group memberships and enrollments as a roster, to start
 * managing a portal that already has people. Managing the dumped roster changes nothing: each
 * person is written exactly as the portal has them, so the first `pulumi up` only adopts.
 *
 * - The employee id comes from a custom user field labelled "Employee ID" or "Employee Number" (any
 *   case or spacing; `employeeIdField` names another), else it is `LU-<LearnUpon id>`.
 * - Deactivated people are written with `enabled: false`; enrollments of every status are listed.
 * - Only what a roster manages is written: email, names, username, user type, enabled, groups and
 *   courses. Language and custom data stay unmanaged until you add them.
 * - Whatever the roster could not adopt as it is (a user without email or name, a course that is
 *   not published or whose name another course shares) is left out and noted.
 *
 * Costs one listing of the users, then two requests per person (their groups and their
 * enrollments) and one per distinct group and course, paced by the client's rate limiter.
 * @module
 */
import { Document } from "yaml";
import { z } from "zod";
import { AmbiguousNameError } from "../client/index.js";
import type { LmsClient, LmsId, LmsUser } from "../lms/model.js";
import type { UserType } from "../resources/user.js";

export interface DumpOptions {
  /** The custom user field that holds the employee id. @default a field labelled "Employee ID" or "Employee Number" */
  employeeIdField?: string | undefined;
  /** People looked up at the same time; the rate limiter paces the requests anyway. @default 4 */
  concurrency?: number;
}

/** A person as the roster file writes them: defaults (learner, enabled, no groups) left out. */
export interface DumpedPerson {
  employeeId: string;
  email: string;
  firstName: string;
  lastName: string;
  username?: string;
  userType?: UserType;
  enabled?: false;
  groups?: string[];
  courses?: Array<string | { name: string; dueDate?: string; expiresAt?: string }>;
}

export interface PortalDump {
  people: DumpedPerson[];
  /** What was left out and why, one line each. */
  leftOut: string[];
}

/** The roster file's rule for employee ids. */
const EMPLOYEE_ID = /^[\w.@-]+$/;
const DEFAULT_EMPLOYEE_ID_FIELDS = ["employeeid", "employeenumber"];

export async function dumpPortal(client: LmsClient, options: DumpOptions = {}): Promise<PortalDump> {
  const leftOut: string[] = [];
  const users: LmsUser[] = [];
  for await (const user of client.users.list()) users.push(user);

  const employeeIds = assignEmployeeIds(users, options.employeeIdField, leftOut);
  const adoptable = users.filter((user) => {
    const problem = unadoptable(user);
    if (problem) leftOut.push(`user ${user.id}${user.email ? ` (${user.email})` : ""}: ${problem}`);
    return !problem;
  });
  const people = await mapConcurrently(adoptable, options.concurrency ?? 4, async (user): Promise<DumpedPerson> => {
    const [groups, courses] = await Promise.all([groupsOf(client, user, leftOut), coursesOf(client, user, leftOut)]);
    return {
      employeeId: employeeIds.get(user.id) ?? `LU-${user.id}`,
      email: user.email ?? "",
      firstName: user.firstName.trim(),
      lastName: user.lastName.trim(),
      ...(user.username ? { username: user.username } : {}),
      ...(user.userType && user.userType !== "learner" ? { userType: user.userType as UserType } : {}),
      ...(!user.enabled ? { enabled: false as const } : {}),
      ...(groups.length > 0 ? { groups } : {}),
      ...(courses.length > 0 ? { courses } : {}),
    };
  });
  people.sort((a, b) => a.employeeId.localeCompare(b.employeeId, "en", { numeric: true }));
  return { people, leftOut: leftOut.sort((a, b) => a.localeCompare(b, "en", { numeric: true })) };
}

/** The dump as a YAML roster, one person a line so that a later pull request's diff shows who changed. */
export function formatRosterYaml(dump: PortalDump, source: string): string {
  const document = new Document({ people: dump.people });
  for (const person of (document.get("people") as { items: Array<{ flow: boolean }> }).items) person.flow = true;
  const header = [
    `The people of ${source}, written by \`pulumi-learnupon dump\`.`,
    "Managing this roster changes nothing in the portal: the first `pulumi up` only adopts.",
    ...(dump.leftOut.length > 0 ? ["Left out:", ...dump.leftOut.map((line) => `  - ${line}`)] : []),
  ];
  document.commentBefore = header.map((line) => ` ${line}`).join("\n");
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** Why the roster cannot adopt this user as they are, if it cannot. */
function unadoptable(user: LmsUser): string | undefined {
  if (!user.email) return "no email, and a roster identifies people by email";
  if (!z.email().safeParse(user.email).success) return "the email is not one the roster accepts";
  if (!user.firstName.trim() || !user.lastName.trim()) return "no first or last name, which a roster requires";
  return undefined;
}

/** Employee ids from the custom field, unique and valid; the others get `LU-<id>` (noted). */
function assignEmployeeIds(users: LmsUser[], field: string | undefined, leftOut: string[]): Map<LmsId, string> {
  const wanted = field === undefined ? DEFAULT_EMPLOYEE_ID_FIELDS : [normalizedLabel(field)];
  const taken = new Set(users.map((user) => `LU-${user.id}`));
  const employeeIds = new Map<LmsId, string>();
  for (const user of users) {
    // An LMS that keeps external ids holds the employee id there; LearnUpon in a custom field.
    const entry = Object.entries(user.customData).find(([label]) => wanted.includes(normalizedLabel(label)));
    const value = (user.externalId ?? entry?.[1] ?? "").trim();
    if (value === "") continue;
    if (!EMPLOYEE_ID.test(value) || taken.has(value)) {
      leftOut.push(`employee id "${value}" of user ${user.id}: ${taken.has(value) ? "used twice" : "may hold only letters, digits, and . _ @ -"}, so LU-${user.id} is used instead`);
      continue;
    }
    taken.add(value);
    employeeIds.set(user.id, value);
  }
  return employeeIds;
}

function normalizedLabel(label: string): string {
  return label.toLowerCase().replace(/[\s_-]/g, "");
}

/** The titles of the user's groups that a roster can name: a title no other group has. */
async function groupsOf(client: LmsClient, user: LmsUser, leftOut: string[]): Promise<string[]> {
  const titles: string[] = [];
  for await (const group of client.memberships.groupsOf(user.id)) {
    const title = group.title ?? (await client.catalog.groupById(group.id))?.title;
    const named = title === undefined ? undefined : await client.catalog.groupByTitle(title).catch(unlessAmbiguous);
    if (title !== undefined && named?.id === group.id) titles.push(title);
    else leftOut.push(`membership of ${user.email} in group ${group.id}${title ? ` "${title}"` : ""}: the group cannot be found by its title`);
  }
  return titles.sort();
}

/** The user's enrollments in courses a roster can name: published, with a name no other course has. */
async function coursesOf(client: LmsClient, user: LmsUser, leftOut: string[]): Promise<NonNullable<DumpedPerson["courses"]>> {
  const courses: NonNullable<DumpedPerson["courses"]> = [];
  for await (const enrollment of client.enrollments.listByUser(user.id)) {
    const name = enrollment.courseName ?? (await client.catalog.courseById(enrollment.courseId))?.name;
    const named = name === undefined ? undefined : await client.catalog.courseByName(name).catch(unlessAmbiguous);
    if (name === undefined || named?.id !== enrollment.courseId) {
      leftOut.push(`enrollment of ${user.email} in course ${enrollment.courseId}${name ? ` "${name}"` : ""}: the course is not published, or another course has its name`);
      continue;
    }
    // Days in the roster's format: the backend reads them so, whatever precision the portal answers in.
    const { dueDate, expiresAt } = enrollment;
    courses.push(
      dueDate || expiresAt ? { name, ...(dueDate ? { dueDate } : {}), ...(expiresAt ? { expiresAt } : {}) } : name,
    );
  }
  return courses.sort((a, b) => (typeof a === "string" ? a : a.name).localeCompare(typeof b === "string" ? b : b.name));
}

/** A name several groups or courses share names none of them: the caller leaves the entry out. */
function unlessAmbiguous(error: unknown): undefined {
  if (error instanceof AmbiguousNameError) return undefined;
  throw error;
}

async function mapConcurrently<T, R>(items: T[], concurrency: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await map(items[index] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
