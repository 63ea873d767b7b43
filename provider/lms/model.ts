/**
 * The LMS seam: a roster's records in the project's own terms (camelCase, string ids), and the
 * client every LMS backend implements in those terms. Resources, the run's snapshot, the preview's
 * portal check and `dump` speak only this; each backend maps it to its wire format with one field
 * table (`lms/<backend>/fields.ts`).
 * @module
 */

/** The resources a roster is made of; a backend says which of them its LMS supports. */
export const RESOURCE_KINDS = ["User", "Enrollment", "GroupMembership"] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** An id as the LMS gives it, written as text (LearnUpon's numbers too). */
export type LmsId = string;

/** A person in the LMS. */
export interface LmsUser {
  id: LmsId;
  /** Absent on portals that sign people in by username only. */
  email?: string | undefined;
  username?: string | undefined;
  firstName: string;
  lastName: string;
  /** The LMS's own role name (LearnUpon: learner, instructor, manager, admin). */
  userType?: string | undefined;
  enabled: boolean;
  /** ISO language code. */
  language?: string | undefined;
  /** Custom user data by field label, as text. */
  customData: Record<string, string>;
  /** The id the customer's own systems give the person, where the LMS keeps one: the employee id. */
  externalId?: string | undefined;
}

/** What a create or an update writes; fields left out are not sent. */
export interface UserChanges {
  email?: string | undefined;
  username?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  userType?: string | undefined;
  enabled?: boolean | undefined;
  language?: string | undefined;
  /** Only the labels given are written; the LMS keeps the others. */
  customData?: Record<string, string> | undefined;
  externalId?: string | undefined;
}

/** A person's enrollment in a course. Dates are days, `YYYY-MM-DD`, whatever precision the LMS answers in. */
export interface LmsEnrollment {
  id: LmsId;
  userId: LmsId;
  courseId: LmsId;
  /** not_started, in_progress, completed, passed, failed, … */
  status: string;
  /** Percent of the course done. */
  progress: number;
  dueDate?: string | undefined;
  expiresAt?: string | undefined;
  /** The course's name, where the LMS lists it with a user's enrollments (`listByUser`). */
  courseName?: string | undefined;
}

export interface EnrollmentDates {
  dueDate?: string | undefined;
  expiresAt?: string | undefined;
}

export interface LmsGroup {
  id: LmsId;
  title: string;
}

export interface LmsCourse {
  id: LmsId;
  name: string;
}

/** The client a backend gives the resources: one per provider process, shared by every resource. */
export interface LmsClient {
  /** The API base URL, for messages and the portal record in state (never with credentials). */
  readonly apiBaseUrl: string;
  /** An id as resources keep it in state: LearnUpon's as the numbers earlier versions wrote. */
  stateId(id: LmsId): string | number;
  readonly users: {
    /** Every user, deactivated ones included, page by page. */
    list(): AsyncIterable<LmsUser>;
    /** The user holding the email without regard to case, deactivated or not. */
    findByEmail(email: string): Promise<LmsUser | undefined>;
    /** The user with this external id (compared exactly), where the LMS keeps external ids. */
    findByExternalId?(externalId: string): Promise<LmsUser | undefined>;
    /** Creates the user (a `password` where the LMS needs one) and returns the id. */
    create(fields: UserChanges & { password?: string | undefined }): Promise<LmsId>;
    /** Writes `changes` to `user` and returns the user as the LMS now has them. */
    update(user: LmsUser, changes: UserChanges): Promise<LmsUser>;
    /** Permanently deletes the user and their history; `false` if they were gone already. */
    delete(id: LmsId): Promise<boolean>;
    /** The labels of the custom user fields the LMS has. */
    customFieldLabels(): Promise<string[]>;
  };
  readonly memberships: {
    /** The ids of the group's members. */
    listByGroup(groupId: LmsId): AsyncIterable<LmsId>;
    /** Asks the LMS now, past any listing. */
    isMember(groupId: LmsId, userId: LmsId): Promise<boolean>;
    /** The groups the user is in, with their titles where the LMS lists them. */
    groupsOf(userId: LmsId): AsyncIterable<{ id: LmsId; title?: string | undefined }>;
    /** "Already a member" counts as done. */
    add(membership: { groupId: LmsId; userId: LmsId; processEnrollments: boolean }): Promise<void>;
    remove(membership: { groupId: LmsId; userId: LmsId }): Promise<void>;
  };
  readonly enrollments: {
    listByCourse(courseId: LmsId): AsyncIterable<LmsEnrollment>;
    listByUser(userId: LmsId): AsyncIterable<LmsEnrollment>;
    /** Asks the LMS now, past any listing. */
    find(userId: LmsId, courseId: LmsId): Promise<LmsEnrollment | undefined>;
    /** Enrolls the user, or finds the enrollment they already have (a group's auto-enroll, say). */
    create(enrollment: { user: LmsUser; courseId: LmsId } & EnrollmentDates): Promise<{ enrollment: LmsEnrollment; created: boolean }>;
    /** Sets the dates and fails unless the LMS then shows them. */
    updateDates(id: LmsId, dates: EnrollmentDates): Promise<void>;
    /** `removeHistory`: delete a finished enrollment from the training history too. */
    delete(id: LmsId, options: { removeHistory: boolean }): Promise<boolean>;
  };
  readonly catalog: {
    /** The group with exactly this title; throws `AmbiguousNameError` when several have it. */
    groupByTitle(title: string): Promise<LmsGroup | undefined>;
    /** The published course with exactly this name; throws `AmbiguousNameError` when several have it. */
    courseByName(name: string): Promise<LmsCourse | undefined>;
    groupById(id: LmsId): Promise<LmsGroup | undefined>;
    /** A published course by id. */
    courseById(id: LmsId): Promise<LmsCourse | undefined>;
  };
  close(): Promise<void>;
}
