/**
 * Page-numbered pagination as async iterators. The caller supplies `fetchPage(n)`, which knows the
 * endpoint and how the server signals "more" (LearnUpon: the `LU-Has-Next-Page` header); these
 * helpers only walk the pages.
 *
 * Pages are fetched lazily: leaving a `for await` loop early (`break`, `return`, a throw) fetches
 * nothing more. `maxPages` is a safety stop against a server that never stops saying "more";
 * reaching it throws `PageLimitError` rather than silently returning a truncated list, because a
 * missing record would look like a deleted one to the caller.
 * @module
 */
import { PageLimitError } from "./errors.js";

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
   * Most pages fetched before giving up with `PageLimitError` (at 500 records a page, the default
   * allows 500,000 records).
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
