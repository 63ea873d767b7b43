/**
 * Shared helpers for the fake portal's tests: a fixed clock and one `api()` call over real HTTP
 * with plain `fetch`, returning status, headers, raw text and parsed JSON.
 * @module
 */
import { startFakePortal, type FakePortal, type StartFakePortalOptions } from "../../provider/fake-portal/index.js";

/** 2026-01-02T03:04:05.678Z: timestamps render as "2026-01-02T03:04:05Z". */
export const FIXED_TIME = Date.parse("2026-01-02T03:04:05.678Z");

/** A portal on the fixed clock with rate limiting off, unless `options` say otherwise. */
export function startTestPortal(options: StartFakePortalOptions = {}): Promise<FakePortal> {
  return startFakePortal({
    now: () => FIXED_TIME,
    ...options,
    options: { rateLimit: false, ...options.options },
  });
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body; tests narrow it where they read fields. */
  json: unknown;
}

export interface CallInit {
  /** Sent as JSON with `Content-Type: application/json`. */
  body?: unknown;
  /** Sent as is, with whatever `headers` say. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** Credentials to send instead of the portal's; `false` sends none. */
  auth?: { username: string; password: string } | false;
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/** One request to `portal.apiUrl + path` (or to `path` itself when it starts with `/__fake`). */
export async function api(portal: FakePortal, method: string, path: string, init: CallInit = {}): Promise<ApiAnswer> {
  const credentials = init.auth ?? { username: portal.username, password: portal.password };
  const headers: Record<string, string> = {
    ...(credentials === false ? {} : { authorization: basicAuth(credentials.username, credentials.password) }),
    ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    ...init.headers,
  };
  const body = init.body === undefined ? init.rawBody : JSON.stringify(init.body);
  const url = path.startsWith("/__fake") ? `${portal.url}${path}` : `${portal.apiUrl}${path}`;
  const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text === "" ? undefined : JSON.parse(text) };
}

/** The id from a `{"id":N}` creation answer. */
export function idOf(answer: ApiAnswer): number {
  const id = (answer.json as { id?: unknown }).id;
  if (typeof id !== "number") throw new Error(`expected {"id":N}, got ${answer.status} ${answer.text}`);
  return id;
}

/** The rate-limit and paging headers of an answer, for exact comparison. */
export function luHeaders(answer: ApiAnswer): Record<string, string> {
  const picked: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (name.startsWith("lu-") || name.startsWith("x-lu-") || name === "retry-after") picked[name] = value;
  });
  return picked;
}
