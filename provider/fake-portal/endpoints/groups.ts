/**
 * `/group_memberships`, `/groups`, `/group_courses` and `/group_invites` endpoints (contract §2.3,
 * §2.4, §2.6, §4.19 to §4.21).
 * @module
 */
import type { JsonObject } from "../options.js";
import type { MembershipRecord, PortalStore } from "../store.js";
import { groupCourseView, groupInviteView, groupView, userView } from "../views.js";
import {
  apiVersion,
  fail,
  isTrueFlag,
  ok,
  optionalInteger,
  optionalText,
  paged,
  pathId,
  reject,
  requireEmailShape,
  requireWrapped,
  type ApiCall,
  type Portal,
  type Reply,
} from "./kit.js";

export function createMembership({ store, options }: Portal, call: ApiCall): Reply {
  const fields = requireWrapped(options, call, "GroupMembership", "group membership");
  const { groupId, userId } = membershipPair(store, fields);
  // contract §2.3: `process_enrollments` defaults to true; the guide types it as a boolean.
  const flag = fields.process_enrollments;
  const processEnrollments =
    flag === undefined || isTrueFlag(flag) || (options.processEnrollmentsStringFalseIsTruthy && typeof flag === "string" && flag !== "");
  const { membership, created } = store.addMembership(groupId, userId, processEnrollments, options);
  if (created || options.duplicateMembership === "silent") return ok({ id: membership.id });
  return fail(422, "User is already a member of this group");
}

export function listMemberships(portal: Portal, call: ApiCall): Reply {
  const { store, options } = portal;
  const groupId = call.query.get("group_id");
  const userId = call.query.get("user_id");
  const version = apiVersion(call);
  if (groupId !== null) {
    const rows = store
      .list(store.memberships)
      .filter((membership) => membership.group_id === Number(groupId))
      .flatMap((membership) => {
        const user = store.users.get(membership.user_id);
        return user ? [{ membership, user }] : [];
      });
    // contract §2.3: the rows are users; `version_id=1.1` adds the membership id. With the
    // "membership" row shape, `id` is the membership's and the user's id moves to `user_id`.
    return paged(portal, call, "user", rows, ({ membership, user }) => ({
      ...userView(store, user, version),
      ...(version >= 1.1 ? { group_membership_id: membership.id } : {}),
      ...(options.groupMemberRows === "membership" ? { id: membership.id, user_id: user.id, group_id: membership.group_id } : {}),
    }));
  }
  if (userId !== null) {
    const groupIds = store
      .list(store.memberships)
      .filter((membership) => membership.user_id === Number(userId))
      .map((membership) => membership.group_id);
    const groups = store.list(store.groups).filter((group) => groupIds.includes(group.id));
    return paged(portal, call, "group", groups, (group) => groupView(store, group));
  }
  return fail(400, "A group_id or user_id is required");
}

export function deleteMembership({ store, options }: Portal, call: ApiCall): Reply {
  let fields: JsonObject = call.body ?? {};
  let membership: MembershipRecord | undefined;
  if (call.params.id === "0") {
    // contract §2.3: `/0` names the membership by its pair in a wrapped body.
    fields = requireWrapped(options, call, "GroupMembership", "group membership");
    const groupId = optionalInteger(fields, "group_id");
    const userId = optionalInteger(fields, "user_id");
    if (groupId === undefined || userId === undefined) throw reject(400, "group_id and user_id are required");
    membership = store.findMembership(groupId, userId);
  } else {
    membership = store.memberships.get(pathId(call));
  }
  if (!membership) return fail(404, "Group membership not found");
  // contract §2.3: `process_unenrollments` defaults to false; accepted inside or beside the wrapper.
  const processUnenrollments = isTrueFlag(fields.process_unenrollments ?? call.body?.process_unenrollments);
  store.removeMembership(membership, processUnenrollments);
  return ok({ success: "ok" });
}

function membershipPair(store: PortalStore, fields: JsonObject): { groupId: number; userId: number } {
  const groupId = optionalInteger(fields, "group_id");
  const userId = optionalInteger(fields, "user_id");
  if (groupId === undefined || userId === undefined) throw reject(400, "group_id and user_id are required");
  if (!store.groups.has(groupId)) throw reject(404, "Group not found");
  if (!store.users.has(userId)) throw reject(404, "User not found");
  return { groupId, userId };
}


