/**
 * LearnUpon enrollments, the link between a user and a course (contract §2.2):
 *
 * | method                     | call                                                            |
 * |----------------------------|-----------------------------------------------------------------|
 * | `searchByUser/Course/Email`| `GET /enrollments/search?user_id=` (or `course_id=`, `email=`)  |
 * | `find`                     | a search, then the enrollment in that course                    |
 * | `get`                      | `GET /enrollments/{id}` (one-element `enrollments` array)       |
 * | `create`                   | `POST /enrollments` `{"Enrollment":{…}}` → `{"id":N}`           |
 * | `update`                   | `PATCH /enrollments/{id}` with an UNWRAPPED body                |
 * | `delete`                   | `DELETE /enrollments/{id}`, body `{"remove_from_history":"true"}` when asked |
 *
 * Every search result is re-checked on our side: an ignored filter returns everything (§1.6).
 * @module
 */
import { DuplicateError, ValidationError } from "../errors.js";
import {
  checkedBody,
  definedOnly,
  deleted,
  resourcePath,
  sameEmail,
  unlessNotFound,
  type LearnUponRequests,
} from "./requests.js";
import { learnUponSchemas, type LearnUponEnrollment } from "./schemas.js";

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
  /** Sets the given dates; the other fields of an enrollment cannot be changed this way. */
  update(id: number, dates: EnrollmentDates): Promise<void>;
  /**
   * Unenrolls. A completed enrollment is only removed with `removeFromHistory: true`; without it
   * LearnUpon answers 200 and keeps it (§2.2). `false` if the enrollment was already gone.
   */
  delete(id: number, options?: { removeFromHistory?: boolean | undefined }): Promise<boolean>;
}

export function createEnrollmentsApi(requests: LearnUponRequests): EnrollmentsApi {
  const schemas = learnUponSchemas();

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

  return {
    searchByUser,
    searchByCourse: (courseId) => search({ course_id: courseId }, (e) => e.course_id === courseId),
    searchByEmail,
    find,

    async get(id) {
      const request = { method: "GET", path: resourcePath("enrollments", id) } as const;
      const body = await unlessNotFound(requests.getJson(request, schemas.enrollmentList, "GET /enrollments/{id}"));
      // A deleted id may answer 404 or an empty array (§2.2).
      return body?.enrollments.find((enrollment) => enrollment.id === id);
    },

    async create(args) {
      const learner = "email" in args ? { email: args.email } : { user_id: args.userId };
      const enrollment = { ...learner, course_id: args.courseId, ...definedOnly({ due_date: args.dueDate, expires_at: args.expiresAt }) };
      const body = checkedBody(schemas.enrollmentCreate, { Enrollment: enrollment }, "POST /enrollments");
      try {
        const created = await requests.getJson(
          { method: "POST", path: "/enrollments", body },
          schemas.created,
          "POST /enrollments",
          { confirmNotApplied: async () => (await find(args)) === undefined },
        );
        return { id: created.id };
      } catch (error) {
        // LearnUpon's duplicate answer is a 4xx (422 by one client) whose text is not fixed (§2.2):
        // believe it only once a search shows the enrollment.
        if (error instanceof DuplicateError || (error instanceof ValidationError && error.status === 422)) {
          const existing = await find(args);
          if (existing) return { alreadyEnrolled: true, enrollment: existing };
        }
        throw error;
      }
    },

    async update(id, dates) {
      const fields = definedOnly({ due_date: dates.dueDate, expires_at: dates.expiresAt });
      if (Object.keys(fields).length === 0) return;
      const body = checkedBody(schemas.enrollmentUpdate, fields, "PATCH /enrollments/{id}");
      await requests.send({ method: "PATCH", path: resourcePath("enrollments", id), body });
    },

    async delete(id, options = {}) {
      const request = { method: "DELETE", path: resourcePath("enrollments", id) } as const;
      if (!options.removeFromHistory) return deleted(requests.send(request));
      const body = checkedBody(schemas.enrollmentDelete, { remove_from_history: "true" }, "DELETE /enrollments/{id}");
      return deleted(requests.send({ ...request, body }));
    },
  };
}
