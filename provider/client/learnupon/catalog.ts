/**
 * Read-only look-ups of groups and courses (contract §2.4, §2.5), which resources reference by id
 * or by name. Each answer is cached for the life of the client (one `pulumi` run), so a thousand
 * enrollments in one course cost one look-up. Failures are not cached.
 *
 * | method                 | call                                             | re-check on our side |
 * |------------------------|--------------------------------------------------|----------------------|
 * | `groups.findById`      | `GET /groups` pages (no documented get-by-id)    | `id` equal           |
 * | `groups.findByTitle`   | `GET /groups?title=`                             | `title` exactly equal |
 * | `courses.findById`     | `GET /courses?course_id=` (`/courses/{id}` is 404, §2.5) | `id` equal   |
 * | `courses.findByName`   | `GET /courses?name=` (a case-insensitive pattern) | `name` exactly equal, case-sensitive |
 *
 * The re-checks matter: an ignored filter returns everything (§1.6). Only published courses are
 * listed, so a draft is "not found". A name or title that two of them share throws
 * `AmbiguousNameError` with their ids: picking one would enroll people in a course nobody chose.
 * @module
 */
import type { LearnUponRequests } from "./requests.js";
import { AmbiguousNameError } from "../errors.js";
import { learnUponSchemas, type LearnUponCourse, type LearnUponGroup } from "./schemas.js";

export interface GroupsApi {
  findById(id: number): Promise<LearnUponGroup | undefined>;
  /** The group with exactly this title; `AmbiguousNameError` when several have it. */
  findByTitle(title: string): Promise<LearnUponGroup | undefined>;
}

export interface CoursesApi {
  findById(id: number): Promise<LearnUponCourse | undefined>;
  /** The published course with exactly this name; `AmbiguousNameError` when several have it. */
  findByName(name: string): Promise<LearnUponCourse | undefined>;
}

/** Several groups share a title, or several published courses a name. */
export function createCatalogApi(requests: LearnUponRequests): { groups: GroupsApi; courses: CoursesApi } {
  const schemas = learnUponSchemas();
  const cache = new Map<string, Promise<unknown>>();

  /** Runs `lookUp` once per key; concurrent callers share the same promise. */
  function cached<T>(key: string, lookUp: () => Promise<T>): Promise<T> {
    let entry = cache.get(key) as Promise<T> | undefined;
    if (!entry) {
      entry = lookUp();
      cache.set(key, entry);
      entry.catch(() => cache.delete(key));
    }
    return entry;
  }

  /** The first item the predicate accepts; stops fetching pages once found. */
  async function first<T>(items: AsyncIterable<T>, accept: (item: T) => boolean): Promise<T | undefined> {
    for await (const item of items) {
      if (accept(item)) return item;
    }
    return undefined;
  }

  /** Every item the predicate accepts: a name search reads all its pages to see whether the name is shared. */
  async function all<T>(items: AsyncIterable<T>, accept: (item: T) => boolean): Promise<T[]> {
    const accepted: T[] = [];
    for await (const item of items) {
      if (accept(item)) accepted.push(item);
    }
    return accepted;
  }

  /** The one match, none, or `AmbiguousNameError`. The matches are cached, so the error costs no further call. */
  async function onlyOne<T extends { id: number }>(kind: "group" | "course", named: string, matches: Promise<T[]>): Promise<T | undefined> {
    const found = await matches;
    const what = kind === "group" ? "LearnUpon groups are titled" : "published LearnUpon courses are named";
    if (found.length > 1) throw new AmbiguousNameError(kind, named, found.map((item) => item.id), what);
    return found[0];
  }

  const groups = (query: { title?: string }) =>
    requests.listAll({ path: "/groups", query, endpoint: "GET /groups", schema: schemas.groupList, items: (body) => body.groups });
  const courses = (query: { course_id: number } | { name: string }) =>
    requests.listAll({ path: "/courses", query, endpoint: "GET /courses", schema: schemas.courseList, items: (body) => body.courses });

  return {
    groups: {
      findById: (id) => cached(`group-id:${id}`, () => first(groups({}), (group) => group.id === id)),
      findByTitle: (title) =>
        onlyOne("group", title, cached(`group-title:${title}`, () => all(groups({ title }), (group) => group.title === title))),
    },
    courses: {
      findById: (id) => cached(`course-id:${id}`, () => first(courses({ course_id: id }), (course) => course.id === id)),
      findByName: (name) =>
        onlyOne("course", name, cached(`course-name:${name}`, () => all(courses({ name }), (course) => course.name === name))),
    },
  };
}
