/**
 * Quirk switches and limits of the fake LearnUpon portal.
 *
 * Every behaviour the API contract leaves open (docs/learnupon-api-notes.md) is a field here, defaulting
 * to the best-evidenced real behaviour, or to the one less convenient for a client when the evidence
 * is split. Handlers read the object on every
 * request, so a test may flip a switch on a running portal (`portal.options.pageSize = 2`).
 * @module
 */
import { z } from "zod";

/** A JSON object body, as sent or returned by the portal. */
export type JsonObject = { [key: string]: unknown };

/** Per-portal request budgets (contract §1.5). */
export interface RateLimits {
  /** Requests per rolling minute. @default 300 */
  perMinute: number;
  /** Requests per rolling week. @default 500_000 */
  perWeek: number;
}

export interface PortalOptions {
  /** Records per page on every list endpoint (contract §1.4). Set it small in tests so paging is exercised. @default 500 */
  pageSize: number;
  /** Token-bucket limits, or `false` to switch rate limiting off for fast tests (contract §4.11). @default { perMinute: 300, perWeek: 500_000 } */
  rateLimit: RateLimits | false;
  /** `Retry-After` seconds sent with a 429, or `false` to omit the header: only a mock sets it (contract §1.5). @default false */
  retryAfterSeconds: number | false;
  /** Body of the 401 for rejected credentials; its real shape is unknown (contract §4.1). @default {"message":"Invalid API credentials"} */
  unauthorizedBody: JsonObject;
  /** Accept `{"user":{...}}` style lowercase wrappers; no real client sends them (contract §4.3). @default false */
  acceptLowercaseWrappers: boolean;
  /** Status for a POST/PUT missing its wrapper on endpoints other than `/users`, which is measured at 404 (contract §4.3). @default 404 */
  missingWrapperStatus: number;
  /** Let `GET /users?email=` filter; it is undocumented, so by default it is ignored and returns everyone (contract §4.8). @default false */
  usersEmailParamFilters: boolean;
  /** Match emails (and usernames) case-insensitively in searches and lookups (contract §4.9). @default true */
  searchEmailCaseInsensitive: boolean;
  /** Body of the 404 from `/users/search` without a match; clients look for `response_code` (contract §4.9). @default {"response_type":"ERROR","response_code":404,"message":"User not found"} */
  userSearchNotFoundBody: JsonObject;
  /** Treat emails (and usernames) differing only in case as duplicates on create and rename (contract §4.12). @default true */
  uniqueEmailCaseInsensitive: boolean;
  /** HTTP status for creating a user whose email or username exists (contract §4.12). @default 422 */
  duplicateUserStatus: number;
  /** Reject `POST /users` without a password; when `false` a missing password is accepted (contract §4.12). @default true */
  requirePassword: boolean;
  /** Course ids every newly created user is enrolled in, like a portal's onboarding course (contract §4.15). @default [] */
  autoEnrollCourseIds: number[];
  /** Accept `user_id` in `POST /enrollments`, as one production client sends (contract §4.16). @default true */
  acceptEnrollmentUserId: boolean;
  /** Answer 400 "internal error, please try again" when enrolling in a draft or module-less course (contract §4.16). @default true */
  rejectUnenrollableCourses: boolean;
  /** HTTP status for enrolling a user already enrolled in the course (contract §4.16). @default 422 */
  duplicateEnrollmentStatus: number;
  /** Answer every plain `GET /enrollments` (without `/search`) with 401, as seen on one portal (contract §4.10). @default true */
  enrollmentsListUnauthorized: boolean;
  /** Leave course counters such as `num_enrolled` at their seeded values instead of counting (contract §4.18). @default true */
  courseCountersStale: boolean;
  /** Group auto-enrollment skips disabled users (contract §4.14, support article S1). @default true */
  groupEnrollmentSkipsDisabledUsers: boolean;
  /** `"reject"` answers a duplicate membership with 422; `"silent"` answers 200 with the existing id (contract §4.19). @default "reject" */
  duplicateMembership: "reject" | "silent";
  /** Reject a second group with the same title (contract §4.20). @default true */
  rejectDuplicateGroupTitles: boolean;
  /** How `GET /groups?title=` matches: exactly, or as a case-insensitive substring (contract §2.4). @default "exact" */
  groupTitleMatch: "exact" | "partial";
  /**
   * How an enrollment's `due_date` and `course_access_expires_at` are written: as UTC date-times
   * (`2027-01-31T00:00:00Z`), which the API guide types them as, or as bare `YYYY-MM-DD`
   * (docs/learnupon-api-notes.md, "Dates"). @default "timestamp"
   */
  enrollmentDates: "timestamp" | "date";
  /**
   * The body field an enrollment's expiry is taken from on `POST /enrollments` and `PATCH /enrollments/{id}`;
   * the other name is ignored and the answer is still `{"success":"ok"}`. The guide's table says
   * `expires_at`, its example `expiry_date` (docs/learnupon-api-notes.md, "Enrollment expiry"). @default "expiry_date"
   */
  enrollmentExpiryField: "expires_at" | "expiry_date";
  /**
   * Shape of the rows of `GET /group_memberships?group_id=`: `"user"`, each row a user whose `id` is the
   * user id (two public sources); `"membership"`, each row's `id` is the membership id and `user_id`
   * the user's (how one public client reads them) (docs/learnupon-api-notes.md, "Group members"). @default "user"
   */
  groupMemberRows: "user" | "membership";
  /**
   * HTTP status of a search miss on `/users/search`; its body is `userSearchNotFoundBody` either way.
   * Public clients read only the body, so a portal answering 200 would go unnoticed by them
   * (docs/learnupon-api-notes.md, "Not found"). @default 404
   */
  searchMissStatus: 200 | 404;
  /**
   * Read `process_enrollments: "false"` (the string) as true, as a truthiness check on the raw value
   * would. The guide types the flag as a boolean (docs/learnupon-api-notes.md, "Flags"). @default false
   */
  processEnrollmentsStringFalseIsTruthy: boolean;
}

