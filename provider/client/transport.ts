/**
 * One HTTP attempt, nothing more: URL building, authorization, body encoding and decoding, a
 * per-call timeout, and the mapping of every failure onto the error family (`errors.ts`).
 * Retries, rate limiting and pagination are separate layers composed in `api-client.ts`.
 *
 * Runs on undici with a keep-alive `Agent` created on the first request (never at import), one
 * per transport, closed by `close()`. Tests may inject their own `dispatcher`.
 *
 * LMS-neutral: each backend passes its rules as values: the full API base URL, an `auth`
 * strategy (`auth.ts`), a `format` (body encoding, content types, whether a bodyless request
 * declares one) and a `classifyDuplicate` function that decides which 4xx bodies mean
 * "already exists". An attempt refused with 401 is replayed once when the auth strategy has
 * fresh credentials to offer (an expired OAuth2 token); a second 401 surfaces as `AuthError`.
 * @module
 */
import { EnvHttpProxyAgent, request as undiciRequest, type Dispatcher } from "undici";
import type { AuthHeaders, AuthStrategy, TokenRequest } from "./auth.js";
import {
  ApiError,
  AuthError,
  DuplicateError,
  NetworkError,
  NotFoundError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
  redact,
  type ApiErrorInit,
} from "./errors.js";
import type { StatsRecorder } from "./stats.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type QueryValue = string | number | boolean;

/**
 * Query values; `undefined` entries are left out. An array repeats the key once per value, in
 * order, under the key exactly as given: `{ "filters[status][]": ["a", "b"] }` sends
 * `filters[status][]=a&filters[status][]=b` (brackets percent-encoded).
 */
export type QueryParams = Readonly<Record<string, QueryValue | readonly QueryValue[] | undefined>>;

/** How a request body goes on the wire. */
export type BodyEncoding = "json" | "form";

export interface HttpRequest {
  method: HttpMethod;
  /** Path below the base URL, starting with `/` (`/users/42`). */
  path: string;
  query?: QueryParams;
  /** Encoded as `encoding` says when present. `undefined` means no body. */
  body?: unknown;
  /** Overrides the transport's `format.bodyEncoding` for this request. */
  encoding?: BodyEncoding;
  /** Overrides the transport's per-call timeout. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-cased header names; repeated headers joined with `", "`. */
  headers: Readonly<Record<string, string>>;
  /** Parsed JSON, the raw text when it is not JSON, or `undefined` when empty. */
  body: unknown;
}

/** A backend's rules for what a request looks like. Every field has a default. */
export interface RequestFormat {
  /**
   * How bodies are encoded unless a request says otherwise: `json`, or `form`
   * (`application/x-www-form-urlencoded`, nested keys Rack-style: `a[b]=1`, `list[]=1&list[]=2`).
   * @default "json"
   */
  bodyEncoding?: BodyEncoding | undefined;
  /**
   * `Content-Type` of a JSON body (`application/vnd.api+json` for a JSON:API server that wants it).
   * @default "application/json"
   */
  jsonContentType?: string | undefined;
  /** @default "application/json" */
  accept?: string | undefined;
  /**
   * Declare the default encoding's content type on requests without a body too, as some APIs
   * require even for GET. Others refuse exactly that, hence the switch.
   * @default false
   */
  contentTypeWithoutBody?: boolean | undefined;
}

/** A `RequestFormat` with every default filled in. */
type ResolvedFormat = { readonly [Key in keyof RequestFormat]-?: Exclude<RequestFormat[Key], undefined> };

/** Decides whether a 4xx response means "this already exists". */
export type DuplicateClassifier = (status: number, body: unknown) => boolean;

export interface TransportOptions {
  /** Full API base URL; request paths are appended to it (`https://host/api/v1`). */
  baseUrl: string;
  /** How requests are authorized: `basicAuth`, `apiKeyHeader`, `oauth2ClientCredentials` (auth.ts). */
  auth: AuthStrategy;
  format?: RequestFormat | undefined;
  /**
   * Time allowed for one attempt, from sending to the last byte of the body.
   * @default 30_000
   */
  timeoutMs?: number;
  /** @default "pulumi-lms-client" */
  userAgent?: string;
  /**
   * Which 4xx bodies become `DuplicateError` rather than `ValidationError`.
   * @default () => false
   */
  classifyDuplicate?: DuplicateClassifier;
  /** undici dispatcher to send through; by default a keep-alive `Agent` owned by this transport. */
  dispatcher?: Dispatcher;
  /** Counts attempts and failures, when given (token requests are not counted). */
  stats?: StatsRecorder;
}

