/**
 * Pagination as async iterators, with each backend's paging style given as a value.
 *
 * - `paginate`/`paginatePages` walk numbered pages: the caller supplies `fetchPage(n)` and says
 *   per page whether another follows.
 * - `paginateRequests` walks a list request with a `Pagination` strategy, which says what the
 *   first page's request adds and, from each response, where the next page is:
 *
 * | strategy                  | request                     | "more" when                                  |
 * |---------------------------|-----------------------------|----------------------------------------------|
 * | `pageNumberPagination`    | `?page=N` (+ a size param)  | a header says `true`, a page-count header is above N, or a page came back full |
 * | `jsonApiLinksPagination`  | `?page=N&limit=M`           | the body's `links.next` is there (followed, host-pinned) and the page is not empty |
 * | `offsetPagination`        | `?offset=K&limit=M`         | a header says `true` (else: the page came back full), and the page is not empty |
 *
 * Pages are fetched lazily: leaving a `for await` loop early (`break`, `return`, a throw) fetches
 * nothing more. `maxPages` is a safety stop against a server that never stops saying "more";
 * reaching it throws `PageLimitError` rather than silently returning a truncated list, because a
 * missing record would look like a deleted one to the caller.
 * @module
 */
import { PageLimitError, ResponseShapeError } from "./errors.js";
import type { HttpRequest, HttpResponse, QueryParams, QueryValue } from "./transport.js";

export interface Page<T> {
  items: readonly T[];
  hasNextPage: boolean;
}

export interface PaginateOptions {
  /**
   * Number of the first page.
   * @default 1
   */
  firstPage?: number;
  /**
   * Most pages fetched before giving up with `PageLimitError` (at 100 records a page, the default
   * allows 100,000 records).
   * @default 1_000
   */
  maxPages?: number;
}

/** Yields each page with its number, fetching the next only when asked for it. */
export async function* paginatePages<T>(
  fetchPage: (page: number) => Promise<Page<T>>,
  options: PaginateOptions = {},
): AsyncGenerator<Page<T> & { page: number }, void, undefined> {
  const firstPage = options.firstPage ?? 1;
  const maxPages = options.maxPages ?? 1_000;
  for (let fetched = 0; fetched < maxPages; fetched++) {
    const page = firstPage + fetched;
    const result = await fetchPage(page);
    yield { ...result, page };
    if (!result.hasNextPage) return;
  }
  throw new PageLimitError(maxPages);
}

/** Yields every item of every page, in order. */
export async function* paginate<T>(
  fetchPage: (page: number) => Promise<Page<T>>,
  options: PaginateOptions = {},
): AsyncGenerator<T, void, undefined> {
  for await (const page of paginatePages(fetchPage, options)) {
    yield* page.items;
  }
}

/** Gathers an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/**
 * Where a page is: query parameters added to the list request's own or, for a followed link,
 * the `path` below the base URL and the link's complete query, which replaces the request's.
 */
export interface PageCursor {
  path?: string;
  query: QueryParams;
}

/** What a strategy sees of a page it asked for. */
export interface PageContext {
  cursor: PageCursor;
  response: HttpResponse;
  /** Items the page held. */
  itemCount: number;
  /** The API base URL, which followed links must stay under. */
  baseUrl: string;
}

export interface Pagination {
  readonly first: PageCursor;
  /** Where the page after this one is, or `undefined` when it was the last. */
  next(page: PageContext): PageCursor | undefined;
}

/** How a page-numbered list says another page follows. */
export type MoreSignal =
  /** This response header is `"true"` (any case; absent means no). */
  | { header: string }
  /** The page held this many items: a full page means there may be more. */
  | { fullPage: number }
  /**
   * A header counts the pages (`Total-Pages: 7`): more while this page's number is below it.
   * A server that leaves the header out is read by page size instead: a full page means more,
   * "full" being `sizeHeader`'s value (the size the server really used, after any clamp) or else
   * `fullPage`. An empty page always ends the list.
   */
  | { pageCountHeader: string; sizeHeader?: string; fullPage: number };

export interface PageNumberOptions {
  /** @default "page" */
  pageParam?: string;
  /** @default 1 */
  firstPage?: number;
  /** The page-size parameter and the size to ask for; left out when the server has a fixed size. */
  size?: { param: string; value: number };
  more: MoreSignal;
}

/** `?page=N`, the next page while `more` says so. `page(n)` is the cursor of page `n`. */
export function pageNumberPagination(options: PageNumberOptions): Pagination & { page(n: number): PageCursor } {
  const pageParam = options.pageParam ?? "page";
  const firstPage = options.firstPage ?? 1;
  const page = (n: number): PageCursor => ({
    query: options.size ? { [pageParam]: n, [options.size.param]: options.size.value } : { [pageParam]: n },
  });
  const hasMore = moreTest(options.more, pageParam);
  return {
    first: page(firstPage),
    page,
    next(context) {
      if (!hasMore(context)) return undefined;
      return page(Number(context.cursor.query[pageParam]) + 1);
    },
  };
}

export interface JsonApiLinksOptions {
  /** @default "page" */
  pageParam?: string;
  /** @default "limit" */
  sizeParam?: string;
  /** Items to ask for per page. */
  size: number;
}

