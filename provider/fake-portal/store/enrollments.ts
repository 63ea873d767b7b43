/**
 * Enrollments: when a user may be enrolled in a course, which enrollments are history, and what
 * unenrolling removes (contract §4.16, §4.17). Group membership and group courses enrol and
 * unenrol through these functions, so the duplicate and history rules hold for them too.
 * @module
 */
import type { Collection } from "../collection.js";
import type { PortalOptions } from "../options.js";
import type { CourseRecord, EnrollmentRecord, EnrollmentStatus, Outcome, PortalData } from "./records.js";

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

/**
 * Enrols a user in a course (contract §4.16). A user with an unfinished enrollment in the course
 * is "already enrolled"; one with only finished enrollments is too, unless re-enrolment is asked.
 */
export function enroll(
  data: PortalData,
  request: EnrollRequest,
  rules: Pick<PortalOptions, "rejectUnenrollableCourses">,
): Outcome<EnrollmentRecord, "already_enrolled" | "course_not_enrollable"> {
  const course = data.courses.get(request.courseId);
  if (!course || (rules.rejectUnenrollableCourses && !isEnrollable(course))) {
    return { ok: false, problem: "course_not_enrollable" };
  }
  const existing = data.enrollments.filter(
    (enrollment) => enrollment.user_id === request.userId && enrollment.course_id === request.courseId,
  );
  const allFinished = existing.every((enrollment) => isFinished(enrollment.status));
  if (existing.length > 0 && !(allFinished && request.reEnrollIfCompleted === true)) {
    return { ok: false, problem: "already_enrolled" };
  }
  const at = data.timestamp();
  const enrollment = data.enrollments.create({
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
  });
  return { ok: true, value: enrollment };
}

/** Only the due date and expiry may change (contract §2.2 "Update an enrollment"). */
export function updateEnrollmentDates(
  data: PortalData,
  enrollment: EnrollmentRecord,
  dates: { due_date?: string; expires_at?: string },
): void {
  data.enrollments.update(enrollment.id, { ...dates, updated_at: data.timestamp() });
}

/** Finished enrollments stay unless `removeFromHistory` (contract §4.17). */
export function unenroll(
  enrollments: Collection<EnrollmentRecord>,
  enrollment: EnrollmentRecord,
  removeFromHistory: boolean,
): "deleted" | "kept_in_history" {
  if (isFinished(enrollment.status) && !removeFromHistory) return "kept_in_history";
  enrollments.delete(enrollment.id);
  return "deleted";
}

/**
 * Deletes the matching enrollments that are not started or in progress: the only ones leaving a
 * group, or a group losing a course or being deleted, may take away (contract §4.19 to §4.21).
 */
export function deleteUnstartedEnrollments(
  enrollments: Collection<EnrollmentRecord>,
  predicate: (enrollment: EnrollmentRecord) => boolean,
): void {
  enrollments.deleteWhere((enrollment) => isUnstarted(enrollment.status) && predicate(enrollment));
}

function isUnstarted(status: EnrollmentStatus): boolean {
  return status === "not_started" || status === "in_progress";
}

/** A draft or module-less course cannot take enrollments (contract §2.2 "Course preconditions"). */
function isEnrollable(course: CourseRecord): boolean {
  return course.published_status_id === "published" && course.number_of_modules > 0;
}
