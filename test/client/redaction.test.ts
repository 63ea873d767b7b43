/**
 * Credentials never leak: for each way a call can fail, the API password (and the username and
 * the encoded Authorization value) must be absent from the error's message, stack,
 * JSON.stringify, util.inspect and from anything printed to the console. The same holds for an
 * API key sent in a header, and for an OAuth2 client secret and every bearer token issued.
 */
import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApiClient, type ApiClient } from "../../provider/client/api-client.js";
import { apiKeyHeader, oauth2ClientCredentials, type AuthStrategy } from "../../provider/client/auth.js";
import { createLearnUponClient, type LearnUponClient } from "../../provider/client/index.js";
import type { RetryEvent } from "../../provider/client/retry.js";
import { redact } from "../../provider/client/errors.js";
import { createRateLimiter } from "../../provider/client/rate-limiter.js";
import { startScriptedServer, type LoggedRequest, type ScriptStep, type ScriptedServer } from "./scripted-server.js";

const USERNAME = "lu-api-user-7f3a9c";
const PASSWORD = "s3cr3t-P4ssw0rd-9d2e";
const AUTHORIZATION = Buffer.from(`${USERNAME}:${PASSWORD}`).toString("base64");
const SECRETS = [USERNAME, PASSWORD, AUTHORIZATION];

let server: ScriptedServer | undefined;
let client: LearnUponClient | undefined;
let api: ApiClient | undefined;
afterEach(async () => {
  await client?.close();
  await api?.close();
  api = undefined;
  await server?.close();
  client = undefined;
  server = undefined;
  vi.restoreAllMocks();
});

async function failingCall(step: ScriptStep): Promise<unknown> {
  server = await startScriptedServer([step]);
  client = createLearnUponClient({
    portalUrl: server.url,
    username: USERNAME,
    password: PASSWORD,
    timeoutMs: 750, // generous: the first request of a cold, busy machine can take a few hundred ms
    retry: { limit: 0 },
    rateLimiter: createRateLimiter({ perMinute: 600_000 }),
  });
  return client.users.create({ email: "a@x.com", password: PASSWORD, first_name: "A" }).catch((e: unknown) => e);
}

/** Every rendering of an error someone might log. */
function renderings(error: unknown): Record<string, string> {
  const printed: string[] = [];
  const capture = (...args: unknown[]) => {
    printed.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 10 }))).join(" "));
  };
  vi.spyOn(console, "log").mockImplementation(capture);
  vi.spyOn(console, "error").mockImplementation(capture);
  console.log(error);
  console.error("failed:", error);
  vi.restoreAllMocks();
  const e = error as Error;
  return {
    message: e.message,
    stack: e.stack ?? "",
    json: JSON.stringify(error),
    inspect: inspect(error, { depth: 10, showHidden: true }),
    string: String(error),
    console: printed.join("\n"),
  };
}

describe("no credential in any rendering of an error", () => {
  it.each<{ name: string; step: ScriptStep; expectedName: string }>([
    { name: "401 echoing the key pair", step: { status: 401, body: { message: `Invalid API credentials ${USERNAME}:${PASSWORD}` } }, expectedName: "AuthError" },
    {
      name: "422 echoing the request, password included",
      step: { status: 422, body: { message: `password ${PASSWORD} is too weak`, User: { email: "a@x.com", password: PASSWORD }, authorization: `Basic ${AUTHORIZATION}` } },
      expectedName: "ValidationError",
    },
    { name: "500 with the credentials in a text body", step: { status: 500, body: `stack trace: auth=${AUTHORIZATION} pw=${PASSWORD}` }, expectedName: "ServerError" },
    { name: "timeout", step: { status: 200, body: { id: 1 }, delayMs: 2_000 }, expectedName: "TimeoutError" },
    { name: "connection reset", step: "reset", expectedName: "NetworkError" },
  ])("$name", async ({ step, expectedName }) => {
    const error = await failingCall(step);
    expect((error as Error).name).toBe(expectedName);
    for (const [where, text] of Object.entries(renderings(error))) {
      for (const secret of SECRETS) {
        expect(text.includes(secret), `${secret} found in ${where}: ${text}`).toBe(false);
      }
    }
  });

  it("keeps the useful part of the server's message", async () => {
    const error = await failingCall({ status: 422, body: { message: `password ${PASSWORD} is too weak` } });
    expect((error as Error).message).toBe("POST /users failed with 422: password [REDACTED] is too weak");
  });

  it("the client object itself shows no credential", async () => {
    server = await startScriptedServer([{ status: 200, body: { user: [] } }]);
    client = createLearnUponClient({ portalUrl: server.url, username: USERNAME, password: PASSWORD });
    const rendered = `${inspect(client, { depth: 10, showHidden: true })}${JSON.stringify(client)}`;
    for (const secret of SECRETS) expect(rendered.includes(secret)).toBe(false);
  });
});

