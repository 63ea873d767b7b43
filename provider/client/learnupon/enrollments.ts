/**
 * LearnUpon enrollments, the link between a user and a course (docs/learnupon-api-notes.md):
 *
 * | method                     | call                                                            |
 * |----------------------------|-----------------------------------------------------------------|
 * | `searchByUser/Course/Email`| `GET /enrollments/search?user_id=` (or `course_id=`, `email=`)  |
 * | `find`                     | a search, then the enrollment in that course                    |
 * | `get`                      | `GET /enrollments/{id}` (one-element `enrollments` array)       |
 * | `create`                   | `POST /enrollments` `{"Enrollment":{…}}` → `{"id":N}`, then the dates checked |
 * | `update`                   | `PATCH /enrollments/{id}` with an UNWRAPPED body, then read back  |
 * | `delete`                   | `DELETE /enrollments/{id}`, body `{"remove_from_history":"true"}` when asked |
 *
 * Every search result is re-checked on our side: an ignored filter returns everything.
 *
 * Dates: the portal answers `due_date` and `course_access_expires_at` as date-times or as dates;
 * `enrollmentDates()` reads them as `YYYY-MM-DD` days. A write answers `{"success":"ok"}` whether or
 * not a field was taken, and the expiry's field name is unsettled (`expires_at` or `expiry_date`).
 * So every write of dates is read back once: an expiry the portal did not take is sent again under
 * the other name, the name that worked is used first for the rest of the run, and a date the
 * portal still does not show is an error, never reported as done.
 * @module
 */
import { DuplicateError, ValidationError } from "../errors.js";
import { sameEmail } from "../email.js";
import {
  checkedBody,
  definedOnly,
  deleted,
  resourcePath,
  unlessNotFound,
  type LearnUponRequests,
} from "./requests.js";
import { calendarDate, learnUponSchemas, type LearnUponEnrollment } from "./schemas.js";

/** Who is enrolled: by email (the documented identifier) or by user id (accepted in practice, §2.2). */
export type EnrollmentLearner = { email: string } | { userId: number };

export type EnrollmentCreateArgs = EnrollmentLearner & {
  courseId: number;
  /** `YYYY-MM-DD`. */
  dueDate?: string | undefined;
  /** `YYYY-MM-DD`. */
  expiresAt?: string | undefined;
};

/** The new enrollment's id, or the enrollment found when the learner was already enrolled (for example through a group). */
export type EnrollmentCreateResult = { id: number } | { alreadyEnrolled: true; enrollment: LearnUponEnrollment };

/** New dates for `update`; fields left out are not sent. */
export interface EnrollmentDates {
  /** `YYYY-MM-DD`. */
  dueDate?: string | undefined;
  /** `YYYY-MM-DD`. */
  expiresAt?: string | undefined;
}

/** The enrollment's due and expiry days as `YYYY-MM-DD`, whatever precision the portal wrote them in. */
export function enrollmentDates(enrollment: LearnUponEnrollment): EnrollmentDates {
  return { dueDate: calendarDate(enrollment.due_date), expiresAt: calendarDate(enrollment.course_access_expires_at) };
}

/** The two names an enrollment's expiry may be sent under; the guide's table gives the first. */
type ExpiryField = "expires_at" | "expiry_date";
const OTHER_EXPIRY_FIELD: Record<ExpiryField, ExpiryField> = { expires_at: "expiry_date", expiry_date: "expires_at" };

/** The dates in wire names, the expiry under `expiryField`; dates left out are not sent. */
function dateFields(dates: EnrollmentDates, expiryField: ExpiryField): Partial<Record<"due_date" | ExpiryField, string>> {
  const fields: Partial<Record<"due_date" | ExpiryField, string>> = {};
  if (dates.dueDate !== undefined) fields.due_date = dates.dueDate;
  if (dates.expiresAt !== undefined) fields[expiryField] = dates.expiresAt;
  return fields;
}

/** The wanted dates the enrollment does not show. */
function datesNotTaken(wanted: EnrollmentDates, enrollment: LearnUponEnrollment | undefined): EnrollmentDates {
  const live = enrollment ? enrollmentDates(enrollment) : {};
  return definedOnly({
    dueDate: wanted.dueDate !== undefined && wanted.dueDate !== live.dueDate ? wanted.dueDate : undefined,
    expiresAt: wanted.expiresAt !== undefined && wanted.expiresAt !== live.expiresAt ? wanted.expiresAt : undefined,
  });
}

export interface EnrollmentsApi {
  searchByUser(userId: number): AsyncGenerator<LearnUponEnrollment, void, undefined>;
  searchByCourse(courseId: number): AsyncGenerator<LearnUponEnrollment, void, undefined>;
  searchByEmail(email: string): AsyncGenerator<LearnUponEnrollment, void, undefined>;
  /** The learner's enrollment in the course, or `undefined`. */
  find(args: EnrollmentLearner & { courseId: number }): Promise<LearnUponEnrollment | undefined>;
  get(id: number): Promise<LearnUponEnrollment | undefined>;
  /**
   * Enrolls the learner. A duplicate (422 or an "already" message) is confirmed by a search and
   * reported as `alreadyEnrolled`. A failed POST is repeated only after a search shows no enrollment.
   */
  create(args: EnrollmentCreateArgs): Promise<EnrollmentCreateResult>;
  /**
   * Sets the given dates, reads the enrollment back and retries an expiry under its other field
   * name; fails if the portal still does not show a date. Other fields cannot be changed this way.
   */
  update(id: number, dates: EnrollmentDates): Promise<void>;
  /**
   * Unenrolls. A completed enrollment is only removed with `removeFromHistory: true`; without it
   * LearnUpon answers 200 and keeps it (§2.2). `false` if the enrollment was already gone.
   */
  delete(id: number, options?: { removeFromHistory?: boolean | undefined }): Promise<boolean>;
}

