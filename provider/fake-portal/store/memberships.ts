/**
 * Group memberships and invitations: joining a group enrols the member in the group's courses,
 * leaving may unenrol them, and an invitee is not yet a member (contract §2.3, §2.6, §4.19).
 * @module
 */
import type { PortalOptions } from "../options.js";
import { deleteUnstartedEnrollments, enroll } from "./enrollments.js";
import type { GroupInviteRecord, MembershipRecord, PortalData, UserRecord } from "./records.js";

/** The switches that decide who group enrollment reaches. */
export type GroupEnrollmentRules = Pick<PortalOptions, "groupEnrollmentSkipsDisabledUsers" | "rejectUnenrollableCourses">;

/**
 * Adds a member and, unless told otherwise, enrols them in every group course they are not
 * already enrolled in; disabled users get no group enrollments (contract §4.19, §4.14).
 * An existing membership is returned as it is, with `created: false`.
 */
export function addMembership(
  data: PortalData,
  groupId: number,
  userId: number,
  processEnrollments: boolean,
  rules: GroupEnrollmentRules,
): { membership: MembershipRecord; created: boolean } {
  const existing = findMembership(data, groupId, userId);
  if (existing) return { membership: existing, created: false };
  const membership = data.memberships.create({ group_id: groupId, user_id: userId, created_at: data.timestamp() });
  if (processEnrollments && reachesGroupEnrollment(data.users.get(userId), rules)) {
    for (const link of data.groupCourses.filter((candidate) => candidate.group_id === groupId)) {
      enroll(data, { userId, courseId: link.course_id, groupId }, rules);
    }
  }
  return { membership, created: true };
}

/** The member keeps the group's enrollments unless `processUnenrollments` (contract §4.19). */
export function removeMembership(data: PortalData, membership: MembershipRecord, processUnenrollments: boolean): void {
  data.memberships.delete(membership.id);
  if (processUnenrollments) {
    deleteUnstartedEnrollments(
      data.enrollments,
      (enrollment) => enrollment.user_id === membership.user_id && enrollment.group_id === membership.group_id,
    );
  }
}

export function findMembership(data: PortalData, groupId: number, userId: number): MembershipRecord | undefined {
  return data.memberships.find((membership) => membership.group_id === groupId && membership.user_id === userId);
}

export function membersOf(data: PortalData, groupId: number): UserRecord[] {
  return data.memberships
    .filter((membership) => membership.group_id === groupId)
    .flatMap((membership) => data.users.get(membership.user_id) ?? []);
}

/** Whether enrollments a group hands out reach this member; a missing user counts as disabled (contract §4.14). */
export function reachesGroupEnrollment(member: UserRecord | undefined, rules: GroupEnrollmentRules): boolean {
  return member?.enabled === true || !rules.groupEnrollmentSkipsDisabledUsers;
}

/** Invitees are not users: searches do not find them and they cannot be enrolled (contract §2.6). */
export function inviteToGroup(
  data: PortalData,
  groupId: number,
  emails: string[],
  membershipTypeId: number,
): GroupInviteRecord[] {
  return emails.map((email) =>
    data.groupInvites.create({
      group_id: groupId,
      invite_email_address: email,
      invite_status: "sent",
      group_membership_type_id: membershipTypeId,
      created_at: data.timestamp(),
    }),
  );
}
