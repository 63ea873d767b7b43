/**
 * Learn Amp's rules, as the values the LMS-neutral core takes (docs/learnamp-api-notes.md):
 *
 * - auth: OAuth2 client credentials at `{origin}/oauth/token`, then `Authorization: Bearer …`;
 *   no refresh token, so renewing means asking again (§1);
 * - request format: form bodies (`application/x-www-form-urlencoded`, Rack nesting), the one
 *   encoding every write example in the reference uses; `Accept: application/json`, since any
 *   other format is answered 406 (§2);
 * - pagination: `?page=N&perPage=100` from 1, more while N is below `Total-Pages`; a server that
 *   leaves that header out is read by `Per-Page` (§3);
 * - rate limit: undocumented beyond the existence of 429, so a cautious 60 a minute (§4).
 * @module
 */
import { pageNumberPagination } from "../paginate.js";
import type { RateLimiterOptions } from "../rate-limiter.js";
import type { RequestFormat } from "../transport.js";

export const LEARNAMP_REQUEST_FORMAT = {
  bodyEncoding: "form",
  jsonContentType: "application/json",
  accept: "application/json",
  contentTypeWithoutBody: false,
} as const satisfies RequestFormat;

/** The largest page we ask for; the server may clamp it, and says so in `Per-Page`. */
export const LEARNAMP_PAGE_SIZE = 100;

export const LEARNAMP_PAGINATION = pageNumberPagination({
  pageParam: "page",
  firstPage: 1,
  size: { param: "perPage", value: LEARNAMP_PAGE_SIZE },
  more: { pageCountHeader: "total-pages", sizeHeader: "per-page", fullPage: LEARNAMP_PAGE_SIZE },
});

/** No figure is published: a conservative budget, overridable by stack config. */
export const LEARNAMP_RATE_LIMIT = { perMinute: 60 } as const satisfies RateLimiterOptions;

/**
 * The status codes `GET /users` filters by, every one of them, so that deactivated people are
 * listed as well (servers before 2026-06 ignore the filter; see `DEACTIVATED_SINCE_EVER`).
 */
export const USER_STATUS_CODES = ["not_invited", "invite_scheduled", "invite_pending", "confirmed", "deactivated"] as const;

/** The seed-era way to list deactivated people: a deactivation date range from the epoch. */
export const DEACTIVATED_SINCE_EVER = { "filters[deactivated_at][from]": "1970-01-01" } as const;

/** The display name of a deactivated person's status; compared without regard to case. */
export const DEACTIVATED_STATUS = "deactivated";

/** Roles the API shows but refuses to set. */
export const READ_ONLY_ROLES = ["owner", "super_admin"] as const;

/** Roles create and update accept, lowest rights first (`viewer` is the plain learner). */
export const SETTABLE_ROLES = ["viewer", "curator", "reporter", "learning_designer", "hr", "admin"] as const;
