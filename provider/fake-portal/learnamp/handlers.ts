/**
 * msw handlers that answer like Learn Amp's API (our notes: docs/learnamp-api-notes.md, §N):
 * `POST /oauth/token`, then every `/v1` route behind one gate: the bearer token, `Accept`, the
 * rate limit and body parsing (forms with Rack nesting, and JSON where the switch allows it).
 * Replies are Learn Amp's: bare objects, plural envelopes, 204 for deactivate, reactivate and
 * deletes, `{"error": …}` (with `fullErrors` for validation) for failures.
 * @module
 */
import { randomBytes } from "node:crypto";
import { http, HttpResponse, type HttpHandler, type PathParams } from "msw";
import type { RateLimiter } from "../rate-limiter.js";
import type { LearnAmpOptions } from "./options.js";
import { STATUS_NAMES, type LearnAmpStore, type MembershipRecord, type TeamRecord, type UserRecord, type UserStatus } from "./store.js";

type Fields = Record<string, unknown>;

interface Call {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Fields;
  origin: string;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Context {
  store: LearnAmpStore;
  options: LearnAmpOptions;
}

type Endpoint = (context: Context, call: Call) => Reply;

/** Thrown by readers and look-ups; the gate answers with its reply. */
class Refusal extends Error {
  constructor(readonly reply: Reply) {
    super(`HTTP ${reply.status}`);
  }
}

const fail = (status: number, error: string, fullErrors?: Record<string, string[]>): Refusal =>
  new Refusal({ status, body: fullErrors ? { error, fullErrors } : { error } });
const notFound = (): Refusal => fail(404, "Not found");
const NO_CONTENT: Reply = { status: 204 };

/** Roles create and update take; `owner` and `super_admin` are shown but never set (§5.1). */
const SETTABLE_ROLES = new Set(["viewer", "curator", "reporter", "learning_designer", "hr", "admin"]);

export interface LearnAmpCredentials {
  clientId: string;
  clientSecret: string;
}

export function createLearnAmpHandlers(
  context: Context,
  credentials: LearnAmpCredentials,
  rateLimiter: RateLimiter,
  now: () => number,
): HttpHandler[] {
  const routes: Array<[keyof typeof http, string, Endpoint]> = [
    ["get", "/users/by_integration_external_id/:externalId", showUserByExternalId],
    ["get", "/users", listUsers],
    ["post", "/users", createUser],
    ["get", "/users/:id", showUser],
    ["put", "/users/:id/deactivate", deactivateUser],
    ["put", "/users/:id/reactivate", reactivateUser],
    ["put", "/users/:id", updateUser],
    ["delete", "/users/:id", deleteUser],
    ["get", "/teams", listTeams],
    ["post", "/teams", createTeam],
    ["get", "/teams/:id/users", listTeamUsers],
    ["post", "/teams/:id/users", addTeamUser],
    ["delete", "/teams/:id/users/:userId", removeTeamUser],
    ["get", "/teams/:id", showTeam],
    ["all", "/*", () => ({ status: 404, body: { error: "Not found" } })],
  ];
  const token = http.post("*/oauth/token", async ({ request }) => answerToken(context, credentials, now, request));
  return [
    token,
    ...routes.map(([method, path, endpoint]) =>
      http[method](`*/v1${path}`, ({ request, params }) => gate(context, rateLimiter, now, endpoint, path, request, params)),
    ),
  ];
}

// ---- token endpoint (§5.0) ------------------------------------------------------------------

async function answerToken(context: Context, credentials: LearnAmpCredentials, now: () => number, request: Request): Promise<Response> {
  const { store, options } = context;
  store.tokenRequests += 1;
  const form = await readBody(request, true);
  const json = (status: number, body: unknown) => HttpResponse.json(body as Record<string, unknown>, { status });
  if (form["grant_type"] !== "client_credentials") {
    return json(400, { error: "unsupported_grant_type", error_description: "The authorization grant type is not supported." });
  }
  if (form["client_id"] !== credentials.clientId || form["client_secret"] !== credentials.clientSecret) {
    return json(401, { error: "invalid_client", error_description: "Client authentication failed." });
  }
  const at = now();
  const live = [...store.tokens].find(([, expiresAt]) => expiresAt > at + 60_000);
  const accessToken = options.tokens === "reuse" && live ? live[0] : randomBytes(24).toString("base64url");
  const expiresAt = options.tokens === "reuse" && live ? live[1] : at + options.tokenLifetimeSeconds * 1000;
  store.tokens.set(accessToken, expiresAt);
  const scope = options.era === "2024" ? "public" : typeof form["scope"] === "string" && form["scope"] !== "" ? form["scope"] : "public";
  return json(200, {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: Math.round((expiresAt - at) / 1000),
    scope,
    created_at: Math.floor(at / 1000),
  });
}

// ---- the gate of every /v1 route ------------------------------------------------------------

async function gate(
  context: Context,
  rateLimiter: RateLimiter,
  now: () => number,
  endpoint: Endpoint,
  route: string,
  request: Request,
  params: PathParams,
): Promise<Response> {
  const { store, options } = context;
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  const expiresAt = bearer === undefined ? undefined : store.tokens.get(bearer);
  if (expiresAt === undefined || expiresAt <= now()) return toResponse({ status: 401, body: { error: "The access token is invalid" } });
  const accept = request.headers.get("accept");
  if (accept !== null && !/application\/json|\*\/\*/i.test(accept)) return toResponse({ status: 406, body: { error: "The requested format is not supported" } });
  if (options.rateLimit !== false && !rateLimiter.take({ perMinute: options.rateLimit.perMinute, perWeek: Number.MAX_SAFE_INTEGER }).allowed) {
    const retryAfter: Record<string, string> = options.retryAfter === "seconds" ? { "Retry-After": "1" } : {};
    return toResponse({ status: 429, body: { error: "Too many requests" }, headers: retryAfter });
  }
  // Grape reads JSON on the team-member routes; on /users and /teams only forms, unless switched.
  const readsJson = options.jsonBodies === "accepted" || route.startsWith("/teams/:id/users");
  const url = new URL(request.url);
  const call: Call = { params: stringParams(params), query: url.searchParams, body: await readBody(request, readsJson), origin: url.origin };
  try {
    return toResponse(endpoint(context, call));
  } catch (error) {
    if (error instanceof Refusal) return toResponse(error.reply);
    throw error;
  }
}

/** Form fields (Rack nesting: `a[]`, `a[b]`) or a JSON object; a body the server does not read is no fields at all. */
async function readBody(request: Request, readsJson: boolean): Promise<Fields> {
  const contentType = request.headers.get("content-type") ?? "";
  const text = await request.text();
  if (text === "") return {};
  if (/application\/json/i.test(contentType)) {
    if (!readsJson) return {};
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Fields) : {};
    } catch {
      throw fail(400, "There was a problem in the JSON you submitted");
    }
  }
  const fields: Fields = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const array = /^(.+)\[\]$/.exec(key);
    if (array?.[1]) fields[array[1]] = [...((fields[array[1]] as unknown[] | undefined) ?? []), value];
    else fields[key] = value;
  }
  return fields;
}

