/**
 * The pagination strategies over real HTTP, through the composed client: which pages are asked
 * for, and where each style stops (page number with a header or a full page, JSON:API
 * `links.next` pinned to the base URL, offset/limit with a "more" header).
 */
import { afterEach, describe, expect, it } from "vitest";
import { createApiClient, type ApiClient } from "../../provider/client/api-client.js";
import { basicAuth } from "../../provider/client/auth.js";
import { PageLimitError, ResponseShapeError } from "../../provider/client/errors.js";
import { LEARNUPON_PAGINATION } from "../../provider/client/learnupon/conventions.js";
import {
  collect,
  jsonApiLinksPagination,
  offsetPagination,
  pageNumberPagination,
  paginateRequests,
  pinnedLink,
  type Pagination,
} from "../../provider/client/paginate.js";
import { createRateLimiter } from "../../provider/client/rate-limiter.js";
import type { HttpResponse } from "../../provider/client/transport.js";
import { fakeClock, startScriptedServer, type LoggedRequest, type ScriptStep, type ScriptedServer } from "./scripted-server.js";

const servers: ScriptedServer[] = [];
let api: ApiClient | undefined;
afterEach(async () => {
  await api?.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  api = undefined;
});

/** A server answering `answer(query, serverUrl)`, and the client pointed at its `/v2`. */
async function listServer(answer: (query: URLSearchParams, serverUrl: string) => ScriptStep) {
  let url = "";
  const server = await startScriptedServer((request: LoggedRequest) => answer(new URL(request.url, "http://x").searchParams, url));
  servers.push(server);
  url = server.url;
  const clock = fakeClock();
  api = createApiClient({
    baseUrl: `${server.url}/v2`,
    auth: basicAuth("id", "secret"),
    rateLimiter: createRateLimiter({ perMinute: 600_000, share: 1, now: clock.now, sleep: clock.sleep }),
    now: clock.now,
    sleep: clock.sleep,
  });
  return { api, log: server.log, url: server.url };
}

const NAMES = ["ann", "bob", "cy", "dee", "eve"];
const bareArray = (response: HttpResponse) => response.body as string[];
const dataArray = (response: HttpResponse) => (response.body as { data: string[] }).data;

function walk(client: ApiClient, path: string, pagination: Pagination, items: (r: HttpResponse) => readonly string[], query = {}) {
  return collect(paginateRequests(client, { method: "GET", path, query }, pagination, items, { maxPages: 10 }));
}

describe("pageNumberPagination", () => {
  it("full page means more: asks page by page with its size, stops on a short page", async () => {
    const { api, log } = await listServer((query) => {
      const page = Number(query.get("page"));
      const size = Number(query.get("perPage"));
      return { status: 200, body: { users: NAMES.slice((page - 1) * size, page * size) } };
    });
    const pagination = pageNumberPagination({ size: { param: "perPage", value: 2 }, more: { fullPage: 2 } });
    const users = await walk(api, "/users", pagination, (r) => (r.body as { users: string[] }).users, { expanded: true });
    expect(users).toEqual(NAMES);
    expect(log.map((r) => r.url)).toEqual([
      "/v2/users?expanded=true&page=1&perPage=2",
      "/v2/users?expanded=true&page=2&perPage=2",
      "/v2/users?expanded=true&page=3&perPage=2",
    ]);
  });

  it("full page means more: a last page that is exactly full costs one empty page", async () => {
    const { api, log } = await listServer((query) => ({ status: 200, body: NAMES.slice(0, 4).slice((Number(query.get("page")) - 1) * 2, Number(query.get("page")) * 2) }));
    const users = await walk(api, "/users", pageNumberPagination({ more: { fullPage: 2 } }), bareArray);
    expect(users).toEqual(NAMES.slice(0, 4));
    expect(log).toHaveLength(3);
  });

  it("LearnUpon's strategy: ?page=N after the list's own query, more while the header is \"true\"", async () => {
    const { api, log } = await listServer((query) => {
      const page = Number(query.get("page"));
      const headers: Record<string, string> = page < 2 ? { "LU-Has-Next-Page": "True " } : page === 2 ? { "LU-Has-Next-Page": "false" } : {};
      return { status: 200, body: [NAMES[page - 1]], headers };
    });
    expect(await walk(api, "/enrollments/search", LEARNUPON_PAGINATION, bareArray, { course_id: 7 })).toEqual(["ann", "bob"]);
    expect(log.map((r) => r.url)).toEqual(["/v2/enrollments/search?course_id=7&page=1", "/v2/enrollments/search?course_id=7&page=2"]);
    // No header at all means no next page.
    expect(LEARNUPON_PAGINATION.next({ cursor: LEARNUPON_PAGINATION.page(3), response: { status: 200, headers: {}, body: [] }, itemCount: 1, baseUrl: "http://x" })).toBeUndefined();
  });
});

