/**
 * In-memory state of one fake LearnUpon portal, and the roster's business rules.
 *
 * The rules live exactly once, one module per concern under `store/`: users, custom fields, the
 * catalog (groups and group courses), memberships, enrollments and seeding (contract §4.12 to
 * §4.21). This class holds the collections and the clock, and gives the rules the portal's
 * default quirk switches where a caller passes none; handlers only translate HTTP to these calls
 * and back, and pass the portal's switches in as `rules`.
 *
 * Ids come from one counter per collection, each starting in its own range (users at 100001,
 * courses at 200001, ...), so a client that sends a user id where a course id belongs gets a
 * "not found" instead of silently hitting another record.
 * @module
 */
import { Collection } from "./collection.js";
import { defaultPortalOptions, type PortalOptions } from "./options.js";
import * as catalog from "./store/catalog.js";
import * as enrollments from "./store/enrollments.js";
import * as memberships from "./store/memberships.js";
import type {
  CourseRecord,
  CustomFieldRecord,
  EnrollmentRecord,
  GroupCourseRecord,
  GroupInviteRecord,
  GroupRecord,
  MembershipRecord,
  Outcome,
  PortalCollections,
  PortalData,
  UserRecord,
} from "./store/records.js";
import { loadSeed, seedDataSchema, type SeedData, type SeedResult } from "./store/seed.js";
import * as users from "./store/users.js";

export type * from "./store/records.js";
export { USER_TYPES } from "./store/records.js";
export { isFinished, type EnrollRequest } from "./store/enrollments.js";
export type { NewUser, UserChanges } from "./store/users.js";
export { seedDataSchema, type SeedData, type SeedResult } from "./store/seed.js";

export interface PortalStoreOptions {
  /** Clock for timestamps, in epoch milliseconds. @default Date.now */
  now?: () => number;
}

export class PortalStore implements PortalData {
  readonly users = new Collection<UserRecord>("users", 100_001);
  readonly courses = new Collection<CourseRecord>("courses", 200_001);
  readonly groups = new Collection<GroupRecord>("groups", 300_001);
  readonly groupCourses = new Collection<GroupCourseRecord>("groupCourses", 400_001);
  readonly memberships = new Collection<MembershipRecord>("memberships", 500_001);
  readonly enrollments = new Collection<EnrollmentRecord>("enrollments", 600_001);
  readonly customFields = new Collection<CustomFieldRecord>("customFields", 700_001);
  readonly groupInvites = new Collection<GroupInviteRecord>("groupInvites", 800_001);
  readonly #now: () => number;

