/**
 * The provider's runtime side: `configure` fails early on a missing portal URL or password, naming
 * the config key and never echoing a secret; settings fall back to `LEARNUPON_*` environment
 * variables (stack config wins); and `dispatch` after `configure` reaches the portal with the
 * configured credentials and removal policy.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as runtime from "../../provider/runtime.js";
import type { ConfigSource } from "../../provider/lms/config.js";
import { readSettings } from "../../provider/lms/learnupon/settings.js";
import { usePortals } from "./support.js";

const start = usePortals();

const PASSWORD = "hunter2-correct-horse";
const ENV_NAMES = [
  "LEARNUPON_PORTAL_URL",
  "LEARNUPON_USERNAME",
  "LEARNUPON_PASSWORD",
  "LEARNUPON_USER_REMOVAL",
  "LEARNUPON_RATE_LIMIT_SHARE",
  "LEARNUPON_REQUESTS_PER_MINUTE",
  "LEARNUPON_TIMEOUT_SECONDS",
  "LEARNUPON_RATE_LIMIT_WAIT_SECONDS",
];

// configure() reads process.env as a fallback: start every test from an environment without LEARNUPON_*.
beforeEach(() => {
  for (const name of ENV_NAMES) vi.stubEnv(name, undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function config(values: Record<string, string>): ConfigSource {
  return { get: (key) => values[key] };
}

/** The error `configure` fails with, whether it throws or rejects. */
async function configureError(values: Record<string, string>): Promise<Error> {
  try {
    await runtime.configure({ config: config(values) });
  } catch (error) {
    return error as Error;
  }
  throw new Error("configure accepted the config");
}

describe("configure", () => {
  it("fails naming learnupon:portalUrl when it is missing, without echoing the password", async () => {
    const error = await configureError({ "learnupon:username": "api-user", "learnupon:password": PASSWORD });

    expect(error.message).toBe(
      "LearnUpon provider configuration is invalid:\n" +
        "  - learnupon:portalUrl missing: set it with `pulumi config set learnupon:portalUrl …` or the LEARNUPON_PORTAL_URL environment variable",
    );
    expect(error.message).not.toContain(PASSWORD);
  });

  it("fails naming learnupon:password when it is missing, suggesting --secret", async () => {
    const error = await configureError({ "learnupon:portalUrl": "https://acme.learnupon.com", "learnupon:username": "api-user" });

    expect(error.message).toBe(
      "LearnUpon provider configuration is invalid:\n" +
        "  - learnupon:password missing: set it with `pulumi config set learnupon:password --secret …` or the LEARNUPON_PASSWORD environment variable",
    );
  });

  it("lists every problem by key and echoes no value, the password least of all", async () => {
    const error = await configureError({
      "learnupon:portalUrl": "acme.learnupon.com",
      "learnupon:username": "api-user",
      "learnupon:password": PASSWORD,
      "learnupon:userRemoval": "purge",
    });

    expect(error.message).toBe(
      "LearnUpon provider configuration is invalid:\n" +
        "  - learnupon:portalUrl must be an http(s) URL such as https://acme.learnupon.com\n" +
        "  - learnupon:userRemoval must be one of deactivate, delete, retain",
    );
    expect(error.message).not.toContain(PASSWORD);
  });

  it("accepts the LEARNUPON_* environment variables when the stack config is not set", async () => {
    vi.stubEnv("LEARNUPON_PORTAL_URL", "https://acme.learnupon.com");
    vi.stubEnv("LEARNUPON_USERNAME", "api-user");
    vi.stubEnv("LEARNUPON_PASSWORD", PASSWORD);

    await expect(runtime.configure({ config: config({}) })).resolves.toBeUndefined();
  });
});

