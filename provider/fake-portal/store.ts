/**
 * In-memory state of one fake LearnUpon portal, and the roster's business rules.
 *
 * The rules live here exactly once: uniqueness, when an enrollment is a duplicate, what group
 * membership and group courses enrol, and what deleting a user, group or membership takes with
 * it (contract §4.12 to §4.21). Handlers only translate HTTP to these calls and back, and pass the
 * portal's quirk switches in as `rules`.
 *
 * Ids come from one counter per collection, each starting in its own range (users at 100001,
 * courses at 200001, ...), so a client that sends a user id where a course id belongs gets a
 * "not found" instead of silently hitting another record.
 * @module
 */
import { z } from "zod";
import { defaultPortalOptions, type PortalOptions } from "./options.js";

export type UserType = "learner" | "instructor" | "manager" | "admin";
export type CourseStatus = "published" | "draft" | "archived" | "under_revision";
export type EnrollmentStatus = "not_started" | "in_progress" | "completed" | "passed" | "failed" | "pending_review";
export type CustomValue = string | number | boolean | null;

export const USER_TYPES = ["learner", "instructor", "manager", "admin"] as const satisfies readonly UserType[];
const COURSE_STATUSES = ["published", "draft", "archived", "under_revision"] as const satisfies readonly CourseStatus[];
const ENROLLMENT_STATUSES = [
  "not_started",
  "in_progress",
  "completed",
  "passed",
  "failed",
  "pending_review",
] as const satisfies readonly EnrollmentStatus[];

export interface UserRecord {
  id: number;
  email: string | null;
  username: string | null;
  first_name: string;
  last_name: string;
  locale: string;
  user_type: UserType;
  enabled: boolean;
  account_expires: string | null;
  /** A time-zone name such as "Eastern Time (US & Canada)" (docs/learnupon-api-notes.md, "Time zones"). */
  timezone_id: string | null;
  sign_in_count: number;
  last_sign_in_at: string | null;
  created_at: string;
  updated_at: string;
  /** Custom field values keyed by the definition's label. */
  customData: Record<string, CustomValue>;
  /** Other documented optional fields (permission flags, `membership_type`, Salesforce ids), as sent. */
  extras: Record<string, CustomValue>;
}

export interface CourseRecord {
  id: number;
  name: string;
  published_status_id: CourseStatus;
  number_of_modules: number;
  reference_code: string | null;
  version: number;
  created_at: string;
  /** What `num_enrolled` says while counters are stale (contract §4.18). */
  seeded_num_enrolled: number;
}

