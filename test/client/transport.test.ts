/**
 * The single-attempt transport over real HTTP: what goes on the wire (auth, content type only
 * with a body, query encoding) and how each failure maps onto the error family.
 */
import { afterEach, describe, expect, it } from "vitest";
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
} from "../../provider/client/errors.js";
import { basicAuth } from "../../provider/client/auth.js";
import { createStatsRecorder } from "../../provider/client/stats.js";
import { createTransport, type TransportOptions } from "../../provider/client/transport.js";
import { startScriptedServer, type ScriptStep, type ScriptedServer } from "./scripted-server.js";

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function transportFor(script: ScriptStep[], options: Partial<TransportOptions> = {}) {
  server = await startScriptedServer(script);
  const transport = createTransport({ baseUrl: `${server.url}/api/v1/`, auth: basicAuth("key-user", "key-secret"), ...options });
  return { transport, log: server.log };
}

describe("createTransport: the request on the wire", () => {
  it("sends Basic auth and Accept on every call, and no Content-Type on a bodyless GET (contract §1.2)", async () => {
    const { transport, log } = await transportFor([{ status: 200, body: { user: [] } }]);
    await transport.request({ method: "GET", path: "/users/search", query: { email: "a+b@x.com", page: 2, skipped: undefined } });
    const [request] = log;
    expect(request?.url).toBe("/api/v1/users/search?email=a%2Bb%40x.com&page=2");
    expect(request?.headers["authorization"]).toBe(`Basic ${Buffer.from("key-user:key-secret").toString("base64")}`);
    expect(request?.headers["accept"]).toBe("application/json");
    expect(request?.headers["content-type"]).toBeUndefined();
    expect(request?.body).toBe("");
  });

  it("JSON-encodes a body and declares it, for any method that has one", async () => {
    const { transport, log } = await transportFor([{ status: 200, body: { success: "ok" } }]);
    await transport.request({ method: "DELETE", path: "/enrollments/5", body: { remove_from_history: "true" } });
    expect(log[0]?.headers["content-type"]).toBe("application/json");
    expect(log[0]?.body).toBe('{"remove_from_history":"true"}');
  });

  it("returns status, lower-cased headers and the parsed body", async () => {
    const { transport } = await transportFor([{ status: 201, body: { id: 9 }, headers: { "LU-Has-Next-Page": "false" } }]);
    const response = await transport.request({ method: "POST", path: "/users", body: {} });
    expect(response.status).toBe(201);
    expect(response.headers["lu-has-next-page"]).toBe("false");
    expect(response.body).toEqual({ id: 9 });
  });

  it("keeps a non-JSON body as text and an empty one as undefined", async () => {
    const { transport } = await transportFor([{ status: 200, body: "<html>" }, { status: 200 }]);
    expect((await transport.request({ method: "GET", path: "/a" })).body).toBe("<html>");
    expect((await transport.request({ method: "GET", path: "/b" })).body).toBeUndefined();
  });

  it("refuses a base URL with credentials in it, without echoing them", () => {
    expect(() => createTransport({ baseUrl: "https://u:hunter22@x.example/api/v1", auth: basicAuth("u", "p") })).toThrow(
      "The API base URL must not contain credentials; pass them as username and password",
    );
  });
});

describe("createTransport: failures become typed errors", () => {
  const alreadyIsDuplicate = (_status: number, body: unknown) => JSON.stringify(body).includes("already");

  it.each([
    { status: 400, body: { error: "There was a problem in the JSON you submitted." }, type: ValidationError, name: "ValidationError", message: "GET /x failed with 400: There was a problem in the JSON you submitted." },
    { status: 401, body: { message: "Invalid API credentials" }, type: AuthError, name: "AuthError", message: "GET /x failed with 401: Invalid API credentials" },
    { status: 403, body: {}, type: AuthError, name: "AuthError", message: "GET /x failed with 403" },
    { status: 404, body: { response_code: 404, message: "not found" }, type: NotFoundError, name: "NotFoundError", message: "GET /x failed with 404: not found" },
    { status: 422, body: { message: "user already exists" }, type: DuplicateError, name: "DuplicateError", message: "GET /x failed with 422: user already exists" },
    { status: 422, body: { message: "course capacity reached" }, type: ValidationError, name: "ValidationError", message: "GET /x failed with 422: course capacity reached" },
    { status: 429, body: { response_type: "ERROR", message: "Number of requests has exceeded the 1 minute limit" }, type: RateLimitError, name: "RateLimitError", message: "GET /x failed with 429: Number of requests has exceeded the 1 minute limit" },
    { status: 500, body: "oops", type: ServerError, name: "ServerError", message: "GET /x failed with 500: oops" },
    { status: 302, body: {}, type: ApiError, name: "ApiError", message: "GET /x failed with 302" },
  ])("$status $body → $name", async ({ status, body, type, name, message }) => {
    const { transport } = await transportFor([{ status, body }], { classifyDuplicate: alreadyIsDuplicate });
    const error = await transport.request({ method: "GET", path: "/x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ name, message, status, method: "GET", path: "/x", body });
  });

  it("without a classifier no 4xx is a duplicate", async () => {
    const { transport } = await transportFor([{ status: 422, body: { message: "user already exists" } }]);
    await expect(transport.request({ method: "POST", path: "/users", body: {} })).rejects.toBeInstanceOf(ValidationError);
  });

  it("keeps Retry-After for the retry layer", async () => {
    const { transport } = await transportFor([{ status: 429, body: {}, headers: { "Retry-After": "12" } }]);
    const error = await transport.request({ method: "GET", path: "/x" }).catch((e: unknown) => e);
    expect((error as RateLimitError).retryAfter).toBe("12");
  });

  it("a reset connection is a NetworkError carrying the socket error as cause", async () => {
    const stats = createStatsRecorder();
    const { transport } = await transportFor(["reset"], { stats });
    const error = await transport.request({ method: "GET", path: "/x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).message).toMatch(/^GET \/x failed before a response arrived: /);
    expect((error as NetworkError).cause).toBeInstanceOf(Error);
    expect(stats.snapshot()).toMatchObject({ requests: 1, networkErrors: 1 });
  });

  it("a refused connection is a NetworkError", async () => {
    const transport = createTransport({ baseUrl: "http://127.0.0.1:1/api/v1", auth: basicAuth("u", "p") });
    await expect(transport.request({ method: "GET", path: "/x" })).rejects.toBeInstanceOf(NetworkError);
  });

  it("a response slower than the per-call timeout is a TimeoutError", async () => {
    const stats = createStatsRecorder();
    const { transport } = await transportFor([{ status: 200, body: {}, delayMs: 1_000 }], { timeoutMs: 50, stats });
    const error = await transport.request({ method: "GET", path: "/slow" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toBe("GET /slow timed out after 50 ms");
    expect(stats.snapshot()).toMatchObject({ timeouts: 1 });
  });

  it("a per-request timeout overrides the transport's", async () => {
    const { transport } = await transportFor([{ status: 200, body: {}, delayMs: 1_000 }]);
    await expect(transport.request({ method: "GET", path: "/slow", timeoutMs: 30 })).rejects.toBeInstanceOf(TimeoutError);
  });
});
