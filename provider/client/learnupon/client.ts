/**
 * `createLearnUponClient()`: the typed LearnUpon REST API v1 client. It feeds LearnUpon's rules
 * into the LMS-neutral core as data and groups the endpoints by resource:
 *
 * - base URL: a portal root gets `/api/v1` appended; a URL already ending in `/api/v1` is kept;
 * - duplicates: a 4xx whose message contains "already" (§1.7, §2.1) becomes `DuplicateError`;
 * - auth, request format, pagination and rate limit: the values in `conventions.ts`; the limiter
 *   is one per portal per process, at a share of the portal's budget (§1.5);
 * - `users`, `enrollments`, `groupMemberships`, `groups`, `courses`: see their modules.
 *
 * Nothing connects until the first call; `close()` releases the connection pool.
 * @module
 */
import { createApiClient, givenHooks, type BackendClientHooks } from "../api-client.js";
import { basicAuth } from "../auth.js";
import { sharedRateLimiter, type RateLimiter } from "../rate-limiter.js";
import type { ClientStats } from "../stats.js";
import { createCatalogApi, type CoursesApi, type GroupsApi } from "./catalog.js";
import { createEnrollmentsApi, type EnrollmentsApi } from "./enrollments.js";
import { createGroupMembershipsApi, type GroupMembershipsApi } from "./group-memberships.js";
import { LEARNUPON_RATE_LIMIT, LEARNUPON_REQUEST_FORMAT } from "./conventions.js";
import { createLearnUponRequests } from "./requests.js";
import { createUsersApi, type UsersApi } from "./users.js";

export interface LearnUponRateLimit {
  /**
   * Fraction of the portal's budget this process may use; the rest is left to the portal's other integrations.
   * @default 0.8
   */
  share?: number | undefined;
  /**
   * The portal's requests per minute.
   * @default 300
   */
  perMinute?: number | undefined;
  /**
   * The portal's requests per rolling week; this process stops at `share` of it.
   * @default 500_000
   */
  perWeek?: number | undefined;
  /**
   * Requests that may leave back to back after an idle spell.
   * @default 5
   */
  burst?: number | undefined;
}

export interface LearnUponClientOptions extends BackendClientHooks {
  /** Portal root (`https://acme.learnupon.com`, regional hosts too) or API base (`…/api/v1`). */
  portalUrl: string;
  /** API key username (Settings > Integrations > API Keys). */
  username: string;
  /** API key password. */
  password: string;
  /** Budget of the portal's shared limiter. The first client for a portal in a process sets it. */
  rateLimit?: LearnUponRateLimit | undefined;
}

export interface LearnUponClient {
  /** The API base URL in use, e.g. `https://acme.learnupon.com/api/v1`. */
  readonly apiBaseUrl: string;
  readonly users: UsersApi;
  readonly enrollments: EnrollmentsApi;
  readonly groupMemberships: GroupMembershipsApi;
  readonly groups: GroupsApi;
  readonly courses: CoursesApi;
  /** The limiter this client draws on (shared with every other client of the portal by default). */
  readonly rateLimiter: RateLimiter;
  /** This client's counters: requests by method, retries, 429s seen… */
  stats(): ClientStats;
  close(): Promise<void>;
}

export function createLearnUponClient(options: LearnUponClientOptions): LearnUponClient {
  const apiBaseUrl = learnUponApiBaseUrl(options.portalUrl);
  const rateLimiter =
    options.rateLimiter ??
    sharedRateLimiter(apiBaseUrl, {
      ...LEARNUPON_RATE_LIMIT,
      share: options.rateLimit?.share,
      perMinute: options.rateLimit?.perMinute ?? LEARNUPON_RATE_LIMIT.perMinute,
      perWeek: options.rateLimit?.perWeek ?? LEARNUPON_RATE_LIMIT.perWeek,
      burst: options.rateLimit?.burst,
      ...(options.now && { now: options.now }),
      ...(options.sleep && { sleep: options.sleep }),
    });
  const api = createApiClient({
    baseUrl: apiBaseUrl,
    auth: basicAuth(options.username, options.password),
    format: LEARNUPON_REQUEST_FORMAT,
    userAgent: "pulumi-learnupon",
    classifyDuplicate: isAlreadyExists,
    rateLimiter,
    ...givenHooks(options),
  });
  const requests = createLearnUponRequests(api, options.maxPages ?? 1_000);
  const catalog = createCatalogApi(requests);

  return {
    apiBaseUrl,
    users: createUsersApi(requests),
    enrollments: createEnrollmentsApi(requests),
    groupMemberships: createGroupMembershipsApi(requests),
    groups: catalog.groups,
    courses: catalog.courses,
    rateLimiter,
    stats: () => api.stats(),
    close: () => api.close(),
  };
}

/**
 * The API base URL for a portal: `https://acme.learnupon.com` → `https://acme.learnupon.com/api/v1`;
 * a URL already ending in `/api/v1` (with or without a trailing slash) is taken as is.
 */
export function learnUponApiBaseUrl(portalUrl: string): string {
  const url = new URL(portalUrl);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError(`portalUrl must be an http(s) URL, got protocol ${url.protocol}`);
  }
  const path = url.pathname.replace(/\/+$/, "");
  url.pathname = path.endsWith("/api/v1") ? path : `${path}/api/v1`;
  url.search = "";
  url.hash = "";
  return url.toString();
}

/** LearnUpon's duplicate answers say "already" ("user already exists", "already enrolled"…, §1.7). */
function isAlreadyExists(_status: number, body: unknown): boolean {
  let message: unknown = body;
  if (typeof body === "object" && body !== null) {
    const record = body as Record<string, unknown>;
    message = record["message"] ?? record["error"];
  }
  return typeof message === "string" && /already/i.test(message);
}
