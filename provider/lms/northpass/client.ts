/**
 * The Northpass backend of the LMS seam: `LmsClient` over the Northpass wire client.
 *
 * What differs from an LMS with a documented deactivation call:
 * - `enabled` is written through `PATCH … deactivated`, which no Northpass document describes,
 *   so every (de)activation is read back. A deactivation the school does not show fails, naming
 *   the person, and nothing is recorded as removed. Only when the stack opts in
 *   (`northpass:unconfirmedDeactivation: removeFromGroups`) is the person instead taken out of
 *   every group the stack manages, which ends the course access those groups gave.
 * - `create` is create-or-adopt in one call: Northpass answers a known email with the existing
 *   person, who is then brought to the declared fields.
 * - Enrollments are read only: course access comes from groups. Writing one throws; the
 *   backend's capabilities refuse an Enrollment at preview before it gets here.
 * @module
 */
import { AmbiguousNameError, collect } from "../../client/index.js";
import type { NorthpassClient } from "../../client/northpass/client.js";
import type { NorthpassCourse, NorthpassGroup } from "../../client/northpass/schemas.js";
import type { LmsClient, LmsEnrollment, LmsId, LmsUser, UserChanges } from "../model.js";
import { lmsEnrollmentOf, lmsUserOf, personAttributesFor, userAfterChanges } from "./fields.js";

/** What to do when Northpass does not show a person as deactivated after being asked to. */
export const UNCONFIRMED_DEACTIVATION_POLICIES = ["fail", "removeFromGroups"] as const;
export type UnconfirmedDeactivationPolicy = (typeof UNCONFIRMED_DEACTIVATION_POLICIES)[number];

export interface NorthpassLmsOptions {
  /** @default "fail" */
  unconfirmedDeactivation?: UnconfirmedDeactivationPolicy;
  /** Where the fallback reports what it did. @default console.log */
  log?: (line: string) => void;
}

export const ENROLLMENTS_UNSUPPORTED =
  "Northpass has no API call that enrols one person in one course: course access comes from groups. " +
  "Assign the course to a group in Northpass and declare a GroupMembership in that group instead";

/** Who a message is about: the email and the Northpass id, never anything secret. */
function describePerson(user: Pick<LmsUser, "id" | "email">): string {
  return `${user.email ?? "(no email)"} (Northpass person ${user.id})`;
}

