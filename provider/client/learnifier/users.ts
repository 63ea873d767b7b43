/**
 * Learnifier users, realm-wide (docs/learnifier-api-notes.md, "Users"):
 *
 * | method              | call                                                         |
 * |---------------------|--------------------------------------------------------------|
 * | `list`              | `GET /users?offset=K&limit=M` while `X-More` is true, deduplicated by id |
 * | `findByExternalId`  | `GET /extuser?extid=` (exact, case-sensitive; 404 = none)    |
 * | `get`               | `GET /users/{id}`                                            |
 * | `create`            | `POST /users` → 200 `{"userId"}`; a taken email 409 `{"userId"}` of its holder |
 * | `update`            | `PATCH /users/{id}` with only the keys given → 201, no body  |
 * | `delete`            | `DELETE /users/{id}` (named by the seed, absent from the 2019 description) |
 * | `participations`    | `GET /users/{id}/projectParticipations`                      |
 * @module
 */
import { DuplicateError, NotFoundError } from "../errors.js";
import { paginateRequests } from "../paginate.js";
import { parseShape } from "../shape.js";
import type { QueryParams } from "../transport.js";
import { segment, type LearnifierRequests } from "./client.js";
import { learnifierUserPagination } from "./conventions.js";
import { learnifierSchemas, type LearnifierParticipant, type LearnifierUser, type LearnifierUserWrite } from "./schemas.js";

/** Where `autoClearEmail` is put on a `PATCH`: the API's sources do not say (notes, "autoClearEmail"). */
export type AutoClearEmailPlacement = "query" | "body";

export type CreateUserResult = { created: true; userId: string } | { created: false; existingUserId: string };

export interface UsersApi {
  list(): AsyncGenerator<LearnifierUser, void, undefined>;
  findByExternalId(externalId: string): Promise<LearnifierUser | undefined>;
  get(id: string): Promise<LearnifierUser | undefined>;
  /** A taken email is not an error here: the answer names the user who holds it. */
  create(fields: LearnifierUserWrite): Promise<CreateUserResult>;
  /** Writes exactly the keys of `fields`; `autoClearEmail` asks Learnifier to take a taken email from its holder. */
  update(id: string, fields: LearnifierUserWrite, options?: { autoClearEmail?: AutoClearEmailPlacement }): Promise<void>;
  /** `true` when deleted; `false` on a 404 (gone already, or an instance without the route: the caller tells which). */
  delete(id: string): Promise<boolean>;
  participations(id: string): Promise<LearnifierParticipant[]>;
}

export function createUsersApi(requests: LearnifierRequests): UsersApi {
  const schemas = learnifierSchemas();

  async function findByExternalId(externalId: string): Promise<LearnifierUser | undefined> {
    const request = { method: "GET", path: "/extuser", query: { extid: externalId } } as const;
    const user = await unlessNotFound(requests.getJson(request, schemas.user, "GET /extuser"));
    // External ids are case-sensitive: only an exact match is the person.
    return user?.externalId === externalId ? user : undefined;
  }

  return {
    async *list() {
      const seen = new Set<string>();
      const request = { method: "GET", path: "/users" } as const;
      const pages = paginateRequests(requests, request, learnifierUserPagination(requests.usersPageSize), (response) =>
        parseShape(schemas.users, response, request, "GET /users"),
      );
      for await (const user of pages) {
        // Offsets are not promised to stay put while users are added: a user seen twice is one user.
        if (seen.has(user.id)) continue;
        seen.add(user.id);
        yield user;
      }
    },

    findByExternalId,

    async get(id) {
      return unlessNotFound(requests.getJson({ method: "GET", path: `/users/${segment(id)}` }, schemas.user, "GET /users/{id}"));
    },

    async create(fields) {
      const externalId = fields.externalId;
      // A POST that lost its answer is repeated only once the external id shows it did not land.
      const options = typeof externalId === "string" ? { confirmNotApplied: async () => (await findByExternalId(externalId)) === undefined } : {};
      const request = { method: "POST", path: "/users", body: fields } as const;
      try {
        const { userId } = await requests.getJson(request, schemas.userId, "POST /users", options);
        return { created: true, userId };
      } catch (error) {
        const holder = error instanceof DuplicateError ? schemas.userId.safeParse(error.body) : undefined;
        if (holder?.success) return { created: false, existingUserId: holder.data.userId };
        throw error;
      }
    },

    async update(id, fields, { autoClearEmail } = {}) {
      const query: QueryParams = autoClearEmail === "query" ? { autoClearEmail: "true" } : {};
      const body = autoClearEmail === "body" ? { ...fields, autoClearEmail: true } : fields;
      await requests.send({ method: "PATCH", path: `/users/${segment(id)}`, query, body });
    },

    async delete(id) {
      try {
        await requests.send({ method: "DELETE", path: `/users/${segment(id)}` });
        return true;
      } catch (error) {
        if (error instanceof NotFoundError) return false;
        throw error;
      }
    },

    async participations(id) {
      const request = { method: "GET", path: `/users/${segment(id)}/projectParticipations` } as const;
      return requests.getJson(request, schemas.participations, "GET /users/{id}/projectParticipations");
    },
  };
}

/** `undefined` for a 404. */
export async function unlessNotFound<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
