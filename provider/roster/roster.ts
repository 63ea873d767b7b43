/**
 * `Roster`: a whole portal roster in a few lines. One User per person (named by employee id),
 * one GroupMembership per group and one Enrollment per course they are given.
 *
 * ```ts
 * import { Roster, loadRoster } from "pulumi-learnupon";
 * const roster = new Roster("portal", { people: loadRoster("people.csv") });
 * export const counts = roster.counts;
 * ```
 *
 * With `removalGuard` (see `removalGuardFromStack`), a roster that would remove too many people, an
 * admin or the API user throws before any resource is registered.
 *
 * With `authority` (see `rosterAuthorityFromStack`), the roster reports the active people in the
 * portal it does not declare (`unmanagedPeople`), and in authoritative mode deactivates them: one
 * User per person, adopting them as they are with `enabled: false`, counted by the removal guard.
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import { programBackend } from "../lms/backends.js";
import {
  assertRemovalsAllowed,
  managedPeopleAfter,
  NOT_IN_ROSTER,
  plannedRemovals,
  type ManagedPeople,
  type ManagedPerson,
  type Removal,
  type RemovalGuardSettings,
  type UnmanagedRecord,
} from "./removal-guard.js";
import { Enrollment } from "../resources/enrollment.js";
import { GroupMembership } from "../resources/group-membership.js";
import { User } from "../resources/user.js";
import { afterPortalCheck, type PlannedResource, type PortalProbe } from "./preflight.js";
import { personDigest, type RosterPerson } from "./roster-file.js";
import type { LmsUser } from "../lms/model.js";
import {
  describeUnmanaged,
  findUnmanaged,
  resourceName,
  stillDeactivated,
  toDeactivate,
  unmanagedOutput,
  type RosterAuthority,
  type UnmanagedPeopleOutput,
  type UnmanagedPerson,
} from "./unmanaged.js";

/** What has a default in a roster file may be left out here too: learner, enabled, no groups, no courses. */
export type RosterPersonArgs = Omit<RosterPerson, OptionalField> & Partial<Pick<RosterPerson, OptionalField>>;
type OptionalField = "userType" | "enabled" | "groups" | "courses";

export interface RosterArgs {
  /** From `loadRoster`, or written in code. */
  people: RosterPersonArgs[];
  /** Refuse mass removals and admin removals; without it, any roster change is applied. */
  removalGuard?: RemovalGuardSettings;
  /** Additive (the default) or authoritative, and who counts as unmanaged; without it, nobody undeclared is looked at. */
  authority?: RosterAuthority;
}

export interface RosterCounts {
  activePeople: number;
  deactivatedPeople: number;
  enrollments: number;
  memberships: number;
}

export class Roster extends pulumi.ComponentResource {
  /** The users by employee id; their ids are numbers on LearnUpon, text on the other LMSes. */
  readonly users: Record<string, User<number | string>> = {};
  readonly enrollments: Array<Enrollment<number | string>> = [];
  readonly memberships: Array<GroupMembership<number | string>> = [];
  readonly counts: RosterCounts;
  /**
   * Who this roster manages: export it as the stack output `managedPeople` for the next run's guard.
   * Secret only so that each update's log shows one line instead of every person's email.
   */
  readonly managedPeople: pulumi.Output<ManagedPeople>;
  /**
   * The active people in the portal the roster does not declare, when this run read the portal's
   * users (authoritative mode always; additive mode in a preview that lists them anyway); else undefined.
   */
  readonly unmanagedPeople: pulumi.Output<UnmanagedPeopleOutput | undefined>;
  /** Authoritative mode: the Users that deactivate unmanaged people, by logical name. */
  readonly unmanagedUsers: Record<string, User<number | string>> = {};

