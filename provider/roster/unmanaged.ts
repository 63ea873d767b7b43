/**
 * Unmanaged people: active people in the portal that the roster does not declare, and, with
 * `roster:mode: authoritative`, their deactivation.
 *
 * A portal user is declared when the roster, or the last update's record of whom it managed, has
 * their email or the employee id the portal holds for them (see `employeeIdOf`): so an email
 * changed in the roster is not mistaken for a stranger, and someone leaving the roster is removed
 * by their own User, under its removal policy. Never unmanaged:
 * deactivated people, admins and other protected roles, the API user, people another stack owns
 * (with `<lms>:ownerField`), and anyone `roster:ignore` matches.
 *
 * | stack config      | default          | meaning |
 * |-------------------|------------------|---------|
 * | `roster:mode`     | `additive`       | `authoritative`: the roster owns the portal; the unmanaged people are deactivated |
 * | `roster:unmanaged`| `withEmployeeId` | who authoritative mode deactivates: those the portal holds an employee id for, or `all` |
 * | `roster:ignore`   | (none)           | emails or patterns (`*`, `?`) of people never reported or deactivated: a list or comma-separated |
 *
 * Additive mode reads the portal only when the preview lists its users anyway, so a preview that
 * changes nothing still costs no call. Authoritative mode lists every user at every preview and
 * update (one request per page), because it cannot know who is unmanaged otherwise.
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import { collect } from "../client/index.js";
import type { Capabilities } from "../lms/backend.js";
import { programBackend } from "../lms/backends.js";
import { readSafetySettings, type UserRemovalPolicy } from "../lms/config.js";
import type { LmsUser } from "../lms/model.js";
import { protectedRole } from "../resources/safety.js";
import type { ManagedPeople } from "./removal-guard.js";
import type { RosterPerson } from "./roster-file.js";

export const ROSTER_MODES = ["additive", "authoritative"] as const;
export type RosterMode = (typeof ROSTER_MODES)[number];
export const UNMANAGED_SCOPES = ["withEmployeeId", "all"] as const;
export type UnmanagedScope = (typeof UNMANAGED_SCOPES)[number];

/** Where the portal holds a person's employee id, if it can. */
export type EmployeeIdPlace = { externalId: true } | { customField: string } | undefined;

/** What deciding who is unmanaged needs: the mode, and the portal's rules. */
export interface RosterAuthority {
  mode: RosterMode;
  unmanaged: UnmanagedScope;
  /** `roster:ignore`: emails, or patterns with `*` and `?`, compared without case. */
  ignore: string[];
  employeeIdIn: EmployeeIdPlace;
  /** The LMS's title, for messages. */
  lmsTitle: string;
  roleRules: Pick<Capabilities, "userTypes" | "protectedUserTypes">;
  apiUser?: string | undefined;
  /** `<lms>:ownerField` and this stack's name: a person another stack owns is not unmanaged. */
  ownerField?: string | undefined;
  stackName: string;
  /** `<lms>:userRemoval`: `retain` leaves unmanaged people as they are, even in authoritative mode. */
  userRemoval: UserRemovalPolicy;
  /** Every portal user, listed for this run: authoritative mode only. */
  portalUsers?: LmsUser[] | undefined;
}

/** One active person the roster does not declare. */
export interface UnmanagedPerson {
  lmsId: string;
  /** The employee id the portal holds for them, if any. */
  employeeId?: string | undefined;
  email?: string | undefined;
  username?: string | undefined;
  firstName: string;
  lastName: string;
}

/** The unmanaged people, in the two groups the report shows. */
export interface UnmanagedReport {
  withEmployeeId: UnmanagedPerson[];
  withoutEmployeeId: UnmanagedPerson[];
}

/** The program output `unmanagedPeople`. */
export interface UnmanagedPeopleOutput {
  mode: RosterMode;
  withEmployeeId: { count: number; people: Array<{ employeeId: string; lmsId: string; email: string; name: string }> };
  withoutEmployeeId: { count: number; people: Array<{ lmsId: string; email: string; name: string }> };
}

