/**
 * The catalog: groups and the courses linked to them. Linking a course enrols the group's
 * members; unlinking it or deleting the group may take unstarted enrollments away
 * (contract §2.4, §4.20, §4.21). Courses themselves only come from seeding.
 * @module
 */
import type { PortalOptions } from "../options.js";
import { deleteUnstartedEnrollments, enroll } from "./enrollments.js";
import { membersOf, reachesGroupEnrollment, type GroupEnrollmentRules } from "./memberships.js";
import type { GroupCourseRecord, GroupRecord, Outcome, PortalData } from "./records.js";

type GroupTitleRules = Pick<PortalOptions, "rejectDuplicateGroupTitles">;

export function createGroup(
  data: PortalData,
  fields: { title: string; description: string },
  rules: GroupTitleRules,
): Outcome<GroupRecord, "title_taken"> {
  if (titleTaken(data, fields.title, undefined, rules)) return { ok: false, problem: "title_taken" };
  const at = data.timestamp();
  const group = data.groups.create({ title: fields.title, description: fields.description, created_at: at, updated_at: at });
  return { ok: true, value: group };
}

export function updateGroup(
  data: PortalData,
  group: GroupRecord,
  changes: { title?: string; description?: string },
  rules: GroupTitleRules,
): Outcome<GroupRecord, "title_taken"> {
  if (changes.title !== undefined && titleTaken(data, changes.title, group, rules)) {
    return { ok: false, problem: "title_taken" };
  }
  data.groups.update(group.id, { ...changes, updated_at: data.timestamp() });
  return { ok: true, value: group };
}

/** Users stay; with `deleteEnrollments` the group's unstarted enrollments go too (contract §4.20). */
export function deleteGroup(data: PortalData, groupId: number, deleteEnrollments: boolean): boolean {
  if (!data.groups.delete(groupId)) return false;
  data.memberships.deleteWhere((membership) => membership.group_id === groupId);
  data.groupCourses.deleteWhere((link) => link.group_id === groupId);
  if (deleteEnrollments) deleteUnstartedEnrollments(data.enrollments, (enrollment) => enrollment.group_id === groupId);
  return true;
}

/** Links a course to a group and enrols its current members (contract §4.21). */
export function addGroupCourse(
  data: PortalData,
  groupId: number,
  courseId: number,
  reEnrollCompleted: boolean,
  rules: GroupEnrollmentRules,
): Outcome<GroupCourseRecord, "already_linked"> {
  const linked = data.groupCourses.find((link) => link.group_id === groupId && link.course_id === courseId);
  if (linked) return { ok: false, problem: "already_linked" };
  const link = data.groupCourses.create({ group_id: groupId, course_id: courseId, created_at: data.timestamp() });
  for (const member of membersOf(data, groupId)) {
    if (reachesGroupEnrollment(member, rules)) {
      enroll(data, { userId: member.id, courseId, groupId, reEnrollIfCompleted: reEnrollCompleted }, rules);
    }
  }
  return { ok: true, value: link };
}

/** Finished enrollments always stay; unstarted ones go only with `deleteEnrollments` (contract §4.21). */
export function removeGroupCourse(data: PortalData, link: GroupCourseRecord, deleteEnrollments: boolean): void {
  data.groupCourses.delete(link.id);
  if (deleteEnrollments) {
    deleteUnstartedEnrollments(
      data.enrollments,
      (enrollment) => enrollment.group_id === link.group_id && enrollment.course_id === link.course_id,
    );
  }
}

/** Whether a group other than `owner` has the title, when the portal keeps titles unique. */
function titleTaken(data: PortalData, title: string, owner: GroupRecord | undefined, rules: GroupTitleRules): boolean {
  if (!rules.rejectDuplicateGroupTitles) return false;
  const holder = data.groups.find((group) => group.title === title);
  return holder !== undefined && holder !== owner;
}
