/**
 * `Roster`: a whole portal roster in a few lines. One User per person (named by employee id),
 * one GroupMembership per group and one Enrollment per course they are given.
 *
 * ```ts
 * import { Roster, loadRoster } from "pulumi-learnupon";
 * const roster = new Roster("portal", { people: loadRoster("people.csv") });
 * export const counts = roster.counts;
 * ```
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import { Enrollment } from "../resources/enrollment.js";
import { GroupMembership } from "../resources/group-membership.js";
import { User } from "../resources/user.js";
import type { RosterPerson } from "./roster-file.js";

export interface RosterArgs {
  people: RosterPerson[];
}

export interface RosterCounts {
  activePeople: number;
  deactivatedPeople: number;
  enrollments: number;
  memberships: number;
}

export class Roster extends pulumi.ComponentResource {
  /** The users by employee id. */
  readonly users: Record<string, User> = {};
  readonly enrollments: Enrollment[] = [];
  readonly memberships: GroupMembership[] = [];
  readonly counts: RosterCounts;

  constructor(name: string, args: RosterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("learnupon:index:Roster", name, {}, opts);
    for (const person of args.people) {
      const user = new User(
        person.employeeId,
        {
          employeeId: person.employeeId,
          email: person.email,
          firstName: person.firstName,
          lastName: person.lastName,
          userType: person.userType,
          enabled: person.enabled,
          ...(person.username !== undefined ? { username: person.username } : {}),
          ...(person.language !== undefined ? { language: person.language } : {}),
          ...(person.customData !== undefined ? { customData: person.customData } : {}),
          ...(person.removal !== undefined ? { removal: person.removal } : {}),
        },
        { parent: this },
      );
      this.users[person.employeeId] = user;
      for (const groupTitle of person.groups) {
        this.memberships.push(
          new GroupMembership(`${person.employeeId}/${groupTitle}`, { userId: user.userId, groupTitle }, { parent: this }),
        );
      }
      for (const course of person.courses) {
        this.enrollments.push(
          new Enrollment(
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
      }
    }
    this.counts = {
      activePeople: args.people.filter((person) => person.enabled).length,
      deactivatedPeople: args.people.filter((person) => !person.enabled).length,
      enrollments: this.enrollments.length,
      memberships: this.memberships.length,
    };
    this.registerOutputs({ counts: this.counts });
  }
}
