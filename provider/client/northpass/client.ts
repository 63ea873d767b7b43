/**
 * `createNorthpassClient()`: the typed Northpass API v2 client. It feeds Northpass's rules
 * (`conventions.ts`) into the LMS-neutral core as data and groups the endpoints by resource:
 *
 * - base URL: `https://api.northpass.com/v2` unless configured (the fake portal's, in tests);
 * - duplicates: a 422 about the email or name being taken becomes `DuplicateError`;
 * - the limiter is one per base URL per process, at a share of the school's 10 a second.
 *
 * Nothing connects until the first call; `close()` releases the connection pool.
 * @module
 */
import { createApiClient, givenHooks, type BackendClientHooks } from "../api-client.js";
import { apiKeyHeader } from "../auth.js";
import { sharedRateLimiter, type RateLimiter } from "../rate-limiter.js";
import type { ClientStats } from "../stats.js";
import { NORTHPASS_API_KEY_HEADER, NORTHPASS_DEFAULT_BASE_URL, NORTHPASS_RATE_LIMIT, NORTHPASS_REQUEST_FORMAT } from "./conventions.js";
import { createGroupsApi, type CoursesApi, type GroupsApi, type MembershipsApi } from "./groups.js";
import { createPeopleApi, type PeopleApi } from "./people.js";
import { createNorthpassRequests } from "./requests.js";

export interface NorthpassClientOptions extends BackendClientHooks {
  /** @default https://api.northpass.com/v2 */
  baseUrl?: string | undefined;
  apiKey: string;
  /** The school's budget and our share of it; the first client for a base URL in a process sets it. */
  rateLimit?: { perSecond?: number | undefined; share?: number | undefined; burst?: number | undefined } | undefined;
}

export interface NorthpassClient {
  readonly apiBaseUrl: string;
  readonly people: PeopleApi;
  readonly groups: GroupsApi;
  readonly memberships: MembershipsApi;
  readonly courses: CoursesApi;
  readonly rateLimiter: RateLimiter;
  stats(): ClientStats;
  close(): Promise<void>;
}

export function createNorthpassClient(options: NorthpassClientOptions): NorthpassClient {
  const apiBaseUrl = northpassApiBaseUrl(options.baseUrl ?? NORTHPASS_DEFAULT_BASE_URL);
  const rateLimiter =
    options.rateLimiter ??
    sharedRateLimiter(apiBaseUrl, {
      perSecond: options.rateLimit?.perSecond ?? NORTHPASS_RATE_LIMIT.perSecond,
      share: options.rateLimit?.share,
      burst: options.rateLimit?.burst,
      ...(options.now && { now: options.now }),
      ...(options.sleep && { sleep: options.sleep }),
    });
  const api = createApiClient({
    baseUrl: apiBaseUrl,
    auth: apiKeyHeader(NORTHPASS_API_KEY_HEADER, options.apiKey),
    format: NORTHPASS_REQUEST_FORMAT,
    userAgent: "pulumi-learnupon",
    classifyDuplicate: isTaken,
    rateLimiter,
    ...givenHooks(options),
  });
  const requests = createNorthpassRequests(api, options.maxPages ?? 1_000);
  const { groups, memberships, courses } = createGroupsApi(requests);
  return {
    apiBaseUrl,
    people: createPeopleApi(requests),
    groups,
    memberships,
    courses,
    rateLimiter,
    stats: () => api.stats(),
    close: () => api.close(),
  };
}

/** The base URL as given, without a trailing slash, query or fragment; only http(s). */
export function northpassApiBaseUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`baseUrl must be an http(s) URL, got protocol ${url.protocol}`);
  url.pathname = url.pathname.replace(/\/+$/, "");
  url.search = "";
  url.hash = "";
  return url.toString().replace(/\/+$/, "");
}

/**
 * A 422 saying an email or name is taken: `source.pointer` on the attribute, or wording public
 * clients match ("taken", "exists", "unique", "already").
 */
function isTaken(status: number, body: unknown): boolean {
  if (status !== 409 && status !== 422) return false;
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (!Array.isArray(errors)) return false;
  return errors.some((error: { detail?: unknown; source?: { pointer?: unknown } } | null) => {
    const pointer = error?.source?.pointer;
    const detail = typeof error?.detail === "string" ? error.detail : "";
    const aboutIdentity = pointer === "/data/attributes/email" || pointer === "/data/attributes/name";
    return aboutIdentity && /taken|exist|unique|already/i.test(detail);
  });
}