export interface GroupRecord {
  id: number;
  title: string;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface GroupCourseRecord {
  id: number;
  group_id: number;
  course_id: number;
  created_at: string;
}

export interface MembershipRecord {
  id: number;
  group_id: number;
  user_id: number;
  created_at: string;
}

export interface EnrollmentRecord {
  id: number;
  user_id: number;
  course_id: number;
  /** The group whose course caused this enrollment, if any (contract §4.19). */
  group_id: number | null;
  status: EnrollmentStatus;
  percentage: number | null;
  date_enrolled: string;
  date_started: string | null;
  date_completed: string | null;
  due_date: string | null;
  expires_at: string | null;
  updated_at: string;
}

export interface CustomFieldRecord {
  id: number;
  type_id: number;
  label: string;
  predefined_values: string[];
}

export interface GroupInviteRecord {
  id: number;
  group_id: number;
  invite_email_address: string;
  invite_status: "sent" | "accepted" | "rejected" | "canceled";
  group_membership_type_id: number;
  created_at: string;
}

/** A rule's verdict: the record it produced, or why it refused. */
export type Outcome<T, Problem extends string> = { ok: true; value: T } | { ok: false; problem: Problem };

/** Fields a `PUT /users/{id}` may change, already validated; undefined fields stay as they are (contract §4.13). */
export interface UserChanges {
  email?: string | null | undefined;
  username?: string | null | undefined;
  first_name?: string | undefined;
  last_name?: string | undefined;
  locale?: string | undefined;
  user_type?: UserType | undefined;
  enabled?: boolean | undefined;
  account_expires?: string | undefined;
  timezone_id?: string | undefined;
  /** Values keyed by custom field label or definition id; other keys are dropped. */
  customData?: Record<string, CustomValue> | undefined;
  extras?: Record<string, CustomValue> | undefined;
}

/** A `POST /users`: an email or a username, and any other fields. */
export type NewUser = UserChanges & { email: string | null; username: string | null };

export interface EnrollRequest {
  userId: number;
  courseId: number;
  groupId?: number | undefined;
  reEnrollIfCompleted?: boolean | undefined;
  dueDate?: string | undefined;
  expiresAt?: string | undefined;
}

/** Completed, passed and failed enrollments are history: they need an explicit flag to delete (contract §4.17). */
export function isFinished(status: EnrollmentStatus): boolean {
  return status === "completed" || status === "passed" || status === "failed";
}

/** Not-started and in-progress enrollments are the ones group removals may take away (contract §4.19 to §4.21). */
function isUnstarted(status: EnrollmentStatus): boolean {
  return status === "not_started" || status === "in_progress";
}

const seedId = z.number().int().positive();

/** What `seed()` accepts. Records reference each other by id, so give ids to what you reference. */
export const seedDataSchema = z.strictObject({
  customFields: z
    .array(
      z.strictObject({
        id: seedId.optional(),
        label: z.string().min(1),
        type_id: z.number().int().min(1).max(7).default(1),
        predefined_values: z.array(z.string()).default([]),
      }),
    )
    .default([]),
  courses: z
    .array(
      z.strictObject({
        id: seedId.optional(),
        name: z.string().min(1),
        published_status_id: z.enum(COURSE_STATUSES).default("published"),
        number_of_modules: z.number().int().min(0).default(1),
        reference_code: z.string().nullable().default(null),
        num_enrolled: z.number().int().min(0).default(0),
      }),
    )
    .default([]),
  groups: z
    .array(z.strictObject({ id: seedId.optional(), title: z.string().min(1), description: z.string().default("") }))
    .default([]),
  groupCourses: z
    .array(z.strictObject({ id: seedId.optional(), group_id: seedId, course_id: seedId }))
    .default([]),
  users: z
    .array(
      z.strictObject({
        id: seedId.optional(),
        email: z.string().min(3).nullable().default(null),
        username: z.string().min(1).nullable().default(null),
        first_name: z.string().default(""),
        last_name: z.string().default(""),
        locale: z.string().default("en"),
        user_type: z.enum(USER_TYPES).default("learner"),
        enabled: z.boolean().default(true),
        sign_in_count: z.number().int().min(0).default(0),
        CustomData: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
      }),
    )
    .default([]),
  memberships: z
    .array(z.strictObject({ id: seedId.optional(), group_id: seedId, user_id: seedId }))
    .default([]),
  enrollments: z
    .array(
      z.strictObject({
        id: seedId.optional(),
        user_id: seedId,
        course_id: seedId,
        group_id: seedId.nullable().default(null),
        status: z.enum(ENROLLMENT_STATUSES).default("not_started"),
        percentage: z.number().min(0).max(100).nullable().default(null),
        due_date: z.iso.date().nullable().default(null),
        expires_at: z.iso.date().nullable().default(null),
      }),
    )
    .default([]),
});

export type SeedData = z.input<typeof seedDataSchema>;

/** The ids given to seeded records, in input order. */
export interface SeedResult {
  customFields: number[];
  courses: number[];
  groups: number[];
  groupCourses: number[];
  users: number[];
  memberships: number[];
  enrollments: number[];
}

const FIRST_IDS = {
  users: 100_001,
  courses: 200_001,
  groups: 300_001,
  groupCourses: 400_001,
  memberships: 500_001,
  enrollments: 600_001,
  customFields: 700_001,
  groupInvites: 800_001,
} as const;

type Collection = keyof typeof FIRST_IDS;

export interface PortalStoreOptions {
  /** Clock for timestamps, in epoch milliseconds. @default Date.now */
  now?: () => number;
}

export class PortalStore {
  readonly users = new Map<number, UserRecord>();
  readonly courses = new Map<number, CourseRecord>();
  readonly groups = new Map<number, GroupRecord>();
  readonly groupCourses = new Map<number, GroupCourseRecord>();
  readonly memberships = new Map<number, MembershipRecord>();
  readonly enrollments = new Map<number, EnrollmentRecord>();
  readonly customFields = new Map<number, CustomFieldRecord>();
  readonly groupInvites = new Map<number, GroupInviteRecord>();
  readonly #now: () => number;
  #nextIds: Record<Collection, number> = { ...FIRST_IDS };

