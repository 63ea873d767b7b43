/**
 * Learnifier's rules, as the values the LMS-neutral core takes (docs/learnifier-api-notes.md):
 *
 * - auth: HTTP Basic with a Back Office API key as the user name and its secret as the password;
 * - base URL: each customer's instance, given whole; nothing is appended;
 * - request format: JSON only; the API expects `Content-Type: application/json`, and public
 *   clients send it on every request, GETs included, which Learnifier accepts;
 * - pagination: only `GET /users` pages, by `limit` and `offset`, with `X-More` saying whether
 *   more users follow; the other lists come whole;
 * - rate: Learnifier publishes no limit; the seed warns that a full user sync is heavy on their
 *   side, so the client keeps to a conservative 5 requests a second.
 * @module
 */
import { offsetPagination } from "../paginate.js";
import type { RateLimiterOptions } from "../rate-limiter.js";
import type { RequestFormat } from "../transport.js";

export const LEARNIFIER_REQUEST_FORMAT = {
  bodyEncoding: "json",
  jsonContentType: "application/json",
  accept: "application/json",
  contentTypeWithoutBody: true,
} as const satisfies RequestFormat;

/** Users per `GET /users` call: well below Learnifier's default of 5000, so one call stays light. */
export const LEARNIFIER_USERS_PAGE = 1000;

/** `?offset=K&limit=M` while `X-More` says `true`; an empty page always ends the list. */
export function learnifierUserPagination(limit = LEARNIFIER_USERS_PAGE) {
  return offsetPagination({ offsetParam: "offset", limitParam: "limit", limit, moreHeader: "x-more" });
}

export const LEARNIFIER_RATE_LIMIT = { perSecond: 5 } as const satisfies RateLimiterOptions;
