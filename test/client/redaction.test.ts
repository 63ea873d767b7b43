/**
 * Credentials never leak: for each way a call can fail, the API password (and the username and
 * the encoded Authorization value) must be absent from the error's message, stack,
 * JSON.stringify, util.inspect and from anything printed to the console.
 */
import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLearnUponClient, type LearnUponClient } from "../../provider/client/index.js";
import { redact } from "../../provider/client/errors.js";
import { createRateLimiter } from "../../provider/client/rate-limiter.js";
import { startScriptedServer, type ScriptStep, type ScriptedServer } from "./scripted-server.js";

const USERNAME = "lu-api-user-7f3a9c";
const PASSWORD = "s3cr3t-P4ssw0rd-9d2e";
const AUTHORIZATION = Buffer.from(`${USERNAME}:${PASSWORD}`).toString("base64");
const SECRETS = [USERNAME, PASSWORD, AUTHORIZATION];

let server: ScriptedServer | undefined;
let client: LearnUponClient | undefined;
afterEach(async () => {
  await client?.close();
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
