/**
 * Northpass's rules, as the values the LMS-neutral core takes (docs/northpass-api-notes.md):
 *
 * - auth: the school's API key in an `X-Api-Key` header, never `?api_key=` in the URL (§Auth);
 * - request format: JSON:API documents sent as `application/json`, the type every public client
 *   sends; `Content-Type` only with a body (§Bodies);
 * - pagination: `?page=N&limit=M` from 1, then the body's absolute `links.next`, followed only
 *   below the configured base URL, until it is missing or a page is empty (§Paging);
 * - rate limit: 10 requests a second per school, shared with its other integrations (§Rate limit).
 * @module
 */
import { jsonApiLinksPagination } from "../paginate.js";
import type { RateLimiterOptions } from "../rate-limiter.js";
import type { RequestFormat } from "../transport.js";

/** The one public host; every school uses it (notes, §Hosts). */
export const NORTHPASS_DEFAULT_BASE_URL = "https://api.northpass.com/v2";

export const NORTHPASS_API_KEY_HEADER = "X-Api-Key";

export const NORTHPASS_REQUEST_FORMAT = {
  bodyEncoding: "json",
  jsonContentType: "application/json",
  accept: "application/json",
  contentTypeWithoutBody: false,
} as const satisfies RequestFormat;

/** The maximum `limit` is unpublished; 100 is what the careful public clients ask for. */
export const NORTHPASS_PAGE_SIZE = 100;

export const NORTHPASS_PAGINATION = jsonApiLinksPagination({ pageParam: "page", sizeParam: "limit", size: NORTHPASS_PAGE_SIZE });

/** The documented budget; the core's `share` (80%, so 8 a second) and `burst` apply on top. */
export const NORTHPASS_RATE_LIMIT = { perSecond: 10 } as const satisfies RateLimiterOptions;
