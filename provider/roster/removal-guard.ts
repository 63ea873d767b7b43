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
 * - so are removals that, with those of the last `roster:removalWindowDays` days (default 7), add up
 *   to more than that limit: a slow bleed of 9% a day is refused on the second day;
 * - `roster:approveRemovals N` approves one change of exactly N removals past both limits: a change
 *   with any other number of removals is refused while it is set, so it cannot loosen later ones;
 * - an admin, or the API user (when `learnupon:username` is an email), is never removed or demoted
 *   unless `roster:allowAdminRemoval` is true.
 *
 * `managedPeople` is only written when every resource of the roster was applied (it waits for
 * them), so an update that failed halfway leaves the previous record, and its removals are counted
 * again by the next change. The provider counts the removals a run actually makes, too (see
 * resources/safety.ts), for `pulumi destroy` and anything that does not run this guard.
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import { learnUpon } from "../lms/learnupon/backend.js";
import { isDemotion, removalLimit as providerRemovalLimit, type RoleRules } from "../resources/safety.js";
import type { UserType } from "../resources/user.js";
import { personDigest, type RosterPerson } from "./roster-file.js";
import type { UserRemovalPolicy } from "../lms/config.js";

/** What the guard needs to remember about a person between runs. */
export interface ManagedPerson {
  email: string;
  /** Set only when the roster states it. */
  userType?: UserType | undefined;
  enabled: boolean;
  /** Set only when the roster sets it; otherwise `learnupon:userRemoval` decides. */
  removal?: UserRemovalPolicy | undefined;
  /** A hash of the person's roster entry: tells the next preview whether anything about them changed. */
  digest?: string | undefined;
  /** When a change removed, deactivated or demoted them (kept for the removal window). */
  removedAt?: string | undefined;
  /** That change was approved with `roster:approveRemovals`, so it does not count in the window. */
  approved?: boolean | undefined;
  /** No longer in the roster: kept only while their removal counts in the window. */
  gone?: boolean | undefined;
  /** The portal (API URL) the update that recorded them was applied to. */
  portal?: string | undefined;
  /** Not in the roster: deactivated by `roster:mode authoritative` (see unmanaged.ts), their LMS id kept to find them again. */
  unmanaged?: boolean | undefined;
  lmsId?: string | undefined;
}

/** The people a stack manages, by employee id: the stack output `managedPeople`. */
export type ManagedPeople = Record<string, ManagedPerson>;

/** The unmanaged people an authoritative run deactivates now, and those an earlier run did who stay so, by resource name. */
export interface UnmanagedRecord {
  deactivated: ManagedPeople;
  kept: ManagedPeople;
}

export interface RemovalGuardSettings {
  /** Who the stack managed after its last update; `undefined` before its first update. */
  previous: ManagedPeople | undefined;
  /** `roster:maxRemovals`: a count such as "40" or a percentage such as "35%". */
  maxRemovals?: string | undefined;
  /** `roster:approveRemovals`: the exact number of removals this one change is approved for. */
  approveRemovals?: number | undefined;
  /** `roster:removalWindowDays`: how far back removals add up against the limit. @default 7 */
  removalWindowDays?: number | undefined;
  /** The time of this run; tests set it. */
  now?: Date | undefined;
  /** The portal `learnupon:portalUrl` names now (its API URL), and whether this run moves the stack there. */
  portal?: string | undefined;
  movePortal?: boolean | undefined;
  /** `roster:allowAdminRemoval` */
  allowAdminRemoval?: boolean | undefined;
  /** `learnupon:username`; when it is an email, the person holding it is the portal's API user. */
  apiUsername?: string | undefined;
  /** `learnupon:userRemoval`: the policy of people whose roster entry sets none. */
  defaultRemoval: UserRemovalPolicy;
  /** The LMS's roles: which are protected, and their order. @default LearnUpon's */
  roleRules?: RoleRules | undefined;
}

export interface Removal {
  employeeId: string;
  email: string;
  action: "deactivate" | "delete" | "demote";
  /** Why the person loses access: they left the roster, the roster disables them, or lowers their role. */
  cause: "removed from the roster" | "enabled: false" | `userType: ${string}` | typeof NOT_IN_ROSTER;
  admin: boolean;
  apiUser: boolean;
}

/** The cause of an unmanaged person's deactivation in authoritative mode. */
export const NOT_IN_ROSTER = "not in the roster, roster:mode authoritative";

