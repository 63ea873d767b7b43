/**
 * LearnUpon's rules, as the values the LMS-neutral core takes (docs/learnupon-api-notes.md):
 *
 * - auth: HTTP Basic with the portal's API key pair (§1.1);
 * - request format: JSON bodies, and a `Content-Type` only when there is a body: a bodyless GET
 *   that declares JSON is answered 400 "There was a problem in the JSON you submitted." (§1.2);
 * - pagination: `?page=N` from 1, 500 a page, more while `LU-Has-Next-Page` is `"true"` (§1.4);
 * - rate limit: 300 requests a minute and 500,000 a week per portal; 2xx answers report what is
 *   left of the minute in `X-LU-Rate-Limit-Remaining-Minute` (§1.5).
 * @module
 */
import { pageNumberPagination } from "../paginate.js";
import type { RateLimiterOptions } from "../rate-limiter.js";
import type { RequestFormat } from "../transport.js";

/** The core's defaults, spelled out: JSON, and no `Content-Type` without a body. */
export const LEARNUPON_REQUEST_FORMAT = {
  bodyEncoding: "json",
  jsonContentType: "application/json",
  accept: "application/json",
  contentTypeWithoutBody: false,
} as const satisfies RequestFormat;

/** "true" while more pages follow; compare as a string. */
export const LEARNUPON_PAGINATION = pageNumberPagination({ pageParam: "page", firstPage: 1, more: { header: "lu-has-next-page" } });

/** The portal's budget; the core's `share` (80%) and `burst` apply on top. */
export const LEARNUPON_RATE_LIMIT = {
  perMinute: 300,
  perWeek: 500_000,
  remainingHeader: "x-lu-rate-limit-remaining-minute",
} as const satisfies RateLimiterOptions;