function toResponse(reply: Reply): Response {
  if (reply.body === undefined) return new HttpResponse(null, { status: reply.status, headers: reply.headers ?? {} });
  return HttpResponse.json(reply.body as Record<string, unknown>, { status: reply.status, headers: reply.headers ?? {} });
}

function stringParams(params: PathParams): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

// ---- readers --------------------------------------------------------------------------------

function text(fields: Fields, key: string): string | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" && typeof value !== "number") throw fail(400, `${key} is invalid`, { [key]: ["is invalid"] });
  return String(value);
}

function flag(fields: Fields, key: string): boolean {
  return fields[key] === true || fields[key] === "true";
}

/** Grape's "x is missing, x is empty" for each required field, joined (§5.5). */
function requireFields(fields: Fields, keys: readonly string[]): void {
  const fullErrors: Record<string, string[]> = {};
  for (const key of keys) {
    const value = text(fields, key);
    if (value === undefined) fullErrors[key] = ["is missing", "is empty"];
    else if (value.trim() === "") fullErrors[key] = ["is empty"];
  }
  const messages = Object.entries(fullErrors).flatMap(([key, errors]) => errors.map((error) => `${key} ${error}`));
  if (messages.length > 0) throw fail(400, messages.join(", "), fullErrors);
}

function pathId(call: Call, name = "id"): number {
  const id = call.params[name] ?? "";
  return /^\d+$/.test(id) ? Number(id) : Number.NaN;
}