/** By default this many are always allowed: in a small stack, 10% would be a single person. */
const LISTED_PEOPLE = 10;
const DEFAULT_WINDOW_DAYS = 7;
const DAY_MS = 86_400_000;

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
        ...(person.userType !== undefined ? { userType: person.userType } : {}),
        enabled: person.enabled,
        ...(person.removal !== undefined ? { removal: person.removal } : {}),
      },
    ]),
  );
}

/** Who this roster would deactivate, delete or demote, compared with who the stack managed, by employee id. */
export function plannedRemovals(previous: ManagedPeople, roster: RosterPerson[], settings: Pick<RemovalGuardSettings, "apiUsername" | "defaultRemoval" | "roleRules">): Removal[] {
  const roleRules = settings.roleRules ?? learnUpon.capabilities;
  const isProtected = (userType: string | undefined) => userType !== undefined && roleRules.protectedUserTypes.includes(userType);
  const declared = new Map(roster.map((person) => [person.employeeId, person]));
  const apiUserEmail = settings.apiUsername?.includes("@") ? settings.apiUsername.toLowerCase() : undefined;
  const removals: Removal[] = [];
  for (const [employeeId, before] of Object.entries(previous)) {
    const after = declared.get(employeeId);
    let action: Removal["action"] | undefined;
    let cause: Removal["cause"] = after === undefined ? "removed from the roster" : "enabled: false";
    if (after === undefined) {
      if (before.gone === true) continue; // removed by an earlier change, kept for the window
      const policy = before.removal ?? settings.defaultRemoval;
      if (policy === "delete") action = "delete";
      else if (policy === "deactivate" && before.enabled) action = "deactivate";
    } else if (before.enabled && !after.enabled) {
      action = "deactivate";
    } else if (isDemotion(before.userType, after.userType, roleRules)) {
      action = "demote";
      cause = `userType: ${before.userType} → ${after.userType}`;
    }
    if (action === undefined) continue;
    const emails = [before.email, after?.email].filter((email) => email !== undefined).map((email) => email.toLowerCase());
    removals.push({
      employeeId,
      email: before.email,
      action,
      cause,
      admin: isProtected(before.userType) || isProtected(after?.userType),
      apiUser: apiUserEmail !== undefined && emails.includes(apiUserEmail),
    });
  }
  return removals.sort((a, b) => a.employeeId.localeCompare(b.employeeId, "en", { numeric: true }));
}

/** Removals that earlier changes made within the window and that no approval covered. */
function windowRemovals(previous: ManagedPeople, settings: RemovalGuardSettings): Array<[string, ManagedPerson]> {
  const windowDays = settings.removalWindowDays ?? DEFAULT_WINDOW_DAYS;
  const since = (settings.now ?? new Date()).getTime() - windowDays * DAY_MS;
  return Object.entries(previous).filter(
    ([, person]) => person.removedAt !== undefined && person.approved !== true && Date.parse(person.removedAt) >= since,
  );
}

