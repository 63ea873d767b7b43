/**
 * `/enrollments` endpoints (contract §2.2, §4.4, §4.5, §4.16, §4.17).
 * @module
 */
import type { JsonObject, PortalOptions } from "../options.js";
import { isFinished, type CourseRecord, type PortalStore, type UserRecord } from "../store.js";
import { enrollmentView } from "../views.js";
import {
  fail,
  isTrueFlag,
  ok,
  optionalDate,
  optionalInteger,
  optionalText,
  paged,
  pathId,
  reject,
  requireWrapped,
  type ApiCall,
  type Portal,
  type Reply,
} from "./kit.js";

export function createEnrollment({ store, options }: Portal, call: ApiCall): Reply {
  const fields = requireWrapped(options, call, "Enrollment", "enrollment");
  const user = enrollee(store, options, fields);
  const course = enrollmentCourse(store, fields);
  // contract §4.16: `created_at` in the request is ignored.
  const outcome = store.enroll(
    {
      userId: user.id,
      courseId: course.id,
      reEnrollIfCompleted: isTrueFlag(fields.re_enroll_if_completed),
      dueDate: optionalDate(fields, "due_date"),
      expiresAt: optionalDate(fields, options.enrollmentExpiryField),
    },
    options,
  );
  if (!outcome.ok) {
    return outcome.problem === "course_not_enrollable"
      ? fail(400, "internal error, please try again")
      : fail(options.duplicateEnrollmentStatus, "User is already enrolled in this course");
  }
  const enrollment = outcome.value;
  return ok({ id: enrollment.id, created_at: enrollment.date_enrolled, user_id: enrollment.user_id });
}

/** The user by email, username or (when accepted) user_id, in that order (contract §4.16). */
function enrollee(store: PortalStore, options: PortalOptions, fields: JsonObject): UserRecord {
  const email = optionalText(fields, "email");
  const username = optionalText(fields, "username");
  const userId = options.acceptEnrollmentUserId ? optionalInteger(fields, "user_id") : undefined;
  let user: UserRecord | undefined;
  if (email !== undefined) user = store.findUserByEmail(email, options.searchEmailCaseInsensitive);
  else if (username !== undefined) user = store.findUserByUsername(username, options.searchEmailCaseInsensitive);
  else if (userId !== undefined) user = store.users.get(userId);
  else throw reject(400, "An email or username is required");
  if (!user) throw reject(404, "User not found");
  return user;
}

function enrollmentCourse(store: PortalStore, fields: JsonObject): CourseRecord {
  const courseId = optionalInteger(fields, "course_id");
  const courseName = optionalText(fields, "course_name");
  let course: CourseRecord | undefined;
  if (courseId !== undefined) course = store.courses.get(courseId);
  else if (courseName !== undefined) course = store.list(store.courses).find((candidate) => candidate.name === courseName);
  else throw reject(400, "A course_id or course_name is required");
  if (!course) throw reject(404, "Course not found");
  return course;
}

export function searchEnrollments(portal: Portal, call: ApiCall): Reply {
  const { store, options } = portal;
  const query = call.query;
  let enrollments = store.list(store.enrollments);
  const userId = query.get("user_id");
  if (userId !== null) enrollments = enrollments.filter((enrollment) => enrollment.user_id === Number(userId));
  const email = query.get("email");
  if (email !== null) {
    const user = store.findUserByEmail(email, options.searchEmailCaseInsensitive);
    enrollments = enrollments.filter((enrollment) => enrollment.user_id === user?.id);
  }
  const username = query.get("username");
  if (username !== null) {
    const user = store.findUserByUsername(username, options.searchEmailCaseInsensitive);
    enrollments = enrollments.filter((enrollment) => enrollment.user_id === user?.id);
  }
  const courseId = query.get("course_id");
  if (courseId !== null) enrollments = enrollments.filter((enrollment) => enrollment.course_id === Number(courseId));
  const courseName = query.get("course_name");
  if (courseName !== null) {
    enrollments = enrollments.filter((enrollment) => store.courses.get(enrollment.course_id)?.name === courseName);
  }
  const dateFrom = query.get("date_from");
  if (dateFrom !== null) enrollments = enrollments.filter((enrollment) => enrollment.date_enrolled.slice(0, 10) >= dateFrom);
  const dateTo = query.get("date_to");
  if (dateTo !== null) enrollments = enrollments.filter((enrollment) => enrollment.date_enrolled.slice(0, 10) <= dateTo);
  // contract §1.6: anything else, such as `group_id`, is ignored.
  return paged(portal, call, "enrollments", enrollments, (enrollment) => enrollmentView(store, enrollment, options));
}

export function listAllEnrollments(portal: Portal, call: ApiCall): Reply {
  const { store, options } = portal;
  // contract §4.10: one production portal answered every plain GET /enrollments with 401.
  if (options.enrollmentsListUnauthorized) return { status: 401, body: options.unauthorizedBody };
  return paged(portal, call, "enrollments", store.list(store.enrollments), (enrollment) => enrollmentView(store, enrollment, options));
}

export function getEnrollment({ store, options }: Portal, call: ApiCall): Reply {
  const enrollment = store.enrollments.get(pathId(call));
  if (!enrollment) return fail(404, "Enrollment not found");
  return ok({ enrollments: [enrollmentView(store, enrollment, options)] });
}

export function patchEnrollment({ store, options }: Portal, call: ApiCall): Reply {
  const enrollment = store.enrollments.get(pathId(call));
  if (!enrollment) return fail(404, "Enrollment not found");
  const body = call.body ?? {};
  // contract §4.4: a wrapped body, `status` and `percentage` are all silently ignored, and so is
  // the expiry under the field name this portal does not use.
  if (body.Enrollment === undefined) {
    const dueDate = optionalDate(body, "due_date");
    const expiresAt = optionalDate(body, options.enrollmentExpiryField);
    if (dueDate !== undefined || expiresAt !== undefined) {
      store.updateEnrollmentDates(enrollment, {
        ...(dueDate === undefined ? {} : { due_date: dueDate }),
        ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
      });
    }
  }
  return ok({ success: "ok" });
}

export function deleteEnrollment({ store }: Portal, call: ApiCall): Reply {
  const enrollment = store.enrollments.get(pathId(call));
  if (!enrollment) return fail(404, "Enrollment not found");
  const flag = call.body?.remove_from_history;
  // contract §4.5: only the string "true" works; the boolean gets a misleading 400.
  if (isFinished(enrollment.status) && flag === true) {
    return fail(400, "invalid deletion request, failed to find the enrollment");
  }
  // contract §4.17: without the flag a finished enrollment stays, and the answer is still 200.
  store.unenroll(enrollment, flag === "true");
  return ok({ success: "ok" });
}