  constructor(options: PortalStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Empties every collection and restarts the id counters. */
  reset(): void {
    for (const collection of this.#collections()) collection.clear();
  }

  /**
   * Loads records as they are, without running business rules (see `store/seed.ts`).
   * Throws on unknown references, taken ids or duplicate emails, and then loads nothing.
   */
  seed(data: SeedData): SeedResult {
    const input = seedDataSchema.parse(data);
    const rollbacks = this.#collections().map((collection) => collection.savepoint());
    try {
      return loadSeed(this, input);
    } catch (error) {
      for (const rollback of rollbacks) rollback();
      throw error;
    }
  }

  /** The clock as LearnUpon formats timestamps: UTC, `YYYY-MM-DDTHH:MM:SSZ` (contract §1.2). */
  timestamp(): string {
    return new Date(this.#now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  // ---- users (store/users.ts) ----------------------------------------------------------------

  findUserByEmail(email: string, caseInsensitive: boolean): UserRecord | undefined {
    return users.findUserByEmail(this, email, caseInsensitive);
  }

  findUserByUsername(username: string, caseInsensitive: boolean): UserRecord | undefined {
    return users.findUserByUsername(this, username, caseInsensitive);
  }

  createUser(
    input: users.NewUser,
    rules: Pick<PortalOptions, "uniqueEmailCaseInsensitive" | "autoEnrollCourseIds" | "rejectUnenrollableCourses"> = defaultPortalOptions(),
  ): Outcome<UserRecord, "email_taken" | "username_taken"> {
    return users.createUser(this, input, rules);
  }

  updateUser(
    userId: number,
    changes: users.UserChanges,
    rules: Pick<PortalOptions, "uniqueEmailCaseInsensitive"> = defaultPortalOptions(),
  ): Outcome<UserRecord, "not_found" | "email_taken" | "username_taken"> {
    return users.updateUser(this, userId, changes, rules);
  }

  deleteUser(userId: number): boolean {
    return users.deleteUser(this, userId);
  }

  // ---- enrollments (store/enrollments.ts) ----------------------------------------------------

  enroll(
    request: enrollments.EnrollRequest,
    rules: Pick<PortalOptions, "rejectUnenrollableCourses"> = defaultPortalOptions(),
  ): Outcome<EnrollmentRecord, "already_enrolled" | "course_not_enrollable"> {
    return enrollments.enroll(this, request, rules);
  }

  updateEnrollmentDates(enrollment: EnrollmentRecord, dates: { due_date?: string; expires_at?: string }): void {
    enrollments.updateEnrollmentDates(this, enrollment, dates);
  }

  unenroll(enrollment: EnrollmentRecord, removeFromHistory: boolean): "deleted" | "kept_in_history" {
    return enrollments.unenroll(this.enrollments, enrollment, removeFromHistory);
  }

  // ---- groups and group courses (store/catalog.ts) -------------------------------------------

  createGroup(
    fields: { title: string; description: string },
    rules: Pick<PortalOptions, "rejectDuplicateGroupTitles"> = defaultPortalOptions(),
  ): Outcome<GroupRecord, "title_taken"> {
    return catalog.createGroup(this, fields, rules);
  }

  updateGroup(
    group: GroupRecord,
    changes: { title?: string; description?: string },
    rules: Pick<PortalOptions, "rejectDuplicateGroupTitles"> = defaultPortalOptions(),
  ): Outcome<GroupRecord, "title_taken"> {
    return catalog.updateGroup(this, group, changes, rules);
  }

  deleteGroup(groupId: number, deleteEnrollments: boolean): boolean {
    return catalog.deleteGroup(this, groupId, deleteEnrollments);
  }

  addGroupCourse(
    groupId: number,
    courseId: number,
    reEnrollCompleted: boolean,
    rules: memberships.GroupEnrollmentRules = defaultPortalOptions(),
  ): Outcome<GroupCourseRecord, "already_linked"> {
    return catalog.addGroupCourse(this, groupId, courseId, reEnrollCompleted, rules);
  }

  removeGroupCourse(link: GroupCourseRecord, deleteEnrollments: boolean): void {
    catalog.removeGroupCourse(this, link, deleteEnrollments);
  }

  // ---- memberships and invitations (store/memberships.ts) ------------------------------------

  addMembership(
    groupId: number,
    userId: number,
    processEnrollments: boolean,
    rules: memberships.GroupEnrollmentRules = defaultPortalOptions(),
  ): { membership: MembershipRecord; created: boolean } {
    return memberships.addMembership(this, groupId, userId, processEnrollments, rules);
  }

  removeMembership(membership: MembershipRecord, processUnenrollments: boolean): void {
    memberships.removeMembership(this, membership, processUnenrollments);
  }

  findMembership(groupId: number, userId: number): MembershipRecord | undefined {
    return memberships.findMembership(this, groupId, userId);
  }

  membersOf(groupId: number): UserRecord[] {
    return memberships.membersOf(this, groupId);
  }

  inviteToGroup(groupId: number, emails: string[], membershipTypeId: number): GroupInviteRecord[] {
    return memberships.inviteToGroup(this, groupId, emails, membershipTypeId);
  }

  // ---- reading -------------------------------------------------------------------------------

  /** A collection's records in id order, the order every list endpoint returns. */
  list<T extends { id: number }>(collection: Collection<T>): T[] {
    return collection.all();
  }

  /** A plain-data copy of every collection, for the admin endpoint and assertions. */
  snapshot(): Record<keyof PortalCollections, unknown[]> {
    return structuredClone({
      users: this.users.all(),
      courses: this.courses.all(),
      groups: this.groups.all(),
      groupCourses: this.groupCourses.all(),
      memberships: this.memberships.all(),
      enrollments: this.enrollments.all(),
      customFields: this.customFields.all(),
      groupInvites: this.groupInvites.all(),
    });
  }

  #collections(): Collection<{ id: number }>[] {
    return [
      this.users,
      this.courses,
      this.groups,
      this.groupCourses,
      this.memberships,
      this.enrollments,
      this.customFields,
      this.groupInvites,
    ];
  }
}