/** Throws a `RemovalRefusedError` explaining every limit the roster change breaks; returns when it breaks none. */
export function assertRemovalsAllowed(roster: RosterPerson[], settings: RemovalGuardSettings, unmanaged: Removal[] = []): void {
  // A first update removes nobody the stack managed, only, in authoritative mode, people it never declared.
  if (settings.previous === undefined && unmanaged.length === 0) return;
  const previous = settings.previous ?? {};
  assertSamePortal(previous, settings);
  const removals = [...plannedRemovals(previous, roster, settings), ...unmanaged];
  // Before a first update, the base of a percentage is the roster's active people.
  const activePeople = settings.previous === undefined ? roster.filter((person) => person.enabled).length : Object.values(previous).filter((person) => person.enabled).length;
  const limit = removalLimit(settings.maxRemovals, activePeople);
  const refusals: string[] = [];
  const approval = settings.approveRemovals;

  if (approval !== undefined && removals.length > 0 && approval !== removals.length) {
    refusals.push(
      `roster:approveRemovals is ${approval}, but this change would deactivate, delete or demote ${removals.length}:\n${listed(removals)}\n` +
        `An approval covers one change of exactly that many removals. Approve this one with ` +
        `pulumi config set roster:approveRemovals ${removals.length}, or drop the old approval: pulumi config rm roster:approveRemovals`,
    );
  } else if (approval === undefined && removals.length > limit.count) {
    const counted =
      unmanaged.length === 0
        ? `${removals.length} of the ${activePeople} active people this stack manages`
        : `${removals.length} people (${unmanaged.length} not in the roster; the stack manages ${activePeople} active people)`;
    refusals.push(
      `it would deactivate or delete ${counted}, ` +
        `more than ${limit.description}:\n${listed(removals)}\n` +
        `If that is intended, approve this change alone: pulumi config set roster:approveRemovals ${removals.length}`,
    );
  } else if (approval === undefined && removals.length > 0) {
    const recent = windowRemovals(previous, settings);
    if (recent.length + removals.length > limit.count) {
      const windowDays = settings.removalWindowDays ?? DEFAULT_WINDOW_DAYS;
      refusals.push(
        `it would deactivate or delete ${removals.length} people, and changes of the last ${windowDays} days already removed ` +
          `${recent.length} (${recent.slice(0, LISTED_PEOPLE).map(([employeeId]) => employeeId).join(", ")}${recent.length > LISTED_PEOPLE ? ", …" : ""}): ` +
          `${recent.length + removals.length} in all, more than ${limit.description}:\n${listed(removals)}\n` +
          `If that is intended, approve this change alone: pulumi config set roster:approveRemovals ${removals.length}`,
      );
    }
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

/**
 * The `managedPeople` record this change leaves: the roster's people, each with a digest of their
 * entry, and the people removed within the window (so the next changes add up against the limit).
 */
export function managedPeopleAfter(
  roster: RosterPerson[],
  settings: RemovalGuardSettings,
  roles: Record<string, UserType | undefined> = {},
  unmanaged: UnmanagedRecord = { deactivated: {}, kept: {} },
): ManagedPeople {
  const now = settings.now ?? new Date();
  const previous = settings.previous ?? {};
  const removed = new Map(plannedRemovals(previous, roster, settings).map((removal) => [removal.employeeId, removal]));
  const deactivatedCount = Object.keys(unmanaged.deactivated).length;
  const approved = settings.approveRemovals !== undefined && removed.size + deactivatedCount > 0 ? { approved: true } : {};
  const stamp = { removedAt: now.toISOString(), ...approved };
  const managed: ManagedPeople = {};
  for (const [employeeId, person] of windowRemovals(previous, settings)) managed[employeeId] = person;
  Object.assign(managed, unmanaged.kept);
  for (const [name, person] of Object.entries(unmanaged.deactivated)) managed[name] = { ...person, ...stamp };
  for (const [employeeId, removal] of removed) {
    if (removal.cause === "removed from the roster") managed[employeeId] = { ...previous[employeeId]!, enabled: false, gone: true, ...stamp };
  }
  for (const person of roster) {
    const earlier = managed[person.employeeId];
    const mark = removed.has(person.employeeId) ? stamp : earlier?.removedAt !== undefined ? { removedAt: earlier.removedAt, ...(earlier.approved ? { approved: true } : {}) } : {};
    const role = person.userType ?? roles[person.employeeId];
    managed[person.employeeId] = {
      ...managedPeopleOf([person])[person.employeeId]!,
      ...(role !== undefined ? { userType: role } : {}),
      digest: personDigest(person),
      ...mark,
      ...(settings.portal !== undefined ? { portal: settings.portal } : {}),
    };
  }
  return managed;
}

/**
 * Refuses a stack whose last update was applied to another portal than `learnupon:portalUrl` names
 * now: its ids would be other people there. The resources refuse too, each on its own record; this
 * covers those recorded before resources kept their portal, at preview and before any call.
 */
function assertSamePortal(previous: ManagedPeople, settings: RemovalGuardSettings): void {
  if (settings.portal === undefined || settings.movePortal === true) return;
  const recorded = Object.values(previous).find((person) => person.portal !== undefined && person.portal !== settings.portal)?.portal;
  if (recorded === undefined) return;
  throw new RemovalRefusedError(
    `roster change refused: this stack was last applied to the LearnUpon portal ${recorded}, but learnupon:portalUrl is now ` +
      `${settings.portal}, where its ids may be other people. Point learnupon:portalUrl back at ${recorded}; or, to move the ` +
      `stack to the new portal (people are adopted there by email, the old portal is left as it is), run once with: ` +
      `pulumi config set learnupon:movePortal true`,
  );
}

/** The most removals allowed, from `roster:maxRemovals` or the default, and how to say it. */
export function removalLimit(maxRemovals: string | undefined, activePeople: number): { count: number; description: string } {
  try {
    return providerRemovalLimit({ maxRemovals }, activePeople);
  } catch (error) {
    throw new RemovalRefusedError((error as Error).message);
  }
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
