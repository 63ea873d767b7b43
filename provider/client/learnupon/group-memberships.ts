/**
 * LearnUpon group memberships, at the top-level `/group_memberships` path (docs/learnupon-api-notes.md,
 * "Group members"):
 *
 * | method        | call                                                                       |
 * |---------------|----------------------------------------------------------------------------|
 * | `listByGroup` | `GET /group_memberships?group_id=` → `user` rows, read as `{ userId, membershipId }` |
 * | `listByUser`  | `GET /group_memberships?user_id=` → `group` rows (groups)                   |
 * | `isMember`    | `listByUser`, then the group among them                                     |
 * | `create`      | `POST /group_memberships` `{"GroupMembership":{…}}`, `process_enrollments` a JSON boolean |
 * | `delete`      | `DELETE /group_memberships/0` with the same wrapped pair as body            |
 *
 * The member listing is asked for without `version_id=1.1`: the plain rows are known to be users,
 * while one public client takes the `id` of 1.1 rows for the membership's. Rows are still read
 * defensively: a row with a `user_id` names the user there, and its `id` is then the membership's.
 * @module
 */
import { DuplicateError } from "../errors.js";
import { checkedBody, deleted, type LearnUponRequests } from "./requests.js";
import { learnUponSchemas, type LearnUponGroupMemberRow, type LearnUponUserGroup } from "./schemas.js";

/** A member of a group: the user's id and, when the row tells it, the membership's. */
export interface LearnUponGroupMember {
  userId: number;
  membershipId: number | undefined;
  email: string | null | undefined;
}

/** Tells the user id from the membership id, whichever shape the row has. */
export function groupMemberOf(row: LearnUponGroupMemberRow): LearnUponGroupMember {
  const hasUserId = typeof row.user_id === "number";
  return {
    userId: hasUserId ? (row.user_id as number) : row.id,
    membershipId: row.group_membership_id ?? (hasUserId ? row.id : undefined),
    email: row.email,
  };
}

export interface MembershipCreateArgs {
  groupId: number;
  userId: number;
  /**
   * Enroll the user in the group's courses (LearnUpon's default).
   * @default true
   */
  processEnrollments?: boolean | undefined;
}

/** The new membership's id (when LearnUpon returns one), or `alreadyMember` when the user was in the group before. */
export type MembershipCreateResult = { id: number | undefined } | { alreadyMember: true };

export interface GroupMembershipsApi {
  /** The group's members, each with its user id (and membership id when the portal gives it). */
  listByGroup(groupId: number): AsyncGenerator<LearnUponGroupMember, void, undefined>;
  /** The groups the user belongs to. */
  listByUser(userId: number): AsyncGenerator<LearnUponUserGroup, void, undefined>;
  /** Whether the user is in the group now, asked of the portal. */
  isMember(groupId: number, userId: number): Promise<boolean>;
  /** Adds the user; "already a member" counts as success. A failed POST is repeated only after `listByUser` shows no membership. */
  create(args: MembershipCreateArgs): Promise<MembershipCreateResult>;
  /**
   * Removes the user from the group. Enrollments the group gave stay unless `processUnenrollments`
   * (LearnUpon's default is to keep them). `false` if the membership was already gone.
   */
  delete(args: { groupId: number; userId: number; processUnenrollments?: boolean | undefined }): Promise<boolean>;
}

export function createGroupMembershipsApi(requests: LearnUponRequests): GroupMembershipsApi {
  const schemas = learnUponSchemas();

  const listByUser = (userId: number) =>
    requests.listAll({
      path: "/group_memberships",
      query: { user_id: userId },
      endpoint: "GET /group_memberships?user_id=",
      schema: schemas.userGroupList,
      items: (body) => body.group,
    });

  async function isMember(groupId: number, userId: number): Promise<boolean> {
    for await (const group of listByUser(userId)) {
      if (group.id === groupId) return true;
    }
    return false;
  }

  return {
    async *listByGroup(groupId) {
      const rows = requests.listAll({
        path: "/group_memberships",
        query: { group_id: groupId },
        endpoint: "GET /group_memberships?group_id=",
        schema: schemas.groupMemberList,
        items: (body) => body.user,
      });
      for await (const row of rows) yield groupMemberOf(row);
    },
    listByUser,
    isMember,

    async create({ groupId, userId, processEnrollments = true }) {
      const body = checkedBody(
        schemas.groupMembershipCreate,
        { GroupMembership: { group_id: groupId, user_id: userId, process_enrollments: processEnrollments } },
        "POST /group_memberships",
      );
      try {
        const response = await requests.send(
          { method: "POST", path: "/group_memberships", body },
          { confirmNotApplied: async () => !(await isMember(groupId, userId)) },
        );
        // The response body is undocumented: take an id if there is one, never insist.
        const id = (response as { id?: unknown } | undefined)?.id;
        return { id: typeof id === "number" ? id : undefined };
      } catch (error) {
        if (error instanceof DuplicateError) return { alreadyMember: true };
        throw error;
      }
    },

    async delete({ groupId, userId, processUnenrollments = false }) {
      const membership = { group_id: groupId, user_id: userId, ...(processUnenrollments && { process_unenrollments: "true" as const }) };
      const body = checkedBody(schemas.groupMembershipDelete, { GroupMembership: membership }, "DELETE /group_memberships/0");
      return deleted(requests.send({ method: "DELETE", path: "/group_memberships/0", body }));
    },
  };
}