  constructor(name: string, args: RosterArgs, opts?: pulumi.ComponentResourceOptions) {
    const people = args.people.map(withDefaults);
    const { authority } = args;
    const previous = args.removalGuard?.previous;
    const listed = authority?.portalUsers;
    const report = authority && listed ? findUnmanaged(listed, people, authority, previous) : undefined;
    const deactivated = authority && report ? toDeactivate(report, authority) : [];
    const kept = listed ? stillDeactivated(listed, people, previous) : [];
    // Before super(): a refused change registers nothing at all.
    if (args.removalGuard) assertRemovalsAllowed(people, args.removalGuard, deactivated.map(unmanagedRemoval));
    super("learnupon:index:Roster", name, {}, opts);
    const planned: PlannedResource[] = [];
    const emptiesGroups = programBackend().capabilities.deactivationEmptiesGroups === true;
    for (const person of people) {
      const user = new User<number | string>(
        person.employeeId,
        {
          employeeId: person.employeeId,
          email: person.email,
          firstName: person.firstName,
          lastName: person.lastName,
          enabled: person.enabled,
          ...(person.userType !== undefined ? { userType: person.userType } : {}),
          ...(person.username !== undefined ? { username: person.username } : {}),
          ...(person.language !== undefined ? { language: person.language } : {}),
          ...(person.customData !== undefined ? { customData: person.customData } : {}),
          ...(person.removal !== undefined ? { removal: person.removal } : {}),
        },
        { parent: this },
      );
      this.users[person.employeeId] = user;
      planned.push({ person, resource: user, userId: user.userId });
      for (const groupTitle of person.groups) {
        // Where deactivation empties a person's groups, the membership follows their `enabled` (suspended, then restored).
        const suspension = emptiesGroups ? { userEnabled: person.enabled } : {};
        const membership = new GroupMembership<number | string>(
          `${person.employeeId}/${groupTitle}`,
          { userId: user.userId, groupTitle, ...suspension },
          { parent: this },
        );
        this.memberships.push(membership);
        planned.push({ person, resource: membership, needs: { field: "groups", title: groupTitle } });
      }
      for (const course of person.courses) {
        this.enrollments.push(
          new Enrollment<number | string>(
            `${person.employeeId}/${course.name}`,
            {
              userId: user.userId,
              courseName: course.name,
              ...(course.dueDate !== undefined ? { dueDate: course.dueDate } : {}),
              ...(course.expiresAt !== undefined ? { expiresAt: course.expiresAt } : {}),
            },
            // A group's auto-enroll may enroll the person first: create then adopts that enrollment.
            { parent: this },
          ),
        );
        planned.push({ person, resource: this.enrollments.at(-1)!, needs: { field: "courses", name: course.name } });
      }
    }
    // Deactivated as they are; `retain`, so a resource dropped later (the person back in the roster
    // under another id, or roster:mode additive again) leaves them as they are.
    const unmanaged = [...deactivated.map((person) => ({ name: resourceName(person), person })), ...kept];
    for (const { name: resource, person } of unmanaged) {
      this.unmanagedUsers[resource] = new User<number | string>(
        resource,
        { employeeId: resource, email: person.email ?? "", firstName: person.firstName, lastName: person.lastName, enabled: false, removal: "retain", unmanaged: true },
        { parent: this },
      );
    }
    this.counts = {
      activePeople: people.filter((person) => person.enabled).length,
      deactivatedPeople: people.filter((person) => !person.enabled).length,
      enrollments: this.enrollments.length,
      memberships: this.memberships.length,
    };
    // Written only once every resource was applied: an update that failed halfway leaves the old record,
    // so the removals it did not make are counted again by the next change.
    // It records the role each person has, stated or adopted, so the guard protects adopted admins too.
    const applied = [...Object.values(this.users), ...this.memberships, ...this.enrollments].map((resource) => resource.id);
    const roles = pulumi.all(Object.entries(this.users).map(([employeeId, user]) => pulumi.all([employeeId, user.userType])));
    const guard = args.removalGuard ?? { previous: undefined, defaultRemoval: "deactivate" as const };
    const record: UnmanagedRecord = {
      deactivated: Object.fromEntries(deactivated.map((person) => [resourceName(person), unmanagedEntry(person)])),
      kept: Object.fromEntries(kept.map(({ name: resource, person }) => [resource, previous?.[resource] ?? unmanagedEntry(person)])),
    };
    const appliedUnmanaged = Object.values(this.unmanagedUsers).map((resource) => resource.id);
    this.managedPeople = pulumi.secret(
      pulumi.all([roles, pulumi.all(applied), pulumi.all(appliedUnmanaged)]).apply(([held]) => managedPeopleAfter(people, guard, Object.fromEntries(held), record)),
    );

    // The report: from the Roster's own listing (authoritative), else from the preview check's, if it lists.
    let seenUsers: LmsUser[] | undefined;
    const reported = (users: LmsUser[]) => {
      if (!authority) return undefined;
      const found = report ?? findUnmanaged(users, people, authority, previous);
      // Nobody unmanaged is no news: the output says 0, the log and the PR summary say nothing.
      if (found.withEmployeeId.length + found.withoutEmployeeId.length > 0) void pulumi.log.info(describeUnmanaged(found, authority), this);
      return unmanagedOutput(found, authority.mode);
    };
    // A preview fails here, with every missing group or course named, before anything is applied.
    const checked = afterPortalCheck(planned, { counts: this.counts }, portalProbe(people, guard), {
      listed,
      seen: (users) => (seenUsers = users),
    });
    const unmanagedPeople = listed ? Promise.resolve(reported(listed)) : checked.then(() => seenUsers && reported(seenUsers));
    this.unmanagedPeople = pulumi.output(unmanagedPeople);
    this.registerOutputs(checked.then(async (outputs) => ({ ...outputs, unmanagedPeople: await unmanagedPeople })));
  }
}

/**
 * The person a preview that changes or removes someone looks up, to prove the credentials and that
 * the portal is the one the stack manages: someone whose entry changed, else someone removed.
 * `undefined` when the roster changes nobody the stack already manages.
 */
function portalProbe(people: RosterPerson[], guard: RemovalGuardSettings): PortalProbe | undefined {
  const previous = guard.previous;
  if (previous === undefined) return undefined;
  for (const person of people) {
    const before = previous[person.employeeId];
    if (before !== undefined && before.digest !== personDigest(person)) {
      return { employeeId: person.employeeId, email: before.email, mustExist: true };
    }
  }
  const [removal] = plannedRemovals(previous, people, guard);
  return removal && { employeeId: removal.employeeId, email: removal.email, mustExist: false };
}

/** An unmanaged person's deactivation, as the removal guard counts it. */
function unmanagedRemoval(person: UnmanagedPerson): Removal {
  return {
    employeeId: resourceName(person),
    email: person.email ?? person.username ?? "",
    action: "deactivate" as const,
    cause: NOT_IN_ROSTER,
    admin: false, // admins and the API user are never unmanaged
    apiUser: false,
  };
}

/** What `managedPeople` remembers of an unmanaged person this stack deactivated. */
function unmanagedEntry(person: UnmanagedPerson): ManagedPerson {
  return { email: person.email ?? person.username ?? "", enabled: false, removal: "retain", unmanaged: true, lmsId: person.lmsId };
}

function withDefaults(person: RosterPersonArgs): RosterPerson {
  const { enabled, groups, courses } = person;
  // A person from loadRoster has every field: keep that very object, by which errors find its file and row.
  // `userType` stays unset when the roster leaves it out: adoption then keeps the role the portal gives.
  if (enabled !== undefined && groups !== undefined && courses !== undefined) return person as RosterPerson;
  return { ...person, enabled: enabled ?? true, groups: groups ?? [], courses: courses ?? [] };
}
