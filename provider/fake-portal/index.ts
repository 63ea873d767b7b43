/**
 * The fake LearnUpon portal: an in-memory portal with the real API's quirks
 * (docs/learnupon-api-notes.md §4), as msw handlers for in-process tests and as an HTTP server
 * for everything else.
 *
 * ```ts
 * const portal = await startFakePortal({ seed: { courses: [{ name: "Onboarding" }] }, options: { rateLimit: false } });
 * // point the client at portal.url with portal.username / portal.password, then assert on portal.log
 * await portal.close();
 * ```
 * @module
 */
export { startFakePortal } from "./server.js";
export type { FakePortal, StartFakePortalOptions } from "./server.js";
export { createHandlers } from "./handlers.js";
export type { Credentials, HandlerConfig } from "./handlers.js";
export { PortalStore, seedDataSchema } from "./store.js";
export type {
  CourseRecord,
  CourseStatus,
  CustomFieldRecord,
  CustomValue,
  EnrollmentRecord,
  EnrollmentStatus,
  GroupCourseRecord,
  GroupInviteRecord,
  GroupRecord,
  MembershipRecord,
  NewUser,
  Outcome,
  PortalStoreOptions,
  SeedData,
  SeedResult,
  UserChanges,
  UserRecord,
  UserType,
} from "./store.js";
export { defaultPortalOptions, resolvePortalOptions } from "./options.js";
export type { JsonObject, PortalOptions, RateLimits } from "./options.js";
export { RateLimiter } from "./rate-limiter.js";
export type { RateDecision } from "./rate-limiter.js";
export type { FaultInjector, FaultSpec } from "./faults.js";
export type { RequestFilter, RequestLog, RequestLogEntry } from "./request-log.js";
export { runFakePortalCli } from "./cli.js";
export type { CliIo } from "./cli.js";
