/**
 * `createLearnifierClient()`: the typed client of Learnifier's Public API, on the LMS-neutral core
 * with Learnifier's rules as data (`conventions.ts`):
 *
 * - the base URL is the instance's, whole (a trailing slash is fine);
 * - a 409 is a `DuplicateError` (a taken email, a participant already there, a refused delete);
 *   the endpoint modules read what each one means;
 * - one rate limiter per instance per process, shared by every client of it.
 *
 * Endpoints: `users` (realm-wide) and `orgUnit` (groups, members, projects, participants, all
 * under `/orgunits/{orgId}`). Nothing connects until the first call; `close()` frees the pool.
 * @module
 */
import type { z } from "zod";
import { createApiClient, givenHooks, type BackendClientHooks, type SendOptions } from "../api-client.js";
import { basicAuth } from "../auth.js";
import { sharedRateLimiter } from "../rate-limiter.js";
import { parseShape } from "../shape.js";
import type { ClientStats } from "../stats.js";
import type { HttpRequest, HttpResponse } from "../transport.js";
import { LEARNIFIER_RATE_LIMIT, LEARNIFIER_REQUEST_FORMAT } from "./conventions.js";
import { createOrgUnitApi, type OrgUnitApi } from "./org-unit.js";
import { createUsersApi, type UsersApi } from "./users.js";

export interface LearnifierClientOptions extends BackendClientHooks {
  /** The instance's API base URL, e.g. `https://acme.learnifier.com`; nothing is appended. */
  baseUrl: string;
  /** The Back Office API key (the Basic user name). */
  keyId: string;
  /** Its secret (the Basic password). */
  keySecret: string;
  /** Requests a second this process may send to the instance. @default 5 */
  requestsPerSecond?: number | undefined;
  /** Users per `GET /users` call. @default 1000 */
  usersPageSize?: number | undefined;
}

export interface LearnifierClient {
  readonly apiBaseUrl: string;
  readonly users: UsersApi;
  /** The endpoints under `/orgunits/{orgId}`, and the realm's org units. */
  readonly orgUnit: OrgUnitApi;
  stats(): ClientStats;
  close(): Promise<void>;
}

/** What the endpoint modules send through: the core client plus a schema check of each answer. */
export interface LearnifierRequests {
  send(request: HttpRequest, options?: SendOptions): Promise<HttpResponse>;
  getJson<Schema extends z.ZodType>(request: HttpRequest, schema: Schema, endpoint: string, options?: SendOptions): Promise<z.output<Schema>>;
  readonly baseUrl: string;
  readonly usersPageSize: number;
}

export function createLearnifierClient(options: LearnifierClientOptions): LearnifierClient {
  const apiBaseUrl = learnifierApiBaseUrl(options.baseUrl);
  const rateLimiter =
    options.rateLimiter ??
    sharedRateLimiter(apiBaseUrl, { perSecond: options.requestsPerSecond ?? LEARNIFIER_RATE_LIMIT.perSecond, ...(options.sleep && { sleep: options.sleep }) });
  const api = createApiClient({
    baseUrl: apiBaseUrl,
    auth: basicAuth(options.keyId, options.keySecret),
    format: LEARNIFIER_REQUEST_FORMAT,
    userAgent: "pulumi-learnupon",
    classifyDuplicate: (status) => status === 409,
    rateLimiter,
    ...givenHooks(options),
  });
  const requests: LearnifierRequests = {
    baseUrl: apiBaseUrl,
    usersPageSize: options.usersPageSize ?? 1000,
    send: (request, sendOptions) => api.send(request, sendOptions),
    async getJson(request, schema, endpoint, sendOptions) {
      return parseShape(schema, await api.send(request, sendOptions), request, endpoint);
    },
  };
  return {
    apiBaseUrl,
    users: createUsersApi(requests),
    orgUnit: createOrgUnitApi(requests),
    stats: () => api.stats(),
    close: () => api.close(),
  };
}

/** The base URL as given, without a trailing slash, query or fragment; it must be http(s). */
export function learnifierApiBaseUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`the Learnifier base URL must be http(s), got protocol ${url.protocol}`);
  url.search = "";
  url.hash = "";
  return url.toString().replace(/\/+$/, "");
}

/** A path segment from an opaque id, encoded so an id can never reach another route. */
export function segment(id: string): string {
  if (id === "") throw new TypeError("an empty Learnifier id");
  return encodeURIComponent(id);
}