export function listGroups(portal: Portal, call: ApiCall): Reply {
  const { store, options } = portal;
  let groups = store.list(store.groups);
  const title = call.query.get("title");
  if (title !== null) {
    groups = groups.filter((group) =>
      options.groupTitleMatch === "exact" ? group.title === title : group.title.toLowerCase().includes(title.toLowerCase()),
    );
  }
  return paged(portal, call, "groups", groups, (group) => groupView(store, group));
}

export function createGroup({ store, options }: Portal, call: ApiCall): Reply {
  const fields = requireWrapped(options, call, "Group", "group");
  const title = optionalText(fields, "title");
  if (title === undefined || title.trim() === "") throw reject(400, "Title is required");
  const outcome = store.createGroup({ title, description: optionalText(fields, "description") ?? "" }, options);
  if (!outcome.ok) return fail(422, "Title has already been taken");
  return ok({ id: outcome.value.id });
}

export function updateGroup({ store, options }: Portal, call: ApiCall): Reply {
  const fields = requireWrapped(options, call, "Group", "group");
  const group = store.groups.get(pathId(call));
  if (!group) return fail(404, "Group not found");
  const title = optionalText(fields, "title");
  const description = optionalText(fields, "description");
  const outcome = store.updateGroup(
    group,
    { ...(title === undefined ? {} : { title }), ...(description === undefined ? {} : { description }) },
    options,
  );
  return outcome.ok ? ok({ success: "ok" }) : fail(422, "Title has already been taken");
}

export function deleteGroup({ store }: Portal, call: ApiCall): Reply {
  const deleted = store.deleteGroup(pathId(call), isTrueFlag(call.body?.delete_enrollments));
  return deleted ? ok({ success: "ok" }) : fail(404, "Group not found");
}

export function listGroupCourses(portal: Portal, call: ApiCall): Reply {
  const { store } = portal;
  let links = store.list(store.groupCourses);
  const groupId = call.query.get("group_id");
  if (groupId !== null) links = links.filter((link) => link.group_id === Number(groupId));
  const courseId = call.query.get("course_id");
  if (courseId !== null) links = links.filter((link) => link.course_id === Number(courseId));
  return paged(portal, call, "group_courses", links, (link) => groupCourseView(store, link));
}

export function createGroupCourse({ store, options }: Portal, call: ApiCall): Reply {
  const fields = requireWrapped(options, call, "GroupCourse", "group course");
  const groupId = optionalInteger(fields, "group_id");
  const courseId = optionalInteger(fields, "course_id");
  if (groupId === undefined || courseId === undefined) throw reject(400, "group_id and course_id are required");
  if (!store.groups.has(groupId)) return fail(404, "Group not found");
  if (!store.courses.has(courseId)) return fail(404, "Course not found");
  // contract §2.4.1: the docs example puts `re_enroll_completed` beside the wrapper.
  const reEnrollCompleted = isTrueFlag(call.body?.re_enroll_completed ?? fields.re_enroll_completed);
  const outcome = store.addGroupCourse(groupId, courseId, reEnrollCompleted, options);
  if (!outcome.ok) return fail(422, "Course is already assigned to this group");
  return ok({ id: outcome.value.id });
}

export function deleteGroupCourse({ store }: Portal, call: ApiCall): Reply {
  const link = store.groupCourses.get(pathId(call));
  if (!link) return fail(404, "Group course not found");
  store.removeGroupCourse(link, isTrueFlag(call.body?.delete_enrollments));
  return ok({ success: "ok" });
}

export function listGroupInvites(portal: Portal, call: ApiCall): Reply {
  const { store } = portal;
  let invites = store.list(store.groupInvites);
  const groupId = call.query.get("group_id");
  if (groupId !== null) invites = invites.filter((invite) => invite.group_id === Number(groupId));
  // contract §1.3: this one key is singular.
  return paged(portal, call, "group_invite", invites, groupInviteView);
}

export function createGroupInvites({ store, options }: Portal, call: ApiCall): Reply {
  const fields = requireWrapped(options, call, "GroupInvite", "group invite");
  const groupId = optionalInteger(fields, "group_id");
  const addresses = optionalText(fields, "email_addresses");
  if (groupId === undefined || addresses === undefined) throw reject(400, "group_id and email_addresses are required");
  if (!store.groups.has(groupId)) return fail(404, "Group not found");
  const emails = addresses.split(",").map((address) => address.trim()).filter((address) => address !== "");
  emails.forEach(requireEmailShape);
  store.inviteToGroup(groupId, emails, optionalInteger(fields, "group_membership_type_id") ?? 1);
  return ok({ success: "ok" });
}
