/**
 * How the fake portal renders its records on the wire.
 *
 * Field names follow LearnUpon's documented attribute lists (contract §2.1 to §2.6), written here
 * by hand from the contract rather than shared with the client's schemas, so a wrong client schema
 * cannot hide behind a fake that agrees with it (style anchors §6, "Fake-portal caveat").
 * @module
 */
import type {
  CourseRecord,
  CustomFieldRecord,
  EnrollmentRecord,
  GroupCourseRecord,
  GroupInviteRecord,
  GroupRecord,
  PortalStore,
  UserRecord,
} from "./store.js";
import { isFinished } from "./store.js";
import type { JsonObject, PortalOptions } from "./options.js";

/**
 * A user as list and search endpoints show it. `version_id=1.1` adds `updated_at` and `1.2` also
 * adds `timezone_id` (contract §2.1); `username` appears only when the user has one.
 */
export function userView(store: PortalStore, user: UserRecord, version: number): JsonObject {
  let enrollmentCount = 0;
  let accessedCount = 0;
  for (const enrollment of store.enrollments.values()) {
    if (enrollment.user_id !== user.id) continue;
    enrollmentCount += 1;
    if (enrollment.status !== "not_started") accessedCount += 1;
  }
  return {
    id: user.id,
    first_name: user.first_name,
    last_name: user.last_name,
    email: user.email,
    ...(user.username === null ? {} : { username: user.username }),
    locale: user.locale,
    created_at: user.created_at,
    ...(version >= 1.1 ? { updated_at: user.updated_at } : {}),
    last_sign_in_at: user.last_sign_in_at,
    account_expires: user.account_expires,
    sign_in_count: user.sign_in_count,
    enabled: user.enabled,
    user_type: user.user_type,
    ...(version >= 1.2 ? { timezone_id: user.timezone_id } : {}),
    number_of_enrollments: enrollmentCount,
    number_of_enrollments_accessed: accessedCount,
    number_of_points: 0,
    number_of_badges: 0,
    ...user.extras,
    CustomData: { ...user.customData },
  };
}

export function customFieldView(field: CustomFieldRecord): JsonObject {
  return { id: field.id, type_id: field.type_id, label: field.label, predefined_values: [...field.predefined_values] };
}

/**
 * An enrollment joined with its user and course, as `/enrollments/search` shows it (contract §2.2).
 * Its two settable dates are written as the `enrollmentDates` switch says.
 */
export function enrollmentView(store: PortalStore, enrollment: EnrollmentRecord, options: PortalOptions): JsonObject {
  const wireDate = (date: string | null) => (date === null || options.enrollmentDates === "date" ? date : `${date}T00:00:00Z`);
  const user = store.users.get(enrollment.user_id);
  const course = store.courses.get(enrollment.course_id);
  const today = store.timestamp().slice(0, 10);
  return {
    id: enrollment.id,
    user_id: enrollment.user_id,
    first_name: user?.first_name ?? null,
    last_name: user?.last_name ?? null,
    email: user?.email ?? null,
    username: user?.username ?? null,
    group_id: enrollment.group_id,
    course_id: enrollment.course_id,
    course_name: course?.name ?? null,
    course_source_id: enrollment.course_id,
    version: course?.version ?? 1,
    status: enrollment.status,
    percentage: enrollment.percentage,
    percentage_complete: isFinished(enrollment.status) ? 100 : 0,
    date_enrolled: enrollment.date_enrolled,
    date_started: enrollment.date_started,
    date_completed: enrollment.date_completed,
    date_lastaccessed: enrollment.date_started,
    updated_at: enrollment.updated_at,
    due_date: wireDate(enrollment.due_date),
    is_overdue: enrollment.due_date !== null && enrollment.due_date < today && !isFinished(enrollment.status),
    course_access_expires_at: wireDate(enrollment.expires_at),
    unenrolled: false,
  };
}

/** A course; with stale counters `num_enrolled` stays at its seeded value (contract §4.18). */
export function courseView(store: PortalStore, course: CourseRecord, countersStale: boolean): JsonObject {
  const enrollments = countersStale
    ? []
    : [...store.enrollments.values()].filter((enrollment) => enrollment.course_id === course.id);
  const withStatus = (status: EnrollmentRecord["status"]) => enrollments.filter((e) => e.status === status).length;
  return {
    id: course.id,
    name: course.name,
    version: course.version,
    source_id: course.id,
    reference_code: course.reference_code,
    published_status_id: course.published_status_id,
    created_at: course.created_at,
    number_of_modules: course.number_of_modules,
    num_enrolled: countersStale ? course.seeded_num_enrolled : enrollments.length,
    num_not_started: withStatus("not_started"),
    num_in_progress: withStatus("in_progress"),
    num_completed: withStatus("completed"),
    num_passed: withStatus("passed"),
    num_failed: withStatus("failed"),
    num_pending_review: withStatus("pending_review"),
  };
}

/** A group; `number_of_members` is always accurate (contract §4.20). */
export function groupView(store: PortalStore, group: GroupRecord): JsonObject {
  return {
    id: group.id,
    title: group.title,
    description: group.description,
    created_at: group.created_at,
    updated_at: group.updated_at,
    number_of_members: store.membersOf(group.id).length,
  };
}

export function groupCourseView(store: PortalStore, link: GroupCourseRecord): JsonObject {
  return {
    id: link.id,
    group_id: link.group_id,
    course_id: link.course_id,
    course_name: store.courses.get(link.course_id)?.name ?? null,
    created_at: link.created_at,
  };
}

export function groupInviteView(invite: GroupInviteRecord): JsonObject {
  return {
    id: invite.id,
    invite_status: invite.invite_status,
    invite_email_address: invite.invite_email_address,
    accept_url: `/invites/${invite.id}/accept`,
    group_id: invite.group_id,
    group_membership_type_id: invite.group_membership_type_id,
    created_at: invite.created_at,
  };
}