  constructor(options: PortalStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Empties every collection and restarts the id counters. */
  reset(): void {
    for (const collection of this.#collections()) collection.clear();
    this.#nextIds = { ...FIRST_IDS };
  }

  /**
   * Loads records as they are, without running business rules: a seeded membership enrols nobody,
   * so a test can set up any state, including disabled users and completed enrollments.
   * Throws on unknown references, taken ids or duplicate emails, and then loads nothing.
   */
  seed(data: SeedData): SeedResult {
    const input = seedDataSchema.parse(data);
    const collectionsBefore = this.#collections().map((collection) => new Map(collection));
    const idsBefore = { ...this.#nextIds };
    try {
      return this.#load(input);
    } catch (error) {
      this.#collections().forEach((collection, index) => {
        collection.clear();
        for (const [id, record] of collectionsBefore[index] ?? []) collection.set(id, record);
      });
      this.#nextIds = idsBefore;
      throw error;
    }
  }

  #load(input: z.output<typeof seedDataSchema>): SeedResult {
    const result: SeedResult = {
      customFields: [],
      courses: [],
      groups: [],
      groupCourses: [],
      users: [],
      memberships: [],
      enrollments: [],
    };
    const at = this.timestamp();
    for (const field of input.customFields) {
      const id = this.#claimId("customFields", this.customFields, field.id);
      this.customFields.set(id, { id, type_id: field.type_id, label: field.label, predefined_values: field.predefined_values });
      result.customFields.push(id);
    }
    for (const course of input.courses) {
      const id = this.#claimId("courses", this.courses, course.id);
      this.courses.set(id, {
        id,
        name: course.name,
        published_status_id: course.published_status_id,
        number_of_modules: course.number_of_modules,
        reference_code: course.reference_code,
        version: 1,
        created_at: at,
        seeded_num_enrolled: course.num_enrolled,
      });
      result.courses.push(id);
    }
    for (const group of input.groups) {
      const id = this.#claimId("groups", this.groups, group.id);
      this.groups.set(id, { id, title: group.title, description: group.description, created_at: at, updated_at: at });
      result.groups.push(id);
    }
    for (const user of input.users) {
      if (user.email === null && user.username === null) throw new Error("seed: a user needs an email or a username");
      if (user.email !== null && this.findUserByEmail(user.email, true)) {
        throw new Error(`seed: duplicate user email ${user.email}`);
      }
      const id = this.#claimId("users", this.users, user.id);
      this.users.set(id, {
        ...this.#blankUser(id, user.email, user.username),
        first_name: user.first_name,
        last_name: user.last_name,
        locale: user.locale,
        user_type: user.user_type,
        enabled: user.enabled,
        sign_in_count: user.sign_in_count,
        customData: this.#labelCustomData(user.CustomData),
      });
      result.users.push(id);
    }
    for (const link of input.groupCourses) {
      this.#requireSeeded("group", this.groups, link.group_id);
      this.#requireSeeded("course", this.courses, link.course_id);
      const id = this.#claimId("groupCourses", this.groupCourses, link.id);
      this.groupCourses.set(id, { id, group_id: link.group_id, course_id: link.course_id, created_at: at });
      result.groupCourses.push(id);
    }
    for (const membership of input.memberships) {
      this.#requireSeeded("group", this.groups, membership.group_id);
      this.#requireSeeded("user", this.users, membership.user_id);
      const id = this.#claimId("memberships", this.memberships, membership.id);
      this.memberships.set(id, { id, group_id: membership.group_id, user_id: membership.user_id, created_at: at });
      result.memberships.push(id);
    }
    for (const enrollment of input.enrollments) {
      this.#requireSeeded("user", this.users, enrollment.user_id);
      this.#requireSeeded("course", this.courses, enrollment.course_id);
      if (enrollment.group_id !== null) this.#requireSeeded("group", this.groups, enrollment.group_id);
      const id = this.#claimId("enrollments", this.enrollments, enrollment.id);
      this.enrollments.set(id, {
        id,
        user_id: enrollment.user_id,
        course_id: enrollment.course_id,
        group_id: enrollment.group_id,
        status: enrollment.status,
        percentage: enrollment.percentage,
        date_enrolled: at,
        date_started: enrollment.status === "not_started" ? null : at,
        date_completed: isFinished(enrollment.status) ? at : null,
        due_date: enrollment.due_date,
        expires_at: enrollment.expires_at,
        updated_at: at,
      });
      result.enrollments.push(id);
    }
    return result;
  }

