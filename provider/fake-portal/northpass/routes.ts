/**
 * msw handlers that answer like Northpass's API v2 (our notes: docs/northpass-api-notes.md).
 *
 * Every route runs one gate first: the `X-Api-Key` header (a key in the query string is not
 * accepted), the school's 10-a-second bucket, and the JSON body. Endpoints answer JSON:API
 * documents with absolute `links` built from the request's own origin; an unknown route answers
 * an HTML 404 page, as Northpass does, so a client that guesses paths or parses every body as
 * JSON is caught.
 * @module
 */
import { http, HttpResponse, type HttpHandler } from "msw";
import type { TokenBucket } from "../rate-limiter.js";
import type { NorthpassOptions } from "./options.js";
import { numberOf, uuidOf, type CourseRecord, type GroupRecord, type NorthpassStore, type PersonRecord } from "./store.js";

type Json = Record<string, unknown>;

interface Reply {
  status: number;
  body?: Json;
  headers?: Record<string, string>;
}

interface Call {
  url: URL;
  params: Record<string, string>;
  body: unknown;
}

interface School {
  store: NorthpassStore;
  options: NorthpassOptions;
  apiKey: string;
  bucket: TokenBucket;
}

type Endpoint = (school: School, call: Call) => Reply;

/** A JSON:API error document; `status` is a string, as Northpass sends it. */
function failure(status: number, title: string, detail: string, pointer?: string): Reply {
  return { status, body: { errors: [{ status: String(status), title, detail, source: pointer === undefined ? {} : { pointer } }] } };
}

const notFound = (what: string) => failure(404, "Not Found", `${what} not found`);

/** The page Northpass answers for a route it does not have. */
const HTML_NOT_FOUND = "<!DOCTYPE html>\n<html><head><title>The page you were looking for doesn't exist (404)</title></head><body><h1>404</h1></body></html>";

// ---- rendering --------------------------------------------------------------------------------

function personResource(base: string, person: PersonRecord): Json {
  const deactivated = person.deactivated_at !== null || person.deletion !== undefined;
  const name = `${person.first_name} ${person.last_name}`.trim();
  return {
    type: "people",
    id: uuidOf(person.id),
    attributes: {
      email: person.email,
      first_name: person.first_name,
      last_name: person.last_name,
      name,
      full_name: name,
      sso_uid: person.sso_uid,
      registration_status: "not_activated",
      activated_at: null,
      unsubscribed: false,
      disabled: deactivated,
      deactivated_at: person.deactivated_at ?? (person.deletion ? person.updated_at : null),
      created_at: person.created_at,
      updated_at: person.updated_at,
    },
    // `groups` is left empty in listings: a client must not count on it (notes, §People).
    relationships: { school: { data: { type: "schools", id: "school" } }, groups: { data: [] } },
    links: { self: { href: `${base}/people/${uuidOf(person.id)}`, methods: ["get", "delete"] } },
  };
}

function groupResource(base: string, group: GroupRecord, store: NorthpassStore): Json {
  const members = store.memberships.filter((membership) => membership.groupId === group.id).length;
  return {
    type: "groups",
    id: uuidOf(group.id),
    attributes: { name: group.name, description: "", user_count: members, created_at: group.created_at, updated_at: group.created_at },
    links: { self: { href: `${base}/groups/${uuidOf(group.id)}`, methods: ["get", "patch", "delete"] } },
  };
}

function courseResource(base: string, course: CourseRecord): Json {
  return { type: "courses", id: uuidOf(course.id), attributes: { name: course.name, status: "live" }, links: { self: { href: `${base}/courses/${uuidOf(course.id)}` } } };
}

/** Where the API lives on this request's origin. */
function baseOf(call: Call): string {
  return `${call.url.origin}/v2`;
}

// ---- lists: page, limit, links and filters ----------------------------------------------------

/** One page of `records` with `links.self`, and `prev`/`next` only where they exist (notes, §Paging). */
function page<T>(school: School, call: Call, records: T[], render: (record: T) => Json): Reply {
  const { options } = school;
  if (records.length === 0 && options.emptyList === "404") return notFound("Resource");
  const requested = Number.parseInt(call.url.searchParams.get("page") ?? "", 10);
  const current = requested >= 1 ? requested : 1;
  const askedLimit = Number.parseInt(call.url.searchParams.get("limit") ?? "", 10);
  const limit = Math.min(askedLimit >= 1 ? askedLimit : options.pageSize, options.maxLimit);
  const start = (current - 1) * limit;
  const link = (n: number) => {
    const url = new URL(call.url);
    if (n === 1) url.searchParams.delete("page");
    else url.searchParams.set("page", String(n));
    return url.toString();
  };
  const links: Json = { self: call.url.toString() };
  if (current > 1) links["prev"] = link(current - 1);
  if (start + limit < records.length) links["next"] = link(current + 1);
  return { status: 200, body: { data: records.slice(start, start + limit).map(render), links } };
}

