/**
 * The client honours HTTP_PROXY / HTTPS_PROXY and NO_PROXY, as undici's EnvHttpProxyAgent reads
 * them: real requests to the fake portal through a real proxy on 127.0.0.1.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLearnUponClient } from "../../provider/client/index.js";
import { createRateLimiter } from "../../provider/client/rate-limiter.js";
import { startFakePortal, type FakePortal } from "../../provider/fake-portal/index.js";
import { startForwardProxy, type ForwardProxy } from "../support/forward-proxy.js";

const PROXY_VARIABLES = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"];

let portal: FakePortal;
let proxy: ForwardProxy;
let savedEnvironment: Record<string, string | undefined>;

beforeEach(async () => {
  savedEnvironment = Object.fromEntries(PROXY_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of PROXY_VARIABLES) delete process.env[name];
  portal = await startFakePortal({ seed: { users: [{ email: "ada@example.com", first_name: "Ada", last_name: "Lovelace" }] }, options: { rateLimit: false } });
  proxy = await startForwardProxy();
});

afterEach(async () => {
  for (const [name, value] of Object.entries(savedEnvironment)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await proxy.close();
  await portal.close();
});

/** Lists the portal's users with a client made now, so that it reads the environment as set now. */
async function listUsers(): Promise<string[]> {
  const client = createLearnUponClient({
    portalUrl: portal.url,
    username: portal.username,
    password: portal.password,
    rateLimiter: createRateLimiter({ perMinute: 6_000, share: 1 }),
  });
  try {
    const emails: string[] = [];
    for await (const user of client.users.list()) emails.push(user.email ?? "");
    return emails;
  } finally {
    await client.close();
  }
}

describe("the client behind a proxy", () => {
  it("sends every request through HTTP_PROXY for an http:// portal", async () => {
    process.env["HTTP_PROXY"] = proxy.url;
    expect(await listUsers()).toEqual(["ada@example.com"]);
    const portalHost = new URL(portal.url).host;
    expect(proxy.log.length).toBeGreaterThan(0);
    // Tunnelled (CONNECT) or forwarded, every entry names the portal.
    expect(proxy.log.every((entry) => entry.includes(portalHost))).toBe(true);
    expect(portal.log.entries({}).length).toBeGreaterThan(0);
  });

  it("goes straight to the portal when NO_PROXY names its host", async () => {
    process.env["HTTP_PROXY"] = proxy.url;
    process.env["NO_PROXY"] = "example.invalid,127.0.0.1";
    expect(await listUsers()).toEqual(["ada@example.com"]);
    expect(proxy.log).toEqual([]);
  });

  it("goes straight to the portal when no proxy is set", async () => {
    expect(await listUsers()).toEqual(["ada@example.com"]);
    expect(proxy.log).toEqual([]);
  });
});