  /** The clock as LearnUpon formats timestamps: UTC, `YYYY-MM-DDTHH:MM:SSZ` (contract §1.2). */
  timestamp(): string {
    return new Date(this.#now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  // ---- users -------------------------------------------------------------------------------

  findUserByEmail(email: string, caseInsensitive: boolean): UserRecord | undefined {
    return find(this.users, (user) => user.email !== null && sameText(user.email, email, caseInsensitive));
  }

  findUserByUsername(username: string, caseInsensitive: boolean): UserRecord | undefined {
    return find(this.users, (user) => user.username !== null && sameText(user.username, username, caseInsensitive));
  }

  /** Creates a user; emails and usernames are unique, disabled users included (contract §4.12). */
  createUser(
    input: NewUser,
    rules: Pick<
      PortalOptions,
      "uniqueEmailCaseInsensitive" | "autoEnrollCourseIds" | "rejectUnenrollableCourses"
    > = defaultPortalOptions(),
  ): Outcome<UserRecord, "email_taken" | "username_taken"> {
    if (input.email !== null && this.findUserByEmail(input.email, rules.uniqueEmailCaseInsensitive)) {
      return { ok: false, problem: "email_taken" };
    }
    if (input.username !== null && this.findUserByUsername(input.username, rules.uniqueEmailCaseInsensitive)) {
      return { ok: false, problem: "username_taken" };
    }
    const id = this.#claimId("users", this.users, undefined);
    const user = this.#blankUser(id, input.email, input.username);
    this.users.set(id, user);
    this.#applyUserChanges(user, input);
    // contract §4.15: some portals enrol every new user in an onboarding course.
    for (const courseId of rules.autoEnrollCourseIds) {
      if (this.courses.has(courseId)) this.enroll({ userId: id, courseId }, rules);
    }
    return { ok: true, value: user };
  }

  /** Changes only the supplied fields (contract §4.13); a new email or username must stay unique. */
  updateUser(
    userId: number,
    changes: UserChanges,
    rules: Pick<PortalOptions, "uniqueEmailCaseInsensitive"> = defaultPortalOptions(),
  ): Outcome<UserRecord, "not_found" | "email_taken" | "username_taken"> {
    const user = this.users.get(userId);
    if (!user) return { ok: false, problem: "not_found" };
    if (changes.email !== undefined && changes.email !== null) {
      const holder = this.findUserByEmail(changes.email, rules.uniqueEmailCaseInsensitive);
      if (holder && holder.id !== user.id) return { ok: false, problem: "email_taken" };
    }
    if (changes.username !== undefined && changes.username !== null) {
      const holder = this.findUserByUsername(changes.username, rules.uniqueEmailCaseInsensitive);
      if (holder && holder.id !== user.id) return { ok: false, problem: "username_taken" };
    }
    this.#applyUserChanges(user, changes);
    user.updated_at = this.timestamp();
    return { ok: true, value: user };
  }

  /** Deletion is permanent and takes the training history with it (contract §4.14, support article S5). */
  deleteUser(userId: number): boolean {
    if (!this.users.delete(userId)) return false;
    deleteWhere(this.enrollments, (enrollment) => enrollment.user_id === userId);
    deleteWhere(this.memberships, (membership) => membership.user_id === userId);
    return true;
  }

  /** Resolves custom-data keys to definition labels, case- and space-insensitively; unknown keys are dropped. */
  #labelCustomData(values: Record<string, CustomValue>): Record<string, CustomValue> {
    const labelled: Record<string, CustomValue> = {};
    for (const [key, value] of Object.entries(values)) {
      const field = find(
        this.customFields,
        (definition) => normalizeLabel(definition.label) === normalizeLabel(key) || String(definition.id) === key,
      );
      if (field) labelled[field.label] = value;
    }
    return labelled;
  }

  #applyUserChanges(user: UserRecord, changes: UserChanges): void {
    if (changes.email !== undefined) user.email = changes.email;
    if (changes.username !== undefined) user.username = changes.username;
    if (changes.first_name !== undefined) user.first_name = changes.first_name;
    if (changes.last_name !== undefined) user.last_name = changes.last_name;
    if (changes.locale !== undefined) user.locale = changes.locale;
    if (changes.user_type !== undefined) user.user_type = changes.user_type;
    if (changes.enabled !== undefined) user.enabled = changes.enabled;
    if (changes.account_expires !== undefined) user.account_expires = changes.account_expires;
    if (changes.timezone_id !== undefined) user.timezone_id = changes.timezone_id;
    if (changes.customData !== undefined) Object.assign(user.customData, this.#labelCustomData(changes.customData));
    if (changes.extras !== undefined) Object.assign(user.extras, changes.extras);
  }

  #blankUser(id: number, email: string | null, username: string | null): UserRecord {
    const at = this.timestamp();
    return {
      id,
      email,
      username,
      first_name: "",
      last_name: "",
      locale: "en",
      user_type: "learner",
      enabled: true,
      account_expires: null,
      timezone_id: null,
      sign_in_count: 0,
      last_sign_in_at: null,
      created_at: at,
      updated_at: at,
      customData: {},
      extras: {},
    };
  }