describe("redact", () => {
  it.each([
    { input: "pw is hunter2!", expected: "pw is [REDACTED]!" },
    { input: { password: "anything", nested: { Authorization: "Basic x", note: "hunter2" } }, expected: { password: "[REDACTED]", nested: { Authorization: "[REDACTED]", note: "[REDACTED]" } } },
    { input: [{ api_key: 1 }, "ok", 3, null], expected: [{ api_key: "[REDACTED]" }, "ok", 3, null] },
    { input: { message: "user already exists" }, expected: { message: "user already exists" } },
  ])("$input", ({ input, expected }) => {
    expect(redact(input, ["hunter2", ""])).toEqual(expected);
  });
});

const CLIENT_ID = "la-client-id-51c0";
const CLIENT_SECRET = "la-client-secret-e8a4b2";
const API_KEY = "np-api-key-0d93f1";
/** Every token the OAuth server below hands out starts with this. */
const TOKEN_PREFIX = "la-token-7e2d";

function expectNoSecret(rendered: Record<string, string>, secrets: readonly string[]): void {
  for (const [where, text] of Object.entries(rendered)) {
    for (const secret of secrets) expect(text.includes(secret), `${secret} found in ${where}: ${text}`).toBe(false);
  }
}

/**
 * A token endpoint and an API on one server: `token` answers POST /oauth/token (by default a
 * fresh token each time), `apiStep(token)` answers the API given the bearer token it was sent.
 */
