/**
 * What lives in an organization unit (a client portal): user groups with their members, and
 * projects (runs of a course) with their participants (docs/learnifier-api-notes.md, "Groups",
 * "Participants"). None of these lists pages: each answers whole.
 *
 * | method              | call                                                                   |
 * |---------------------|------------------------------------------------------------------------|
 * | `orgUnits`          | `GET /orgunits` → `{"orgUnits":[…]}`                                   |
 * | `groups`            | `GET /orgunits/{org}/usergroups` (nested `children` flattened)         |
 * | `members`           | `GET /orgunits/{org}/usergroups/{group}/members` (user objects)        |
 * | `addMember`         | `POST …/members` `{"uuid"}`; already a member: 200 or 409 by instance  |
 * | `removeMember`      | `DELETE …/members/{uuid}`; not a member: 200 or 404 by instance        |
 * | `projects`          | `GET /orgunits/{org}/projects`                                         |
 * | `participants`      | `GET /orgunits/{org}/projects/{project}/participants`                  |
 * | `addParticipant`    | `POST …/participants` `{"userid"}` → 201, or 409 with the existing one's `Location` |
 * | `activate`          | `POST …/participants/{id}/activate` → 201; 406 components refused; 422 project state |
 * | `removeParticipant` | `DELETE …/participants/{id}` → 204; 409 refused (the participant is then in error) |
 * @module
 */
import { DuplicateError, NotFoundError } from "../errors.js";
import { segment, type LearnifierRequests } from "./client.js";
import { learnifierSchemas, type LearnifierGroup, type LearnifierParticipant, type LearnifierProject, type LearnifierUser } from "./schemas.js";

export interface OrgUnitApi {
  orgUnits(): Promise<Array<{ id: string; name?: string | null | undefined; externalId?: string | null | undefined }>>;
  groups(orgId: string): Promise<LearnifierGroup[]>;
  members(orgId: string, groupId: string): Promise<LearnifierUser[]>;
  /** `false` when the user was a member already (whichever way the instance says so). */
  addMember(orgId: string, groupId: string, userId: string): Promise<boolean>;
  /** `false` when the user was not a member (a 404). */
  removeMember(orgId: string, groupId: string, userId: string): Promise<boolean>;
  projects(orgId: string): Promise<LearnifierProject[]>;
  participants(orgId: string, projectId: string): Promise<LearnifierParticipant[]>;
  /**
   * Adds the user by id, never by email (an unknown email makes Learnifier create a user, who has
   * no external id). `participantId` is there when the answer's `Location` names it; a user who
   * already takes part comes back as `existing`.
   */
  addParticipant(
    orgId: string,
    projectId: string,
    userId: string,
  ): Promise<{ created: boolean; participantId?: string | undefined; existing?: LearnifierParticipant | undefined }>;
  activate(orgId: string, projectId: string, participantId: string): Promise<void>;
  /** `false` when it was gone already. */
  removeParticipant(orgId: string, projectId: string, participantId: string): Promise<boolean>;
}

export function createOrgUnitApi(requests: LearnifierRequests): OrgUnitApi {
  const schemas = learnifierSchemas();
  const org = (orgId: string) => `/orgunits/${segment(orgId)}`;
  const participantsPath = (orgId: string, projectId: string) => `${org(orgId)}/projects/${segment(projectId)}/participants`;

  async function members(orgId: string, groupId: string): Promise<LearnifierUser[]> {
    const request = { method: "GET", path: `${org(orgId)}/usergroups/${segment(groupId)}/members` } as const;
    return requests.getJson(request, schemas.users, "GET /orgunits/{orgId}/usergroups/{groupId}/members");
  }

  async function participants(orgId: string, projectId: string): Promise<LearnifierParticipant[]> {
    const request = { method: "GET", path: participantsPath(orgId, projectId) } as const;
    return requests.getJson(request, schemas.participants, "GET /orgunits/{orgId}/projects/{projectId}/participants");
  }

  /** Groups as a flat list: the list may nest child groups under `children`. */
  function flatten(items: readonly unknown[], into: LearnifierGroup[] = []): LearnifierGroup[] {
    for (const item of items) {
      const group = schemas.group.safeParse(item);
      if (!group.success) continue; // a child given by id only carries nothing to match a name on
      into.push(group.data);
      flatten(group.data.children ?? [], into);
    }
    return into;
  }

  return {
    async orgUnits() {
      return (await requests.getJson({ method: "GET", path: "/orgunits" }, schemas.orgUnits, "GET /orgunits")).orgUnits;
    },

    async groups(orgId) {
      const request = { method: "GET", path: `${org(orgId)}/usergroups` } as const;
      const items = await requests.getJson(request, schemas.groups, "GET /orgunits/{orgId}/usergroups");
      const unique = new Map(flatten(items).map((group) => [group.groupId, group]));
      return [...unique.values()];
    },

    members,

    async addMember(orgId, groupId, userId) {
      const request = { method: "POST", path: `${org(orgId)}/usergroups/${segment(groupId)}/members`, body: { uuid: userId } } as const;
      const isMember = async () => (await members(orgId, groupId)).some((member) => member.id === userId);
      try {
        await requests.send(request, { confirmNotApplied: async () => !(await isMember()) });
        return true;
      } catch (error) {
        // Some instances answer "already a member" with a 409: done, once the list shows it.
        if (error instanceof DuplicateError && (await isMember())) return false;
        throw error;
      }
    },

    async removeMember(orgId, groupId, userId) {
      try {
        await requests.send({ method: "DELETE", path: `${org(orgId)}/usergroups/${segment(groupId)}/members/${segment(userId)}` });
        return true;
      } catch (error) {
        if (error instanceof NotFoundError) return false;
        throw error;
      }
    },

    async projects(orgId) {
      return requests.getJson({ method: "GET", path: `${org(orgId)}/projects` }, schemas.projects, "GET /orgunits/{orgId}/projects");
    },

    participants,

    async addParticipant(orgId, projectId, userId) {
      const request = { method: "POST", path: participantsPath(orgId, projectId), body: { userid: userId } } as const;
      const landed = async () => (await participants(orgId, projectId)).some((participant) => participant.userId === userId);
      try {
        const response = await requests.send(request, { confirmNotApplied: async () => !(await landed()) });
        return { created: true, participantId: participantIdIn(response.headers["location"]) };
      } catch (error) {
        if (!(error instanceof DuplicateError)) throw error;
        // Already a participant: the 409's Location names them (the error keeps no headers, so ask the list).
        const existing = (await participants(orgId, projectId)).find((participant) => participant.userId === userId);
        if (!existing) throw error;
        return { created: false, participantId: existing.id, existing };
      }
    },

    async activate(orgId, projectId, participantId) {
      await requests.send({ method: "POST", path: `${participantsPath(orgId, projectId)}/${segment(participantId)}/activate` });
    },

    async removeParticipant(orgId, projectId, participantId) {
      try {
        await requests.send({ method: "DELETE", path: `${participantsPath(orgId, projectId)}/${segment(participantId)}` });
        return true;
      } catch (error) {
        if (error instanceof NotFoundError) return false;
        throw error;
      }
    },
  };
}

/** The last segment of `…/participants/9001`, when the header is there. */
function participantIdIn(location: string | undefined): string | undefined {
  const match = location === undefined ? null : /\/participants\/([^/?#]+)\/?(?:[?#].*)?$/.exec(location);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}
