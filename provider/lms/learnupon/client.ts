/**
 * The LearnUpon backend of the LMS seam: `LmsClient` over the LearnUpon wire client.
 *
 * Each method is one call of the wire client (so the same HTTP requests, in the same order, as
 * calling it directly); records go through the field table in `fields.ts`. Ids are text in the
 * seam and numbers on the wire: they are converted here and nowhere else.
 * @module
 */
import type { LearnUponClient } from "../../client/index.js";
import type { LmsClient, LmsEnrollment, LmsId } from "../model.js";
import { lmsEnrollmentOf, lmsUserOf, userAfterChanges, wireFieldsForPost, wireFieldsForPut } from "./fields.js";

/**
 * A seam id as LearnUpon's number; anything else is a bug upstream, refused before it reaches a URL.
 * Methods that take ids are `async`, so a refusal is a rejection like any other failure.
 */
function wireId(id: LmsId, what: string): number {
  const number = Number(id);
  if (!Number.isSafeInteger(number) || number <= 0) throw new TypeError(`${what} must be a LearnUpon id (a positive integer), got "${id}"`);
  return number;
}

export function learnUponLms(client: LearnUponClient): LmsClient {
  return {
    apiBaseUrl: client.apiBaseUrl,
    // State written before the seam holds LearnUpon's ids as numbers: keep writing them so.
    stateId: (id) => wireId(id, "id"),

    users: {
      async *list() {
        for await (const user of client.users.list()) yield lmsUserOf(user);
      },

      async findByEmail(email) {
        const user = await client.users.searchByEmail(email);
        return user && lmsUserOf(user);
      },

      async create({ password, ...fields }) {
        const id = await client.users.create({ ...wireFieldsForPost(fields), ...(password !== undefined && { password }) });
        return String(id);
      },

      async update(user, changes) {
        const fields = wireFieldsForPut(changes);
        // Nothing to write is not worth a request.
        if (Object.keys(fields).length > 0) await client.users.update(wireId(user.id, "user id"), fields);
        return userAfterChanges(user, changes);
      },

      async delete(id) {
        return client.users.delete(wireId(id, "user id"));
      },

      async customFieldLabels() {
        return (await client.users.customFields()).map((field) => field.label);
      },
    },

    memberships: {
      async *listByGroup(groupId) {
        for await (const member of client.groupMemberships.listByGroup(wireId(groupId, "group id"))) yield String(member.userId);
      },

      async isMember(groupId, userId) {
        return client.groupMemberships.isMember(wireId(groupId, "group id"), wireId(userId, "user id"));
      },

      async *groupsOf(userId) {
        for await (const group of client.groupMemberships.listByUser(wireId(userId, "user id"))) {
          yield { id: String(group.id), ...(group.title != null && { title: group.title }) };
        }
      },

      async add({ groupId, userId, processEnrollments }) {
        // "Already a member" comes back as a result, not an error: done either way.
        await client.groupMemberships.create({ groupId: wireId(groupId, "group id"), userId: wireId(userId, "user id"), processEnrollments });
      },

      async remove({ groupId, userId }) {
        // `false` (already gone) is done too.
        await client.groupMemberships.delete({ groupId: wireId(groupId, "group id"), userId: wireId(userId, "user id") });
      },
    },

    enrollments: {
      async *listByCourse(courseId) {
        for await (const enrollment of client.enrollments.searchByCourse(wireId(courseId, "course id"))) yield lmsEnrollmentOf(enrollment);
      },

      async *listByUser(userId) {
        for await (const enrollment of client.enrollments.searchByUser(wireId(userId, "user id"))) {
          yield { ...lmsEnrollmentOf(enrollment), ...(enrollment.course_name != null && { courseName: enrollment.course_name }) };
        }
      },

      async find(userId, courseId) {
        const enrollment = await client.enrollments.find({ userId: wireId(userId, "user id"), courseId: wireId(courseId, "course id") });
        return enrollment && lmsEnrollmentOf(enrollment);
      },

      async create({ user, courseId, dueDate, expiresAt }) {
        // The email is LearnUpon's documented way to name the learner; the user id works where there is none.
        const learner = user.email ? { email: user.email } : { userId: wireId(user.id, "user id") };
        const course = wireId(courseId, "course id");
        const dates = { ...(dueDate !== undefined && { dueDate }), ...(expiresAt !== undefined && { expiresAt }) };
        const result = await client.enrollments.create({ ...learner, courseId: course, ...dates });
        if ("alreadyEnrolled" in result) return { created: false, enrollment: lmsEnrollmentOf(result.enrollment) };
        // The POST answers only the id; the wire client has checked the portal took the dates.
        const enrollment: LmsEnrollment = { id: String(result.id), userId: user.id, courseId: String(course), status: "not_started", progress: 0, ...dates };
        return { created: true, enrollment };
      },

      async updateDates(id, dates) {
        await client.enrollments.update(wireId(id, "enrollment id"), dates);
      },

      async delete(id, { removeHistory }) {
        return client.enrollments.delete(wireId(id, "enrollment id"), { removeFromHistory: removeHistory });
      },
    },

    catalog: {
      async groupByTitle(title) {
        const group = await client.groups.findByTitle(title);
        return group && { id: String(group.id), title: group.title };
      },

      async courseByName(name) {
        const course = await client.courses.findByName(name);
        return course && { id: String(course.id), name: course.name };
      },

      async groupById(id) {
        const group = await client.groups.findById(wireId(id, "group id"));
        return group && { id: String(group.id), title: group.title };
      },

      async courseById(id) {
        const course = await client.courses.findById(wireId(id, "course id"));
        return course && { id: String(course.id), name: course.name };
      },
    },

    close: () => client.close(),
  };
}