/** A fresh copy of the defaults, safe to mutate. */
export function defaultPortalOptions(): PortalOptions {
  return {
    pageSize: 500,
    rateLimit: { perMinute: 300, perWeek: 500_000 },
    retryAfterSeconds: false,
    unauthorizedBody: { message: "Invalid API credentials" },
    acceptLowercaseWrappers: false,
    missingWrapperStatus: 404,
    usersEmailParamFilters: false,
    searchEmailCaseInsensitive: true,
    userSearchNotFoundBody: { response_type: "ERROR", response_code: 404, message: "User not found" },
    uniqueEmailCaseInsensitive: true,
    duplicateUserStatus: 422,
    requirePassword: true,
    autoEnrollCourseIds: [],
    acceptEnrollmentUserId: true,
    rejectUnenrollableCourses: true,
    duplicateEnrollmentStatus: 422,
    enrollmentsListUnauthorized: true,
    courseCountersStale: true,
    groupEnrollmentSkipsDisabledUsers: true,
    duplicateMembership: "reject",
    rejectDuplicateGroupTitles: true,
    groupTitleMatch: "exact",
    enrollmentDates: "timestamp",
    enrollmentExpiryField: "expiry_date",
    groupMemberRows: "user",
    searchMissStatus: 404,
    processEnrollmentsStringFalseIsTruthy: false,
  };
}

/** The defaults with `overrides` applied. */
export function resolvePortalOptions(overrides: Partial<PortalOptions> = {}): PortalOptions {
  return { ...defaultPortalOptions(), ...overrides };
}

const portalOptionsSchema = z.strictObject({
  pageSize: z.number().int().positive(),
  rateLimit: z.union([
    z.literal(false),
    z.strictObject({ perMinute: z.number().int().positive(), perWeek: z.number().int().positive() }),
  ]),
  retryAfterSeconds: z.union([z.literal(false), z.number().int().min(0)]),
  unauthorizedBody: z.record(z.string(), z.unknown()),
  acceptLowercaseWrappers: z.boolean(),
  missingWrapperStatus: z.number().int().min(400).max(599),
  usersEmailParamFilters: z.boolean(),
  searchEmailCaseInsensitive: z.boolean(),
  userSearchNotFoundBody: z.record(z.string(), z.unknown()),
  uniqueEmailCaseInsensitive: z.boolean(),
  duplicateUserStatus: z.number().int().min(400).max(599),
  requirePassword: z.boolean(),
  autoEnrollCourseIds: z.array(z.number().int().positive()),
  acceptEnrollmentUserId: z.boolean(),
  rejectUnenrollableCourses: z.boolean(),
  duplicateEnrollmentStatus: z.number().int().min(400).max(599),
  enrollmentsListUnauthorized: z.boolean(),
  courseCountersStale: z.boolean(),
  groupEnrollmentSkipsDisabledUsers: z.boolean(),
  duplicateMembership: z.enum(["reject", "silent"]),
  rejectDuplicateGroupTitles: z.boolean(),
  groupTitleMatch: z.enum(["exact", "partial"]),
  enrollmentDates: z.enum(["timestamp", "date"]),
  enrollmentExpiryField: z.enum(["expires_at", "expiry_date"]),
  groupMemberRows: z.enum(["user", "membership"]),
  searchMissStatus: z.union([z.literal(200), z.literal(404)]),
  processEnrollmentsStringFalseIsTruthy: z.boolean(),
}) satisfies z.ZodType<PortalOptions>;

/** Validates options changed from outside the process: the CLI and `PATCH /__fake/options`. */
export const portalOptionsPatchSchema = portalOptionsSchema.partial();