function userAt(store: LearnAmpStore, id: number): UserRecord {
  const user = store.users.get(id);
  if (!user) throw notFound();
  return user;
}

function teamAt(store: LearnAmpStore, id: number): TeamRecord {
  const team = store.teams.get(id);
  if (!team) throw notFound();
  return team;
}

// ---- rendering ------------------------------------------------------------------------------

function teamSummary(store: LearnAmpStore, team: TeamRecord, options: LearnAmpOptions): Fields {
  return {
    id: team.id,
    name: team.name,
    teamUsersCount: store.membersOf(team.id).length,
    parentTeamId: null,
    apiTeamPath: `/v1/teams/${team.id}.json`,
    apiTeamUsersPath: `/v1/teams/${team.id}/users.json`,
    manager: null,
    secondaryManagers: [],
    ...(options.era === "2026" && { integrationExternalId: team.integrationExternalId }),
  };
}

function renderUser(context: Context, user: UserRecord, call: Call, withTeams: boolean): Fields {
  const { store, options } = context;
  const status = user.status === "deactivated" ? { status: STATUS_NAMES.deactivated } : { status: STATUS_NAMES[user.status], ...(user.status !== "not_invited" && { time: "On 3 Feb 26" }) };
  const rendered: Fields = {
    id: user.id,
    firstName: user.firstName,
    lastName: user.lastName,
    jobTitle: user.jobTitle,
    email: user.email,
    timeZone: "London",
    language: user.language,
    role: user.role,
    profileUrl: `${call.origin}/en/users/${user.id}`,
    status,
    ...(options.era === "2026" && { integrationExternalId: user.integrationExternalId }),
  };
  if (!withTeams) return rendered;
  const memberships = store.teamsOf(user.id);
  const summary = (membership: MembershipRecord) => {
    const team = store.teams.get(membership.teamId);
    return team ? [teamSummary(store, team, options)] : [];
  };
  return {
    ...rendered,
    manager: null,
    primaryTeam: memberships.filter((membership) => membership.primary).flatMap(summary)[0] ?? null,
    secondaryTeams: memberships.filter((membership) => !membership.primary).flatMap(summary),
  };
}

/** One page of `records` under `key`, with `Total`, `Per-Page` and (switchable) `Total-Pages` (§5.4). */
function paged<T>(options: LearnAmpOptions, call: Call, records: T[], render: (record: T) => unknown, key: string, leading: Fields = {}): Reply {
  const page = Math.max(1, Number.parseInt(call.query.get("page") ?? "1", 10) || 1);
  const asked = Number.parseInt(call.query.get("perPage") ?? "", 10);
  const perPage = Math.min(asked > 0 ? asked : options.pageSize, Number(options.maxPerPage));
  const items = records.slice((page - 1) * perPage, page * perPage).map(render);
  const headers: Record<string, string> = { Total: String(records.length), "Per-Page": String(perPage) };
  if (options.pageHeaders === "total-pages") headers["Total-Pages"] = String(Math.ceil(records.length / perPage));
  return { status: 200, body: { ...leading, [key]: items }, headers };
}

// ---- users (§5.1) ---------------------------------------------------------------------------

