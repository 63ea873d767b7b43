/**
 * The error family every LMS client throws, plus the redaction that keeps credentials out of it.
 *
 * - `ApiError` is the base: the request's `method` and `path`, the HTTP `status` when there was one,
 *   and the response `body` with credentials removed.
 * - One subclass per way a call can fail, so callers branch with `instanceof` (or on `name`) instead
 *   of parsing messages: `AuthError`, `NotFoundError`, `DuplicateError`, `RateLimitError`,
 *   `ValidationError`, `ServerError`, `TimeoutError`, `NetworkError`, `ResponseShapeError`,
 *   `BudgetExhaustedError`.
 * - `PageLimitError` is the pagination safety stop; it is not tied to a single request.
 *
 * Nothing here knows about a particular LMS: which 4xx counts as a duplicate is decided by a
 * classifier the backend passes to the transport.
 *
 * Redaction: errors never store the request (its headers carry `Authorization`, its body may carry
 * a user's password). The response body and every message go through `redact()`, which removes the
 * known secret strings wherever they appear and blanks values under credential-like keys, so the
 * secrets cannot reach `message`, `stack`, `JSON.stringify(err)`, `util.inspect(err)` or a log line.
 * @module
 */

/** Every `name` an error of this family can carry. */
export type ApiErrorName =
  | "ApiError"
  | "AuthError"
  | "NotFoundError"
  | "DuplicateError"
  | "RateLimitError"
  | "ValidationError"
  | "ServerError"
  | "TimeoutError"
  | "NetworkError"
  | "ResponseShapeError"
  | "BudgetExhaustedError";

/** What identifies the failed call. */
export interface ApiErrorInit {
  method: string;
  /** Path relative to the API base URL, with its query string. */
  path: string;
  /** HTTP status, when a response arrived. */
  status?: number;
  /** Parsed response body (JSON value or text); redacted before it is stored. */
  body?: unknown;
  /** The raw `Retry-After` response header, when present. */
  retryAfter?: string;
  /** The response's `Content-Type`, which tells a web page from an API answer in the message. */
  contentType?: string;
  /** Strings to remove from the body and message (passwords, API keys, the Authorization value). */
  secrets?: readonly string[];
  cause?: unknown;
}

const REDACTED = "[REDACTED]";
/** Keys whose values are credentials whatever they contain. */
const SENSITIVE_KEY = /pass(word)?|authori[sz]ation|secret|token|credential|api[-_]?key|cookie/i;
/** Deeper than any LMS error body; stops runaway recursion on odd input. */
const MAX_REDACT_DEPTH = 8;

/**
 * Returns a copy of `value` in which every occurrence of a secret string is replaced by
 * `[REDACTED]`, and every value under a credential-like key (password, authorization, token…)
 * is replaced whole. Works on JSON values and plain strings.
 */
export function redact(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === "string") return redactString(value, secrets);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_REDACT_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redact(item, secrets, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = SENSITIVE_KEY.test(key) ? REDACTED : redact(item, secrets, depth + 1);
  }
  return copy;
}

function redactString(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length > 0) result = result.split(secret).join(REDACTED);
  }
  return result;
}

/** Base of the family. Prefer the subclasses; this one is used for statuses no subclass covers. */
export class ApiError extends Error {
  override readonly name: ApiErrorName = "ApiError";
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  /** The response body with credentials removed. */
  readonly body: unknown;
  /** The raw `Retry-After` header of the failed response, if any. */
  readonly retryAfter: string | undefined;

  constructor(message: string, init: ApiErrorInit) {
    const secrets = init.secrets ?? [];
    super(redactString(message, secrets), init.cause === undefined ? undefined : { cause: init.cause });
    this.method = init.method;
    this.path = redactString(init.path, secrets);
    this.status = init.status;
    this.body = redact(init.body, secrets);
    this.retryAfter = init.retryAfter;
  }

