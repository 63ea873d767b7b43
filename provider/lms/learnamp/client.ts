/**
 * The Learn Amp backend of the LMS seam: `LmsClient` over the Learn Amp wire client. Groups are
 * Learn Amp's teams. What Learn Amp cannot do (course enrollments, custom user data) throws a
 * clear error; the capability check stops it at preview anyway.
 *
 * Ids are text in the seam and numbers on the wire: they are converted here and nowhere else.
 * @module
 */
import type { LearnAmpClient } from "../../client/learnamp/client.js";
import type { LmsClient, LmsId } from "../model.js";
import { lmsUserOf, userAfterChanges, wireFieldsOf } from "./fields.js";

/** Why an Enrollment (or a roster's `courses`) cannot be managed on Learn Amp, and what to declare instead. */
export const LEARNAMP_ENROLLMENTS_UNSUPPORTED =
  "Learn Amp assigns content through tasks, which its API cannot create, and its enrollments are event-session bookings it cannot remove. " +
  "Set a task in Learn Amp for a team's current and new members, and declare the team instead (the person's groups in the roster, or a GroupMembership)";

function wireId(id: LmsId, what: string): number {
  const number = Number(id);
  if (!Number.isSafeInteger(number) || number <= 0) throw new TypeError(`${what} must be a Learn Amp id (a positive integer), got "${id}"`);
  return number;
}

function unsupported(): never {
  throw new Error(`Learn Amp has no course enrollments: ${LEARNAMP_ENROLLMENTS_UNSUPPORTED}`);
}

export interface LearnAmpLmsOptions {
  /** Sent as `skipInvitation` on every create: whether new people get Learn Amp's invitation email. */
  sendInvitations: boolean;
}

export function learnAmpLms(client: LearnAmpClient, options: LearnAmpLmsOptions): LmsClient {
  const { users, teams } = client;

  async function teamIdsOf(userId: LmsId): Promise<Array<{ id: LmsId; title?: string }>> {
    const user = await users.get(wireId(userId, "user id"));
    if (!user) return [];
    const all = [...(user.primaryTeam ? [user.primaryTeam] : []), ...(user.secondaryTeams ?? [])];
    return all.map((team) => ({ id: String(team.id), ...(team.name != null && { title: team.name }) }));
  }

  return {
    apiBaseUrl: client.apiBaseUrl,
    // Ids are text in state, as the seam has them.
    stateId: (id) => id,

    users: {
      async *list() {
        for await (const user of users.list()) yield lmsUserOf(user);
      },

      async findByEmail(email) {
        const user = await users.findByEmail(email);
        return user && lmsUserOf(user);
      },

      async findByExternalId(externalId) {
        const user = await users.findByExternalId(externalId);
        return user && lmsUserOf(user);
      },

      async create({ password: _none, enabled, ...fields }) {
        const created = await users.create({ ...wireFieldsOf(fields), skipInvitation: !options.sendInvitations });
        if (enabled === false) await users.deactivate(created.id);
        return String(created.id);
      },

      async update(user, changes) {
        const id = wireId(user.id, "user id");
        // Re-activate first, so the update lands on an active person; deactivate last.
        if (changes.enabled === true && !user.enabled) await users.reactivate(id);
        const fields = wireFieldsOf(changes);
        let after = userAfterChanges(user, { ...changes, enabled: changes.enabled ?? user.enabled });
        if (Object.keys(fields).length > 0) {
          // The reference requires all three on every PUT; the current or declared values go.
          const written = await users.update(id, { email: after.email ?? "", firstName: after.firstName, lastName: after.lastName, ...fields });
          if (fields.role !== undefined && written.role !== fields.role) {
            throw new Error(
              `Learn Amp kept user ${user.id} as ${written.role ?? "no role"} when asked for ${fields.role}: servers older than 2026-06 ignore a role sent on update; change it in Learn Amp's admin screens`,
            );
          }
          after = { ...lmsUserOf(written), enabled: after.enabled };
        }
        if (changes.enabled === false && user.enabled) await users.deactivate(id);
        return after;
      },

      delete: (id) => users.delete(wireId(id, "user id")),
      customFieldLabels: () => Promise.resolve([]),
    },

    memberships: {
      async *listByGroup(groupId) {
        for await (const userId of teams.memberIds(wireId(groupId, "team id"))) yield String(userId);
      },

      async isMember(groupId, userId) {
        return (await teamIdsOf(userId)).some((team) => team.id === String(wireId(groupId, "team id")));
      },

      async *groupsOf(userId) {
        yield* await teamIdsOf(userId);
      },

      // Learn Amp has no "process enrollments" choice: a team's tasks reach every new member.
      add: ({ groupId, userId }) => teams.addMember(wireId(groupId, "team id"), wireId(userId, "user id")),
      remove: ({ groupId, userId }) => teams.removeMember(wireId(groupId, "team id"), wireId(userId, "user id")),
    },

    enrollments: {
      listByCourse: () => unsupported(),
      listByUser: () => unsupported(),
      find: async () => unsupported(),
      create: async () => unsupported(),
      updateDates: async () => unsupported(),
      delete: async () => unsupported(),
    },

    catalog: {
      async groupByTitle(title) {
        const team = await teams.findByName(title);
        return team && { id: String(team.id), title: team.name };
      },
      async groupById(id) {
        const team = await teams.get(wireId(id, "team id"));
        return team && { id: String(team.id), title: team.name };
      },
      courseByName: async () => unsupported(),
      courseById: async () => unsupported(),
    },

    close: () => client.close(),
  };
}
