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
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import { programBackend } from "../lms/backends.js";
import { assertRemovalsAllowed, managedPeopleAfter, plannedRemovals, type ManagedPeople, type RemovalGuardSettings } from "./removal-guard.js";
import { Enrollment } from "../resources/enrollment.js";
import { GroupMembership } from "../resources/group-membership.js";
import { User } from "../resources/user.js";
import { afterPortalCheck, type PlannedResource, type PortalProbe } from "./preflight.js";
import { personDigest, type RosterPerson } from "./roster-file.js";

/** What has a default in a roster file may be left out here too: learner, enabled, no groups, no courses. */
export type RosterPersonArgs = Omit<RosterPerson, OptionalField> & Partial<Pick<RosterPerson, OptionalField>>;
type OptionalField = "userType" | "enabled" | "groups" | "courses";

export interface RosterArgs {
  /** From `loadRoster`, or written in code. */
  people: RosterPersonArgs[];
  /** Refuse mass removals and admin removals; without it, any roster change is applied. */
  removalGuard?: RemovalGuardSettings;
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

  constructor(name: string, args: RosterArgs, opts?: pulumi.ComponentResourceOptions) {
    const people = args.people.map(withDefaults);
    // Before super(): a refused change registers nothing at all.
    if (args.removalGuard) assertRemovalsAllowed(people, args.removalGuard);
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
    this.managedPeople = pulumi.secret(
      pulumi.all([roles, pulumi.all(applied)]).apply(([held]) => managedPeopleAfter(people, guard, Object.fromEntries(held))),
    );
    // A preview fails here, with every missing group or course named, before anything is applied.
    this.registerOutputs(afterPortalCheck(planned, { counts: this.counts }, portalProbe(people, guard)));
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

function withDefaults(person: RosterPersonArgs): RosterPerson {
  const { enabled, groups, courses } = person;
  // A person from loadRoster has every field: keep that very object, by which errors find its file and row.
  // `userType` stays unset when the roster leaves it out: adoption then keeps the role the portal gives.
  if (enabled !== undefined && groups !== undefined && courses !== undefined) return person as RosterPerson;
  return { ...person, enabled: enabled ?? true, groups: groups ?? [], courses: courses ?? [] };
}
