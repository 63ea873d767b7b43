/**
 * LearnUpon's conventions on top of the core `ApiClient`, shared by the endpoint modules
 * (users, enrollments, group memberships, catalog):
 *
 * - responses are checked with a schema (`getJson`), outgoing bodies too (`checkedBody`);
 * - lists page by `?page=N` and the `LU-Has-Next-Page` header;
 * - "not found" is told by the body, not the status: a GET answered with LearnUpon's error body
 *   (`response_type: "ERROR"` or a `response_code` key) is a `NotFoundError` even when it came
 *   with 200 (docs/learnupon-api-notes.md, "Not found");
 * - a 404 on delete means "already gone".
 * @module
 */
import type { z } from "zod";
import type { ApiClient, SendOptions } from "../api-client.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { paginate, type Page } from "../paginate.js";
import { formatPath, parseShape } from "../shape.js";
import type { HttpRequest, HttpResponse, QueryParams } from "../transport.js";
import { LEARNUPON_PAGINATION } from "./conventions.js";

/** One paged list endpoint: where it is, how its envelope looks, where the items sit. */
export interface ListEndpoint<Schema extends z.ZodType, Item> {
  path: string;
  query?: QueryParams;
  /** Documented route for error messages, e.g. `"GET /enrollments/search"`. */
  endpoint: string;
  schema: Schema;
  /** Picks the items out of the envelope by its known key (never "the first array"). */
  items: (body: z.output<Schema>) => readonly Item[];
}

export interface LearnUponRequests {
  /** Sends the request and returns its body checked against `schema`. */
  getJson<Schema extends z.ZodType>(
    request: HttpRequest,
    schema: Schema,
    endpoint: string,
    options?: SendOptions,
  ): Promise<z.output<Schema>>;
  /** Sends the request and ignores the body (undocumented for most writes). */
  send(request: HttpRequest, options?: SendOptions): Promise<unknown>;
  /** One page of a list. */
  listPage<Schema extends z.ZodType, Item>(list: ListEndpoint<Schema, Item>, page: number): Promise<Page<Item>>;
  /** Every item of a list, fetched page by page as the caller iterates. */
  listAll<Schema extends z.ZodType, Item>(list: ListEndpoint<Schema, Item>): AsyncGenerator<Item, void, undefined>;
}

export function createLearnUponRequests(api: ApiClient, maxPages: number): LearnUponRequests {
  async function getJson<Schema extends z.ZodType>(
    request: HttpRequest,
    schema: Schema,
    endpoint: string,
    options?: SendOptions,
  ): Promise<z.output<Schema>> {
    const response = await api.send(request, options);
    rejectErrorBody(request, response, endpoint);
    return parseShape(schema, response, request, endpoint);
  }

  async function listPage<Schema extends z.ZodType, Item>(list: ListEndpoint<Schema, Item>, page: number): Promise<Page<Item>> {
    const cursor = LEARNUPON_PAGINATION.page(page);
    const request: HttpRequest = { method: "GET", path: list.path, query: { ...list.query, ...cursor.query } };
    try {
      const response = await api.send(request);
      rejectErrorBody(request, response, list.endpoint);
      const body = parseShape(list.schema, response, request, list.endpoint);
      const items = list.items(body);
      const next = LEARNUPON_PAGINATION.next({ cursor, response, itemCount: items.length, baseUrl: api.baseUrl });
      return { items, hasNextPage: next !== undefined };
    } catch (error) {
      // A search with no match answers LearnUpon's error body rather than an empty list.
      if (isSearchNotFound(error)) return { items: [], hasNextPage: false };
      throw error;
    }
  }

  return {
    getJson,
    send: async (request, options) => (await api.send(request, options)).body,
    listPage,
    listAll: (list) => paginate((page) => listPage(list, page), { maxPages }),
  };
}

/**
 * LearnUpon's error body: `{"response_type":"ERROR","response_code":404,"message":…}`. Public
 * clients tell a search miss by it and never by the status, so a portal may send it with any.
 */
export function isErrorBody(body: unknown): boolean {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const record = body as Record<string, unknown>;
  return "response_code" in record || (typeof record["response_type"] === "string" && record["response_type"].toUpperCase() === "ERROR");
}

/**
 * LearnUpon's "no match" answer: its error body, whatever the status came with it (a 404, a 200
 * turned into a `NotFoundError` by `getJson`/`listPage`, or another 4xx). Credential, rate-limit
 * and server errors are never taken for it.
 */
export function isSearchNotFound(error: unknown): boolean {
  return (error instanceof NotFoundError || error instanceof ValidationError) && isErrorBody(error.body);
}

/**
 * A GET that came back 2xx with LearnUpon's error body found nothing: say so as the 404 would.
 * Writes are left alone, their answers are read by their callers.
 */
function rejectErrorBody(request: HttpRequest, response: HttpResponse, endpoint: string): void {
  if (request.method !== "GET" || !isErrorBody(response.body)) return;
  throw new NotFoundError(`${endpoint} answered ${response.status} with an error body: nothing found`, {
    method: request.method,
    path: request.path,
    status: response.status,
    body: response.body,
  });
}

/** Resolves `undefined` instead of failing when the target does not exist (404 or LearnUpon's error body). */
export async function unlessNotFound<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof NotFoundError || isSearchNotFound(error)) return undefined;
    throw error;
  }
}

/** Resolves `false` instead of failing when the target is already gone (404). */
export async function deleted(request: Promise<unknown>): Promise<boolean> {
  try {
    await request;
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

/** Checks an outgoing body against its schema before anything is sent. */
export function checkedBody<Schema extends z.ZodType>(schema: Schema, body: z.input<Schema>, endpoint: string): z.output<Schema> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join("; ");
  throw new TypeError(`Invalid request for ${endpoint}: ${problems}`);
}

/**
 * `/users/42` for id 42. Refuses anything but a positive integer: `/users/NaN` would answer 404,
 * which a delete would report as "already gone".
 */
export function resourcePath(collection: string, id: number): string {
  if (!Number.isSafeInteger(id) || id <= 0) throw new TypeError(`Invalid LearnUpon id for ${collection}: ${id}`);
  return `/${collection}/${id}`;
}

/** Drops `undefined` values, so a PUT or PATCH sends only the fields the caller gave. */
export function definedOnly<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