function listUsers(context: Context, call: Call): Reply {
  const { store, options } = context;
  const filter = (name: string) => call.query.get(`filters[${name}]`) ?? undefined;
  const statuses = options.era === "2026" ? [...call.query.getAll("filters[status][]"), ...call.query.getAll("filters[status]")].flatMap((value) => value.split(",")) : [];
  const deactivatedFrom = call.query.get("filters[deactivated_at][from]") ?? undefined;
  let users = store.users.all();
  if (statuses.length > 0) users = users.filter((user) => statuses.includes(user.status));
  else if (deactivatedFrom !== undefined) users = users.filter((user) => user.deactivatedAt !== null && user.deactivatedAt.slice(0, 10) >= deactivatedFrom);
  else if (options.deactivatedInList === "hidden") users = users.filter((user) => user.status !== "deactivated");
  const email = filter("email");
  if (email !== undefined) {
    users = users.filter((user) => (options.emailFilter === "case-sensitive" ? user.email === email : user.email.toLowerCase() === email.toLowerCase()));
  }
  const externalId = filter("integration_external_id");
  if (externalId !== undefined && options.era === "2026") users = users.filter((user) => user.integrationExternalId === externalId);
  const expanded = call.query.get("expanded") === "true";
  return paged(options, call, users, (user) => renderUser(context, user, call, expanded), "users");
}

function showUser(context: Context, call: Call): Reply {
  return { status: 200, body: renderUser(context, userAt(context.store, pathId(call)), call, true) };
}

function showUserByExternalId(context: Context, call: Call): Reply {
  if (context.options.era === "2024") throw notFound();
  const user = context.store.userByExternalId(call.params["externalId"] ?? "");
  if (!user) throw notFound();
  return { status: 200, body: renderUser(context, user, call, true) };
}

function checkRole(fields: Fields): string | undefined {
  const role = text(fields, "role");
  if (role !== undefined && !SETTABLE_ROLES.has(role)) throw fail(400, "role does not have a valid value", { role: ["does not have a valid value"] });
  return role;
}

function checkUnique(context: Context, fields: { email?: string | undefined; integrationExternalId?: string | null | undefined }, self?: UserRecord): void {
  const { store, options } = context;
  const holder = fields.email === undefined ? undefined : store.userByEmail(fields.email);
  if (holder && holder !== self) throw fail(Number(options.duplicateEmail), "Validation failed: Email has already been taken", { email: ["has already been taken"] });
  const externalHolder = fields.integrationExternalId ? store.userByExternalId(fields.integrationExternalId) : undefined;
  if (externalHolder && externalHolder !== self) {
    throw fail(400, "Validation failed: Integration external id has already been taken", { integrationExternalId: ["has already been taken"] });
  }
}

/** `""` or null clears an external id; era 2024 servers know no such field. */
function externalIdOf(context: Context, fields: Fields): string | null | undefined {
  if (context.options.era === "2024" || !("integrationExternalId" in fields)) return undefined;
  const value = text(fields, "integrationExternalId");
  return value === undefined || value === "" ? null : value;
}

function createUser(context: Context, call: Call): Reply {
  const fields = call.body;
  requireFields(fields, ["email", "firstName", "lastName"]);
  const email = text(fields, "email")!.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw fail(400, "email is invalid", { email: ["is invalid"] });
  const role = checkRole(fields) ?? "viewer";
  const integrationExternalId = externalIdOf(context, fields) ?? null;
  checkUnique(context, { email, integrationExternalId });
  const status: UserStatus = flag(fields, "skipInvitation") ? "not_invited" : "invite_pending";
  const user = context.store.createUser({
    email,
    firstName: text(fields, "firstName")!,
    lastName: text(fields, "lastName")!,
    role,
    integrationExternalId,
    status,
    ...(text(fields, "language") !== undefined && { language: text(fields, "language")! }),
    ...(text(fields, "jobTitle") !== undefined && { jobTitle: text(fields, "jobTitle")! }),
  });
  return { status: 201, body: renderUser(context, user, call, true) };
}

