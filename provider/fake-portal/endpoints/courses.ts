/**
 * `/courses`, read-only for provisioning (contract §2.5, §4.10, §4.18).
 * @module
 */
import { courseView } from "../views.js";
import { paged, type ApiCall, type Portal, type Reply } from "./kit.js";

export function listCourses(portal: Portal, call: ApiCall): Reply {
  const { store, options } = portal;
  // contract §4.10: drafts are invisible here, whatever the parameters.
  let courses = store.list(store.courses).filter((course) => course.published_status_id === "published");
  const courseId = call.query.get("course_id");
  if (courseId !== null) courses = courses.filter((course) => course.id === Number(courseId));
  const name = call.query.get("name");
  if (name !== null) courses = courses.filter((course) => course.name.toLowerCase().includes(name.toLowerCase()));
  // contract §1.6: `?id=` and `?reference_code=` are ignored and return every course.
  return paged(portal, call, "courses", courses, (course) => courseView(store, course, options.courseCountersStale));
}