export interface Transport {
  request(request: HttpRequest): Promise<HttpResponse>;
  /** Closes the transport's own agent (an injected dispatcher is left open). */
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** undici error codes that mean "the clock ran out", as opposed to "the connection broke". */
const UNDICI_TIMEOUT_CODES = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";

/** One encoder per `BodyEncoding`: its content type under a format, and how it writes a body. */
const BODY_ENCODERS: Readonly<Record<BodyEncoding, { contentType: (format: ResolvedFormat) => string; encode: (body: unknown) => string }>> = {
  json: { contentType: (format) => format.jsonContentType, encode: (body) => JSON.stringify(body) },
  form: { contentType: () => FORM_CONTENT_TYPE, encode: (body) => formEncode(body) },
};

/** What one exchange on the wire needs; `path` (with query) names it in errors. */
interface Exchange {
  url: string;
  method: HttpMethod;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  timeoutMs: number;
  stats: StatsRecorder | undefined;
}

export function createTransport(options: TransportOptions): Transport {
  const base = new URL(options.baseUrl);
  if (base.username || base.password) {
    // A URL is printed in errors and logs; credentials belong in the auth strategy only.
    throw new Error("The API base URL must not contain credentials; pass them as username and password");
  }
  const origin = base.origin;
  const basePath = base.pathname.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const classifyDuplicate = options.classifyDuplicate ?? (() => false);
  const format: ResolvedFormat = {
    bodyEncoding: options.format?.bodyEncoding ?? "json",
    jsonContentType: options.format?.jsonContentType ?? "application/json",
    accept: options.format?.accept ?? "application/json",
    contentTypeWithoutBody: options.format?.contentTypeWithoutBody ?? false,
  };
  const auth = options.auth;
  const userAgent = options.userAgent ?? "pulumi-lms-client";
  let ownAgent: EnvHttpProxyAgent | undefined;

  function dispatcher(): Dispatcher {
    if (options.dispatcher) return options.dispatcher;
    // Goes through HTTPS_PROXY (HTTP_PROXY for http:// URLs) unless NO_PROXY names the host,
    // as corporate networks require; a direct keep-alive agent when none is set.
    ownAgent ??= new EnvHttpProxyAgent({ keepAliveTimeout: 10_000, connections: 16 });
    return ownAgent;
  }

  /** Sends one exchange; a non-2xx answer is thrown as the error `toError` builds. */
  async function exchange(
    ex: Exchange,
    toError: (init: ApiErrorInit) => ApiError,
  ): Promise<HttpResponse> {
    const errorInit = { method: ex.method, path: ex.path, secrets: auth.secrets() };
    const signal = AbortSignal.timeout(ex.timeoutMs);
    ex.stats?.countRequest(ex.method);
    let status: number;
    let responseHeaders: Record<string, string>;
    let text: string;
    try {
      const response = await undiciRequest(ex.url, {
        dispatcher: dispatcher(),
        method: ex.method,
        headers: ex.headers,
        body: ex.body ?? null,
        signal,
      });
      status = response.statusCode;
      responseHeaders = flattenHeaders(response.headers);
      text = await response.body.text();
    } catch (error) {
      throw toTransportError(error, signal, ex.timeoutMs, errorInit, ex.stats);
    }

    const parsed = parseBody(text);
    if (status >= 200 && status < 300) return { status, headers: responseHeaders, body: parsed };

    // A long text body (a web page) is kept short, after redaction so no secret is cut in half.
    const body = typeof parsed === "string" ? shorten(redact(parsed, errorInit.secrets) as string, 2_000) : parsed;
    const httpInit: ApiErrorInit = { ...errorInit, status, body };
    const retryAfter = responseHeaders["retry-after"];
    if (retryAfter !== undefined) httpInit.retryAfter = retryAfter;
    const contentType = responseHeaders["content-type"];
    if (contentType !== undefined) httpInit.contentType = contentType;
    throw toError(httpInit);
  }

  /** The auth strategy's way to a token endpoint: same pool and timeout, any 4xx an `AuthError`. */
  const requestToken: TokenRequest = async (url, form) => {
    const target = new URL(url);
    const response = await exchange(
      {
        url: target.href,
        method: "POST",
        path: target.pathname,
        headers: { accept: "application/json", "user-agent": userAgent, "content-type": FORM_CONTENT_TYPE },
        body: new URLSearchParams(form).toString(),
        timeoutMs,
        stats: undefined,
      },
      (init) => {
        const status = init.status ?? 0;
        return status >= 400 && status < 500 ? new AuthError(httpErrorMessage(init), init) : toHttpError(init, () => false, undefined);
      },
    );
    return { status: response.status, body: response.body };
  };

  function attempt(req: HttpRequest, authHeaders: AuthHeaders): Promise<HttpResponse> {
    const pathWithQuery = req.path + queryString(req.query);
    const headers: Record<string, string> = { ...authHeaders, accept: format.accept, "user-agent": userAgent };
    let body: string | undefined;
    const encoder = BODY_ENCODERS[req.encoding ?? format.bodyEncoding];
    if (req.body !== undefined) {
      body = encoder.encode(req.body);
      headers["content-type"] = encoder.contentType(format);
    } else if (format.contentTypeWithoutBody) {
      headers["content-type"] = encoder.contentType(format);
    }
    return exchange(
      {
        url: origin + basePath + pathWithQuery,
        method: req.method,
        path: pathWithQuery,
        headers,
        body,
        timeoutMs: req.timeoutMs ?? timeoutMs,
        stats: options.stats,
      },
      (init) => toHttpError(init, classifyDuplicate, options.stats),
    );
  }

  async function send(req: HttpRequest): Promise<HttpResponse> {
    const authHeaders = await auth.authorize(requestToken);
    try {
      return await attempt(req, authHeaders);
    } catch (error) {
      // A 401 can mean "token expired": one replay with fresh credentials, when the strategy has any.
      if (!(error instanceof AuthError && error.status === 401 && auth.rejected(authHeaders))) throw error;
      return attempt(req, await auth.authorize(requestToken));
    }
  }

  return {
    request: send,
    async close() {
      const agent = ownAgent;
      ownAgent = undefined;
      await agent?.close();
    },
  };
}

function httpErrorMessage(init: ApiErrorInit): string {
  return `${init.method} ${init.path} failed with ${init.status ?? 0}${describeBody(init.body, init.contentType)}`;
}

function toHttpError(init: ApiErrorInit, classifyDuplicate: DuplicateClassifier, stats: StatsRecorder | undefined): ApiError {
  const status = init.status ?? 0;
  const message = httpErrorMessage(init);
  if (status === 401 || status === 403) return new AuthError(message, init);
  if (status === 404) return new NotFoundError(message, init);
  if (status === 429) {
    if (stats) stats.counts.rateLimited += 1;
    return new RateLimitError(message, init);
  }
  if (status >= 500) {
    if (stats) stats.counts.serverErrors += 1;
    return new ServerError(message, init);
  }
  if (status >= 400) {
    return classifyDuplicate(status, init.body) ? new DuplicateError(message, init) : new ValidationError(message, init);
  }
  return new ApiError(message, init);
}

function toTransportError(
  error: unknown,
  signal: AbortSignal,
  timeoutMs: number,
  init: Omit<ApiErrorInit, "status" | "body">,
  stats: StatsRecorder | undefined,
): ApiError {
  const code = (error as { code?: unknown } | null)?.code;
  if (signal.aborted || (typeof code === "string" && UNDICI_TIMEOUT_CODES.has(code))) {
    if (stats) stats.counts.timeouts += 1;
    return new TimeoutError(`${init.method} ${init.path} timed out after ${timeoutMs} ms`, { ...init, cause: error });
  }
  if (stats) stats.counts.networkErrors += 1;
  const reason = error instanceof Error ? error.message : String(error);
  return new NetworkError(`${init.method} ${init.path} failed before a response arrived: ${reason}`, { ...init, cause: error });
}

/**
 * The server's own explanation, when the body has one, for the error message: `message`, `error`,
 * or the first JSON:API error's `detail`/`title`. A web page (an HTML 404 from a wrong route or a
 * proxy) is named by its `<title>` only, never pasted in whole.
 */
function describeBody(body: unknown, contentType: string | undefined): string {
  if (typeof body === "string" && isHtml(body, contentType)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1]?.replace(/\s+/g, " ").trim();
    return `: an HTML page${title ? ` ("${shorten(title, 80)}")` : ""}, not an API response`;
  }
  let detail: unknown = body;
  if (body !== null && typeof body === "object") {
    const record = body as Record<string, unknown>;
    const firstError: unknown = Array.isArray(record["errors"]) ? record["errors"][0] : undefined;
    const jsonApi = firstError !== null && typeof firstError === "object" ? (firstError as Record<string, unknown>) : {};
    detail = record["message"] ?? record["error"] ?? jsonApi["detail"] ?? jsonApi["title"];
  }
  if (typeof detail !== "string" || detail.length === 0) return "";
  return `: ${shorten(detail, 200)}`;
}