describe("pageNumberPagination by a page-count header", () => {
  const byPageCount = pageNumberPagination({
    size: { param: "perPage", value: 100 },
    more: { pageCountHeader: "total-pages", sizeHeader: "per-page", fullPage: 100 },
  });

  it("asks while the page number is below Total-Pages, and never for a page past it", async () => {
    const { api, log } = await listServer((query) => {
      const page = Number(query.get("page"));
      // The server clamps perPage to 2 and says so in Per-Page.
      return { status: 200, body: NAMES.slice((page - 1) * 2, page * 2), headers: { "Total-Pages": "3", "Per-Page": "2" } };
    });
    expect(await walk(api, "/users", byPageCount, bareArray)).toEqual(NAMES);
    expect(log.map((r) => r.url)).toEqual(["/v2/users?page=1&perPage=100", "/v2/users?page=2&perPage=100", "/v2/users?page=3&perPage=100"]);
  });

  it("without Total-Pages, a page as full as Per-Page says means more; a short or empty page ends", async () => {
    const { api, log } = await listServer((query) => {
      const page = Number(query.get("page"));
      return { status: 200, body: NAMES.slice(0, 4).slice((page - 1) * 2, page * 2), headers: { "Per-Page": "2" } };
    });
    expect(await walk(api, "/users", byPageCount, bareArray)).toEqual(NAMES.slice(0, 4));
    expect(log).toHaveLength(3); // the third page is empty
  });

  it("with neither header, the asked size is what full means", async () => {
    const { api, log } = await listServer(() => ({ status: 200, body: NAMES }));
    expect(await walk(api, "/users", byPageCount, bareArray)).toEqual(NAMES);
    expect(log).toHaveLength(1);
  });
});

describe("jsonApiLinksPagination", () => {
  /** JSON:API pages of `limit`, with absolute `links.next` on `serverUrl` while more remain. */
  function people(query: URLSearchParams, serverUrl: string, total = NAMES.length): ScriptStep {
    const page = Number(query.get("page") ?? 1);
    const limit = Number(query.get("limit"));
    const data = NAMES.slice(0, total).slice((page - 1) * limit, page * limit);
    const filter = query.get("filter[email][eq]");
    const self = `${serverUrl}/v2/people?page=${page}&limit=${limit}${filter ? `&filter%5Bemail%5D%5Beq%5D=${encodeURIComponent(filter)}` : ""}`;
    const links: Record<string, string> = { self };
    if (page * limit < total) links["next"] = self.replace(`page=${page}`, `page=${page + 1}`);
    return { status: 200, body: { data, links }, headers: { "content-type": "application/vnd.api+json" } };
  }

  it("follows links.next (its whole query) until it is missing", async () => {
    const { api, log } = await listServer((query, url) => people(query, url));
    const users = await walk(api, "/people", jsonApiLinksPagination({ size: 2 }), dataArray, { "filter[email][eq]": "x@y.z" });
    expect(users).toEqual(NAMES);
    expect(log.map((r) => r.url)).toEqual([
      "/v2/people?filter%5Bemail%5D%5Beq%5D=x%40y.z&page=1&limit=2",
      "/v2/people?page=2&limit=2&filter%5Bemail%5D%5Beq%5D=x%40y.z",
      "/v2/people?page=3&limit=2&filter%5Bemail%5D%5Beq%5D=x%40y.z",
    ]);
  });

  it("stops on an empty page even when a next link is offered", async () => {
    const { api, log } = await listServer((_query, url) => ({ status: 200, body: { data: [], links: { next: `${url}/v2/people?page=2&limit=2` } } }));
    expect(await walk(api, "/people", jsonApiLinksPagination({ size: 2 }), dataArray)).toEqual([]);
    expect(log).toHaveLength(1);
  });

  it("never follows a link to another host: the credentials stay home", async () => {
    const elsewhere = await startScriptedServer([{ status: 200, body: { data: ["mallory"] } }]);
    servers.push(elsewhere);
    const { api } = await listServer(() => ({ status: 200, body: { data: ["ann"], links: { next: `${elsewhere.url}/v2/people?page=2` } } }));
    const error = await walk(api, "/people", jsonApiLinksPagination({ size: 1 }), dataArray).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseShapeError);
    expect((error as ResponseShapeError).issues[0]?.message).toMatch(/^points outside the API base URL http:\/\/127\.0\.0\.1:\d+\/v2; not followed$/);
    expect(elsewhere.log).toHaveLength(0);
  });

  it("pins links to the base URL's path too, and reads { href } link objects", () => {
    const base = "https://api.example.com/v2";
    expect(pinnedLink("https://api.example.com/v2/people?page=2&limit=5&a=1&a=2", base)).toEqual({ path: "/people", query: { page: "2", limit: "5", a: ["1", "2"] } });
    expect(pinnedLink("/v2/groups?page=3", base)).toEqual({ path: "/groups", query: { page: "3" } });
    expect(() => pinnedLink("https://api.example.com/v1/people?page=2", base)).toThrow(ResponseShapeError);
    expect(() => pinnedLink("https://api.example.com.evil.test/v2/people", base)).toThrow(ResponseShapeError);
    const next = jsonApiLinksPagination({ size: 5 }).next({
      cursor: { query: {} },
      response: { status: 200, headers: {}, body: { data: [1], links: { next: { href: "https://api.example.com/v2/people?page=2" } } } },
      itemCount: 1,
      baseUrl: base,
    });
    expect(next).toEqual({ path: "/people", query: { page: "2" } });
  });

  it("a server that always offers a next link meets the page ceiling", async () => {
    const { api } = await listServer((query, url) => ({ status: 200, body: { data: ["x"], links: { next: `${url}/v2/people?page=${Number(query.get("page")) + 1}` } } }));
    const error = await walk(api, "/people", jsonApiLinksPagination({ size: 1 }), dataArray).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PageLimitError);
    expect((error as PageLimitError).maxPages).toBe(10);
  });
});