export function northpassLms(client: NorthpassClient, options: NorthpassLmsOptions = {}): LmsClient {
  const policy = options.unconfirmedDeactivation ?? "fail";
  const log = options.log ?? ((line: string) => console.log(line));
  /** The groups this run's resources touched: "the groups the stack manages", for the fallback. */
  const managedGroups = new Set<LmsId>();
  const managing = (groupId: LmsId) => {
    managedGroups.add(groupId);
    return groupId;
  };
  /**
   * Group and course look-ups by name, once per name per run: every membership of a group names
   * it, and the roster never creates or renames groups, so the first answer holds for the run.
   */
  const byName = <T>(cache: Map<string, Promise<T>>, name: string, lookUp: () => Promise<T>): Promise<T> => {
    let pending = cache.get(name);
    if (!pending) {
      pending = lookUp().catch((error: unknown) => {
        cache.delete(name); // a failure is not remembered: the next caller asks again
        throw error;
      });
      cache.set(name, pending);
    }
    return pending;
  };
  const groupsNamed = new Map<string, Promise<NorthpassGroup[]>>();
  const coursesNamed = new Map<string, Promise<NorthpassCourse[]>>();

  /**
   * No per-person listing of groups or enrollments is documented, so asking for one person's
   * means listing every group's members (or every course's enrollments): done once and kept, for
   * readers such as `dump` that ask person by person. A membership change drops the group index.
   */
  let groupIndex: Promise<Map<LmsId, Array<{ id: LmsId; title: string }>>> | undefined;
  let enrollmentIndex: Promise<Map<LmsId, LmsEnrollment[]>> | undefined;

  function groupsByPerson(): Promise<Map<LmsId, Array<{ id: LmsId; title: string }>>> {
    groupIndex ??= (async () => {
      const index = new Map<LmsId, Array<{ id: LmsId; title: string }>>();
      for (const group of await collect(client.groups.list())) {
        for await (const member of client.memberships.list(group.id)) index.set(member, [...(index.get(member) ?? []), { id: group.id, title: group.attributes.name }]);
      }
      return index;
    })().catch((error: unknown) => {
      groupIndex = undefined;
      throw error;
    });
    return groupIndex;
  }

  function enrollmentsByPerson(): Promise<Map<LmsId, LmsEnrollment[]>> {
    enrollmentIndex ??= (async () => {
      const index = new Map<LmsId, LmsEnrollment[]>();
      for (const course of await collect(client.courses.list())) {
        for await (const wire of client.courses.enrollments(course.id)) {
          const enrollment = { ...lmsEnrollmentOf(course.id, wire), courseName: course.attributes.name };
          index.set(enrollment.userId, [...(index.get(enrollment.userId) ?? []), enrollment]);
        }
      }
      return index;
    })().catch((error: unknown) => {
      enrollmentIndex = undefined;
      throw error;
    });
    return enrollmentIndex;
  }

  async function removeFromManagedGroups(user: LmsUser): Promise<string[]> {
    const left: string[] = [];
    for (const groupId of managedGroups) {
      if (!(await client.memberships.isMember(groupId, user.id))) continue;
      await client.memberships.remove(groupId, user.id);
      left.push(groupId);
    }
    return left;
  }

  /** Asks for `enabled` and checks the school shows it; the person as read back. */
  async function setEnabled(user: LmsUser, enabled: boolean): Promise<LmsUser> {
    const { person, confirmed } = await client.people.setDeactivated(user.id, !enabled);
    const readBack = person ? lmsUserOf(person) : user;
    if (confirmed) return readBack;
    const who = describePerson(user);
    if (enabled) {
      throw new Error(`Northpass did not confirm the reactivation of ${who}: the person still reads as deactivated. Reactivate them in Northpass, then run again`);
    }
    if (policy === "removeFromGroups") {
      const left = await removeFromManagedGroups(user);
      log(
        `Northpass did not confirm the deactivation of ${who}; removed them from ${left.length} group(s) this stack manages ` +
          `instead (northpass:unconfirmedDeactivation removeFromGroups). Their account stays active, with any course assigned to them in the Northpass UI`,
      );
      return readBack;
    }
    throw new Error(
      `Northpass did not confirm the deactivation of ${who}: the person still reads as active after the deactivation call, so they are not recorded as removed. ` +
        `Deactivate them in Northpass by hand, or choose another removal: northpass:userRemoval retain or delete, ` +
        `or northpass:unconfirmedDeactivation removeFromGroups (takes them out of this stack's groups)`,
    );
  }

  async function update(user: LmsUser, changes: UserChanges): Promise<LmsUser> {
    await client.people.update(user.id, personAttributesFor(changes));
    const after = userAfterChanges(user, changes);
    if (changes.enabled === undefined || changes.enabled === user.enabled) return after;
    const readBack = await setEnabled(after, changes.enabled);
    return { ...after, enabled: readBack.enabled };
  }

  return {
    apiBaseUrl: client.apiBaseUrl,
    // Northpass ids are opaque text (UUIDs), kept in state as they are.
    stateId: (id) => id,

    users: {
      async *list() {
        for await (const person of client.people.list()) yield lmsUserOf(person);
      },

      async findByEmail(email) {
        const person = await client.people.findByEmail(email);
        return person && lmsUserOf(person);
      },

      async create({ password: _noPasswords, ...fields }) {
        const email = fields.email;
        if (email === undefined) throw new TypeError("a Northpass person needs an email");
        const person = await client.people.create({ email, ...personAttributesFor(fields) });
        // A known email answers the person as they were: bring them to what was asked for.
        const found = lmsUserOf(person);
        const differing: UserChanges = {};
        if (fields.firstName !== undefined && fields.firstName !== found.firstName) differing.firstName = fields.firstName;
        if (fields.lastName !== undefined && fields.lastName !== found.lastName) differing.lastName = fields.lastName;
        const enabled = fields.enabled ?? true;
        if (enabled !== found.enabled) differing.enabled = enabled;
        if (Object.keys(differing).length > 0) await update(found, differing);
        return person.id;
      },

      update,

      async delete(id) {
        return client.people.delete(id);
      },

      // Northpass people carry no custom fields the API documents.
      customFieldLabels: () => Promise.resolve([]),
    },

    memberships: {
      listByGroup: (groupId) => client.memberships.list(managing(groupId)),
      isMember: (groupId, userId) => client.memberships.isMember(managing(groupId), userId),
      async *groupsOf(userId) {
        yield* (await groupsByPerson()).get(userId) ?? [];
      },
      // Course access follows the group in Northpass: there is no separate "process enrollments".
      async add({ groupId, userId }) {
        await client.memberships.add(managing(groupId), userId);
        groupIndex = undefined; // the next `groupsOf` lists afresh
      },
      async remove({ groupId, userId }) {
        await client.memberships.remove(managing(groupId), userId);
        groupIndex = undefined;
      },
    },

    enrollments: {
      async *listByCourse(courseId) {
        for await (const enrollment of client.courses.enrollments(courseId)) yield lmsEnrollmentOf(courseId, enrollment);
      },
      async *listByUser(userId) {
        yield* (await enrollmentsByPerson()).get(userId) ?? [];
      },
      async find(userId, courseId) {
        for await (const enrollment of client.courses.enrollments(courseId)) {
          if (enrollment.attributes.person_id === userId) return lmsEnrollmentOf(courseId, enrollment);
        }
        return undefined;
      },
      create: () => Promise.reject(new Error(ENROLLMENTS_UNSUPPORTED)),
      updateDates: () => Promise.reject(new Error(ENROLLMENTS_UNSUPPORTED)),
      delete: () => Promise.reject(new Error(ENROLLMENTS_UNSUPPORTED)),
    },

    catalog: {
      async groupByTitle(title) {
        const groups = await byName(groupsNamed, title, () => client.groups.findByName(title));
        if (groups.length > 1) throw new AmbiguousNameError("group", title, groups.map((group) => group.id), "Northpass groups are named");
        const group = groups[0];
        return group && { id: managing(group.id), title: group.attributes.name };
      },
      async courseByName(name) {
        const courses = await byName(coursesNamed, name, () => client.courses.findByName(name));
        if (courses.length > 1) throw new AmbiguousNameError("course", name, courses.map((course) => course.id), "Northpass courses are named");
        const course = courses[0];
        return course && { id: course.id, name: course.attributes.name };
      },
      async groupById(id) {
        const group = await client.groups.get(id);
        return group && { id: managing(group.id), title: group.attributes.name };
      },
      async courseById(id) {
        const course = await client.courses.get(id);
        return course && { id: course.id, name: course.attributes.name };
      },
    },

    close: () => client.close(),
  };
}
