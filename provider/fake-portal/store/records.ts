/**
 * The records a fake LearnUpon portal keeps, and the collections that hold them.
 *
 * The shapes live in one file, apart from the rules, because the rules cross entities (deleting
 * a user takes their enrollments, joining a group enrols): with the shapes here, each rule module
 * imports only the modules below it and none import each other in a circle.
 * @module
 */
import type { Collection } from "../collection.js";

export type UserType = "learner" | "instructor" | "manager" | "admin";
export type CourseStatus = "published" | "draft" | "archived" | "under_revision";
export type EnrollmentStatus = "not_started" | "in_progress" | "completed" | "passed" | "failed" | "pending_review";
export type CustomValue = string | number | boolean | null;

export const USER_TYPES = ["learner", "instructor", "manager", "admin"] as const satisfies readonly UserType[];
export const COURSE_STATUSES = ["published", "draft", "archived", "under_revision"] as const satisfies readonly CourseStatus[];
export const ENROLLMENT_STATUSES = [
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

/** The portal's collections, one per kind of record. */
export interface PortalCollections {
  readonly users: Collection<UserRecord>;
  readonly courses: Collection<CourseRecord>;
  readonly groups: Collection<GroupRecord>;
  readonly groupCourses: Collection<GroupCourseRecord>;
  readonly memberships: Collection<MembershipRecord>;
  readonly enrollments: Collection<EnrollmentRecord>;
  readonly customFields: Collection<CustomFieldRecord>;
  readonly groupInvites: Collection<GroupInviteRecord>;
}

/** What every rule works on: the portal's collections and its clock. */
export interface PortalData extends PortalCollections {
  /** The clock as LearnUpon formats timestamps (contract §1.2). */
  timestamp(): string;
}
