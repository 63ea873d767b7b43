/**
 * The Learnifier backend of the LMS seam: `LmsClient` over the Learnifier wire client, following
 * Learnifier's recommended sync (docs/learnifier-api-notes.md, "The seed's algorithm"):
 *
 * - a person is their external id (the employee id), case-sensitive; a taken email on create is
 *   answered with its holder, whom the User resource may then adopt;
 * - users without an external id were made in Learnifier by hand and are never written to, locked
 *   or deleted, except by the write that gives them one (an adoption the roster declares);
 * - an update sends only the fields it changes; a taken email is taken from its holder with
 *   `autoClearEmail` only when the stack allows it;
 * - groups and projects are those of one organization unit, found by name;
 * - an enrollment is a project participation, added by user id and then activated; one that is not
 *   activated or in error is not counted as enrolled, so the next `up` adds (finds) and activates
 *   it again, and its reason is reported.
 * @module
 */
import { AmbiguousNameError, DuplicateError, ValidationError } from "../../client/index.js";
import type { LearnifierClient } from "../../client/learnifier/client.js";
import type { LearnifierParticipant } from "../../client/learnifier/schemas.js";
import { learnifierSchemas } from "../../client/learnifier/schemas.js";
import type { AutoClearEmailPlacement } from "../../client/learnifier/users.js";
import type { LmsClient, LmsEnrollment, LmsGroup, LmsId } from "../model.js";
import {
  isUsable,
  lmsEnrollmentOf,
  lmsUserOf,
  parseEnrollmentId,
  userAfterChanges,
  wireFieldsFor,
  type LearnifierLmsUser,
  type LearnifierUserChanges,
} from "./fields.js";

export interface LearnifierLmsOptions {
  /** The organization unit groups and projects belong to: its id, name or external id. */
  orgUnit: string;
  /** Let an email change take the address from the user who has it (Learnifier's `autoClearEmail`). @default false */
  autoClearEmail?: boolean;
  /** Where problems found while reading go (a participation in error, say). @default a warning on stderr */
  report?: (message: string) => void;
}

/** The seam's client with what the seam is gaining for LMSes with external ids. */
export type LearnifierLms = Omit<LmsClient, "users"> & {
  readonly users: Omit<LmsClient["users"], "list" | "update" | "create"> & {
    list(): AsyncIterable<LearnifierLmsUser>;
    findByExternalId(externalId: string): Promise<LearnifierLmsUser | undefined>;
    update(user: LearnifierLmsUser, changes: LearnifierUserChanges): Promise<LearnifierLmsUser>;
    create(fields: LearnifierUserChanges & { password?: string | undefined }): Promise<LmsId>;
  };
};

/**
 * Learnifier's API sets no role: people are learners, administrators get Back Office roles in
 * Learnifier. A roster may say `learner` (what everyone created is); anything else is refused.
 */
function refuseRole(userType: string | undefined, who: string): void {
  if (userType === undefined || userType === "learner") return;
  throw new Error(`cannot make ${who} a Learnifier ${userType}: its API sets no role; give Back Office roles in Learnifier itself`);
}