/** Reads `roster:mode`, `roster:unmanaged` and `roster:ignore`; in authoritative mode lists the portal's users. */
export async function rosterAuthorityFromStack(): Promise<RosterAuthority> {
  const config = new pulumi.Config("roster");
  const authority = rosterAuthorityOf({ get: (key) => config.get(key) });
  if (authority.mode !== "authoritative") return authority;
  return { ...authority, portalUsers: await listPortalUsers(authority.lmsTitle) };
}

/** The settings part of `rosterAuthorityFromStack`, without the listing. @internal */
export function rosterAuthorityOf(rosterConfig: { get(key: string): string | undefined }): RosterAuthority {
  const backend = programBackend();
  const stackConfig = { get: (key: string) => pulumi.runtime.getConfig(key) };
  const mode = choice("roster:mode", rosterConfig.get("mode"), ROSTER_MODES);
  const unmanaged = choice("roster:unmanaged", rosterConfig.get("unmanaged"), UNMANAGED_SCOPES);
  let safety: ReturnType<typeof readSafetySettings> | undefined;
  let settings: ReturnType<typeof backend.readSettings> | undefined;
  try {
    safety = readSafetySettings(backend.name, backend.title, stackConfig);
    settings = backend.readSettings(stackConfig);
  } catch (error) {
    // Bad LMS settings fail the provider's configure, naming the key; in authoritative mode nothing can be decided without them.
    if (mode === "authoritative") throw new pulumi.RunError((error as Error).message);
  }
  return {
    mode,
    unmanaged,
    ignore: listSetting("roster:ignore", rosterConfig.get("ignore")),
    employeeIdIn: employeeIdPlace(backend.capabilities, safety?.employeeIdField),
    lmsTitle: backend.title,
    roleRules: backend.capabilities,
    apiUser: settings?.apiUser,
    ownerField: safety?.ownerField,
    stackName: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    userRemoval: settings?.userRemoval ?? "deactivate",
  };
}

/** An external id where the LMS keeps one, else the custom field `<lms>:employeeIdField` names where it has custom fields. */
export function employeeIdPlace(capabilities: Capabilities, employeeIdField: string | undefined): EmployeeIdPlace {
  if (capabilities.externalId) return { externalId: true };
  if (employeeIdField !== undefined && capabilities.holdsEmployeeId && capabilities.unsupportedFields.User?.["customData"] === undefined) {
    return { customField: employeeIdField };
  }
  return undefined;
}

