/**
 * One HTTP attempt, nothing more: URL building, HTTP Basic auth, JSON encoding and decoding, a
 * per-call timeout, and the mapping of every failure onto the error family (`errors.ts`).
 * Retries, rate limiting and pagination are separate layers composed in `api-client.ts`.
 *
 * Runs on undici with a keep-alive `Agent` created on the first request (never at import), one
 * per transport, closed by `close()`. Tests may inject their own `dispatcher`.
 *
 * LMS-neutral: the caller gives the full API base URL and, optionally, a `classifyDuplicate`
 * function that decides which 4xx bodies mean "already exists".
 * @module
 */
import { EnvHttpProxyAgent, request as undiciRequest, type Dispatcher } from "undici";
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
  type ApiErrorInit,
} from "./errors.js";
import type { StatsRecorder } from "./stats.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Query values; `undefined` entries are left out. */
export type QueryParams = Readonly<Record<string, string | number | boolean | undefined>>;

export interface HttpRequest {
  method: HttpMethod;
  /** Path below the base URL, starting with `/` (`/users/42`). */
  path: string;
  query?: QueryParams;
  /** JSON-encoded when present. `undefined` means no body and no `Content-Type`. */
  body?: unknown;
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

/** Decides whether a 4xx response means "this already exists". */
export type DuplicateClassifier = (status: number, body: unknown) => boolean;

export interface TransportOptions {
  /** Full API base URL; request paths are appended to it (`https://host/api/v1`). */
  baseUrl: string;
  username: string;
  password: string;
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
  /** Counts attempts and failures, when given. */
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

export function createTransport(options: TransportOptions): Transport {
  const base = new URL(options.baseUrl);
  if (base.username || base.password) {
    // A URL is printed in errors and logs; credentials belong in username/password only.
    throw new Error("The API base URL must not contain credentials; pass them as username and password");
  }
  const origin = base.origin;
  const basePath = base.pathname.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const classifyDuplicate = options.classifyDuplicate ?? (() => false);
  const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString("base64")}`;
  const secrets = [options.password, options.username, authorization.slice("Basic ".length)];
  const userAgent = options.userAgent ?? "pulumi-lms-client";
  let ownAgent: EnvHttpProxyAgent | undefined;

  function dispatcher(): Dispatcher {
    if (options.dispatcher) return options.dispatcher;
    // Goes through HTTPS_PROXY (HTTP_PROXY for http:// portals) unless NO_PROXY names the host,
    // as corporate networks require; a direct keep-alive agent when none is set.
    ownAgent ??= new EnvHttpProxyAgent({ keepAliveTimeout: 10_000, connections: 16 });
    return ownAgent;
  }

  async function send(req: HttpRequest): Promise<HttpResponse> {
    const pathWithQuery = req.path + queryString(req.query);
    const errorInit = { method: req.method, path: pathWithQuery, secrets };
    const headers: Record<string, string> = {
      authorization,
      accept: "application/json",
      "user-agent": userAgent,
    };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      // Only with a body: LearnUpon answers a bodyless GET that declares JSON with
      // 400 "There was a problem in the JSON you submitted." (contract §1.2).
      headers["content-type"] = "application/json";
    }

    const attemptTimeout = req.timeoutMs ?? timeoutMs;
    const signal = AbortSignal.timeout(attemptTimeout);
    options.stats?.countRequest(req.method);
    let status: number;
    let responseHeaders: Record<string, string>;
    let text: string;
    try {
      const response = await undiciRequest(origin + basePath + pathWithQuery, {
        dispatcher: dispatcher(),
        method: req.method,
        headers,
        body: body ?? null,
        signal,
      });
      status = response.statusCode;
      responseHeaders = flattenHeaders(response.headers);
      text = await response.body.text();
    } catch (error) {
      throw toTransportError(error, signal, attemptTimeout, errorInit, options.stats);
    }

    const parsed = parseBody(text);
    if (status >= 200 && status < 300) return { status, headers: responseHeaders, body: parsed };

    const httpInit: ApiErrorInit = { ...errorInit, status, body: parsed };
    const retryAfter = responseHeaders["retry-after"];
    if (retryAfter !== undefined) httpInit.retryAfter = retryAfter;
    throw toHttpError(httpInit, classifyDuplicate, options.stats);
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

function toHttpError(init: ApiErrorInit, classifyDuplicate: DuplicateClassifier, stats: StatsRecorder | undefined): ApiError {
  const status = init.status ?? 0;
  const message = `${init.method} ${init.path} failed with ${status}${describeBody(init.body)}`;
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

/** The server's own explanation, when the body has one, for the error message. */
function describeBody(body: unknown): string {
  let detail: unknown = body;
  if (body !== null && typeof body === "object") {
    const record = body as Record<string, unknown>;
    detail = record["message"] ?? record["error"];
  }
  if (typeof detail !== "string" || detail.length === 0) return "";
  return `: ${detail.length > 200 ? `${detail.slice(0, 200)}…` : detail}`;
}

function queryString(query: QueryParams | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.append(key, String(value));
  }
  const encoded = params.toString();
  return encoded ? `?${encoded}` : "";
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