function isHtml(text: string, contentType: string | undefined): boolean {
  if (contentType !== undefined && /^\s*(text\/html|application\/xhtml\+xml)\b/i.test(contentType)) return true;
  return /^\s*<(!doctype\s+html|html)\b/i.test(text);
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function queryString(query: QueryParams | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const values: readonly QueryValue[] = Array.isArray(value) ? value : [value as QueryValue];
    for (const item of values) params.append(key, String(item));
  }
  const encoded = params.toString();
  return encoded ? `?${encoded}` : "";
}

/**
 * `application/x-www-form-urlencoded` with Rack-style nesting, as Rails and Grape servers read it:
 * `{ user: { name: "A" }, ids: [1, 2], fields: [{ name: "x" }] }` →
 * `user[name]=A&ids[]=1&ids[]=2&fields[][name]=x`. `undefined` is left out, `null` sends an empty value.
 */
export function formEncode(body: unknown): string {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new TypeError("A form body must be an object of fields");
  }
  const params = new URLSearchParams();
  const add = (key: string, value: unknown): void => {
    if (value === undefined) return;
    if (value === null) params.append(key, "");
    else if (Array.isArray(value)) for (const item of value) add(`${key}[]`, item);
    else if (typeof value === "object") for (const [name, item] of Object.entries(value)) add(`${key}[${name}]`, item);
    else params.append(key, String(value as QueryValue));
  };
  for (const [key, value] of Object.entries(body)) add(key, value);
  return params.toString();
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

function parseBody(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