describe("offsetPagination", () => {
  function users(query: URLSearchParams, options: { more?: (end: number) => string | undefined; cap?: number } = {}): ScriptStep {
    const offset = Number(query.get("offset"));
    const limit = Math.min(Number(query.get("limit")), options.cap ?? Infinity);
    const rows = NAMES.slice(offset, offset + limit);
    const more = options.more ? options.more(offset + rows.length) : undefined;
    const headers: Record<string, string> = { "X-Limit": String(limit), "X-Offset": String(offset), "X-Size": String(rows.length) };
    if (more !== undefined) headers["X-More"] = more;
    return { status: 200, body: rows, headers };
  }

  it("offset/limit while X-More says true", async () => {
    const { api, log } = await listServer((query) => users(query, { more: (end) => (end < NAMES.length ? "TRUE" : "false") }));
    const pagination = offsetPagination({ limit: 2, moreHeader: "X-More" });
    expect(await walk(api, "/users", pagination, bareArray)).toEqual(NAMES);
    expect(log.map((r) => r.url)).toEqual(["/v2/users?offset=0&limit=2", "/v2/users?offset=2&limit=2", "/v2/users?offset=4&limit=2"]);
  });

  it("the next offset counts the rows received, so a server that caps limit loses nothing", async () => {
    const { api, log } = await listServer((query) => users(query, { cap: 2, more: (end) => String(end < NAMES.length) }));
    expect(await walk(api, "/users", offsetPagination({ limit: 3, moreHeader: "x-more" }), bareArray)).toEqual(NAMES);
    expect(log.map((r) => new URL(r.url, "http://x").searchParams.get("offset"))).toEqual(["0", "2", "4"]);
  });

  it("without the header a full page means more; an empty page always ends the list", async () => {
    const { api, log } = await listServer((query) => users(query));
    expect(await walk(api, "/users", offsetPagination({ limit: 5, moreHeader: "x-more" }), bareArray)).toEqual(NAMES);
    expect(log.map((r) => r.url)).toEqual(["/v2/users?offset=0&limit=5", "/v2/users?offset=5&limit=5"]);
  });

  it("X-More false ends the list even after a full page", async () => {
    const { api, log } = await listServer((query) => users(query, { more: () => "false" }));
    expect(await walk(api, "/users", offsetPagination({ limit: 2, moreHeader: "x-more" }), bareArray)).toEqual(["ann", "bob"]);
    expect(log).toHaveLength(1);
  });

  it("fetches nothing more once the caller stops iterating", async () => {
    const { api, log } = await listServer((query) => users(query, { more: () => "true" }));
    for await (const name of paginateRequests(api, { method: "GET", path: "/users" }, offsetPagination({ limit: 2 }), bareArray)) {
      if (name === "ann") break;
    }
    expect(log).toHaveLength(1);
  });
});