describe("readSettings", () => {
  it("falls back to every LEARNUPON_* environment variable", () => {
    const env = {
      LEARNUPON_PORTAL_URL: "https://acme.learnupon.com",
      LEARNUPON_USERNAME: "api-user",
      LEARNUPON_PASSWORD: PASSWORD,
      LEARNUPON_USER_REMOVAL: "retain",
      LEARNUPON_RATE_LIMIT_SHARE: "0.5",
      LEARNUPON_REQUESTS_PER_MINUTE: "600",
      LEARNUPON_TIMEOUT_SECONDS: "10",
      LEARNUPON_RATE_LIMIT_WAIT_SECONDS: "45",
    };

    expect(readSettings(config({}), env)).toEqual({
      portalUrl: "https://acme.learnupon.com",
      username: "api-user",
      password: PASSWORD,
      userRemoval: "retain",
      rateLimitShare: 0.5,
      requestsPerMinute: 600,
      timeoutMs: 10_000,
      rateLimitWaitMs: 45_000,
      portal: "https://acme.learnupon.com/api/v1",
      portalKey: "learnupon:portalUrl",
      apiUser: "api-user",
    });
  });

  it("prefers the stack config to the environment, key by key, and fills in the defaults", () => {
    const env = { LEARNUPON_PORTAL_URL: "https://old.learnupon.com", LEARNUPON_USERNAME: "env-user", LEARNUPON_PASSWORD: "env-password" };
    const stack = config({ "learnupon:portalUrl": "https://acme.learnupon.com", "learnupon:password": PASSWORD });

    expect(readSettings(stack, env)).toEqual({
      portalUrl: "https://acme.learnupon.com",
      username: "env-user",
      password: PASSWORD,
      userRemoval: "deactivate",
      rateLimitShare: 0.8,
      requestsPerMinute: 300,
      timeoutMs: 30_000,
      rateLimitWaitMs: 120_000,
      portal: "https://acme.learnupon.com/api/v1",
      portalKey: "learnupon:portalUrl",
      apiUser: "env-user",
    });
  });
});

describe("dispatch after configure", () => {
  it("creates and removes through the configured portal, with the configured removal policy", async () => {
    const t = await start();
    await runtime.configure({
      config: config({
        "learnupon:portalUrl": t.portal.url,
        "learnupon:username": t.portal.username,
        "learnupon:password": t.portal.password,
        "learnupon:userRemoval": "delete",
        "learnupon:requestsPerMinute": "100000",
        "learnupon:rateLimitShare": "1",
      }),
    });
    const news = { employeeId: "E1001", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" };

    const { inputs } = (await runtime.dispatch("User", "check", {}, news)) as { inputs: Record<string, unknown> };
    const created = (await runtime.dispatch("User", "create", inputs)) as { id: string; outs: Record<string, unknown> };
    await runtime.dispatch("User", "delete", created.id, created.outs);

    // The outputs record the portal the person belongs to, so a stack pointed at another one can tell.
    expect(created).toEqual({ id: "100001", outs: { ...news, userType: "learner", roleFromPortal: true, enabled: true, userId: 100001, portal: `${t.portal.url}/api/v1` } });
    expect(t.writes().map((write) => `${write.method} ${write.path}`)).toEqual(["POST /api/v1/users", "DELETE /api/v1/users/100001"]);
    expect(t.portal.store.users.size).toBe(0);
  });
});

describe("a resource of another portal", () => {
  const elsewhere = "https://other.learnupon.com/api/v1";
  const ada = { employeeId: "E1001", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", enabled: true, userId: 100001 };
  const configureFor = (url: string, extra: Record<string, string> = {}) =>
    runtime.configure({ config: config({ "learnupon:portalUrl": url, "learnupon:username": "u", "learnupon:password": PASSWORD, ...extra }) });

  it("is refused at diff, read, update and delete, with no call, naming both portals and the setting", async () => {
    const t = await start();
    await configureFor(t.portal.url);
    const props = { ...ada, portal: elsewhere };
    const refusal = `it belongs to the LearnUpon portal ${elsewhere}, but learnupon:portalUrl is now ${t.portal.url}/api/v1`;

    await expect(runtime.dispatch("User", "diff", "100001", props, ada)).rejects.toThrow(refusal);
    await expect(runtime.dispatch("User", "read", "100001", props)).rejects.toThrow(refusal);
    await expect(runtime.dispatch("User", "update", "100001", props, { ...ada, lastName: "King" })).rejects.toThrow(refusal);
    await expect(runtime.dispatch("User", "delete", "100001", props)).rejects.toThrow("pulumi config set learnupon:movePortal true");
    expect(t.portal.log.entries()).toEqual([]);
  });

  it("with learnupon:movePortal, is replaced on the new portal, and its delete leaves the old one alone", async () => {
    const t = await start();
    await configureFor(t.portal.url, { "learnupon:movePortal": "true" });
    const props = { ...ada, portal: elsewhere };

    expect(await runtime.dispatch("User", "diff", "100001", props, ada)).toEqual({ changes: true, replaces: ["portal"], deleteBeforeReplace: false });
    await runtime.dispatch("User", "delete", "100001", props);
    expect(t.portal.log.entries()).toEqual([]);
    expect(t.stdout()).toEqual([`User E1001 (ada@example.com) stays on ${elsewhere} as it is: this stack moved to ${t.portal.url}/api/v1`]);
  });
});
