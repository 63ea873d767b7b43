/**
 * msw request handlers that answer like LearnUpon's REST API v1 (our notes: docs/learnupon-api-notes.md, cited as §N).
 *
 * `createHandlers(store, config)` returns one handler per route under `<origin>/api/v1`, usable
 * with msw's `setupServer` in-process or behind the HTTP server in `server.ts`. Every route runs
 * the same gate first: Basic auth (§4.1), the rate-limit buckets (§4.11) and JSON body parsing
 * with LearnUpon's content-type trap (§4.2). The endpoints themselves, in `endpoints/`, are pure
 * functions of the call, the store and the quirk switches; the business rules live in the store.
 * @module
 */
import { http, HttpResponse, type HttpHandler, type PathParams } from "msw";
import { listCourses } from "./endpoints/courses.js";
import {
  createEnrollment,
  deleteEnrollment,
  getEnrollment,
  listAllEnrollments,
  patchEnrollment,
  searchEnrollments,
} from "./endpoints/enrollments.js";
import {
  createGroup,
  createGroupCourse,
  createGroupInvites,
  createMembership,
  deleteGroup,
  deleteGroupCourse,
  deleteMembership,
  listGroupCourses,
  listGroupInvites,
  listGroups,
  listMemberships,
  updateGroup,
} from "./endpoints/groups.js";
import { RejectedCall, fail, isObject, type ApiCall, type Endpoint, type Portal, type Reply } from "./endpoints/kit.js";
import {
  createUser,
  deleteUser,
  getUser,
  listCustomFields,
  listUsers,
  searchUsers,
  updateUser,
} from "./endpoints/users.js";
import type { JsonObject, PortalOptions } from "./options.js";
import { RateLimiter, rateLimitedBody } from "./rate-limiter.js";
import type { PortalStore } from "./store.js";

/** The portal's one API key pair (contract §1.1). */
export interface Credentials {
  username: string;
  password: string;
}

export interface HandlerConfig {
  credentials: Credentials;
  /** Quirk switches and limits, read on every request. */
  options: PortalOptions;
  /** The portal's request budgets. @default a fresh limiter on the system clock */
  rateLimiter?: RateLimiter;
  /** Portal root the handlers answer for, e.g. `https://acme.learnupon.com`. @default "*" (any origin) */
  origin?: string;
}

type Method = "get" | "post" | "put" | "patch" | "delete" | "all";

/** Routes in match order: fixed paths such as `/users/search` come before `/users/:id`. */
const ROUTES: readonly (readonly [Method, string, Endpoint])[] = [
  ["get", "/users/search", searchUsers],
  ["get", "/users/customuserdata", listCustomFields],
  ["get", "/users", listUsers],
  ["post", "/users", createUser],
  ["get", "/users/:id", getUser],
  ["put", "/users/:id", updateUser],
  ["delete", "/users/:id", deleteUser],
  ["get", "/enrollments/search", searchEnrollments],
  ["get", "/enrollments", listAllEnrollments],
  ["post", "/enrollments", createEnrollment],
  ["get", "/enrollments/:id", getEnrollment],
  ["patch", "/enrollments/:id", patchEnrollment],
  ["delete", "/enrollments/:id", deleteEnrollment],
  ["get", "/group_memberships", listMemberships],
  ["post", "/group_memberships", createMembership],
  ["delete", "/group_memberships/:id", deleteMembership],
  ["get", "/groups", listGroups],
  ["post", "/groups", createGroup],
  ["put", "/groups/:id", updateGroup],
  ["delete", "/groups/:id", deleteGroup],
  ["get", "/group_courses", listGroupCourses],
  ["post", "/group_courses", createGroupCourse],
  ["delete", "/group_courses/:id", deleteGroupCourse],
  ["get", "/group_invites", listGroupInvites],
  ["post", "/group_invites", createGroupInvites],
  ["get", "/courses", listCourses],
  // contract §4.10: everything else is a 404, notably GET /courses/{id} and the seed's
  // /groups/{id}/memberships, which catch clients that trusted the wrong documentation.
  ["all", "/*", () => fail(404, "Not found")],
];

export function createHandlers(store: PortalStore, config: HandlerConfig): HttpHandler[] {
  const gate: Gate = {
    portal: { store, options: config.options },
    credentials: config.credentials,
    rateLimiter: config.rateLimiter ?? new RateLimiter(),
  };
  const root = `${(config.origin ?? "*").replace(/\/+$/, "")}/api/v1`;
  return ROUTES.map(([method, path, endpoint]) =>
    http[method](`${root}${path}`, ({ request, params }) => answerCall(gate, endpoint, request, params)),
  );
}

// ---- the gate every route goes through -----------------------------------------------------

interface Gate {
  portal: Portal;
  credentials: Credentials;
  rateLimiter: RateLimiter;
}

async function answerCall(gate: Gate, endpoint: Endpoint, request: Request, params: PathParams): Promise<Response> {
  const { options } = gate.portal;
  if (!isAuthorized(request.headers.get("authorization"), gate.credentials)) {
    return toResponse({ status: 401, body: options.unauthorizedBody });
  }
  let rateHeaders: Record<string, string> = {};
  if (options.rateLimit !== false) {
    const decision = gate.rateLimiter.take(options.rateLimit);
    if (!decision.allowed) {
      const retryAfter = options.retryAfterSeconds === false ? {} : { "Retry-After": String(options.retryAfterSeconds) };
      return toResponse({ status: 429, body: rateLimitedBody(decision.exhausted), headers: retryAfter });
    }
    rateHeaders = {
      "X-LU-Rate-Limit-Remaining-Minute": String(decision.remainingMinute),
      "X-LU-Rate-Limit-Remaining-Week": String(decision.remainingWeek),
    };
  }
  const body = await readJsonBody(request);
  if (body === "malformed") {
    return toResponse({ status: 400, body: { error: "There was a problem in the JSON you submitted." } });
  }
  const call: ApiCall = { params: stringParams(params), query: new URL(request.url).searchParams, body };
  let reply: Reply;
  try {
    reply = endpoint(gate.portal, call);
  } catch (error) {
    if (!(error instanceof RejectedCall)) throw error;
    reply = error.reply;
  }
  // contract §1.5: the rate-limit headers come with 2xx responses only.
  const succeeded = reply.status >= 200 && reply.status < 300;
  return toResponse({ ...reply, headers: { ...reply.headers, ...(succeeded ? rateHeaders : {}) } });
}

function isAuthorized(header: string | null, credentials: Credentials): boolean {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!match?.[1]) return false;
  return Buffer.from(match[1], "base64").toString("utf8") === `${credentials.username}:${credentials.password}`;
}

/**
 * The body as a JSON object. LearnUpon parses the body whenever the request says it is JSON, so an
 * empty or broken body is "malformed" (contract §1.2). Without that content type the body is never
 * parsed and its parameters are simply absent, as in any Rails app.
 */
async function readJsonBody(request: Request): Promise<JsonObject | undefined | "malformed"> {
  if (!/application\/json/i.test(request.headers.get("content-type") ?? "")) return undefined;
  try {
    const value: unknown = JSON.parse(await request.text());
    return isObject(value) ? value : undefined;
  } catch {
    return "malformed";
  }
}

function toResponse(reply: Reply): Response {
  return HttpResponse.json(reply.body, { status: reply.status, headers: reply.headers ?? {} });
}

function stringParams(params: PathParams): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === "string") strings[key] = value;
  }
  return strings;
}