/** The employee id the portal holds for `user`, if any. */
export function employeeIdOf(user: LmsUser, place: EmployeeIdPlace): string | undefined {
  if (place === undefined) return undefined;
  const value = "externalId" in place ? user.externalId : user.customData[place.customField];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** The active portal users the roster does not declare, split by whether the portal holds an employee id for them. */
export function findUnmanaged(users: Iterable<LmsUser>, roster: RosterPerson[], authority: RosterAuthority, previous: ManagedPeople | undefined): UnmanagedReport {
  const declaredIds = new Set(roster.map((person) => person.employeeId));
  const declaredEmails = new Set(roster.map((person) => person.email.toLowerCase()));
  // Whom the last update managed is declared too: a changed email is not a stranger, and someone
  // leaving the roster now is removed by their own User, under its removal policy.
  for (const [employeeId, before] of Object.entries(previous ?? {})) {
    if (before.unmanaged === true || before.gone === true) continue;
    declaredIds.add(employeeId);
    declaredEmails.add(before.email.toLowerCase());
  }
  const ignored = authority.ignore.map(globPattern);
  const report: UnmanagedReport = { withEmployeeId: [], withoutEmployeeId: [] };
  for (const user of users) {
    if (!user.enabled) continue;
    const employeeId = employeeIdOf(user, authority.employeeIdIn);
    if (employeeId !== undefined && declaredIds.has(employeeId)) continue;
    if (user.email !== undefined && declaredEmails.has(user.email.toLowerCase())) continue;
    if (protectedRole(user, authority.apiUser, authority.roleRules) !== undefined) continue;
    const sign = user.email ?? user.username ?? "";
    if (ignored.some((pattern) => pattern.test(sign))) continue;
    const owner = authority.ownerField === undefined ? "" : (user.customData[authority.ownerField]?.trim() ?? "");
    if (owner !== "" && owner !== authority.stackName) continue; // another stack's person
    const person: UnmanagedPerson = {
      lmsId: user.id,
      ...(employeeId !== undefined && { employeeId }),
      ...(user.email !== undefined && { email: user.email }),
      ...(user.username !== undefined && { username: user.username }),
      firstName: user.firstName,
      lastName: user.lastName,
    };
    (employeeId === undefined ? report.withoutEmployeeId : report.withEmployeeId).push(person);
  }
  const byName = (a: UnmanagedPerson, b: UnmanagedPerson) => resourceName(a).localeCompare(resourceName(b), "en", { numeric: true });
  report.withEmployeeId.sort(byName);
  report.withoutEmployeeId.sort(byName);
  return report;
}

/** Who authoritative mode deactivates: none with removal policy `retain`. */
export function toDeactivate(report: UnmanagedReport, authority: RosterAuthority): UnmanagedPerson[] {
  if (authority.mode !== "authoritative" || authority.userRemoval === "retain") return [];
  return authority.unmanaged === "all" ? [...report.withEmployeeId, ...report.withoutEmployeeId] : report.withEmployeeId;
}

/**
 * The people an earlier authoritative update deactivated who are still deactivated and still not
 * in the roster: their resources stay, so the preview stays quiet about them.
 */
export function stillDeactivated(users: Iterable<LmsUser>, roster: RosterPerson[], previous: ManagedPeople | undefined): Array<{ name: string; person: UnmanagedPerson }> {
  if (previous === undefined) return [];
  const declared = new Set(roster.map((person) => person.employeeId));
  const byId = new Map([...users].map((user) => [user.id, user]));
  const kept: Array<{ name: string; person: UnmanagedPerson }> = [];
  for (const [name, entry] of Object.entries(previous)) {
    if (entry.unmanaged !== true || entry.lmsId === undefined || declared.has(name)) continue;
    const user = byId.get(entry.lmsId);
    if (user === undefined || user.enabled) continue; // gone, or active again (then unmanaged anew)
    const { id, email, username, firstName, lastName } = user;
    kept.push({ name, person: { lmsId: id, ...(email !== undefined && { email }), ...(username !== undefined && { username }), firstName, lastName } });
  }
  return kept;
}

/**
 * The logical name of the resource that deactivates an unmanaged person: their employee id, so a
 * person added back to the roster under it is the same resource, re-enabled; else their LMS id.
 */
export function resourceName(person: UnmanagedPerson): string {
  return person.employeeId ?? `lms-${person.lmsId}`;
}

export function unmanagedOutput(report: UnmanagedReport, mode: RosterMode): UnmanagedPeopleOutput {
  const shown = (person: UnmanagedPerson) => ({ lmsId: person.lmsId, email: signIn(person), name: `${person.firstName} ${person.lastName}`.trim() });
  return {
    mode,
    withEmployeeId: { count: report.withEmployeeId.length, people: report.withEmployeeId.map((person) => ({ employeeId: person.employeeId!, ...shown(person) })) },
    withoutEmployeeId: { count: report.withoutEmployeeId.length, people: report.withoutEmployeeId.map(shown) },
  };
}

// ---- The report as a diagnostic, which `pulumi preview --json` carries to the PR summary ---------

/** People listed in the diagnostic; the counts are always complete. */
const LISTED_PEOPLE = 200;
const HEADER = /^roster: (\d+) active (?:person|people) in the (.+) portal (?:is|are) not in the roster \((\d+) with an employee id, (\d+) without\); (.*)$/;
const WITH_ID = /^ {2}- employee (.+?), user (\S+): (.*)$/;
const WITHOUT_ID = /^ {2}- no employee id, user (\S+): (.*)$/;

/** The info line a run logs: the counts, what the mode does with them, and the people. */
export function describeUnmanaged(report: UnmanagedReport, authority: RosterAuthority): string {
  const total = report.withEmployeeId.length + report.withoutEmployeeId.length;
  const deactivated = toDeactivate(report, authority).length;
  const verdict =
    authority.mode === "additive"
      ? "roster:mode additive leaves them as they are"
      : authority.userRemoval === "retain"
        ? "removal policy retain leaves them as they are"
        : deactivated === 0
          ? "roster:mode authoritative deactivates none of them, as none carries an employee id (roster:unmanaged all would)"
          : `roster:mode authoritative deactivates ${deactivated === total ? `all ${total}` : `the ${deactivated} with an employee id`}`;
  const lines = [
    `roster: ${total} active ${total === 1 ? "person" : "people"} in the ${authority.lmsTitle} portal ${total === 1 ? "is" : "are"} not in the roster ` +
      `(${report.withEmployeeId.length} with an employee id, ${report.withoutEmployeeId.length} without); ${verdict}`,
  ];
  const people = [
    ...report.withEmployeeId.map((person) => `  - employee ${person.employeeId}, user ${person.lmsId}: ${label(person)}`),
    ...report.withoutEmployeeId.map((person) => `  - no employee id, user ${person.lmsId}: ${label(person)}`),
  ];
  lines.push(...people.slice(0, LISTED_PEOPLE));
  if (people.length > LISTED_PEOPLE) lines.push(`  … and ${people.length - LISTED_PEOPLE} more`);
  return lines.join("\n");
}

/** The report in a diagnostic `describeUnmanaged` wrote, or `undefined` for any other message. */
export function parseUnmanaged(message: string): { lmsTitle: string; verdict: string; counts: { withEmployeeId: number; withoutEmployeeId: number }; people: Array<{ employeeId?: string; lmsId: string; label: string }> } | undefined {
  const [first = "", ...rest] = message.trim().split("\n");
  const header = HEADER.exec(first);
  if (!header) return undefined;
  const people: Array<{ employeeId?: string; lmsId: string; label: string }> = [];
  for (const line of rest) {
    const withId = WITH_ID.exec(line);
    if (withId) people.push({ employeeId: withId[1]!, lmsId: withId[2]!, label: withId[3]! });
    const withoutId = WITHOUT_ID.exec(line);
    if (withoutId) people.push({ lmsId: withoutId[1]!, label: withoutId[2]! });
  }
  return { lmsTitle: header[2]!, verdict: header[5]!, counts: { withEmployeeId: Number(header[3]), withoutEmployeeId: Number(header[4]) }, people };
}

function label(person: UnmanagedPerson): string {
  return `${signIn(person)} (${`${person.firstName} ${person.lastName}`.trim()})`;
}

function signIn(person: UnmanagedPerson): string {
  return person.email ?? person.username ?? "(no email)";
}

// ---- Settings and the listing --------------------------------------------------------------

function choice<T extends string>(key: string, value: string | undefined, choices: readonly T[]): T {
  if (value === undefined || value.trim() === "") return choices[0]!;
  const found = choices.find((candidate) => candidate.toLowerCase() === value.trim().toLowerCase());
  if (found === undefined) throw new pulumi.RunError(`${key} must be one of ${choices.join(", ")}, not "${value}"`);
  return found;
}

/** A list in stack config: `--path 'key[0]'` entries (JSON) or text separated by commas. */
function listSetting(key: string, value: string | undefined): string[] {
  if (value === undefined || value.trim() === "") return [];
  let items: unknown = value.split(",");
  if (value.trim().startsWith("[")) {
    try {
      items = JSON.parse(value);
    } catch {
      items = undefined;
    }
  }
  if (!Array.isArray(items) || !items.every((item) => typeof item === "string")) {
    throw new pulumi.RunError(`${key} must list emails or patterns: a list of text, or text separated by commas`);
  }
  return items.map((item) => item.trim()).filter((item) => item !== "");
}

/** An email, or a pattern where `*` is any run of characters and `?` one, matched whole and without case. */
export function globPattern(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, "i");
}

/** Every user in the portal, with a client of the configured LMS; a failure says what to fix. */
async function listPortalUsers(lmsTitle: string): Promise<LmsUser[]> {
  const backend = programBackend();
  const stackConfig = { get: (key: string) => pulumi.runtime.getConfig(key) };
  let client: ReturnType<typeof backend.connect> | undefined;
  try {
    client = backend.connect(backend.readSettings(stackConfig), { quick: pulumi.runtime.isDryRun() });
    return await collect(client.users.list());
  } catch (error) {
    const reason = backend.configProblem(error, client?.apiBaseUrl) ?? (error instanceof Error ? error.message : String(error));
    throw new pulumi.RunError(`roster:mode authoritative lists the ${lmsTitle} portal's users, but cannot: ${reason}`);
  } finally {
    await client?.close();
  }
}

