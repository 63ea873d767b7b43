/**
 * The auth strategies over real HTTP: what each puts on the wire, and the OAuth2
 * client-credentials token's life: one token shared by every request of a client, renewed
 * shortly before it expires, renewed once after a 401, and a second 401 surfacing as AuthError.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createApiClient, type ApiClient } from "../../provider/client/api-client.js";
import { apiKeyHeader, basicAuth, oauth2ClientCredentials, type AuthStrategy } from "../../provider/client/auth.js";
import { AuthError, ResponseShapeError } from "../../provider/client/errors.js";
import { createRateLimiter } from "../../provider/client/rate-limiter.js";
import { fakeClock, startScriptedServer, type LoggedRequest, type ScriptStep, type ScriptedServer } from "./scripted-server.js";

const CLIENT_ID = "la-client-4b1e";
const CLIENT_SECRET = "la-secret-93f0c2d7";

let server: ScriptedServer | undefined;
let api: ApiClient | undefined;
afterEach(async () => {
  await api?.close();
  await server?.close();
  api = undefined;
  server = undefined;
});

async function clientWith(script: readonly ScriptStep[] | ((request: LoggedRequest) => ScriptStep), auth: (url: string) => AuthStrategy) {
  server = await startScriptedServer(script);
  const clock = fakeClock();
  api = createApiClient({
    baseUrl: `${server.url}/v1`,
    auth: auth(server.url),
    rateLimiter: createRateLimiter({ perMinute: 600_000, share: 1, now: clock.now, sleep: clock.sleep }),
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
  });
  return { api, log: server.log };
}

describe("basicAuth and apiKeyHeader", () => {
  it("basicAuth sends the same Basic header on every request", async () => {
    const { api, log } = await clientWith([{ status: 200, body: {} }], () => basicAuth("key-id", "key-secret"));
    await api.send({ method: "GET", path: "/a" });
    await api.send({ method: "GET", path: "/b" });
    const expected = `Basic ${Buffer.from("key-id:key-secret").toString("base64")}`;
    expect(log.map((r) => r.headers["authorization"])).toEqual([expected, expected]);
  });

  it("apiKeyHeader sends the key in its own header only: no Authorization, nothing in the URL", async () => {
    const { api, log } = await clientWith([{ status: 200, body: { data: [] } }], () => apiKeyHeader("X-Api-Key", "np-key-77"));
    await api.send({ method: "GET", path: "/people", query: { page: 1 } });
    expect(log[0]?.headers["x-api-key"]).toBe("np-key-77");
    expect(log[0]?.headers["authorization"]).toBeUndefined();
    expect(log[0]?.url).toBe("/v1/people?page=1");
  });

  it("a 401 under a fixed credential is not replayed", async () => {
    const { api, log } = await clientWith([{ status: 401, body: { message: "bad key" } }], () => apiKeyHeader("X-Api-Key", "np-key-77"));
    await expect(api.send({ method: "GET", path: "/people" })).rejects.toBeInstanceOf(AuthError);
    expect(log).toHaveLength(1);
  });
});

/**
 * A token endpoint and an API on one server: tokens `tok-1`, `tok-2`… valid until `revoke()`;
 * `lifetime` is the `expires_in` handed out.
 */
function oauthServer(options: { lifetime?: number; tokenStep?: ScriptStep } = {}) {
  let issued = 0;
  const valid = new Set<string>();
  const script = (request: LoggedRequest): ScriptStep => {
    if (request.url === "/oauth/token") {
      if (options.tokenStep) return options.tokenStep;
      const token = `tok-${++issued}`;
      valid.add(token);
      return { status: 200, body: { access_token: token, token_type: "Bearer", expires_in: options.lifetime ?? 7200, scope: "public", created_at: 1767225600 } };
    }
    const token = String(request.headers["authorization"] ?? "").replace(/^Bearer /, "");
    return valid.has(token) ? { status: 200, body: { token } } : { status: 401, body: { error: "invalid token" } };
  };
  return { script, revokeAll: () => valid.clear() };
}

