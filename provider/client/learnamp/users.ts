/**
 * Learn Amp users (docs/learnamp-api-notes.md §5.1):
 *
 * | method             | call                                                                   |
 * |--------------------|------------------------------------------------------------------------|
 * | `list`             | `GET /users?expanded=true&perPage=100&filters[status][]=<every status>`, then, unless a deactivated person was among them, `GET /users?filters[deactivated_at][from]=1970-01-01` (servers before 2026-06 ignore the status filter) |
 * | `get`              | `GET /users/{id}`                                                       |
 * | `findByEmail`      | `GET /users?filters[email]=`, checked on our side; else the whole list (the filter may match case) |
 * | `findByExternalId` | `GET /users/by_integration_external_id/{id}` (404 on older servers)    |
 * | `create`           | `POST /users` (form), `skipInvitation` always sent → 201 with the user  |
 * | `update`           | `PUT /users/{id}`, `email`, `firstName` and `lastName` always (§5.1)   |
 * | `deactivate`/`reactivate` | `PUT /users/{id}/deactivate` / `…/reactivate` → 204              |
 * | `delete`           | `DELETE /users/{id}` (404 = already gone)                              |
 *
 * Every filtered answer is checked on our side: a server that does not know a filter ignores it
 * and answers everyone (§5.6).
 * @module
 */
import { NotFoundError } from "../errors.js";
import { sameEmail } from "../email.js";
import { DEACTIVATED_SINCE_EVER, DEACTIVATED_STATUS, USER_STATUS_CODES } from "./conventions.js";
import { idPath, type LearnAmpRequests } from "./client.js";
import { learnAmpSchemas, type LearnAmpUser, type LearnAmpUserFields } from "./schemas.js";

export interface UsersApi {
  /** Every user, deactivated ones included, with their teams, each once. */
  list(): AsyncGenerator<LearnAmpUser, void, undefined>;
  get(id: number): Promise<LearnAmpUser | undefined>;
  /** The user holding the email without regard to case, deactivated or not. */
  findByEmail(email: string): Promise<LearnAmpUser | undefined>;
  /** `undefined` when nobody holds it, or the server has no external ids. */
  findByExternalId(externalId: string): Promise<LearnAmpUser | undefined>;
  /** Creates the user; a duplicate email fails with `DuplicateError`. */
  create(fields: LearnAmpUserFields & { skipInvitation: boolean }): Promise<LearnAmpUser>;
  /** Writes the fields (with the three the server requires) and returns the user as the server now has them. */
  update(id: number, fields: LearnAmpUserFields & Required<Pick<LearnAmpUserFields, "email" | "firstName" | "lastName">>): Promise<LearnAmpUser>;
  deactivate(id: number): Promise<void>;
  reactivate(id: number): Promise<void>;
  /** `false` if the user was gone already. */
  delete(id: number): Promise<boolean>;
  /** Whether the server keeps external ids, once a user record has been read; `undefined` before. */
  hasExternalIds(): boolean | undefined;
}

export function isDeactivated(user: Pick<LearnAmpUser, "status">): boolean {
  return user.status?.status?.trim().toLowerCase() === DEACTIVATED_STATUS;
}

export function createUsersApi(requests: LearnAmpRequests): UsersApi {
  const schemas = learnAmpSchemas();
  let externalIds: boolean | undefined;
  /** Notes from every record read whether the server has the field at all. */
  const seen = (user: LearnAmpUser): LearnAmpUser => {
    externalIds ??= "integrationExternalId" in user;
    return user;
  };
  const listUsers = (query: Record<string, string | readonly string[]>) =>
    requests.list("/users", query, schemas.userList, "GET /users", (body) => body.users.map(seen));

  async function* list(): AsyncGenerator<LearnAmpUser, void, undefined> {
    const listed = new Set<number>();
    let deactivatedSeen = false;
    for await (const user of listUsers({ expanded: "true", "filters[status][]": USER_STATUS_CODES })) {
      // A list read by pages while it changes can repeat a record.
      if (listed.has(user.id)) continue;
      listed.add(user.id);
      deactivatedSeen ||= isDeactivated(user);
      yield user;
    }
    if (deactivatedSeen) return;
    for await (const user of listUsers({ expanded: "true", ...DEACTIVATED_SINCE_EVER })) {
      if (listed.has(user.id) || !isDeactivated(user)) continue;
      listed.add(user.id);
      yield user;
    }
  }

  async function get(id: number): Promise<LearnAmpUser | undefined> {
    const user = await requests.find({ method: "GET", path: idPath("users", id) }, schemas.user, "GET /users/{id}");
    return user && seen(user);
  }

  async function findByEmail(email: string): Promise<LearnAmpUser | undefined> {
    const query = { "filters[email]": email.trim(), "filters[status][]": USER_STATUS_CODES };
    for await (const user of listUsers(query)) if (sameEmail(user.email, email)) return user;
    // The filter may compare case, and may leave deactivated people out: ask the whole list.
    for await (const user of list()) if (sameEmail(user.email, email)) return user;
    return undefined;
  }

  return {
    list,
    get,
    findByEmail,

    async findByExternalId(externalId) {
      const path = `/users/by_integration_external_id/${encodeURIComponent(externalId)}`;
      const user = await requests.find({ method: "GET", path }, schemas.user, "GET /users/by_integration_external_id/{id}");
      return user && user.integrationExternalId === externalId ? seen(user) : undefined;
    },

    async create(fields) {
      const email = fields.email;
      // A POST is repeated only once a look-up shows it did not land.
      const confirmNotApplied = email === undefined ? undefined : async () => (await findByEmail(email)) === undefined;
      return seen(await requests.json({ method: "POST", path: "/users", body: fields }, schemas.user, "POST /users", confirmNotApplied));
    },

    async update(id, fields) {
      return seen(await requests.json({ method: "PUT", path: idPath("users", id), body: fields }, schemas.user, "PUT /users/{id}"));
    },

    async deactivate(id) {
      await requests.api.send({ method: "PUT", path: idPath("users", id, "deactivate") });
    },

    async reactivate(id) {
      await requests.api.send({ method: "PUT", path: idPath("users", id, "reactivate") });
    },

    async delete(id) {
      try {
        await requests.api.send({ method: "DELETE", path: idPath("users", id) });
        return true;
      } catch (error) {
        if (error instanceof NotFoundError) return false;
        throw error;
      }
    },

    hasExternalIds: () => externalIds,
  };
}
