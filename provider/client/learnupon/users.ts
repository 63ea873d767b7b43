/**
 * LearnUpon users (contract §2.1):
 *
 * | method            | call                                                   |
 * |-------------------|--------------------------------------------------------|
 * | `list`/`listPage` | `GET /users?page=N` (500 a page)                       |
 * | `searchByEmail`   | `GET /users/search?email=`                             |
 * | `customFields`    | `GET /users?page=1`, its `customDataFieldDefintions` (sic) |
 * | `get`             | `GET /users/{id}` (one-element `user` array)           |
 * | `create`          | `POST /users` `{"User":{…}}` → `{"id":N}`              |
 * | `update`          | `PUT /users/{id}` `{"User":{…}}` (only the given fields) |
 * | `setEnabled`      | `PUT /users/{id}` `{"User":{"enabled":…}}`             |
 * | `delete`          | `DELETE /users/{id}` (permanent; 404 = already gone)   |
 * @module
 */
import type { Page } from "../paginate.js";
import { sameEmail } from "../email.js";
import {
  checkedBody,
  definedOnly,
  deleted,
  isSearchNotFound,
  resourcePath,
  unlessNotFound,
  type LearnUponRequests,
} from "./requests.js";
import { learnUponSchemas, type LearnUponCustomField, type LearnUponUser, type UserFields } from "./schemas.js";

export interface UsersApi {
  /** Every user, page by page as the caller iterates. */
  list(): AsyncGenerator<LearnUponUser, void, undefined>;
  listPage(page: number): Promise<Page<LearnUponUser>>;
  /** The user with this email (case-insensitive), or `undefined`. */
  searchByEmail(email: string): Promise<LearnUponUser | undefined>;
  get(id: number): Promise<LearnUponUser | undefined>;
  /**
   * The portal's custom user fields. `CustomData` keyed by anything else is dropped without a word
   * (§2.1). Read from the first page of `GET /users`, which carries them: one call.
   */
  customFields(): Promise<LearnUponCustomField[]>;
  /**
   * Creates the user and returns its id. LearnUpon requires `email` (or `username`) and a
   * password of 6+ characters. A duplicate email fails with `DuplicateError`. A failed
   * POST is repeated only after `searchByEmail` shows the user does not exist.
   */
  create(fields: UserFields): Promise<number>;
  /** Changes only the given fields (rename with `new_email`); `NotFoundError` if the user does not exist. */
  update(id: number, fields: UserFields): Promise<void>;
  /** Deactivates (`false`) or reactivates (`true`); history and enrollments are kept (S1). */
  setEnabled(id: number, enabled: boolean): Promise<void>;
  /** Permanently deletes the user and their training history. `false` if it was already gone. */
  delete(id: number): Promise<boolean>;
}

export function createUsersApi(requests: LearnUponRequests): UsersApi {
  const schemas = learnUponSchemas();
  const userList = {
    path: "/users",
    endpoint: "GET /users",
    schema: schemas.userList,
    items: (body: { user: LearnUponUser[] }) => body.user,
  };

  async function searchByEmail(email: string): Promise<LearnUponUser | undefined> {
    let users: LearnUponUser[];
    try {
      const request = { method: "GET", path: "/users/search", query: { email } } as const;
      users = (await requests.getJson(request, schemas.userList, "GET /users/search")).user;
    } catch (error) {
      if (isSearchNotFound(error)) return undefined;
      throw error;
    }
    // An ignored filter returns the whole roster (§1.6): keep only a real match.
    return users.find((user) => sameEmail(user.email, email));
  }

  async function update(id: number, fields: UserFields): Promise<void> {
    const body = checkedBody(schemas.userWrite, { User: definedOnly(fields) }, "PUT /users/{id}");
    await requests.send({ method: "PUT", path: resourcePath("users", id), body });
  }

  return {
    list: () => requests.listAll(userList),
    listPage: (page) => requests.listPage(userList, page),
    searchByEmail,

    async get(id) {
      const request = { method: "GET", path: resourcePath("users", id) } as const;
      const body = await unlessNotFound(requests.getJson(request, schemas.userList, "GET /users/{id}"));
      // The record sits in a one-element array (§1.3); make sure it is the one asked for.
      return body?.user.find((user) => user.id === id);
    },

    async create(fields) {
      const body = checkedBody(schemas.userWrite, { User: definedOnly(fields) }, "POST /users");
      const email = fields.email;
      const options =
        email === undefined ? {} : { confirmNotApplied: async () => (await searchByEmail(email)) === undefined };
      const created = await requests.getJson({ method: "POST", path: "/users", body }, schemas.created, "POST /users", options);
      return created.id;
    },

    async customFields() {
      const request = { method: "GET", path: "/users", query: { page: 1 } } as const;
      return (await requests.getJson(request, schemas.customFieldDefinitions, "GET /users")).customDataFieldDefintions;
    },

    update,
    setEnabled: (id, enabled) => update(id, { enabled }),
    delete: async (id) => deleted(requests.send({ method: "DELETE", path: resourcePath("users", id) })),
  };
}