function updateUser(context: Context, call: Call): Reply {
  const { store, options } = context;
  const user = userAt(store, pathId(call));
  const fields = call.body;
  if (options.updateRequires === "email-and-names") requireFields(fields, ["email", "firstName", "lastName"]);
  const email = text(fields, "email")?.trim();
  const role = options.era === "2024" ? undefined : checkRole(fields);
  const integrationExternalId = externalIdOf(context, fields);
  checkUnique(context, { email, integrationExternalId }, user);
  if (flag(fields, "reactivate") && user.status === "deactivated") store.reactivate(user, options.reactivation === "teams-restored");
  store.users.update(user.id, {
    email,
    firstName: text(fields, "firstName"),
    lastName: text(fields, "lastName"),
    language: text(fields, "language"),
    jobTitle: text(fields, "jobTitle"),
    role,
    integrationExternalId,
  });
  return { status: 200, body: renderUser(context, user, call, true) };
}

function deactivateUser(context: Context, call: Call): Reply {
  const { store, options } = context;
  const user = userAt(store, pathId(call));
  if (user.status === "deactivated") {
    if (options.redeactivate === "422") throw fail(422, "User is already deactivated");
    return NO_CONTENT;
  }
  if (user.role === "owner" && store.otherActiveOwners(user) === 0) throw fail(422, "The account must keep at least one active Owner");
  store.deactivate(user);
  return NO_CONTENT;
}

function reactivateUser(context: Context, call: Call): Reply {
  const user = userAt(context.store, pathId(call));
  if (user.status === "deactivated") context.store.reactivate(user, context.options.reactivation === "teams-restored");
  return NO_CONTENT;
}

function deleteUser(context: Context, call: Call): Reply {
  context.store.deleteUser(userAt(context.store, pathId(call)));
  return NO_CONTENT;
}

// ---- teams and members (§5.2, §5.3) ---------------------------------------------------------

function listTeams(context: Context, call: Call): Reply {
  const { store, options } = context;
  const name = call.query.get("filters[name]");
  const matches = (team: TeamRecord) =>
    name === null || (options.teamNameFilter === "exact" ? team.name === name : team.name.toLowerCase().includes(name.toLowerCase()));
  return paged(options, call, store.teams.filter(matches), (team) => teamSummary(store, team, options), "teams");
}

function showTeam(context: Context, call: Call): Reply {
  const { store, options } = context;
  const team = teamAt(store, pathId(call));
  const users = store.membersOf(team.id).map((user) => ({ ...renderUser(context, user, call, false), removeFromTeamUrl: `/v1/teams/${team.id}/users/${user.id}.json` }));
  return { status: 200, body: { ...teamSummary(store, team, options), users, subTeams: [], parentTeam: null, tags: [] } };
}

function createTeam(context: Context, call: Call): Reply {
  requireFields(call.body, ["name"]);
  const team = context.store.teams.create({ name: text(call.body, "name")!, integrationExternalId: externalIdOf(context, call.body) ?? null });
  return { status: 201, body: teamSummary(context.store, team, context.options) };
}

function listTeamUsers(context: Context, call: Call): Reply {
  const { store, options } = context;
  const team = teamAt(store, pathId(call));
  const render = (user: UserRecord) => renderUser(context, user, call, true);
  return paged(options, call, store.membersOf(team.id), render, "users", teamSummary(store, team, options));
}

function addTeamUser(context: Context, call: Call): Reply {
  const { store, options } = context;
  const team = teamAt(store, pathId(call));
  requireFields(call.body, ["userId"]);
  const user = store.users.get(Number(text(call.body, "userId")));
  if (!user) throw fail(400, "userId must match an existing user within your company");
  if (user.status === "deactivated" && options.deactivatedMember === "refused") throw fail(422, "User is deactivated");
  const { membership, created } = store.addMember(team.id, user.id);
  if (!created && options.duplicateMember === "422") throw fail(422, "Validation failed: User has already been taken", { user: ["has already been taken"] });
  const wholeTeam = options.era === "2024" || options.addMemberAnswer === "team" || call.query.get("response") === "Teams::Extended";
  if (!wholeTeam) return { status: 201, body: { id: membership.id, teamId: team.id, userId: user.id } };
  return { status: 201, body: showTeam(context, call).body };
}

function removeTeamUser(context: Context, call: Call): Reply {
  const team = teamAt(context.store, pathId(call));
  if (!context.store.removeMember(team.id, pathId(call, "userId"))) throw notFound();
  return NO_CONTENT;
}