  // ---- enrollments -------------------------------------------------------------------------

  /**
   * Enrols a user in a course (contract §4.16). A user with an unfinished enrollment in the course
   * is "already enrolled"; one with only finished enrollments is too, unless re-enrolment is asked.
   */
  enroll(
    request: EnrollRequest,
    rules: Pick<PortalOptions, "rejectUnenrollableCourses"> = defaultPortalOptions(),
  ): Outcome<EnrollmentRecord, "already_enrolled" | "course_not_enrollable"> {
    const course = this.courses.get(request.courseId);
    if (!course || (rules.rejectUnenrollableCourses && !isEnrollable(course))) {
      return { ok: false, problem: "course_not_enrollable" };
    }
    const existing = this.list(this.enrollments).filter(
      (enrollment) => enrollment.user_id === request.userId && enrollment.course_id === request.courseId,
    );
    const allFinished = existing.every((enrollment) => isFinished(enrollment.status));
    if (existing.length > 0 && !(allFinished && request.reEnrollIfCompleted === true)) {
      return { ok: false, problem: "already_enrolled" };
    }
    const id = this.#claimId("enrollments", this.enrollments, undefined);
    const at = this.timestamp();
    const enrollment: EnrollmentRecord = {
      id,
      user_id: request.userId,
      course_id: request.courseId,
      group_id: request.groupId ?? null,
      status: "not_started",
      percentage: null,
      date_enrolled: at,
      date_started: null,
      date_completed: null,
      due_date: request.dueDate ?? null,
      expires_at: request.expiresAt ?? null,
      updated_at: at,
    };
    this.enrollments.set(id, enrollment);
    return { ok: true, value: enrollment };
  }

  /** Only the due date and expiry may change (contract §2.2 "Update an enrollment"). */
  updateEnrollmentDates(enrollment: EnrollmentRecord, dates: { due_date?: string; expires_at?: string }): void {
    if (dates.due_date !== undefined) enrollment.due_date = dates.due_date;
    if (dates.expires_at !== undefined) enrollment.expires_at = dates.expires_at;
    enrollment.updated_at = this.timestamp();
  }

  /** Finished enrollments stay unless `removeFromHistory` (contract §4.17). */
  unenroll(enrollment: EnrollmentRecord, removeFromHistory: boolean): "deleted" | "kept_in_history" {
    if (isFinished(enrollment.status) && !removeFromHistory) return "kept_in_history";
    this.enrollments.delete(enrollment.id);
    return "deleted";
  }

  // ---- groups, group courses and memberships -----------------------------------------------