const FILTER = /^filter\[(\w+)\](?:\[(\w+)\])?$/;

/**
 * The records the query's `filter[...]` keep. A bare `filter[x]` is a substring match; `eq`,
 * `not_eq`, `cont`, `not_cont` as documented; emails compare without case. A filter on an
 * attribute the collection does not filter by is ignored, so everything comes back.
 */
function filtered<T>(call: Call, records: T[], attributes: Record<string, (record: T) => string>): T[] {
  let kept = records;
  for (const [key, value] of call.url.searchParams) {
    const match = FILTER.exec(key);
    const read = match?.[1] === undefined ? undefined : attributes[match[1]];
    if (!match || !read) continue;
    const wanted = value.toLowerCase();
    const exact = match[1] === "email" ? (record: T) => read(record).toLowerCase() === wanted : (record: T) => read(record) === value;
    const contains = (record: T) => read(record).toLowerCase().includes(wanted);
    const predicate = { eq: exact, not_eq: (record: T) => !exact(record), cont: contains, not_cont: (record: T) => !contains(record) }[match[2] ?? "cont"];
    if (predicate) kept = kept.filter(predicate);
  }
  return kept;
}

// ---- people -----------------------------------------------------------------------------------

const PERSON_FILTERS = { email: (p: PersonRecord) => p.email, first_name: (p: PersonRecord) => p.first_name, last_name: (p: PersonRecord) => p.last_name };

function listPeople(school: School, call: Call): Reply {
  const { store } = school;
  const everyone = [...store.people.values()].sort((a, b) => a.id - b.id);
  const reply = page(school, call, filtered(call, everyone, PERSON_FILTERS), (person) => personResource(baseOf(call), person));
  if ((call.url.searchParams.get("page") ?? "1") === "1") store.listedPeople();
  return reply;
}

function personOf(school: School, call: Call): PersonRecord | undefined {
  const id = numberOf(call.params["id"] ?? "");
  return id === undefined ? undefined : school.store.livePerson(id);
}

function getPerson(school: School, call: Call): Reply {
  const person = personOf(school, call);
  return person ? { status: 200, body: { data: personResource(baseOf(call), person) } } : notFound("Person");
}

/** `data.attributes` of a JSON:API document, or the failure naming what is wrong with it. */
function attributesOf(call: Call, type: string): { attributes: Json } | { rejected: Reply } {
  const data = (call.body as { data?: unknown } | undefined)?.data;
  if (typeof data !== "object" || data === null || Array.isArray(data)) return { rejected: failure(422, "Invalid Document", "data must be a resource object", "/data") };
  const record = data as Json;
  if (record["type"] !== undefined && record["type"] !== type) return { rejected: failure(409, "Conflict", `type must be ${type}`, "/data/type") };
  const attributes = record["attributes"];
  if (typeof attributes !== "object" || attributes === null) return { rejected: failure(422, "Invalid Document", "attributes are required", "/data/attributes") };
  return { attributes: attributes as Json };
}

function text(attributes: Json, name: string): string | undefined {
  const value = attributes[name];
  return typeof value === "string" ? value.trim() : undefined;
}

function createPerson(school: School, call: Call): Reply {
  const document = attributesOf(call, "people");
  if ("rejected" in document) return document.rejected;
  const { attributes } = document;
  const email = text(attributes, "email") ?? "";
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) return failure(422, "Invalid Attribute", "is not a valid email", "/data/attributes/email");
  const { store, options } = school;
  const existing = store.personByEmail(email);
  if (existing) {
    // The seed: "If the learner already exists, the API will return the existing record." Unchanged, deactivated or not.
    if (options.existingEmail === "422") return failure(422, "Invalid Attribute", "has already been taken", "/data/attributes/email");
    return { status: 200, body: { data: personResource(baseOf(call), existing) } };
  }
  const person = store.createPerson({ email, first_name: text(attributes, "first_name") ?? "", last_name: text(attributes, "last_name") ?? "" }, true);
  return { status: 201, body: { data: personResource(baseOf(call), person) } };
}