export function createEnrollmentsApi(requests: LearnUponRequests): EnrollmentsApi {
  const schemas = learnUponSchemas();
  /** The expiry field name tried first; switched for the rest of the run once the other one works. */
  let expiryField: ExpiryField = "expires_at";

  async function* search(
    query: { user_id: number } | { course_id: number } | { email: string },
    matches: (enrollment: LearnUponEnrollment) => boolean,
  ): AsyncGenerator<LearnUponEnrollment, void, undefined> {
    const list = requests.listAll({
      path: "/enrollments/search",
      query,
      endpoint: "GET /enrollments/search",
      schema: schemas.enrollmentList,
      items: (body) => body.enrollments,
    });
    for await (const enrollment of list) {
      if (matches(enrollment)) yield enrollment;
    }
  }

  const searchByUser = (userId: number) => search({ user_id: userId }, (e) => e.user_id === userId);
  const searchByEmail = (email: string) => search({ email }, (e) => sameEmail(e.email, email));

  async function find(args: EnrollmentLearner & { courseId: number }): Promise<LearnUponEnrollment | undefined> {
    const enrollments = "email" in args ? searchByEmail(args.email) : searchByUser(args.userId);
    for await (const enrollment of enrollments) {
      if (enrollment.course_id === args.courseId) return enrollment;
    }
    return undefined;
  }

  async function get(id: number): Promise<LearnUponEnrollment | undefined> {
    const request = { method: "GET", path: resourcePath("enrollments", id) } as const;
    const body = await unlessNotFound(requests.getJson(request, schemas.enrollmentList, "GET /enrollments/{id}"));
    // A deleted id may answer 404 or an empty array.
    return body?.enrollments.find((enrollment) => enrollment.id === id);
  }

  async function patch(id: number, fields: Partial<Record<"due_date" | ExpiryField, string>>): Promise<void> {
    const body = checkedBody(schemas.enrollmentUpdate, fields, "PATCH /enrollments/{id}");
    await requests.send({ method: "PATCH", path: resourcePath("enrollments", id), body });
  }

  /** PATCHes the dates and makes sure the portal took them. */
  async function update(id: number, dates: EnrollmentDates): Promise<void> {
    const wanted = definedOnly({ dueDate: dates.dueDate, expiresAt: dates.expiresAt });
    if (Object.keys(wanted).length === 0) return;
    await patch(id, dateFields(wanted, expiryField));
    await confirmDates(id, wanted);
  }

  /**
   * Reads the enrollment back after a write of `wanted`. What it does not show is PATCHed once
   * more, the expiry under its other field name (which is kept for the run if it works); a date
   * still not shown then is an error.
   */
  async function confirmDates(id: number, wanted: EnrollmentDates): Promise<void> {
    const notTaken = datesNotTaken(wanted, await get(id));
    if (Object.keys(notTaken).length === 0) return;
    const alternative = OTHER_EXPIRY_FIELD[expiryField];
    await patch(id, dateFields(notTaken, alternative));
    const enrollment = await get(id);
    const stillNotTaken = datesNotTaken(wanted, enrollment);
    if (notTaken.expiresAt !== undefined && stillNotTaken.expiresAt === undefined) expiryField = alternative;
    if (Object.keys(stillNotTaken).length === 0) return;
    const shown = enrollment ? enrollmentDates(enrollment) : {};
    const problems = [
      ...(stillNotTaken.dueDate === undefined ? [] : [`due date ${stillNotTaken.dueDate} (it shows ${shown.dueDate ?? "none"})`]),
      ...(stillNotTaken.expiresAt === undefined
        ? []
        : [`expiry date ${stillNotTaken.expiresAt} (it shows ${shown.expiresAt ?? "none"}; sent as expires_at and as expiry_date)`]),
    ];
    throw new Error(`LearnUpon answered success but did not take the ${problems.join(" and the ")} for enrollment ${id}`);
  }

  return {
    searchByUser,
    searchByCourse: (courseId) => search({ course_id: courseId }, (e) => e.course_id === courseId),
    searchByEmail,
    find,

    get,

    async create(args) {
      const learner = "email" in args ? { email: args.email } : { user_id: args.userId };
      const wanted = definedOnly({ dueDate: args.dueDate, expiresAt: args.expiresAt });
      const enrollment = { ...learner, course_id: args.courseId, ...dateFields(wanted, expiryField) };
      const body = checkedBody(schemas.enrollmentCreate, { Enrollment: enrollment }, "POST /enrollments");
      let created: { id: number };
      try {
        created = await requests.getJson(
          { method: "POST", path: "/enrollments", body },
          schemas.created,
          "POST /enrollments",
          { confirmNotApplied: async () => (await find(args)) === undefined },
        );
      } catch (error) {
        // LearnUpon's duplicate answer is a 4xx (422 by one client) whose text is not fixed:
        // believe it only once a search shows the enrollment.
        if (error instanceof DuplicateError || (error instanceof ValidationError && error.status === 422)) {
          const existing = await find(args);
          if (existing) return { alreadyEnrolled: true, enrollment: existing };
        }
        throw error;
      }
      // The POST's answer does not say whether the dates were taken either.
      if (Object.keys(wanted).length > 0) await confirmDates(created.id, wanted);
      return { id: created.id };
    },

    update,

    async delete(id, options = {}) {
      const request = { method: "DELETE", path: resourcePath("enrollments", id) } as const;
      if (!options.removeFromHistory) return deleted(requests.send(request));
      const body = checkedBody(schemas.enrollmentDelete, { remove_from_history: "true" }, "DELETE /enrollments/{id}");
      return deleted(requests.send({ ...request, body }));
    },
  };
}
