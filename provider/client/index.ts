/**
 * Public surface of the LMS API clients: the LearnUpon client and the LMS-neutral core it is
 * built from (errors, transport, retry, rate limiting, pagination), which other backends reuse.
 * @module
 */
export { createLearnUponClient, learnUponApiBaseUrl } from "./learnupon/client.js";
export type { LearnUponClient, LearnUponClientOptions, LearnUponRateLimit } from "./learnupon/client.js";
export type { UsersApi } from "./learnupon/users.js";
export type {
  EnrollmentsApi,
  EnrollmentCreateArgs,
  EnrollmentCreateResult,
  EnrollmentLearner,
  EnrollmentDates,
} from "./learnupon/enrollments.js";
export { enrollmentDates } from "./learnupon/enrollments.js";
export type {
  GroupMembershipsApi,
  LearnUponGroupMember,
  MembershipCreateArgs,
  MembershipCreateResult,
} from "./learnupon/group-memberships.js";
export type { GroupsApi, CoursesApi } from "./learnupon/catalog.js";
export { sameEmail } from "./email.js";
export { calendarDate, learnUponSchemas } from "./learnupon/schemas.js";
export { LEARNUPON_PAGINATION, LEARNUPON_RATE_LIMIT, LEARNUPON_REQUEST_FORMAT } from "./learnupon/conventions.js";
export type {
  LearnUponSchemas,
  LearnUponUser,
  LearnUponGroupMemberRow,
  LearnUponUserGroup,
  LearnUponEnrollment,
  LearnUponCourse,
  LearnUponGroup,
  LearnUponCustomField,
  UserFields,
} from "./learnupon/schemas.js";

export {
  ApiError,
  AuthError,
  NotFoundError,
  DuplicateError,
  RateLimitError,
  ValidationError,
  ServerError,
  TimeoutError,
  NetworkError,
  ResponseShapeError,
  BudgetExhaustedError,
  PageLimitError,
  AmbiguousNameError,
  isApiError,
  redact,
} from "./errors.js";
export type { ApiErrorName, ApiErrorInit, ShapeIssue } from "./errors.js";

export { createApiClient } from "./api-client.js";
export type { ApiClient, ApiClientOptions, BackendClientHooks, SendOptions } from "./api-client.js";
export { createTransport, formEncode, DEFAULT_TIMEOUT_MS } from "./transport.js";
export type {
  Transport,
  TransportOptions,
  RequestFormat,
  BodyEncoding,
  HttpMethod,
  HttpRequest,
  HttpResponse,
  QueryParams,
  QueryValue,
  DuplicateClassifier,
} from "./transport.js";
export { basicAuth, apiKeyHeader, oauth2ClientCredentials } from "./auth.js";
export type { AuthStrategy, AuthHeaders, TokenRequest, OAuth2ClientCredentialsOptions } from "./auth.js";
export { normalizeRetryOptions, decideRetry, sendWithRetry } from "./retry.js";
export type { RetryOptions, NormalizedRetryOptions, RetryDecision, RetryEvent, RetryContext, RetryInput } from "./retry.js";
export { parseRetryAfter, backoffDelay, retryDelay, lowRemainingPause } from "./retry-timing.js";
export type { BackoffOptions } from "./retry-timing.js";
export { createRateLimiter, sharedRateLimiter, DEFAULT_REQUESTS_PER_MINUTE } from "./rate-limiter.js";
export type { Permit, RateLimiter, RateLimiterOptions, RateLimiterStats, RateLimitStrike } from "./rate-limiter.js";
export {
  paginate,
  paginatePages,
  paginateRequests,
  pageNumberPagination,
  jsonApiLinksPagination,
  offsetPagination,
  pinnedLink,
  collect,
} from "./paginate.js";
export type {
  Page,
  PaginateOptions,
  Pagination,
  PageCursor,
  PageContext,
  MoreSignal,
  PageNumberOptions,
  JsonApiLinksOptions,
  OffsetOptions,
} from "./paginate.js";
export { parseShape } from "./shape.js";
export type { ClientStats } from "./stats.js";