export function learnifierLms(client: LearnifierClient, options: LearnifierLmsOptions): LearnifierLms {
  const report = options.report ?? ((message: string) => console.error(`warning: ${message}`));
  const reported = new Set<string>();
  /** Users a create's 409 named as holding an email, by lower-cased email: a look-up without a listing. */
  const emailHolders = new Map<string, string>();
  const schemas = learnifierSchemas();

  let orgId: Promise<string> | undefined;
  /** The org unit's id; a name or external id is looked up once. */
  function org(): Promise<string> {
    orgId ??= (async () => {
      const wanted = options.orgUnit.trim();
      if (/^\d+$/.test(wanted)) return wanted;
      const units = await client.orgUnit.orgUnits();
      const unit = units.find((candidate) => candidate.externalId === wanted) ?? units.find((candidate) => candidate.name === wanted);
      if (!unit) throw new Error(`Learnifier has no organization unit with the id, external id or name "${wanted}" (learnifier:orgUnit)`);
      return unit.id;
    })().catch((error: unknown) => {
      orgId = undefined;
      throw error;
    });
    return orgId;
  }

  let groups: Promise<LmsGroup[]> | undefined;
  function allGroups(): Promise<LmsGroup[]> {
    groups ??= org()
      .then((id) => client.orgUnit.groups(id))
      .then((found) => found.map((group) => ({ id: group.groupId, title: group.name })))
      .catch((error: unknown) => {
        groups = undefined;
        throw error;
      });
    return groups;
  }

  let projects: Promise<Array<{ id: string; name: string; status: string | undefined }>> | undefined;
  function allProjects() {
    projects ??= org()
      .then((id) => client.orgUnit.projects(id))
      .then((found) => found.map((project) => ({ id: project.id, name: project.name, status: project.status ?? undefined })))
      .catch((error: unknown) => {
        projects = undefined;
        throw error;
      });
    return projects;
  }
  const activeProjects = async () => (await allProjects()).filter((project) => project.status === "ACTIVATED");
  const projectName = async (projectId: string) => (await allProjects()).find((project) => project.id === projectId)?.name ?? `project ${projectId}`;

  function describeUser(user: LearnifierLmsUser): string {
    return `Learnifier user ${user.id} (${user.email ?? "no email"})`;
  }

  /**
   * Only the write that gives a user our external id may touch a user without one. (Replacing
   * another external id is the User resource's call: it adopts nobody under another employee's id,
   * and repairs a hand edit of its own person's.)
   */
  function assertOurs(user: LearnifierLmsUser, changes: LearnifierUserChanges | undefined, action: string): void {
    if (user.externalId === undefined && changes?.externalId === undefined) {
      throw new Error(`refusing to ${action} ${describeUser(user)}: it has no external id, so it was made in Learnifier by hand and the roster leaves it alone`);
    }
  }

  /** A participation the learner cannot use, reported once per run with Learnifier's reason. */
  async function reportUnusable(participant: LearnifierParticipant): Promise<void> {
    const key = `${participant.projectId}:${participant.id}`;
    if (reported.has(key)) return;
    reported.add(key);
    const where = `user ${participant.userId} in "${await projectName(participant.projectId)}" (participant ${participant.id})`;
    report(
      participant.inError === true
        ? `Learnifier participation of ${where} is in error: ${participant.errorMessage ?? "no reason given"}; the next up activates it again`
        : `Learnifier participation of ${where} is not activated; the next up activates it`,
    );
  }

  async function usableParticipants(projectId: string): Promise<LmsEnrollment[]> {
    const enrollments: LmsEnrollment[] = [];
    for (const participant of await client.orgUnit.participants(await org(), projectId)) {
      if (isUsable(participant)) enrollments.push(lmsEnrollmentOf(participant));
      else await reportUnusable(participant);
    }
    return enrollments;
  }

  /** Activates the participant; an already active one counts as done. Learnifier's refusals are explained. */
  async function activate(projectId: string, participantId: string, user: LearnifierLmsUser): Promise<void> {
    const orgUnit = await org();
    try {
      await client.orgUnit.activate(orgUnit, projectId, participantId);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const where = `${describeUser(user)} in "${await projectName(projectId)}" (participant ${participantId})`;
      if (error.status === 406) {
        const failures = schemas.activationFailures.safeParse(error.body);
        const reasons = failures.success ? (failures.data.failures ?? []).map((failure) => failure.message ?? failure.type ?? "?").join("; ") : "";
        throw new Error(`Learnifier could not activate ${where}: ${reasons || "no reason given"}. It is left in error; the next up activates it again`, { cause: error });
      }
      // A 422 is "already active" on some instances; otherwise the project is not in a state to activate.
      const now = (await client.orgUnit.participants(orgUnit, projectId)).find((participant) => participant.id === participantId);
      if (now && isUsable(now)) return;
      throw new Error(`Learnifier refused to activate ${where}: ${error.message}. Is the project activated?`, { cause: error });
    }
  }

  return {
    apiBaseUrl: client.apiBaseUrl,
    stateId: (id) => id,

    users: {
      async *list() {
        for await (const user of client.users.list()) yield lmsUserOf(user);
      },

      async findByExternalId(externalId) {
        const user = await client.users.findByExternalId(externalId);
        return user && lmsUserOf(user);
      },

      async findByEmail(email) {
        const wanted = email.trim().toLowerCase();
        const known = emailHolders.get(wanted);
        const candidate = known === undefined ? undefined : await client.users.get(known);
        if (candidate && candidate.primaryEmail?.toLowerCase() === wanted) return lmsUserOf(candidate);
        // Learnifier has no search by email: the listing is the only way to be sure.
        for await (const user of client.users.list()) if (user.primaryEmail?.toLowerCase() === wanted) return lmsUserOf(user);
        return undefined;
      },

      async create({ password: _none, ...fields }) {
        // Learnifier people sign in through their invitation or SSO: there is no password to set.
        refuseRole(fields.userType, fields.email ?? "a new user");
        const result = await client.users.create(wireFieldsFor(fields));
        if (result.created) return result.userId;
        if (fields.email !== undefined) emailHolders.set(fields.email.trim().toLowerCase(), result.existingUserId);
        throw new DuplicateError(`Learnifier user ${result.existingUserId} already has the email ${fields.email ?? ""}`, {
          method: "POST",
          path: "/users",
          status: 409,
          body: { userId: result.existingUserId },
        });
      },

      async update(user, changes) {
        assertOurs(user, changes, "update");
        refuseRole(changes.userType, describeUser(user));
        const fields = wireFieldsFor(changes);
        if (Object.keys(fields).length === 0) return user;
        await patch(user, fields);
        if (fields.hardLock === undefined) return userAfterChanges(user, changes);
        // A lock is read back: what matters is that Learnifier now shows it.
        const after = await client.users.get(user.id);
        if (!after || (after.hardLock === true) !== fields.hardLock) {
          throw new Error(`Learnifier did not ${fields.hardLock ? "lock" : "unlock"} ${describeUser(user)}: it reads back with hardLock ${String(after?.hardLock)}`);
        }
        return lmsUserOf(after);
      },

      async delete(id) {
        const found = await client.users.get(id);
        if (!found) return false;
        const user = lmsUserOf(found);
        assertOurs(user, undefined, "delete");
        let deleted: boolean;
        try {
          deleted = await client.users.delete(id);
        } catch (error) {
          if (!(error instanceof DuplicateError)) throw error;
          throw new Error(
            `Learnifier refuses to delete ${describeUser(user)} while they take part in projects: ${error.message}. ` +
              `Use the removal policy "deactivate" (hardLock), or remove their participations first`,
            { cause: error },
          );
        }
        if (!deleted && (await client.users.get(id))) {
          throw new Error(`this Learnifier instance has no DELETE /users/{id} (it answered 404 for ${describeUser(user)}); use the removal policy "deactivate"`);
        }
        return deleted;
      },

      // Learnifier's API has no custom user fields.
      customFieldLabels: async () => [],
    },

    memberships: {
      async *listByGroup(groupId) {
        for (const member of await client.orgUnit.members(await org(), groupId)) yield member.id;
      },

      async isMember(groupId, userId) {
        return (await client.orgUnit.members(await org(), groupId)).some((member) => member.id === userId);
      },

      async *groupsOf(userId) {
        // No per-user list of groups: each group of the org unit is asked.
        const orgUnit = await org();
        for (const group of await allGroups()) {
          if ((await client.orgUnit.members(orgUnit, group.id)).some((member) => member.id === userId)) yield group;
        }
      },

      async add({ groupId, userId }) {
        await client.orgUnit.addMember(await org(), groupId, userId);
      },

      async remove({ groupId, userId }) {
        await client.orgUnit.removeMember(await org(), groupId, userId);
      },
    },

    enrollments: {
      async *listByCourse(courseId) {
        yield* await usableParticipants(courseId);
      },

      async *listByUser(userId) {
        const orgUnit = await org();
        for (const participant of await client.users.participations(userId)) {
          if (participant.projectOrgId != null && participant.projectOrgId !== orgUnit) continue;
          if (isUsable(participant)) yield lmsEnrollmentOf(participant);
        }
      },

      async find(userId, courseId) {
        return (await usableParticipants(courseId)).find((enrollment) => enrollment.userId === userId);
      },

      async create({ user, courseId }) {
        const orgUnit = await org();
        // By user id, never by email: an email Learnifier does not know makes it create a user without an external id.
        const added = await client.orgUnit.addParticipant(orgUnit, courseId, user.id);
        // A new participant's id is in the `Location` header on some instances only; else the list has it.
        const listed = added.participantId === undefined ? await client.orgUnit.participants(orgUnit, courseId) : [];
        const existing = added.existing ?? listed.find((participant) => participant.userId === user.id);
        const participantId = added.participantId ?? existing?.id;
        if (participantId === undefined) throw new Error(`Learnifier added ${describeUser(user)} to "${await projectName(courseId)}" but does not list the participant`);
        if (!(existing && isUsable(existing))) await activate(courseId, participantId, user);
        const enrollment = lmsEnrollmentOf({ ...existing, id: participantId, projectId: courseId, userId: user.id });
        return { created: added.created, enrollment };
      },

      async updateDates() {
        throw new Error("Learnifier participations have no due or expiry date the API can set");
      },

      async delete(id) {
        const { projectId, participantId } = parseEnrollmentId(id);
        const orgUnit = await org();
        try {
          return await client.orgUnit.removeParticipant(orgUnit, projectId, participantId);
        } catch (error) {
          if (!(error instanceof DuplicateError)) throw error;
          const now = (await client.orgUnit.participants(orgUnit, projectId)).find((participant) => participant.id === participantId);
          throw new Error(
            `Learnifier refused to remove participant ${participantId} from "${await projectName(projectId)}"; it is now in error` +
              `${now?.errorMessage ? `: ${now.errorMessage}` : ""}. The learner cannot use it; remove it in Learnifier, or ask Learnifier's support`,
            { cause: error },
          );
        }
      },
    },

    catalog: {
      async groupByTitle(title) {
        const matches = (await allGroups()).filter((group) => group.title === title);
        if (matches.length > 1) throw new AmbiguousNameError("group", title, matches.map((group) => group.id), "Learnifier user groups are named");
        return matches[0];
      },

      async courseByName(name) {
        const matches = (await activeProjects()).filter((project) => project.name === name);
        if (matches.length > 1) throw new AmbiguousNameError("course", name, matches.map((project) => project.id), "Learnifier active projects are named");
        return matches[0] && { id: matches[0].id, name: matches[0].name };
      },

      async groupById(id) {
        return (await allGroups()).find((group) => group.id === id);
      },

      async courseById(id) {
        const project = (await activeProjects()).find((candidate) => candidate.id === id);
        return project && { id: project.id, name: project.name };
      },
    },

    close: () => client.close(),
  };

  /**
   * `PATCH`es the fields. A taken email fails unless the stack allows `autoClearEmail`; then the
   * flag goes as a query parameter and, if Learnifier still says the email is taken, in the body:
   * where it belongs is documented nowhere, and each try is idempotent.
   */
  async function patch(user: LearnifierLmsUser, fields: ReturnType<typeof wireFieldsFor>): Promise<void> {
    try {
      await client.users.update(user.id, fields);
      return;
    } catch (error) {
      if (!(error instanceof DuplicateError && fields.primaryEmail !== undefined)) throw error;
      if (!options.autoClearEmail) {
        throw new Error(
          `Learnifier refused the email ${String(fields.primaryEmail)} for ${describeUser(user)}: another user has it. ` +
            `Change or remove that user's email first, or let Learnifier clear it from them: pulumi config set learnifier:autoClearEmail true`,
          { cause: error },
        );
      }
    }
    let lastError: unknown;
    for (const placement of ["query", "body"] satisfies AutoClearEmailPlacement[]) {
      try {
        await client.users.update(user.id, fields, { autoClearEmail: placement });
        return;
      } catch (error) {
        // Still taken (the flag was ignored there), or the flag refused as an unknown field: try the other place.
        if (!(error instanceof DuplicateError || error instanceof ValidationError)) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }
}
