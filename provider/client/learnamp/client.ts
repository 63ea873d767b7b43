/**
 * `createLearnAmpClient()`: the typed Learn Amp REST API v1 client, Learn Amp's rules fed into
 * the LMS-neutral core as data (`conventions.ts`; our notes: docs/learnamp-api-notes.md):
 *
 * - base URL: the hosting pod's API host as Company Settings › API shows it, bare or as a URL
 *   (`api-eu2.learnamp.com`, `https://api.learnamp.com/v1`); the token endpoint is the origin's
 *   `/oauth/token`, the API its `/v1`;
 * - auth: one OAuth2 client-credentials token per client, renewed before it expires and once
 *   after a 401; the secret and every token are redacted from every error;
 * - duplicates: a 4xx saying "taken", "already" or "exists" is a `DuplicateError`;
 * - `users`, `teams`: see their modules.
 *
 * Nothing connects until the first call; `close()` releases the connection pool.
 * @module
 */
import { createApiClient, givenHooks, type ApiClient, type BackendClientHooks } from "../api-client.js";
import { oauth2ClientCredentials } from "../auth.js";
import { NotFoundError } from "../errors.js";
import { paginateRequests } from "../paginate.js";
import { sharedRateLimiter, type RateLimiter } from "../rate-limiter.js";
import { parseShape } from "../shape.js";
import type { ClientStats } from "../stats.js";
import type { HttpRequest, QueryParams } from "../transport.js";
import type { z } from "zod";
import { LEARNAMP_PAGINATION, LEARNAMP_RATE_LIMIT, LEARNAMP_REQUEST_FORMAT } from "./conventions.js";
import { createTeamsApi, type TeamsApi } from "./teams.js";
import { createUsersApi, type UsersApi } from "./users.js";

export interface LearnAmpClientOptions extends BackendClientHooks {
  /** The pod's API host or URL (`api.learnamp.com`, `https://api-eu2.learnamp.com/v1`). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Scopes to ask for; none asks for `public` (legacy keys: everything). */
  scopes?: readonly string[] | undefined;
  /** The company's requests per minute; this process uses the core's share of it. @default 60 */
  requestsPerMinute?: number | undefined;
}

export interface LearnAmpClient {
  /** `https://api.learnamp.com/v1`: never with credentials. */
  readonly apiBaseUrl: string;
  readonly users: UsersApi;
  readonly teams: TeamsApi;
  readonly rateLimiter: RateLimiter;
  stats(): ClientStats;
  close(): Promise<void>;
}

export function createLearnAmpClient(options: LearnAmpClientOptions): LearnAmpClient {
  const origin = learnAmpOrigin(options.baseUrl);
  const apiBaseUrl = `${origin}/v1`;
  const now = options.now;
  const rateLimiter =
    options.rateLimiter ??
    sharedRateLimiter(apiBaseUrl, {
      perMinute: options.requestsPerMinute ?? LEARNAMP_RATE_LIMIT.perMinute,
      ...(now && { now }),
      ...(options.sleep && { sleep: options.sleep }),
    });
  const api = createApiClient({
    baseUrl: apiBaseUrl,
    auth: oauth2ClientCredentials({
      tokenUrl: `${origin}/oauth/token`,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      scopes: options.scopes,
      ...(now && { now }),
    }),
    format: LEARNAMP_REQUEST_FORMAT,
    userAgent: "pulumi-learnupon",
    classifyDuplicate: isTaken,
    rateLimiter,
    ...givenHooks(options),
  });
  const requests = learnAmpRequests(api, options.maxPages ?? 1_000);
  return {
    apiBaseUrl,
    users: createUsersApi(requests),
    teams: createTeamsApi(requests),
    rateLimiter,
    stats: () => api.stats(),
    close: () => api.close(),
  };
}

/**
 * The origin for what the settings page shows: a scheme is added when missing (`https://`), and a
 * trailing `/`, `/v1` or `/oauth/token` is dropped. Anything else in the path is refused, since it
 * would mean a URL that is not the API host's.
 */
export function learnAmpOrigin(baseUrl: string): string {
  const trimmed = baseUrl.trim();
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`baseUrl must be an http(s) URL, got protocol ${url.protocol}`);
  if (url.username || url.password) throw new TypeError("baseUrl must not contain credentials");
  const path = url.pathname.replace(/\/+$/, "").replace(/\/(v1|oauth\/token)$/, "");
  if (path !== "") throw new TypeError(`baseUrl must be the API host (as Company Settings › API shows it), not a URL with the path ${url.pathname}`);
  return url.origin;
}

/** Learn Amp's validation wording for duplicates: "has already been taken" (§5.1). */
function isTaken(_status: number, body: unknown): boolean {
  const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const message = typeof body === "string" ? body : record["error"];
  return typeof message === "string" && /taken|already|exists/i.test(message);
}

/** The list and read helpers the endpoint modules share. */
export interface LearnAmpRequests {
  readonly api: ApiClient;
  /** The body of a 2xx answer checked against `schema`; `undefined` for a 404. */
  find<Schema extends z.ZodType>(request: HttpRequest, schema: Schema, endpoint: string): Promise<z.output<Schema> | undefined>;
  /** The body of a 2xx answer checked against `schema`. */
  json<Schema extends z.ZodType>(request: HttpRequest, schema: Schema, endpoint: string, confirmNotApplied?: () => Promise<boolean>): Promise<z.output<Schema>>;
  /** Every item of a paged list, `items` picking them from each checked page. */
  list<Schema extends z.ZodType, Item>(path: string, query: QueryParams, schema: Schema, endpoint: string, items: (body: z.output<Schema>) => readonly Item[]): AsyncGenerator<Item, void, undefined>;
}

function learnAmpRequests(api: ApiClient, maxPages: number): LearnAmpRequests {
  async function json<Schema extends z.ZodType>(request: HttpRequest, schema: Schema, endpoint: string, confirmNotApplied?: () => Promise<boolean>) {
    const response = await api.send(request, confirmNotApplied ? { confirmNotApplied } : {});
    return parseShape(schema, response, request, endpoint);
  }
  return {
    api,
    json,
    async find(request, schema, endpoint) {
      try {
        return await json(request, schema, endpoint);
      } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }
    },
    list(path, query, schema, endpoint, items) {
      const request: HttpRequest = { method: "GET", path, query };
      return paginateRequests(api, request, LEARNAMP_PAGINATION, (response) => items(parseShape(schema, response, request, endpoint)), { maxPages });
    },
  };
}

/** `/users/42`; anything but a positive integer id is a bug upstream, refused before it is sent. */
export function idPath(collection: string, id: number, ...rest: string[]): string {
  if (!Number.isSafeInteger(id) || id <= 0) throw new TypeError(`Invalid Learn Amp id for ${collection}: ${id}`);
  return [`/${collection}/${id}`, ...rest].join("/");
}