function updatePerson(school: School, call: Call): Reply {
  const person = personOf(school, call);
  if (!person) return notFound("Person");
  const document = attributesOf(call, "people");
  if ("rejected" in document) return document.rejected;
  const { attributes } = document;
  const { store, options } = school;
  const email = text(attributes, "email");
  if (email !== undefined) {
    const holder = store.personByEmail(email);
    if (holder && holder.id !== person.id) return failure(422, "Invalid Attribute", "has already been taken", "/data/attributes/email");
  }
  const changes: Parameters<NorthpassStore["updatePerson"]>[1] = {};
  if (email !== undefined) changes.email = email;
  const firstName = text(attributes, "first_name");
  if (firstName !== undefined) changes.first_name = firstName;
  const lastName = text(attributes, "last_name");
  if (lastName !== undefined) changes.last_name = lastName;
  // Undocumented: honoured, or silently ignored with the same 200 (notes, §Deactivation).
  const deactivated = attributes["deactivated"];
  if (typeof deactivated === "boolean" && options.deactivation === "accepted") {
    if (deactivated && person.deactivated_at === null) changes.deactivated_at = store.timestamp();
    if (!deactivated) changes.deactivated_at = null;
  }
  store.updatePerson(person, changes);
  return { status: 200, body: { data: personResource(baseOf(call), person) } };
}

function deletePerson(school: School, call: Call): Reply {
  const person = personOf(school, call);
  if (!person) return notFound("Person");
  school.store.deletePerson(person, school.options.deletedLingersFor);
  return { status: 204 };
}

// ---- groups and memberships -------------------------------------------------------------------

function groupOf(school: School, call: Call): GroupRecord | undefined {
  const id = numberOf(call.params["id"] ?? "");
  return id === undefined ? undefined : school.store.groups.get(id);
}

function listGroups(school: School, call: Call): Reply {
  const groups = filtered(call, school.store.groups.all(), { name: (group: GroupRecord) => group.name });
  return page(school, call, groups, (group) => groupResource(baseOf(call), group, school.store));
}

function getGroup(school: School, call: Call): Reply {
  const group = groupOf(school, call);
  return group ? { status: 200, body: { data: groupResource(baseOf(call), group, school.store) } } : notFound("Group");
}

function createGroup(school: School, call: Call): Reply {
  const document = attributesOf(call, "groups");
  if ("rejected" in document) return document.rejected;
  const { attributes } = document;
  const name = text(attributes, "name") ?? "";
  if (name === "") return failure(422, "Invalid Attribute", "can't be blank", "/data/attributes/name");
  const existing = school.store.groupByName(name);
  // The seed: "If a group with the same name already exists, the API will return the existing record."
  if (existing) return { status: 200, body: { data: groupResource(baseOf(call), existing, school.store) } };
  return { status: 201, body: { data: groupResource(baseOf(call), school.store.createGroup(name), school.store) } };
}

function listMemberships(school: School, call: Call): Reply {
  const group = groupOf(school, call);
  if (!group) return notFound("Group");
  const memberships = school.store.memberships.filter((membership) => membership.groupId === group.id);
  // The person is only in the relationship; the membership's own id is compound (notes, §Memberships).
  return page(school, call, memberships, (membership) => ({
    type: "memberships",
    id: `${uuidOf(membership.groupId)}:${uuidOf(membership.personId)}`,
    attributes: { created_at: membership.created_at },
    relationships: { person: { data: { type: "people", id: uuidOf(membership.personId) } }, group: { data: { type: "groups", id: uuidOf(group.id) } } },
  }));
}

/** The people named by a `{"data":[{type:"people",id}]}` body, or the failure to answer. */
function peopleNamed(school: School, call: Call): PersonRecord[] | Reply {
  const data = (call.body as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data)) return failure(422, "Invalid Document", "data must be an array of resource identifiers", "/data");
  const people: PersonRecord[] = [];
  for (const [index, identifier] of data.entries()) {
    const { type, id } = (identifier ?? {}) as { type?: unknown; id?: unknown };
    const number = typeof id === "string" ? numberOf(id) : undefined;
    const person = type === "people" && number !== undefined ? school.store.livePerson(number) : undefined;
    if (!person) return failure(404, "Not Found", "Person not found", `/data/${index}`);
    people.push(person);
  }
  return people;
}

