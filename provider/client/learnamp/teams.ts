/**
 * Learn Amp teams and team membership (docs/learnamp-api-notes.md §5.2):
 *
 * | method          | call                                                              |
 * |-----------------|-------------------------------------------------------------------|
 * | `findByName`    | `GET /teams?filters[name]=` (a substring match), exact name checked on our side |
 * | `get`           | `GET /teams/{id}`                                                  |
 * | `memberIds`     | `GET /teams/{id}/users`, paged: the team object, its members under `users` |
 * | `addMember`     | `POST /teams/{id}/users` `userId=` → 201, whichever of its two answers |
 * | `removeMember`  | `DELETE /teams/{id}/users/{userId}` → 204; 404 (not a member) is done too |
 *
 * A duplicate add ("has already been taken") counts as done. A name's team is looked up once per
 * client (one `pulumi` run): a thousand members of one team cost one look-up. Failures are not kept.
 * @module
 */
import { DuplicateError, NotFoundError } from "../errors.js";
import { AmbiguousNameError } from "../errors.js";
import { idPath, type LearnAmpRequests } from "./client.js";
import { learnAmpSchemas, type LearnAmpTeam } from "./schemas.js";

export interface TeamsApi {
  /** The team with exactly this name; `AmbiguousNameError` when several have it (names need not be unique). */
  findByName(name: string): Promise<LearnAmpTeam | undefined>;
  get(id: number): Promise<LearnAmpTeam | undefined>;
  memberIds(teamId: number): AsyncGenerator<number, void, undefined>;
  addMember(teamId: number, userId: number): Promise<void>;
  removeMember(teamId: number, userId: number): Promise<void>;
}

export function createTeamsApi(requests: LearnAmpRequests): TeamsApi {
  const schemas = learnAmpSchemas();
  const byName = new Map<string, Promise<LearnAmpTeam | undefined>>();

  async function lookUp(name: string): Promise<LearnAmpTeam | undefined> {
    const matches: LearnAmpTeam[] = [];
    for await (const team of requests.list("/teams", { "filters[name]": name }, schemas.teamList, "GET /teams", (body) => body.teams)) {
      if (team.name === name && !matches.some((match) => match.id === team.id)) matches.push(team);
    }
    if (matches.length > 1) throw new AmbiguousNameError("group", name, matches.map((team) => team.id), "Learn Amp teams are named");
    return matches[0];
  }

  return {
    findByName(name) {
      let pending = byName.get(name);
      if (!pending) {
        pending = lookUp(name).catch((error: unknown) => {
          byName.delete(name);
          throw error;
        });
        byName.set(name, pending);
      }
      return pending;
    },

    get: (id) => requests.find({ method: "GET", path: idPath("teams", id) }, schemas.team, "GET /teams/{id}"),

    async *memberIds(teamId) {
      const listed = new Set<number>();
      const pages = requests.list(idPath("teams", teamId, "users"), {}, schemas.teamMembers, "GET /teams/{id}/users", (body) => body.users);
      for await (const member of pages) {
        if (listed.has(member.id)) continue;
        listed.add(member.id);
        yield member.id;
      }
    },

    async addMember(teamId, userId) {
      try {
        // Answered with the membership or, on older servers, the whole team: neither is needed.
        await requests.api.send({ method: "POST", path: idPath("teams", teamId, "users"), body: { userId } });
      } catch (error) {
        if (!(error instanceof DuplicateError)) throw error;
      }
    },

    async removeMember(teamId, userId) {
      try {
        await requests.api.send({ method: "DELETE", path: idPath("teams", teamId, "users", String(userId)) });
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
    },
  };
}
