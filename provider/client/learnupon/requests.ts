/**
 * LearnUpon's conventions on top of the core `ApiClient`, shared by the endpoint modules
 * (users, enrollments, group memberships, catalog):
 *
 * - responses are checked with a schema (`getJson`), outgoing bodies too (`checkedBody`);
 * - lists page by `?page=N` and the `LU-Has-Next-Page` header (§1.4);
 * - a "not found" answer carries a `response_code` key (§1.7);
 * - a 404 on delete means "already gone".
 * @module
 */
import type { z } from "zod";
import type { ApiClient, SendOptions } from "../api-client.js";
import { NotFoundError } from "../errors.js";
import { paginate, type Page } from "../paginate.js";
import { formatPath, parseShape } from "../shape.js";
import type { HttpRequest, QueryParams } from "../transport.js";

/** "true" while more pages follow; compare as a string (§1.4). */
const HAS_NEXT_PAGE_HEADER = "lu-has-next-page";

/** One paged list endpoint: where it is, how its envelope looks, where the items sit. */
export interface ListEndpoint<Schema extends z.ZodType, Item> {
  path: string;
  query?: QueryParams;
  /** Documented route for error messages, e.g. `"GET /enrollments/search"`. */
  endpoint: string;
  schema: Schema;
  /** Picks the items out of the envelope by its known key (never "the first array", §1.3). */
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
  /** Sends the request and ignores the body (undocumented for most writes, §1.3). */
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
    return parseShape(schema, response, request, endpoint);
  }

  async function listPage<Schema extends z.ZodType, Item>(list: ListEndpoint<Schema, Item>, page: number): Promise<Page<Item>> {
    const request: HttpRequest = { method: "GET", path: list.path, query: { ...list.query, page } };
    try {
      const response = await api.send(request);
      const body = parseShape(list.schema, response, request, list.endpoint);
      return {
        items: list.items(body),
        hasNextPage: response.headers[HAS_NEXT_PAGE_HEADER]?.trim().toLowerCase() === "true",
      };
    } catch (error) {
      // A search with no match answers 404 + `response_code` rather than an empty list (§1.7).
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

/** LearnUpon's "no match" answer: a 404 whose body has a `response_code` key (§1.7). */
export function isSearchNotFound(error: unknown): boolean {
  return (
    error instanceof NotFoundError &&
    typeof error.body === "object" &&
    error.body !== null &&
    "response_code" in error.body
  );
}

/** Resolves `undefined` instead of failing when the target does not exist (404). */
export async function unlessNotFound<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
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

/** LearnUpon compares emails case-insensitively; so do we when re-checking results (§2.1). */
export function sameEmail(a: string | null | undefined, b: string): boolean {
  return typeof a === "string" && a.trim().toLowerCase() === b.trim().toLowerCase();
}