  createGroup(
    fields: { title: string; description: string },
    rules: Pick<PortalOptions, "rejectDuplicateGroupTitles"> = defaultPortalOptions(),
  ): Outcome<GroupRecord, "title_taken"> {
    if (rules.rejectDuplicateGroupTitles && this.#groupTitled(fields.title)) return { ok: false, problem: "title_taken" };
    const id = this.#claimId("groups", this.groups, undefined);
    const at = this.timestamp();
    const group: GroupRecord = { id, title: fields.title, description: fields.description, created_at: at, updated_at: at };
    this.groups.set(id, group);
    return { ok: true, value: group };
  }

  updateGroup(
    group: GroupRecord,
    changes: { title?: string; description?: string },
    rules: Pick<PortalOptions, "rejectDuplicateGroupTitles"> = defaultPortalOptions(),
  ): Outcome<GroupRecord, "title_taken"> {
    if (changes.title !== undefined && rules.rejectDuplicateGroupTitles) {
      const holder = this.#groupTitled(changes.title);
      if (holder && holder.id !== group.id) return { ok: false, problem: "title_taken" };
    }
    if (changes.title !== undefined) group.title = changes.title;
    if (changes.description !== undefined) group.description = changes.description;
    group.updated_at = this.timestamp();
    return { ok: true, value: group };
  }

  /** Users stay; with `deleteEnrollments` the group's unstarted enrollments go too (contract §4.20). */
  deleteGroup(groupId: number, deleteEnrollments: boolean): boolean {
    if (!this.groups.delete(groupId)) return false;
    deleteWhere(this.memberships, (membership) => membership.group_id === groupId);
    deleteWhere(this.groupCourses, (link) => link.group_id === groupId);
    if (deleteEnrollments) {
      deleteWhere(this.enrollments, (enrollment) => enrollment.group_id === groupId && isUnstarted(enrollment.status));
    }
    return true;
  }

  /** Links a course to a group and enrols its current members (contract §4.21). */
  addGroupCourse(
    groupId: number,
    courseId: number,
    reEnrollCompleted: boolean,
    rules: Pick<PortalOptions, "groupEnrollmentSkipsDisabledUsers" | "rejectUnenrollableCourses"> = defaultPortalOptions(),
  ): Outcome<GroupCourseRecord, "already_linked"> {
    const linked = find(this.groupCourses, (link) => link.group_id === groupId && link.course_id === courseId);
    if (linked) return { ok: false, problem: "already_linked" };
    const id = this.#claimId("groupCourses", this.groupCourses, undefined);
    const link: GroupCourseRecord = { id, group_id: groupId, course_id: courseId, created_at: this.timestamp() };
    this.groupCourses.set(id, link);
    for (const member of this.membersOf(groupId)) {
      if (member.enabled || !rules.groupEnrollmentSkipsDisabledUsers) {
        this.enroll({ userId: member.id, courseId, groupId, reEnrollIfCompleted: reEnrollCompleted }, rules);
      }
    }
    return { ok: true, value: link };
  }

  /** Finished enrollments always stay; unstarted ones go only with `deleteEnrollments` (contract §4.21). */
  removeGroupCourse(link: GroupCourseRecord, deleteEnrollments: boolean): void {
    this.groupCourses.delete(link.id);
    if (deleteEnrollments) {
      deleteWhere(
        this.enrollments,
        (enrollment) =>
          enrollment.group_id === link.group_id && enrollment.course_id === link.course_id && isUnstarted(enrollment.status),
      );
    }
  }

  /**
   * Adds a member and, unless told otherwise, enrols them in every group course they are not
   * already enrolled in; disabled users get no group enrollments (contract §4.19, §4.14).
   * An existing membership is returned as it is, with `created: false`.
   */
  addMembership(
    groupId: number,
    userId: number,
    processEnrollments: boolean,
    rules: Pick<PortalOptions, "groupEnrollmentSkipsDisabledUsers" | "rejectUnenrollableCourses"> = defaultPortalOptions(),
  ): { membership: MembershipRecord; created: boolean } {
    const existing = this.findMembership(groupId, userId);
    if (existing) return { membership: existing, created: false };
    const id = this.#claimId("memberships", this.memberships, undefined);
    const membership: MembershipRecord = { id, group_id: groupId, user_id: userId, created_at: this.timestamp() };
    this.memberships.set(id, membership);
    const user = this.users.get(userId);
    const enrols = processEnrollments && (user?.enabled === true || !rules.groupEnrollmentSkipsDisabledUsers);
    if (enrols) {
      for (const link of this.list(this.groupCourses).filter((candidate) => candidate.group_id === groupId)) {
        this.enroll({ userId, courseId: link.course_id, groupId }, rules);
      }
    }
    return { membership, created: true };
  }

  /** The member keeps the group's enrollments unless `processUnenrollments` (contract §4.19). */
  removeMembership(membership: MembershipRecord, processUnenrollments: boolean): void {
    this.memberships.delete(membership.id);
    if (processUnenrollments) {
      deleteWhere(
        this.enrollments,
        (enrollment) =>
          enrollment.user_id === membership.user_id &&
          enrollment.group_id === membership.group_id &&
          isUnstarted(enrollment.status),
      );
    }
  }

  findMembership(groupId: number, userId: number): MembershipRecord | undefined {
    return find(this.memberships, (membership) => membership.group_id === groupId && membership.user_id === userId);
  }

  membersOf(groupId: number): UserRecord[] {
    return this.list(this.memberships)
      .filter((membership) => membership.group_id === groupId)
      .flatMap((membership) => this.users.get(membership.user_id) ?? []);
  }

  /** Invitees are not users: searches do not find them and they cannot be enrolled (contract §2.6). */
  inviteToGroup(groupId: number, emails: string[], membershipTypeId: number): GroupInviteRecord[] {
    return emails.map((email) => {
      const id = this.#claimId("groupInvites", this.groupInvites, undefined);
      const invite: GroupInviteRecord = {
        id,
        group_id: groupId,
        invite_email_address: email,
        invite_status: "sent",
        group_membership_type_id: membershipTypeId,
        created_at: this.timestamp(),
      };
      this.groupInvites.set(id, invite);
      return invite;
    });
  }

  // ---- reading -----------------------------------------------------------------------------

  /** A collection's records in id order, the order every list endpoint returns. */
  list<T extends { id: number }>(collection: Map<number, T>): T[] {
    return [...collection.values()].sort((a, b) => a.id - b.id);
  }

  /** A plain-data copy of every collection, for the admin endpoint and assertions. */
  snapshot(): Record<Collection, unknown[]> {
    return structuredClone({
      users: this.list(this.users),
      courses: this.list(this.courses),
      groups: this.list(this.groups),
      groupCourses: this.list(this.groupCourses),
      memberships: this.list(this.memberships),
      enrollments: this.list(this.enrollments),
      customFields: this.list(this.customFields),
      groupInvites: this.list(this.groupInvites),
    });
  }

  #groupTitled(title: string): GroupRecord | undefined {
    return find(this.groups, (group) => group.title === title);
  }

