import { describe, expect, it } from "vitest";
import { PageLimitError } from "../../provider/client/errors.js";
import { collect, paginate, paginatePages, type Page } from "../../provider/client/paginate.js";

/** Pages of `size` numbers out of `total`, recording which pages were asked for. */
function numberedPages(total: number, size: number) {
  const requested: number[] = [];
  const fetchPage = async (page: number): Promise<Page<number>> => {
    requested.push(page);
    const start = (page - 1) * size;
    const items = Array.from({ length: Math.max(0, Math.min(size, total - start)) }, (_, i) => start + i + 1);
    return { items, hasNextPage: start + size < total };
  };
  return { fetchPage, requested };
}

describe("paginate", () => {
  it("walks every page in order until hasNextPage is false", async () => {
    const { fetchPage, requested } = numberedPages(7, 3);
    expect(await collect(paginate(fetchPage))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(requested).toEqual([1, 2, 3]);
  });

  it("fetches nothing more once the caller stops iterating", async () => {
    const { fetchPage, requested } = numberedPages(1_000, 10);
    const seen: number[] = [];
    for await (const n of paginate(fetchPage)) {
      seen.push(n);
      if (n === 12) break;
    }
    expect(seen).toHaveLength(12);
    expect(requested).toEqual([1, 2]);
  });

  it("fetches no page until iteration starts", async () => {
    const { fetchPage, requested } = numberedPages(10, 3);
    const iterator = paginate(fetchPage);
    expect(requested).toEqual([]);
    await iterator.next();
    expect(requested).toEqual([1]);
  });

  it("throws PageLimitError instead of truncating at the page ceiling", async () => {
    const endless = async (): Promise<Page<string>> => ({ items: ["x"], hasNextPage: true });
    const error = await collect(paginate(endless, { maxPages: 4 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PageLimitError);
    expect((error as PageLimitError).message).toBe(
      "Stopped after 4 pages: the server still reported another page (raise maxPages if the data really is this large)",
    );
  });

  it("does not trip the ceiling when the last allowed page is the last page", async () => {
    const { fetchPage } = numberedPages(6, 3);
    expect(await collect(paginate(fetchPage, { maxPages: 2 }))).toHaveLength(6);
  });

  it("stops on a server that reports no next page even for an empty first page", async () => {
    const { fetchPage, requested } = numberedPages(0, 3);
    expect(await collect(paginate(fetchPage))).toEqual([]);
    expect(requested).toEqual([1]);
  });
});

describe("paginatePages", () => {
  it("yields pages with their numbers, from firstPage", async () => {
    const { fetchPage } = numberedPages(5, 2);
    const pages = await collect(paginatePages(fetchPage, { firstPage: 2 }));
    expect(pages).toEqual([
      { page: 2, items: [3, 4], hasNextPage: true },
      { page: 3, items: [5], hasNextPage: false },
    ]);
  });
});