/**
 * JSON:API: `?page=1&limit=M`, then the body's `links.next` (a URL string or `{ href }`) until it
 * is missing or a page is empty. A link is followed only below the API base URL, so a spoofed
 * link cannot carry the credentials to another host.
 */
export function jsonApiLinksPagination(options: JsonApiLinksOptions): Pagination {
  return {
    first: { query: { [options.pageParam ?? "page"]: 1, [options.sizeParam ?? "limit"]: options.size } },
    next({ response, itemCount, baseUrl }) {
      const link = nextLink(response.body);
      if (link === undefined || itemCount === 0) return undefined;
      return pinnedLink(link, baseUrl);
    },
  };
}

export interface OffsetOptions {
  /** @default "offset" */
  offsetParam?: string;
  /** @default "limit" */
  limitParam?: string;
  /** Items to ask for per page. */
  limit: number;
  /** Response header saying whether more items follow (`"true"`/`"false"`, any case). */
  moreHeader?: string;
}

/**
 * `?offset=K&limit=M`. The next offset counts the items actually received, so a server that
 * quietly caps `limit` loses nothing. An empty page always ends the list; otherwise the header,
 * when sent, decides, and without it a full page means more.
 */
export function offsetPagination(options: OffsetOptions): Pagination {
  const offsetParam = options.offsetParam ?? "offset";
  const limitParam = options.limitParam ?? "limit";
  const at = (offset: number): PageCursor => ({ query: { [offsetParam]: offset, [limitParam]: options.limit } });
  return {
    first: at(0),
    next({ cursor, response, itemCount }) {
      if (itemCount === 0) return undefined;
      const header = options.moreHeader === undefined ? undefined : response.headers[options.moreHeader.toLowerCase()];
      const more = header !== undefined ? header.trim().toLowerCase() === "true" : itemCount >= options.limit;
      return more ? at(Number(cursor.query[offsetParam]) + itemCount) : undefined;
    },
  };
}

/**
 * Every item of the list `request` names, page by page as the caller iterates, with `items`
 * picking them out of each response.
 */
export async function* paginateRequests<T>(
  api: { send(request: HttpRequest): Promise<HttpResponse>; readonly baseUrl: string },
  request: HttpRequest,
  pagination: Pagination,
  items: (response: HttpResponse) => readonly T[],
  options: Pick<PaginateOptions, "maxPages"> = {},
): AsyncGenerator<T, void, undefined> {
  const maxPages = options.maxPages ?? 1_000;
  let cursor: PageCursor | undefined = pagination.first;
  for (let fetched = 0; fetched < maxPages; fetched++) {
    const pageRequest: HttpRequest =
      cursor.path === undefined
        ? { ...request, query: { ...request.query, ...cursor.query } }
        : { ...request, path: cursor.path, query: cursor.query };
    const response = await api.send(pageRequest);
    const pageItems = items(response);
    yield* pageItems;
    cursor = pagination.next({ cursor, response, itemCount: pageItems.length, baseUrl: api.baseUrl });
    if (cursor === undefined) return;
  }
  throw new PageLimitError(maxPages);
}

function moreTest(more: MoreSignal, pageParam: string): (context: PageContext) => boolean {
  if ("header" in more) return ({ response }) => headerIsTrue(response, more.header);
  if ("pageCountHeader" in more) {
    return ({ response, itemCount, cursor }) => {
      if (itemCount === 0) return false;
      const pageCount = headerNumber(response, more.pageCountHeader);
      if (pageCount !== undefined) return Number(cursor.query[pageParam]) < pageCount;
      const size = (more.sizeHeader === undefined ? undefined : headerNumber(response, more.sizeHeader)) ?? more.fullPage;
      return itemCount >= size;
    };
  }
  return ({ itemCount }) => itemCount >= more.fullPage;
}

/** A header holding a non-negative whole number, or `undefined` when absent or not one. */
function headerNumber(response: HttpResponse, header: string): number | undefined {
  const value = response.headers[header.toLowerCase()]?.trim();
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

function headerIsTrue(response: HttpResponse, header: string): boolean {
  return response.headers[header.toLowerCase()]?.trim().toLowerCase() === "true";
}

function nextLink(body: unknown): string | undefined {
  const links = (body as { links?: unknown } | null | undefined)?.links;
  const next = (links as { next?: unknown } | null | undefined)?.next;
  if (typeof next === "string" && next !== "") return next;
  const href = (next as { href?: unknown } | null | undefined)?.href;
  return typeof href === "string" && href !== "" ? href : undefined;
}

/** The cursor of a `next` link, which must lie below the API base URL (same origin, same path prefix). */
export function pinnedLink(link: string, baseUrl: string): PageCursor {
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, "");
  const url = new URL(link, base);
  if (url.origin !== base.origin || !(url.pathname === basePath || url.pathname.startsWith(`${basePath}/`)) || url.username || url.password) {
    throw new ResponseShapeError({
      method: "GET",
      path: basePath,
      endpoint: "links.next",
      status: 200,
      // The link itself is not quoted: it is the server's text, and may be long or odd.
      issues: [{ path: "links.next", message: `points outside the API base URL ${base.origin}${basePath}; not followed` }],
    });
  }
  const query: Record<string, QueryValue | QueryValue[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? (values[0] ?? "") : values;
  }
  return { path: url.pathname.slice(basePath.length) || "/", query };
}