  #collections(): Map<number, unknown>[] {
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

  #claimId(collection: Collection, records: Map<number, unknown>, wanted: number | undefined): number {
    if (wanted === undefined) {
      const id = this.#nextIds[collection];
      this.#nextIds[collection] = id + 1;
      return id;
    }
    if (records.has(wanted)) throw new Error(`seed: ${collection} id ${wanted} is already taken`);
    this.#nextIds[collection] = Math.max(this.#nextIds[collection], wanted + 1);
    return wanted;
  }

  #requireSeeded(kind: string, records: Map<number, unknown>, id: number): void {
    if (!records.has(id)) throw new Error(`seed: unknown ${kind} id ${id}`);
  }
}

/** A draft or module-less course cannot take enrollments (contract §2.2 "Course preconditions"). */
function isEnrollable(course: CourseRecord): boolean {
  return course.published_status_id === "published" && course.number_of_modules > 0;
}

function sameText(a: string, b: string, caseInsensitive: boolean): boolean {
  return caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b;
}

// contract §2.1: CustomData keys match labels case- and space-insensitively.
function normalizeLabel(label: string): string {
  return label.replace(/\s+/g, "").toLowerCase();
}

function find<T>(records: Map<number, T>, predicate: (record: T) => boolean): T | undefined {
  for (const record of records.values()) {
    if (predicate(record)) return record;
  }
  return undefined;
}

function deleteWhere<T>(records: Map<number, T>, predicate: (record: T) => boolean): void {
  for (const [id, record] of [...records]) {
    if (predicate(record)) records.delete(id);
  }
}
