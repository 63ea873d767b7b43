/**
 * The mass-removal guard: a roster change that would deactivate or delete many people, or any admin
 * or the portal's API user, is refused before anything is registered, so `pulumi preview` fails and
 * `pulumi up` changes nothing.
 *
 * It compares the roster with the people the stack managed after its last update (the stack output
 * `managedPeople`, read back by `removalGuardFromStack`). A person counts as removed when they
 * were active and either leave the roster (removal policy `deactivate`, the default, or `delete`)
 * or are set to `enabled: false`. Deleting someone already deactivated counts too: it destroys
 * their training history. The `retain` policy leaves the portal as it is and is not counted.
 *
 * Limits, from stack config:
 * - more than max(5 people, 10% of the active people the stack manages) is refused, unless
 *   `roster:maxRemovals` allows it: a count (`40`) or a percentage of those people (`35%`);
 * - an admin, or the API user (when `learnupon:username` is an email), is never removed unless
 *   `roster:allowAdminRemoval` is true.
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import type { UserType } from "../resources/user.js";
import type { RosterPerson } from "../roster/roster-file.js";
import type { UserRemovalPolicy } from "../settings.js";

/** What the guard needs to remember about a person between runs. */
export interface ManagedPerson {
  email: string;
  userType: UserType;
  enabled: boolean;
  /** Set only when the roster sets it; otherwise `learnupon:userRemoval` decides. */
  removal?: UserRemovalPolicy | undefined;
}

/** The people a stack manages, by employee id: the stack output `managedPeople`. */
export type ManagedPeople = Record<string, ManagedPerson>;

export interface RemovalGuardSettings {
  /** Who the stack managed after its last update; `undefined` before its first update. */
  previous: ManagedPeople | undefined;
  /** `roster:maxRemovals`: a count such as "40" or a percentage such as "35%". */
  maxRemovals?: string | undefined;
  /** `roster:allowAdminRemoval` */
  allowAdminRemoval?: boolean | undefined;
  /** `learnupon:username`; when it is an email, the person holding it is the portal's API user. */
  apiUsername?: string | undefined;
  /** `learnupon:userRemoval`: the policy of people whose roster entry sets none. */
  defaultRemoval: UserRemovalPolicy;
}

export interface Removal {
  employeeId: string;
  email: string;
  action: "deactivate" | "delete";
  /** Why the person loses access: they left the roster, or the roster disables them. */
  cause: "removed from the roster" | "enabled: false";
  admin: boolean;
  apiUser: boolean;
}

/** By default this many are always allowed: in a small stack, 10% would be a single person. */
const ALWAYS_ALLOWED_REMOVALS = 5;
const DEFAULT_MAX_SHARE = 0.1;
const LISTED_PEOPLE = 10;

/** Printed without a stack trace: the refusal is an answer, not a crash. */
export class RemovalRefusedError extends pulumi.RunError {
  override readonly name = "RemovalRefusedError";

  constructor(message: string) {
    super(message);
    // The SDK formats the stack of every uncaught error with util.inspect, even a RunError's, which
    // it never shows; in a TypeScript program that took 25 s of CPU before the preview could fail.
    this.stack = "";
  }
}

/** The stack output that records who the stack manages, for the next run's guard. */
export function managedPeopleOf(people: RosterPerson[]): ManagedPeople {
  return Object.fromEntries(
    people.map((person) => [
      person.employeeId,
      {
        email: person.email,
        userType: person.userType,
        enabled: person.enabled,
        ...(person.removal !== undefined ? { removal: person.removal } : {}),
      },
    ]),
  );
}