  /** What `JSON.stringify(err)` shows: the identifying fields only, all already redacted. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, method: this.method, path: this.path, status: this.status, body: this.body };
  }
}

/** 401 or 403: the credentials were rejected or lack the permission. */
export class AuthError extends ApiError {
  override readonly name = "AuthError" as const;
}

/** 404: the resource (or route) does not exist. */
export class NotFoundError extends ApiError {
  override readonly name = "NotFoundError" as const;
}

/** A 4xx the backend's classifier recognised as "this already exists". */
export class DuplicateError extends ApiError {
  override readonly name = "DuplicateError" as const;
}

/** 429: the server's rate limit was exceeded. */
export class RateLimitError extends ApiError {
  override readonly name = "RateLimitError" as const;
}

/** Any other 4xx: the server refused the request as invalid. */
export class ValidationError extends ApiError {
  override readonly name = "ValidationError" as const;
}

/** 5xx: the server failed. */
export class ServerError extends ApiError {
  override readonly name = "ServerError" as const;
}

/** No complete response within the per-call timeout. */
export class TimeoutError extends ApiError {
  override readonly name = "TimeoutError" as const;
}

/** The connection failed (refused, reset, closed mid-response); `cause` holds the socket error. */
export class NetworkError extends ApiError {
  override readonly name = "NetworkError" as const;

  /**
   * The TLS error code when the failure was the TLS handshake or the server's certificate
   * (`ERR_SSL_WRONG_VERSION_NUMBER` for https spoken to a plain-http port,
   * `DEPTH_ZERO_SELF_SIGNED_CERT`…): a fault of the URL or the server, never worth a retry.
   */
  get tlsFailure(): string | undefined {
    const cause = this.cause as { code?: unknown; library?: unknown } | undefined;
    const code = typeof cause?.code === "string" ? cause.code : undefined;
    if (code === undefined) return cause?.library === "SSL routines" ? "TLS" : undefined;
    return /^ERR_(SSL|TLS)_|CERT|SIGNATURE|^EPROTO$/.test(code) ? code : undefined;
  }
}

/** One problem found in a response body: where (`user[0].id`) and what. */
export interface ShapeIssue {
  path: string;
  message: string;
}

/**
 * A 2xx response whose body does not have the shape the client relies on. Not an HTTP error: the
 * exchange succeeded, the server's answer is what is wrong. `endpoint` is `"GET /users"`-style and
 * `issues` names each offending field. The body is not kept (it may be a page of 500 users).
 */
export class ResponseShapeError extends ApiError {
  override readonly name = "ResponseShapeError" as const;
  readonly endpoint: string;
  readonly issues: readonly ShapeIssue[];
  /** The response's `Content-Type`: `text/html` means a web page answered, not the API. */
  readonly contentType: string | undefined;

  constructor(init: {
    method: string;
    path: string;
    endpoint: string;
    status: number;
    issues: readonly ShapeIssue[];
    contentType?: string | undefined;
  }) {
    const described = init.issues
      .slice(0, 3)
      .map((issue) => `${issue.path || "(body)"}: ${issue.message}`)
      .join("; ");
    super(`Unexpected response shape from ${init.endpoint}: ${described}`, {
      method: init.method,
      path: init.path,
      status: init.status,
    });
    this.endpoint = init.endpoint;
    this.issues = init.issues;
    this.contentType = init.contentType;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), endpoint: this.endpoint, issues: this.issues };
  }
}

/** The client-side request budget (the weekly cap) is used up; nothing was sent. */
export class BudgetExhaustedError extends ApiError {
  override readonly name = "BudgetExhaustedError" as const;
}

/** Pagination kept reporting another page past the safety ceiling. */
export class PageLimitError extends Error {
  override readonly name = "PageLimitError" as const;
  readonly maxPages: number;

  constructor(maxPages: number) {
    super(`Stopped after ${maxPages} pages: the server still reported another page (raise maxPages if the data really is this large)`);
    this.maxPages = maxPages;
  }
}

/** True for any error of the family (including `ResponseShapeError` and `BudgetExhaustedError`). */
export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/**
 * Several groups or courses have the name a roster gives: it cannot say which one it means.
 * `what` says it in the LMS's words, e.g. "LearnUpon groups are titled".
 */
export class AmbiguousNameError extends Error {
  override readonly name = "AmbiguousNameError";
  constructor(
    readonly kind: "group" | "course",
    readonly named: string,
    readonly ids: ReadonlyArray<string | number>,
    what: string,
  ) {
    super(`${ids.length} ${what} "${named}" (ids ${ids.join(", ")})`);
  }
}
