/**
 * Northpass's JSON:API conventions on top of the core `ApiClient`, shared by the endpoint modules:
 *
 * - documents are wrapped as `{"data":{type, id?, attributes}}` (`resourceDocument`) and
 *   resource identifiers as `{"data":[{type, id}]}` (`identifiers`);
 * - responses are checked with a schema (`getJson`);
 * - lists page by `page`/`limit` and `links.next`; a list may answer an empty collection with a
 *   JSON 404 instead of `{"data":[]}` (notes, §Paging), read as no rows;
 * - "not found" is a 404 with a JSON body only: an HTML 404 is a wrong route (a bad base URL, or
 *   a path Northpass does not have) and surfaces as the error it is, never as "nothing there".
 * @module
 */
import type { z } from "zod";
import type { ApiClient, SendOptions } from "../api-client.js";
import { ApiError, NotFoundError } from "../errors.js";
import { paginateRequests } from "../paginate.js";
import { parseShape } from "../shape.js";
import type { HttpRequest, HttpResponse, QueryParams } from "../transport.js";
import { NORTHPASS_PAGINATION } from "./conventions.js";

/** One paged list endpoint: where it is and how its items look. */
export interface ListEndpoint<Schema extends z.ZodType<{ data: readonly unknown[] }>> {
  path: string;
  query?: QueryParams;
  /** Documented route for error messages, e.g. `"GET /people"`. */
  endpoint: string;
  schema: Schema;
}

export interface NorthpassRequests {
  /** Sends the request and returns its body checked against `schema`. */
  getJson<Schema extends z.ZodType>(request: HttpRequest, schema: Schema, endpoint: string, options?: SendOptions): Promise<z.output<Schema>>;
  /** Sends the request; the body of most writes is undocumented, so it is not read. */
  send(request: HttpRequest, options?: SendOptions): Promise<HttpResponse>;
  /** Every item of a list, fetched page by page as the caller iterates. */
  listAll<Schema extends z.ZodType<{ data: readonly unknown[] }>>(list: ListEndpoint<Schema>): AsyncGenerator<z.output<Schema>["data"][number], void, undefined>;
}

export function createNorthpassRequests(api: ApiClient, maxPages: number): NorthpassRequests {
  async function getJson<Schema extends z.ZodType>(request: HttpRequest, schema: Schema, endpoint: string, options?: SendOptions): Promise<z.output<Schema>> {
    return parseShape(schema, await api.send(request, options), request, endpoint);
  }

  /** The API as a list sees it: an empty collection answered as a JSON 404 is an empty page. */
  const listApi = {
    baseUrl: api.baseUrl,
    async send(request: HttpRequest): Promise<HttpResponse> {
      try {
        return await api.send(request);
      } catch (error) {
        if (isJsonNotFound(error)) return { status: 200, headers: {}, body: { data: [] } };
        throw error;
      }
    },
  };

  return {
    getJson,
    send: (request, options) => api.send(request, options),
    listAll<Schema extends z.ZodType<{ data: readonly unknown[] }>>(list: ListEndpoint<Schema>) {
      const request: HttpRequest = { method: "GET", path: list.path, ...(list.query && { query: list.query }) };
      return paginateRequests(listApi, request, NORTHPASS_PAGINATION, (response) => parseShape(list.schema, response, request, list.endpoint).data, {
        maxPages,
      });
    },
  };
}

/** A 404 whose body is not a web page: the API saying the record (or any row) is not there. */
export function isJsonNotFound(error: unknown): boolean {
  return error instanceof NotFoundError && !isWebPage(error);
}

/** An error answered with an HTML page rather than the API's JSON. */
export function isWebPage(error: unknown): boolean {
  return error instanceof ApiError && typeof error.body === "string" && /^\s*<(!doctype\s+html|html)\b/i.test(error.body);
}

/** Resolves `undefined` when the API says the record is not there (a JSON 404). */
export async function unlessNotFound<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (isJsonNotFound(error)) return undefined;
    throw error;
  }
}

/** `{"data":{type, id?, attributes}}`, the JSON:API document of one resource. */
export function resourceDocument(type: string, attributes: Record<string, unknown>, id?: string): { data: Record<string, unknown> } {
  return { data: { type, ...(id !== undefined && { id }), attributes } };
}

/** `{"data":[{type, id}, …]}`, the JSON:API body of a to-many relationship change. */
export function identifiers(type: string, ids: readonly string[]): { data: Array<{ type: string; id: string }> } {
  return { data: ids.map((id) => ({ type, id })) };
}

/** `/people/<id>`, the id percent-encoded: ids are opaque (UUIDs or compound) and never parsed. */
export function resourcePath(collection: string, id: string, ...rest: string[]): string {
  if (id.trim() === "") throw new TypeError(`Invalid Northpass id for ${collection}: empty`);
  return [`/${collection}`, encodeURIComponent(id), ...rest].join("/");
}

