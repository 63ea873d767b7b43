/**
 * msw handlers that answer like Learnifier's Public API (docs/learnifier-api-notes.md), below the
 * portal's root: the base URL is the instance itself, nothing is appended.
 *
 * Every route runs one gate first: HTTP Basic with the key and secret (401 otherwise), the
 * optional rate limit (429), and JSON only: a body without `Content-Type: application/json` is a
 * 415 and a body that is not JSON a 400. Envelopes are Learnifier's, inconsistent as they are:
 * bare arrays for lists, `{"orgUnits":[…]}`, `{"userId"}` from a create.
 * @module
 */
import { http, HttpResponse, type HttpHandler, type PathParams } from "msw";
import { RateLimiter, rateLimitedBody } from "../rate-limiter.js";
import type { LearnifierPortalOptions } from "./options.js";
import {
  Refusal,
  refusal,
  WRITABLE_USER_FIELDS,
  type LearnifierStore,
  type ParticipantRecord,
  type ProjectRecord,
  type UserRecord,
  type UserWrite,
} from "./store.js";

export interface LearnifierCredentials {
  keyId: string;
  keySecret: string;
}

interface Call {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** The portal root, for `Location` headers. */
  origin: string;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Endpoint = (store: LearnifierStore, options: LearnifierPortalOptions, call: Call) => Reply;

const ORG = "/orgunits/:org";
const PARTICIPANTS = `${ORG}/projects/:project/participants`;

const ROUTES: ReadonlyArray<readonly ["get" | "post" | "patch" | "delete" | "all", string, Endpoint]> = [
  ["get", "/users", listUsers],
  ["post", "/users", createUser],
  ["get", "/extuser", findByExternalId],
  ["get", "/users/:id/projectParticipations", listParticipations],
  ["get", "/users/:id", getUser],
  ["patch", "/users/:id", patchUser],
  ["delete", "/users/:id", deleteUser],
  ["get", "/orgunits", (store) => ({ status: 200, body: { orgUnits: store.orgUnits.all().map((org) => ({ ...org, type: "client", parentId: null })) } })],
  ["get", `${ORG}/usergroups`, listGroups],
  ["get", `${ORG}/usergroups/:group/members`, listMembers],
  ["post", `${ORG}/usergroups/:group/members`, addMember],
  ["delete", `${ORG}/usergroups/:group/members/:uuid`, removeMember],
  ["get", `${ORG}/projects`, listProjects],
  ["get", PARTICIPANTS, listParticipants],
  ["post", PARTICIPANTS, addParticipant],
  ["post", `${PARTICIPANTS}/:participant/activate`, activateParticipant],
  ["delete", `${PARTICIPANTS}/:participant`, removeParticipant],
  ["all", "/*", () => ({ status: 404, body: { message: "Not found" } })],
];

export function createLearnifierHandlers(
  store: LearnifierStore,
  options: LearnifierPortalOptions,
  credentials: LearnifierCredentials,
  rateLimiter: RateLimiter = new RateLimiter(),
): HttpHandler[] {
  const expected = `${credentials.keyId}:${credentials.keySecret}`;
  return ROUTES.map(([method, path, endpoint]) =>
    http[method](`*${path}`, async ({ request, params }) => {
      const basic = /^Basic\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
      if (basic === undefined || Buffer.from(basic, "base64").toString("utf8") !== expected) {
        return answer({ status: 401, body: { code: 401, message: "Invalid API key or secret" } });
      }
      if (options.rateLimit !== false && !rateLimiter.take({ perMinute: options.rateLimit.perMinute, perWeek: Number.MAX_SAFE_INTEGER }).allowed) {
        const retryAfter = options.retryAfterSeconds === false ? {} : { "Retry-After": String(options.retryAfterSeconds) };
        return answer({ status: 429, body: { message: rateLimitedBody("minute").message }, headers: retryAfter });
      }
      const text = await request.text();
      let body: unknown;
      if (text.length > 0) {
        if (!/^application\/json\b/i.test(request.headers.get("content-type") ?? "")) {
          return answer({ status: 415, body: { code: 415, message: "Content-Type must be application/json" } });
        }
        try {
          body = JSON.parse(text);
        } catch {
          return answer({ status: 400, body: { code: 400, message: "Invalid JSON" } });
        }
      }
      const url = new URL(request.url);
      const call: Call = { params: stringParams(params), query: url.searchParams, body, origin: url.origin };
      try {
        return answer(endpoint(store, options, call));
      } catch (error) {
        if (error instanceof Refusal) return answer({ status: error.status, body: error.body, headers: error.headers });
        throw error;
      }
    }),
  );
}

// ---- users ------------------------------------------------------------------------------------

/** A user as `GET /users/{id}` and the member lists show it. */
export function renderUser(user: UserRecord): Record<string, unknown> {
  return {
    id: user.uuid,
    externalId: user.externalId,
    primaryEmail: user.primaryEmail,
    firstName: user.firstName,
    lastName: user.lastName,
    displayName: user.displayName,
    homeOrg: user.homeOrg,
    prefs: { locale: user.locale },
    hardLock: user.hardLock,
    locked: user.locked,
    authorizationPossible: !user.locked,
    firstLogin: null,
    lastLogin: null,
  };
}

/** `GET /users?limit&offset`: a bare array in a stable order, with `X-Limit`, `X-Offset`, `X-Size`, `X-More`. */
function listUsers(store: LearnifierStore, options: LearnifierPortalOptions, call: Call): Reply {
  const limit = Math.min(nonNegative(call.query.get("limit"), 5000), options.maxLimit);
  const offset = nonNegative(call.query.get("offset"), 0);
  if (offset === 0) store.userListings += 1;
  const all = store.users.all();
  const page = all.slice(offset, offset + limit);
  return {
    status: 200,
    body: page.map((user) => ({ ...renderUser(user), backOfficeRoles: user.backOfficeRoles, clientRoles: [] })),
    headers: { "X-Limit": String(limit), "X-Offset": String(offset), "X-Size": String(page.length), "X-More": String(offset + page.length < all.length) },
  };
}

/** `POST /users` answers 200 (not 201) with `{"userId"}`; a taken email 409 with the holder's `{"userId"}`. */
function createUser(store: LearnifierStore, _options: LearnifierPortalOptions, call: Call): Reply {
  const user = store.createUser(userWrite(call.body));
  return { status: 200, body: { userId: user.uuid } };
}

function findByExternalId(store: LearnifierStore, _options: LearnifierPortalOptions, call: Call): Reply {
  const user = store.userByExternalId(call.query.get("extid") ?? "");
  if (!user) throw refusal(404, "User not found");
  return { status: 200, body: renderUser(user) };
}

function getUser(store: LearnifierStore, _options: LearnifierPortalOptions, call: Call): Reply {
  return { status: 200, body: renderUser(userAt(store, call)) };
}

/** `PATCH /users/{id}` answers 201 with no body; `autoClearEmail` is read where the switch says. */
function patchUser(store: LearnifierStore, options: LearnifierPortalOptions, call: Call): Reply {
  const user = userAt(store, call);
  const fields = isObject(call.body) ? { ...call.body } : {};
  let autoClearEmail = false;
  if (options.switches.autoClearEmail === "query") {
    autoClearEmail = call.query.get("autoClearEmail") === "true";
  } else if ("autoClearEmail" in fields) {
    autoClearEmail = fields["autoClearEmail"] === true;
    delete fields["autoClearEmail"];
  }
  store.updateUser(user, userWrite(fields), autoClearEmail);
  return { status: 201 };
}

function deleteUser(store: LearnifierStore, options: LearnifierPortalOptions, call: Call): Reply {
  if (options.switches.deleteUserRoute === "missing") return { status: 404, body: { message: "Not found" } };
  store.deleteUser(userAt(store, call));
  return { status: 204 };
}

/** A user's participations across projects, as an array, with the project's name and state added. */
function listParticipations(store: LearnifierStore, _options: LearnifierPortalOptions, call: Call): Reply {
  const user = userAt(store, call);
  const rows = store.participants
    .filter((participant) => participant.userUuid === user.uuid)
    .map((participant) => {
      const project = store.projects.get(participant.projectId);
      return {
        ...renderParticipant(participant, project),
        projectName: project?.name ?? null,
        projectStatus: project?.status ?? null,
        projectOrgId: project?.orgId ?? null,
      };
    });
  return { status: 200, body: rows };
}

function userAt(store: LearnifierStore, call: Call): UserRecord {
  const user = store.userByUuid(call.params["id"] ?? "");
  if (!user) throw refusal(404, "User not found");
  return user;
}

/** The body's user fields; any other key is a 400 naming it (so a client sending more than it means is caught). */
function userWrite(body: unknown): UserWrite {
  if (!isObject(body)) throw refusal(400, "Expected a JSON object");
  for (const key of Object.keys(body)) {
    if (!(WRITABLE_USER_FIELDS as readonly string[]).includes(key)) throw refusal(400, `Unknown field ${key}`, key);
  }
  return body as UserWrite;
}

// ---- groups -----------------------------------------------------------------------------------

function listGroups(store: LearnifierStore, _options: LearnifierPortalOptions, call: Call): Reply {
  const orgId = orgAt(store, call);
  const groups = store.groups.filter((group) => group.orgId === orgId);
  return { status: 200, body: groups.map((group) => ({ groupId: group.id, name: group.name, parent: group.parent, globalId: null, userGroup: group.id + 50_000, children: [] })) };
}

function listMembers(store: LearnifierStore, _options: LearnifierPortalOptions, call: Call): Reply {
  const group = store.group(orgAt(store, call), numberParam(call, "group"));
  return { status: 200, body: store.membersOf(group).map(renderUser) };
}

function addMember(store: LearnifierStore, _options: LearnifierPortalOptions, call: Call): Reply {
  const group = store.group(orgAt(store, call), numberParam(call, "group"));
  const uuid = isObject(call.body) ? call.body["uuid"] : undefined;
  if (typeof uuid !== "string" || uuid === "") throw refusal(400, "uuid is required", "uuid");
  store.addMember(group, uuid);
  return { status: 200, body: { uuid } };
}

function removeMember(store: LearnifierStore, _options: LearnifierPortalOptions, call: Call): Reply {
  const group = store.group(orgAt(store, call), numberParam(call, "group"));
  store.removeMember(group, call.params["uuid"] ?? "");
  return { status: 200, body: "OK" };
}

// ---- projects and participants ----------------------------------------------------------------

function listProjects(store: LearnifierStore, _options: LearnifierPortalOptions, call: Call): Reply {
  const orgId = orgAt(store, call);
  const projects = store.projects.filter((project) => project.orgId === orgId);
  return {
    status: 200,
    body: projects.map((project) => ({ id: project.id, orgId: project.orgId, name: project.name, externalId: null, status: project.status, designId: 7 })),
  };
}

export function renderParticipant(participant: ParticipantRecord, project: ProjectRecord | undefined): Record<string, unknown> {
  return {
    id: participant.id,
    projectId: participant.projectId,
    userId: participant.userUuid,
    externalId: participant.externalId,
    activated: participant.activated,
    inError: participant.inError,
    errorMessage: participant.errorMessage,
    expiration: null,
    accessLink: participant.activated ? `https://learnifier.invalid/access/${participant.id}` : null,
    firstActivation: participant.firstActivation,
    lastActivation: participant.lastActivation,
    firstAccess: null,
    lastAccess: null,
    activitiesCompleted: participant.activitiesCompleted,
    activitiesTotal: project?.activitiesTotal ?? 0,
  };
}

function listParticipants(store: LearnifierStore, _options: LearnifierPortalOptions, call: Call): Reply {
  const project = projectAt(store, call);
  return { status: 200, body: store.participantsOf(project).map((participant) => renderParticipant(participant, project)) };
}

/**
 * Exactly one of `userid` and `email`. 201 with no body (the `Location` of the new participant
 * only when the switch says); a duplicate is a 409 whose `Location` names the existing one.
 */
function addParticipant(store: LearnifierStore, options: LearnifierPortalOptions, call: Call): Reply {
  const project = projectAt(store, call);
  const body = isObject(call.body) ? call.body : {};
  const { userid, email, extid } = body;
  if ((typeof userid === "string") === (typeof email === "string")) throw refusal(400, "Give exactly one of email and userid");
  const by = typeof userid === "string" ? { userid } : { email: email as string };
  const { participant, created } = store.addParticipant(project, by, typeof extid === "string" ? extid : null);
  const location = { Location: `${call.origin}/orgunits/${project.orgId}/projects/${project.id}/participants/${participant.id}` };
  if (!created) return { status: 409, body: { code: 409, message: "User is already a participant" }, headers: location };
  return { status: 201, headers: options.switches.participantLocation === "header" ? location : {} };
}

function activateParticipant(store: LearnifierStore, _options: LearnifierPortalOptions, call: Call): Reply {
  const project = projectAt(store, call);
  store.activate(project, store.participant(project, numberParam(call, "participant")));
  return { status: 201 };
}

function removeParticipant(store: LearnifierStore, _options: LearnifierPortalOptions, call: Call): Reply {
  const project = projectAt(store, call);
  store.removeParticipant(project, store.participant(project, numberParam(call, "participant")));
  return { status: 204 };
}

function projectAt(store: LearnifierStore, call: Call): ProjectRecord {
  return store.project(orgAt(store, call), numberParam(call, "project"));
}

// ---- helpers ----------------------------------------------------------------------------------

function orgAt(store: LearnifierStore, call: Call): number {
  const orgId = numberParam(call, "org");
  if (!store.orgUnits.has(orgId)) throw refusal(404, "Organization unit not found");
  return orgId;
}

/** Learnifier's org units, groups, projects and participants have integer ids; anything else matches nothing. */
function numberParam(call: Call, name: string): number {
  const value = call.params[name] ?? "";
  return /^\d+$/.test(value) ? Number(value) : Number.NaN;
}

function nonNegative(value: string | null, fallback: number): number {
  return value !== null && /^\d+$/.test(value) ? Number(value) : fallback;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringParams(params: PathParams): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

function answer(reply: Reply): Response {
  if (reply.body === undefined) return new HttpResponse(null, { status: reply.status, headers: reply.headers ?? {} });
  return HttpResponse.json(reply.body, { status: reply.status, headers: reply.headers ?? {} });
}