function oauth(clock?: { now: () => number }, scopes: string[] = ["users:read", "users:update"]) {
  return (url: string) =>
    oauth2ClientCredentials({
      tokenUrl: `${url}/oauth/token`,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scopes,
      ...(clock && { now: clock.now }),
    });
}

/** `"METHOD url bearer-token status-line"` per request, to read a transcript at a glance. */
function transcript(log: LoggedRequest[]): string[] {
  return log.map((r) => `${r.method} ${r.url}${r.headers["authorization"] ? ` ${String(r.headers["authorization"])}` : ""}`);
}

describe("oauth2ClientCredentials", () => {
  it("asks for nothing until the first call, then posts the client-credentials form once", async () => {
    const { script } = oauthServer();
    const { api, log } = await clientWith(script, oauth());
    expect(log).toHaveLength(0);
    await api.send({ method: "GET", path: "/users" });
    const [tokenRequest] = log;
    expect(tokenRequest?.method).toBe("POST");
    expect(tokenRequest?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(tokenRequest?.headers["accept"]).toBe("application/json");
    expect(Object.fromEntries(new URLSearchParams(tokenRequest?.body))).toEqual({
      grant_type: "client_credentials",
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      scope: "users:read users:update",
    });
    expect(tokenRequest?.headers["authorization"]).toBeUndefined();
  });

  it("leaves scope out when none is asked for", async () => {
    const { script } = oauthServer();
    const { api, log } = await clientWith(script, oauth(undefined, []));
    await api.send({ method: "GET", path: "/users" });
    expect(new URLSearchParams(log[0]?.body).has("scope")).toBe(false);
  });

  it("one token serves every request of the client, parallel ones included", async () => {
    const { script } = oauthServer();
    const { api, log } = await clientWith(script, oauth());
    await Promise.all(Array.from({ length: 5 }, (_, i) => api.send({ method: "GET", path: `/users/${i}` })));
    await api.send({ method: "POST", path: "/users", body: { email: "a@x.com" } });
    const tokenRequests = log.filter((r) => r.url === "/oauth/token");
    expect(tokenRequests).toHaveLength(1);
    expect(log.filter((r) => r.url !== "/oauth/token").map((r) => r.headers["authorization"])).toEqual(Array(6).fill("Bearer tok-1"));
  });

  it("renews once less than 10% of the lifetime is left, before the server would refuse it", async () => {
    const clock = fakeClock();
    const { script } = oauthServer({ lifetime: 100 });
    const { api, log } = await clientWith(script, oauth(clock));
    await api.send({ method: "GET", path: "/a" });
    clock.advance(89_000); // 11 s of 100 left: still good
    await api.send({ method: "GET", path: "/b" });
    clock.advance(2_000); // 9 s left: renew first
    await api.send({ method: "GET", path: "/c" });
    await api.send({ method: "GET", path: "/d" });
    expect(transcript(log)).toEqual([
      "POST /oauth/token",
      "GET /v1/a Bearer tok-1",
      "GET /v1/b Bearer tok-1",
      "POST /oauth/token",
      "GET /v1/c Bearer tok-2",
      "GET /v1/d Bearer tok-2",
    ]);
  });

  it("a 401 drops the token, fetches one new one and replays the call once, a POST too", async () => {
    const server = oauthServer();
    const { api, log } = await clientWith(server.script, oauth());
    await api.send({ method: "GET", path: "/a" });
    server.revokeAll(); // the server forgot the token early
    const response = await api.send({ method: "POST", path: "/users", body: { email: "a@x.com" } });
    expect(response.body).toEqual({ token: "tok-2" });
    expect(transcript(log)).toEqual([
      "POST /oauth/token",
      "GET /v1/a Bearer tok-1",
      "POST /v1/users Bearer tok-1",
      "POST /oauth/token",
      "POST /v1/users Bearer tok-2",
    ]);
    expect(api.stats()).toMatchObject({ requests: 3, retries: 0 });
  });

  it("parallel calls refused with the same stale token share one renewal", async () => {
    const server = oauthServer();
    const { api, log } = await clientWith(server.script, oauth());
    await api.send({ method: "GET", path: "/warm-up" });
    server.revokeAll();
    await Promise.all(Array.from({ length: 4 }, (_, i) => api.send({ method: "GET", path: `/users/${i}` })));
    expect(log.filter((r) => r.url === "/oauth/token")).toHaveLength(2);
    expect(log.filter((r) => r.headers["authorization"] === "Bearer tok-2")).toHaveLength(4);
  });

  it("a second 401, with a fresh token, is an AuthError carrying the server's text", async () => {
    const server = oauthServer();
    const { api, log } = await clientWith((request) => {
      const step = server.script(request);
      server.revokeAll(); // every token is refused as soon as it is issued
      return step;
    }, oauth());
    const error = await api.send({ method: "GET", path: "/users" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 401, message: "GET /users failed with 401: invalid token" });
    expect(transcript(log)).toEqual(["POST /oauth/token", "GET /v1/users Bearer tok-1", "POST /oauth/token", "GET /v1/users Bearer tok-2"]);
  });

  it.each([
    { status: 401, body: { error: "invalid_client", error_description: "Client authentication failed" }, message: "POST /oauth/token failed with 401: invalid_client" },
    { status: 400, body: { error: "invalid_scope", error_description: "The requested scope is invalid" }, message: "POST /oauth/token failed with 400: invalid_scope" },
  ])("the token endpoint refusing with $status is an AuthError, and the API is not called", async ({ status, body, message }) => {
    const { api, log } = await clientWith(oauthServer({ tokenStep: { status, body } }).script, oauth());
    const error = await api.send({ method: "GET", path: "/users" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status, message });
    expect(log.map((r) => r.url)).toEqual(["/oauth/token"]);
  });

  it("a token endpoint outage is a ServerError the retry layer repeats", async () => {
    let tokenCalls = 0;
    const issuer = oauthServer();
    const { api, log } = await clientWith((request) => {
      if (request.url === "/oauth/token" && ++tokenCalls === 1) return { status: 503, body: { error: "down" } };
      return issuer.script(request);
    }, oauth());
    await api.send({ method: "GET", path: "/users" });
    expect(log.map((r) => r.url)).toEqual(["/oauth/token", "/oauth/token", "/v1/users"]);
    expect(api.stats().retries).toBe(1);
  });

  it("a token answer without access_token is a ResponseShapeError naming the field", async () => {
    const { api } = await clientWith(oauthServer({ tokenStep: { status: 200, body: { token_type: "Bearer", expires_in: 60 } } }).script, oauth());
    const error = await api.send({ method: "GET", path: "/users" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseShapeError);
    expect((error as ResponseShapeError).endpoint).toBe("POST /oauth/token");
    expect((error as ResponseShapeError).issues.map((issue) => issue.path)).toEqual(["access_token"]);
  });

  it("a token without expires_in is kept until the server refuses it", async () => {
    const clock = fakeClock();
    let issued = 0;
    const { api, log } = await clientWith((request) => {
      if (request.url === "/oauth/token") return { status: 200, body: { access_token: `tok-${++issued}` } };
      return { status: 200, body: {} };
    }, oauth(clock));
    await api.send({ method: "GET", path: "/a" });
    clock.advance(30 * 24 * 3_600_000);
    await api.send({ method: "GET", path: "/b" });
    expect(log.filter((r) => r.url === "/oauth/token")).toHaveLength(1);
  });

  it("refuses a token URL with credentials in it, and a renewal fraction outside [0, 1)", () => {
    expect(() => oauth2ClientCredentials({ tokenUrl: "https://id:pw@x.example/oauth/token", clientId: "a", clientSecret: "b" })).toThrow(
      "The token URL must not contain credentials",
    );
    expect(() => oauth2ClientCredentials({ tokenUrl: "https://x.example/oauth/token", clientId: "a", clientSecret: "b", renewBeforeExpiry: 1 })).toThrow(
      "renewBeforeExpiry must be in [0, 1), got 1",
    );
  });
});