/** Who this roster would deactivate or delete, compared with who the stack managed, by employee id. */
export function plannedRemovals(previous: ManagedPeople, roster: RosterPerson[], settings: Pick<RemovalGuardSettings, "apiUsername" | "defaultRemoval">): Removal[] {
  const declared = new Map(roster.map((person) => [person.employeeId, person]));
  const apiUserEmail = settings.apiUsername?.includes("@") ? settings.apiUsername.toLowerCase() : undefined;
  const removals: Removal[] = [];
  for (const [employeeId, before] of Object.entries(previous)) {
    const after = declared.get(employeeId);
    let action: Removal["action"] | undefined;
    if (after === undefined) {
      const policy = before.removal ?? settings.defaultRemoval;
      if (policy === "delete") action = "delete";
      else if (policy === "deactivate" && before.enabled) action = "deactivate";
    } else if (before.enabled && !after.enabled) {
      action = "deactivate";
    }
    if (action === undefined) continue;
    const emails = [before.email, after?.email].filter((email) => email !== undefined).map((email) => email.toLowerCase());
    removals.push({
      employeeId,
      email: before.email,
      action,
      cause: after === undefined ? "removed from the roster" : "enabled: false",
      admin: before.userType === "admin" || after?.userType === "admin",
      apiUser: apiUserEmail !== undefined && emails.includes(apiUserEmail),
    });
  }
  return removals.sort((a, b) => a.employeeId.localeCompare(b.employeeId, "en", { numeric: true }));
}

/** Throws a `RemovalRefusedError` explaining every limit the roster change breaks; returns when it breaks none. */
export function assertRemovalsAllowed(roster: RosterPerson[], settings: RemovalGuardSettings): void {
  if (settings.previous === undefined) return; // a first update removes nobody
  const removals = plannedRemovals(settings.previous, roster, settings);
  const activePeople = Object.values(settings.previous).filter((person) => person.enabled).length;
  const limit = removalLimit(settings.maxRemovals, activePeople);
  const refusals: string[] = [];

  if (removals.length > limit.count) {
    refusals.push(
      `it would deactivate or delete ${removals.length} of the ${activePeople} active people this stack manages, ` +
        `more than ${limit.description}:\n${listed(removals)}\n` +
        `If that is intended, allow it for this change: pulumi config set roster:maxRemovals ${removals.length}`,
    );
  }
  const protectedPeople = removals.filter((removal) => removal.admin || removal.apiUser);
  if (protectedPeople.length > 0 && settings.allowAdminRemoval !== true) {
    refusals.push(
      `it would deactivate or delete the portal's API user or an admin:\n${listed(protectedPeople)}\n` +
        `Admins and the API user are removed only with: pulumi config set roster:allowAdminRemoval true`,
    );
  }
  if (refusals.length > 0) throw new RemovalRefusedError(`roster change refused: ${refusals.join("\n\nAlso, ")}`);
}

/** The most removals allowed, from `roster:maxRemovals` or the default, and how to say it. */
export function removalLimit(maxRemovals: string | undefined, activePeople: number): { count: number; description: string } {
  if (maxRemovals === undefined) {
    const count = Math.max(ALWAYS_ALLOWED_REMOVALS, Math.floor(activePeople * DEFAULT_MAX_SHARE));
    return { count, description: `the limit of ${count} (the larger of ${ALWAYS_ALLOWED_REMOVALS} people and ${DEFAULT_MAX_SHARE * 100}%)` };
  }
  const value = maxRemovals.trim();
  if (/^\d+$/.test(value)) return { count: Number(value), description: `roster:maxRemovals ${value}` };
  const percentage = /^(\d+(?:\.\d+)?)%$/.exec(value)?.[1];
  if (percentage !== undefined && Number(percentage) <= 100) {
    const count = Math.floor((activePeople * Number(percentage)) / 100);
    return { count, description: `roster:maxRemovals ${value} (${count} people)` };
  }
  throw new RemovalRefusedError(`roster:maxRemovals must be a count such as 40 or a percentage such as 35%, not "${maxRemovals}"`);
}

function listed(removals: Removal[]): string {
  const lines = removals.slice(0, LISTED_PEOPLE).map((removal) => {
    const roles = [removal.admin ? "admin" : undefined, removal.apiUser ? "the portal's API user" : undefined].filter(Boolean);
    const role = roles.length > 0 ? `, ${roles.join(", ")}` : "";
    return `  - ${removal.employeeId} ${removal.email}: ${removal.action} (${removal.cause}${role})`;
  });
  if (removals.length > LISTED_PEOPLE) lines.push(`  … and ${removals.length - LISTED_PEOPLE} more`);
  return lines.join("\n");
}