function addMembers(school: School, call: Call): Reply {
  const group = groupOf(school, call);
  if (!group) return notFound("Group");
  const people = peopleNamed(school, call);
  if (!Array.isArray(people)) return people;
  const { store, options } = school;
  if (options.duplicateMember === "422" && people.length === 1 && people[0] && store.membership(group.id, people[0].id)) {
    return failure(422, "Invalid Attribute", "Person is already a member of this group", "/data/0");
  }
  for (const person of people) store.addMember(group.id, person.id);
  return { status: 204 };
}

function removeMembers(school: School, call: Call): Reply {
  const group = groupOf(school, call);
  if (!group) return notFound("Group");
  const people = peopleNamed(school, call);
  if (!Array.isArray(people)) return people;
  for (const person of people) school.store.removeMember(group.id, person.id);
  return { status: 204 };
}

// ---- courses (read only) ----------------------------------------------------------------------

function courseOf(school: School, call: Call): CourseRecord | undefined {
  const id = numberOf(call.params["id"] ?? "");
  return id === undefined ? undefined : school.store.courses.get(id);
}

function listCourses(school: School, call: Call): Reply {
  const courses = filtered(call, school.store.courses.all(), { name: (course: CourseRecord) => course.name });
  return page(school, call, courses, (course) => courseResource(baseOf(call), course));
}

function getCourse(school: School, call: Call): Reply {
  const course = courseOf(school, call);
  return course ? { status: 200, body: { data: courseResource(baseOf(call), course) } } : notFound("Course");
}

function listEnrollments(school: School, call: Call): Reply {
  const course = courseOf(school, call);
  if (!course) return notFound("Course");
  return page(school, call, school.store.enrollments(course.id), ({ person, enrolledAt }) => ({
    type: "course_enrollments",
    id: `${uuidOf(course.id)}:${uuidOf(person.id)}`,
    attributes: { person_id: uuidOf(person.id), course_id: uuidOf(course.id), progress: 0, enrolled_at: enrolledAt },
    relationships: { person: { data: { type: "people", id: uuidOf(person.id) } } },
  }));
}

// ---- the gate ---------------------------------------------------------------------------------

type Method = "get" | "post" | "put" | "patch" | "delete";

const ROUTES: readonly (readonly [Method, string, Endpoint])[] = [
  ["get", "/people", listPeople],
  ["post", "/people", createPerson],
  ["get", "/people/:id", getPerson],
  ["patch", "/people/:id", updatePerson],
  ["put", "/people/:id", updatePerson],
  ["delete", "/people/:id", deletePerson],
  ["get", "/groups", listGroups],
  ["post", "/groups", createGroup],
  ["get", "/groups/:id", getGroup],
  ["get", "/groups/:id/memberships", listMemberships],
  ["post", "/groups/:id/relationships/people", addMembers],
  ["delete", "/groups/:id/relationships/people", removeMembers],
  ["get", "/courses", listCourses],
  ["get", "/courses/:id", getCourse],
  ["get", "/courses/:id/enrollments", listEnrollments],
];

export function northpassHandlers(school: School): HttpHandler[] {
  const routes = ROUTES.map(([method, path, endpoint]) =>
    http[method](`*/v2${path}`, async ({ request, params }) => answer(school, endpoint, request, params as Record<string, string>)),
  );
  return [...routes, http.all("*", () => new HttpResponse(HTML_NOT_FOUND, { status: 404, headers: { "content-type": "text/html; charset=utf-8" } }))];
}

export type { School };

async function answer(school: School, endpoint: Endpoint, request: Request, params: Record<string, string>): Promise<Response> {
  const { options } = school;
  if (request.headers.get("x-api-key") !== school.apiKey) {
    return toResponse(failure(401, "Unauthorized", "You don't have the necessary credentials"));
  }
  if (options.perSecond !== false && !school.bucket.take(options.perSecond, 1_000)) {
    const retryAfter = options.retryAfter === "sent" ? { "Retry-After": "1" } : {};
    return toResponse({ ...failure(429, "Too Many Requests", "Rate limit exceeded"), headers: retryAfter });
  }
  let body: unknown;
  const raw = await request.text();
  if (raw !== "") {
    try {
      body = JSON.parse(raw);
    } catch {
      return toResponse(failure(400, "Bad Request", "The request body is not valid JSON"));
    }
  }
  return toResponse(endpoint(school, { url: new URL(request.url), params, body }));
}

function toResponse(reply: Reply): Response {
  if (reply.body === undefined) return new HttpResponse(null, { status: reply.status, headers: reply.headers ?? {} });
  return HttpResponse.json(reply.body, { status: reply.status, headers: { "content-type": "application/json; charset=utf-8", ...reply.headers } });
}