async function oauthCall(options: {
  token?: ScriptStep;
  apiStep: (token: string) => ScriptStep;
  retries?: number;
  /** @default a form POST (never repeated without proof); a GET is retried */
  method?: "GET" | "POST";
}): Promise<{ error: unknown; tokens: string[]; events: RetryEvent[] }> {
  const tokens: string[] = [];
  server = await startScriptedServer((request: LoggedRequest) => {
    if (request.url === "/oauth/token") {
      if (options.token) return options.token;
      const token = `${TOKEN_PREFIX}-${tokens.length + 1}`;
      tokens.push(token);
      return { status: 200, body: { access_token: token, token_type: "Bearer", expires_in: 7200 } };
    }
    return options.apiStep(String(request.headers["authorization"] ?? "").replace(/^Bearer /, ""));
  });
  const auth: AuthStrategy = oauth2ClientCredentials({ tokenUrl: `${server.url}/oauth/token`, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  const events: RetryEvent[] = [];
  api = createApiClient({
    baseUrl: `${server.url}/v1`,
    auth,
    retry: { limit: options.retries ?? 0, backoffBaseMs: 1, backoffMaxMs: 1 },
    rateLimiter: createRateLimiter({ perMinute: 600_000 }),
    onRetry: (event) => events.push(event),
  });
  const request = options.method === "GET" ? ({ method: "GET", path: "/users" } as const) : ({ method: "POST", path: "/users", body: { email: "a@x.com" }, encoding: "form" } as const);
  const error = await api.send(request).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, tokens, events };
}

describe("no OAuth2 secret or token, and no API key, in any rendering of an error", () => {
  it("the token endpoint refusing, echoing the client id and secret", async () => {
    const { error } = await oauthCall({
      token: { status: 401, body: { error: "invalid_client", error_description: `client ${CLIENT_ID} with secret ${CLIENT_SECRET} unknown` } },
      apiStep: () => ({ status: 200, body: {} }),
    });
    expect((error as Error).name).toBe("AuthError");
    expect((error as Error).message).toBe("POST /oauth/token failed with 401: invalid_client");
    expectNoSecret(renderings(error), [CLIENT_ID, CLIENT_SECRET]);
  });

  it("a 401 after renewal, echoing both tokens it was sent", async () => {
    const { error, tokens } = await oauthCall({ apiStep: (token) => ({ status: 401, body: { error: `token ${token} is not valid`, seen: `Bearer ${token}` } }) });
    expect((error as Error).name).toBe("AuthError");
    expect(tokens).toHaveLength(2);
    expect((error as Error).message).toBe("POST /users failed with 401: token [REDACTED] is not valid");
    expectNoSecret(renderings(error), [CLIENT_SECRET, TOKEN_PREFIX]);
  });

  it("a 500 with the bearer token in a text body, and a 422 with it under an innocent key", async () => {
    const first = await oauthCall({ apiStep: (token) => ({ status: 500, body: `upstream said: Authorization=Bearer ${token}` }) });
    expect((first.error as Error).name).toBe("ServerError");
    expectNoSecret(renderings(first.error), [CLIENT_SECRET, TOKEN_PREFIX]);
    await api?.close();
    await server?.close();
    const second = await oauthCall({ apiStep: (token) => ({ status: 422, body: { message: "invalid", echo: { header: token, form: `client_secret=${CLIENT_SECRET}` } } }) });
    expect((second.error as Error).name).toBe("ValidationError");
    expectNoSecret(renderings(second.error), [CLIENT_SECRET, TOKEN_PREFIX]);
  });

  it("a token answer of the wrong shape: the token in it is not kept", async () => {
    const { error } = await oauthCall({ token: { status: 200, body: { accessToken: `${TOKEN_PREFIX}-shape`, expires_in: 60 } }, apiStep: () => ({ status: 200 }) });
    expect((error as Error).name).toBe("ResponseShapeError");
    expectNoSecret(renderings(error), [CLIENT_SECRET, TOKEN_PREFIX]);
  });

  it("the retry transcript and the client object carry neither secret nor token", async () => {
    let calls = 0;
    const { error, events } = await oauthCall({
      retries: 2,
      method: "GET",
      apiStep: (token) => (++calls === 1 ? { status: 503, body: { message: `busy, token ${token}` } } : { status: 201, body: { id: 1 } }),
    });
    expect(error).toBeUndefined();
    expect(events).toHaveLength(1);
    const rendered = `${JSON.stringify(events)}${inspect(events, { depth: 10 })}${inspect(api, { depth: 10, showHidden: true })}${JSON.stringify(api)}`;
    for (const secret of [CLIENT_SECRET, TOKEN_PREFIX]) expect(rendered.includes(secret)).toBe(false);
  });

  it("an API key in a header, echoed by a 401", async () => {
    server = await startScriptedServer([{ status: 401, body: { errors: [{ status: "401", title: "Unauthorized", detail: `key ${API_KEY} is not known` }] } }]);
    api = createApiClient({ baseUrl: `${server.url}/v2`, auth: apiKeyHeader("X-Api-Key", API_KEY), retry: { limit: 0 }, rateLimiter: createRateLimiter({ perMinute: 600_000 }) });
    const error = await api.send({ method: "GET", path: "/people" }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("GET /people failed with 401: key [REDACTED] is not known");
    expectNoSecret(renderings(error), [API_KEY]);
  });
});
