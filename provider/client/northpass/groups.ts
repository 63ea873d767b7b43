/**
 * Northpass groups, their members, and courses (docs/northpass-api-notes.md, §Groups, §Memberships,
 * §Courses):
 *
 * | method                  | call                                                          |
 * |-------------------------|---------------------------------------------------------------|
 * | `groups.list`           | `GET /groups?page=N&limit=100`                                |
 * | `groups.findByName`     | `GET /groups?filter[name][eq]=`, exact name re-checked here   |
 * | `groups.get`            | `GET /groups/{id}`                                            |
 * | `memberships.list`      | `GET /groups/{id}/memberships`: the person at `relationships.person.data.id` |
 * | `memberships.add`       | `POST /groups/{id}/relationships/people` `{"data":[{type,id}]}` |
 * | `memberships.remove`    | `DELETE /groups/{id}/relationships/people`, same body         |
 * | `courses.list`          | `GET /courses?page=N&limit=100`                               |
 * | `courses.findByName`    | `GET /courses?filter[name][eq]=`, exact name re-checked here  |
 * | `courses.get`           | `GET /courses/{id}`                                           |
 * | `courses.enrollments`   | `GET /courses/{id}/enrollments` (read only: access comes from groups) |
 * @module
 */
import { DuplicateError, ValidationError } from "../errors.js";
import { identifiers, resourcePath, unlessNotFound, type NorthpassRequests } from "./requests.js";
import { northpassSchemas, type NorthpassCourse, type NorthpassEnrollment, type NorthpassGroup } from "./schemas.js";

export interface GroupsApi {
  list(): AsyncGenerator<NorthpassGroup, void, undefined>;
  /** Every group named exactly `name` (a bare `filter[name]` would be a substring match). */
  findByName(name: string): Promise<NorthpassGroup[]>;
  get(id: string): Promise<NorthpassGroup | undefined>;
}

export interface MembershipsApi {
  /** The ids of the group's members. */
  list(groupId: string): AsyncGenerator<string, void, undefined>;
  isMember(groupId: string, personId: string): Promise<boolean>;
  /** "Already a member" is done: a 2xx, or a 422 after a read shows the person in the group. */
  add(groupId: string, personId: string): Promise<void>;
  /** Removing a non-member is done too. */
  remove(groupId: string, personId: string): Promise<void>;
}

export interface CoursesApi {
  list(): AsyncGenerator<NorthpassCourse, void, undefined>;
  findByName(name: string): Promise<NorthpassCourse[]>;
  get(id: string): Promise<NorthpassCourse | undefined>;
  enrollments(courseId: string): AsyncGenerator<NorthpassEnrollment, void, undefined>;
}

export function createGroupsApi(requests: NorthpassRequests): { groups: GroupsApi; memberships: MembershipsApi; courses: CoursesApi } {
  const schemas = northpassSchemas();

  async function* members(groupId: string): AsyncGenerator<string, void, undefined> {
    const items = requests.listAll({ path: resourcePath("groups", groupId, "memberships"), endpoint: "GET /groups/{id}/memberships", schema: schemas.membershipList });
    for await (const membership of items) yield membership.relationships.person.data.id;
  }

  async function isMember(groupId: string, personId: string): Promise<boolean> {
    for await (const member of members(groupId)) if (member === personId) return true;
    return false;
  }

  const peopleOf = (groupId: string) => resourcePath("groups", groupId, "relationships", "people");

  return {
    groups: {
      list: () => requests.listAll({ path: "/groups", endpoint: "GET /groups", schema: schemas.groupList }),
      async findByName(name) {
        const items = requests.listAll({ path: "/groups", query: { "filter[name][eq]": name }, endpoint: "GET /groups?filter[name][eq]", schema: schemas.groupList });
        const named: NorthpassGroup[] = [];
        for await (const group of items) if (group.attributes.name === name) named.push(group);
        return named;
      },
      async get(id) {
        return (await unlessNotFound(requests.getJson({ method: "GET", path: resourcePath("groups", id) }, schemas.oneGroup, "GET /groups/{id}")))?.data;
      },
    },

    memberships: {
      list: members,
      isMember,
      async add(groupId, personId) {
        try {
          // Adding is idempotent, so a failed POST may be repeated once a read shows it did not land.
          const confirmNotApplied = async () => !(await isMember(groupId, personId));
          await requests.send({ method: "POST", path: peopleOf(groupId), body: identifiers("people", [personId]) }, { confirmNotApplied });
        } catch (error) {
          // Some schools answer 422 for someone already in the group (notes, §Memberships): done, once a read shows it.
          if ((error instanceof ValidationError || error instanceof DuplicateError) && (await isMember(groupId, personId))) return;
          throw error;
        }
      },
      async remove(groupId, personId) {
        await requests.send({ method: "DELETE", path: peopleOf(groupId), body: identifiers("people", [personId]) });
      },
    },

    courses: {
      list: () => requests.listAll({ path: "/courses", endpoint: "GET /courses", schema: schemas.courseList }),
      async findByName(name) {
        const items = requests.listAll({ path: "/courses", query: { "filter[name][eq]": name }, endpoint: "GET /courses?filter[name][eq]", schema: schemas.courseList });
        const named: NorthpassCourse[] = [];
        for await (const course of items) if (course.attributes.name === name) named.push(course);
        return named;
      },
      async get(id) {
        return (await unlessNotFound(requests.getJson({ method: "GET", path: resourcePath("courses", id) }, schemas.oneCourse, "GET /courses/{id}")))?.data;
      },
      enrollments: (courseId) =>
        requests.listAll({ path: resourcePath("courses", courseId, "enrollments"), endpoint: "GET /courses/{id}/enrollments", schema: schemas.enrollmentList }),
    },
  };
}
