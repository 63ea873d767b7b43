/**
 * Northpass people (docs/northpass-api-notes.md, §People):
 *
 * | method          | call                                                              |
 * |-----------------|-------------------------------------------------------------------|
 * | `list`          | `GET /people?page=N&limit=100`, following `links.next`           |
 * | `findByEmail`   | `GET /people?filter[email][eq]=`, re-checked here: the filter may be ignored |
 * | `get`           | `GET /people/{id}`                                                |
 * | `create`        | `POST /people`: a known email answers the existing person (200), or 422 "taken" |
 * | `update`        | `PATCH /people/{id}` with only the given attributes               |
 * | `setDeactivated`| `PATCH /people/{id}` `deactivated: true|false`, then `GET` it back |
 * | `delete`        | `DELETE /people/{id}` (permanent; a JSON 404 = already gone)      |
 * @module
 */
import { DuplicateError } from "../errors.js";
import { sameEmail } from "../email.js";
import {
  isJsonNotFound,
  resourceDocument,
  resourcePath,
  unlessNotFound,
  type NorthpassRequests,
} from "./requests.js";
import { isDeactivated, northpassSchemas, type NorthpassPerson, type PersonAttributes } from "./schemas.js";

export interface PeopleApi {
  list(): AsyncGenerator<NorthpassPerson, void, undefined>;
  /** The person holding the email, compared without regard to case, or `undefined`. */
  findByEmail(email: string): Promise<NorthpassPerson | undefined>;
  get(id: string): Promise<NorthpassPerson | undefined>;
  /**
   * Creates the person, or finds who already holds the email: Northpass answers a known email with
   * the existing record, as it was (or, per other sources, a 422 "taken", then looked up). A failed
   * POST is repeated only after a look-up shows nobody holds the email.
   */
  create(attributes: PersonAttributes & { email: string }): Promise<NorthpassPerson>;
  /** Writes only the given attributes. */
  update(id: string, attributes: PersonAttributes): Promise<void>;
  /**
   * Asks Northpass to (de)activate the person, then reads them back: deactivation is not a
   * documented call, so only the read tells whether it happened. `confirmed` is false when the
   * person does not show the asked-for state.
   */
  setDeactivated(id: string, deactivated: boolean): Promise<{ person: NorthpassPerson | undefined; confirmed: boolean }>;
  /** Permanently deletes the person and their analytics; `false` if they were gone already. */
  delete(id: string): Promise<boolean>;
}

export function createPeopleApi(requests: NorthpassRequests): PeopleApi {
  const schemas = northpassSchemas();

  async function findByEmail(email: string): Promise<NorthpassPerson | undefined> {
    const matches = requests.listAll({
      path: "/people",
      query: { "filter[email][eq]": email.trim() },
      endpoint: "GET /people?filter[email][eq]",
      schema: schemas.personList,
    });
    // Never "the first record returned": an ignored filter answers everyone (notes, §Filtering).
    for await (const person of matches) if (sameEmail(person.attributes.email, email)) return person;
    return undefined;
  }

  async function get(id: string): Promise<NorthpassPerson | undefined> {
    const document = await unlessNotFound(requests.getJson({ method: "GET", path: resourcePath("people", id) }, schemas.onePerson, "GET /people/{id}"));
    return document?.data;
  }

  return {
    list: () => requests.listAll({ path: "/people", endpoint: "GET /people", schema: schemas.personList }),
    findByEmail,
    get,

    async create(attributes) {
      const request = { method: "POST" as const, path: "/people", body: resourceDocument("people", { ...attributes }) };
      try {
        const confirmNotApplied = async () => (await findByEmail(attributes.email)) === undefined;
        const response = await requests.send(request, { confirmNotApplied });
        const document = schemas.onePerson.safeParse(response.body);
        // Some answers may carry no usable body: the email finds the person either way.
        const person = document.success ? document.data.data : await findByEmail(attributes.email);
        if (!person) throw new Error(`POST /people answered ${response.status} for ${attributes.email}, but no person holds that email afterwards`);
        return person;
      } catch (error) {
        if (!(error instanceof DuplicateError)) throw error;
        const person = await findByEmail(attributes.email);
        if (!person) throw error;
        return person;
      }
    },

    async update(id, attributes) {
      if (Object.keys(attributes).length === 0) return;
      await requests.send({ method: "PATCH", path: resourcePath("people", id), body: resourceDocument("people", { ...attributes }, id) });
    },

    async setDeactivated(id, deactivated) {
      await requests.send({ method: "PATCH", path: resourcePath("people", id), body: resourceDocument("people", { deactivated }, id) });
      const person = await get(id);
      return { person, confirmed: person !== undefined && isDeactivated(person) === deactivated };
    },

    async delete(id) {
      try {
        await requests.send({ method: "DELETE", path: resourcePath("people", id) });
        return true;
      } catch (error) {
        if (isJsonNotFound(error)) return false;
        throw error;
      }
    },
  };
}
