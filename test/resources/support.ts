/**
 * Test wiring for the resource lifecycles: a fresh fake LearnUpon portal per test, served over real
 * HTTP, and a `ProviderContext` built the way `provider/runtime.ts` builds it (settings read from
 * stack config, the production client, a `PortalSnapshot`). Only the client's waits differ: an
 * unlimited limiter and an instant `sleep`, so retries and budgets cost no wall time.
 *
 * `usePortals()` registers the clean-up: every portal, client and console spy opened in a test is
 * closed after it. Console output of the lifecycles (warnings on stderr, notes on stdout) is
 * captured rather than printed, so tests can assert on it.
 * @module
 */
import { http } from "msw";
import { afterEach, vi } from "vitest";
import { createRateLimiter } from "../../provider/client/index.js";
import type { LmsClient } from "../../provider/lms/model.js";
import { startFakePortal, type FakePortal, type RequestFilter, type SeedData } from "../../provider/fake-portal/index.js";
import type { ProviderContext } from "../../provider/runtime.js";
import { RemovalBreaker } from "../../provider/resources/safety.js";
import { readSafetySettings } from "../../provider/lms/config.js";
import { learnUpon } from "../../provider/lms/learnupon/backend.js";
import { clientFor, readSettings } from "../../provider/lms/learnupon/settings.js";
import { learnUponLms } from "../../provider/lms/learnupon/client.js";
import { PortalSnapshot } from "../../provider/snapshot.js";

/** Stack config keys beyond the portal's URL and API key pair, e.g. `{ "learnupon:userRemoval": "delete" }`. */
export type ExtraConfig = Record<string, string>;

export interface TestPortal {
  portal: FakePortal;
  /** The context of the current `pulumi` run. */
  context: ProviderContext;
  /** A new provider process, as the next `pulumi up` or `refresh` gets: new settings, client and snapshot. */
  nextRun(config?: ExtraConfig): ProviderContext;
  /** Every write the portal received, as method, path and (password-redacted) JSON body. */
  writes(): { method: string; path: string; body?: unknown }[];
  /** The portal's request log (or the part matching `filter`) as `"METHOD /path?query status"` lines. */
  transcript(filter?: RequestFilter): string[];
  /** What the lifecycles wrote with `console.error` (the engine shows it as warnings). */
  stderr(): string[];
  /** What the lifecycles wrote with `console.log`. */
  stdout(): string[];
}

export interface StartOptions {
  seed?: SeedData;
  config?: ExtraConfig;
}

/** Call once per test file; returns `start()`, which opens a portal that is closed after the test. */
export function usePortals(): (options?: StartOptions) => Promise<TestPortal> {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(closers.splice(0).map((close) => close()));
  });
  return async (options = {}) => {
    const portal = await startFakePortal({ options: { rateLimit: false }, ...(options.seed ? { seed: options.seed } : {}) });
    const clients: LmsClient[] = [];
    closers.push(async () => {
      await Promise.all(clients.map((client) => client.close()));
      await portal.close();
    });
    const stderr = captureConsole("error");
    const stdout = captureConsole("log");
    const nextRun = (config: ExtraConfig = options.config ?? {}): ProviderContext => {
      const context = providerContext(portal, config);
      clients.push(context.lms);
      return context;
    };
    return {
      portal,
      context: nextRun(),
      nextRun,
      writes: () => portal.log.writes().map(({ method, path, body }) => ({ method, path, ...(body === undefined ? {} : { body }) })),
      transcript: (filter = {}) => portal.log.entries(filter).map((entry) => `${entry.method} ${entry.path} ${entry.status}`),
      stderr,
      stdout,
    };
  };
}

/** What `runtime.ts` builds from the stack config, pointed at the fake portal. */
export function providerContext(portal: FakePortal, config: ExtraConfig = {}): ProviderContext {
  const stackConfig: Record<string, string> = {
    "learnupon:portalUrl": portal.url,
    "learnupon:username": portal.username,
    "learnupon:password": portal.password,
    ...config,
  };
  // No environment: the runner's own LEARNUPON_* variables must not leak into the tests.
  const settings = readSettings({ get: (key) => stackConfig[key] }, {});
  const safety = readSafetySettings("learnupon", "LearnUpon", { get: (key) => stackConfig[key] }, {});
  const client = clientFor(settings, {
    rateLimiter: createRateLimiter({ perMinute: 6_000_000, share: 1, burst: 1_000 }),
    sleep: () => Promise.resolve(),
    random: () => 0.5,
  });
  const lms = learnUponLms(client);
  return { backend: learnUpon, settings, safety, lms, snapshot: new PortalSnapshot(lms), breaker: new RemovalBreaker(safety) };
}

/**
 * The raw JSON bodies of matching requests as they arrived, before the portal's log redacts
 * passwords. A pass-through handler: the portal still answers every request.
 */
export function captureBodies(portal: FakePortal, method: "POST" | "PUT", path: string): unknown[] {
  const bodies: unknown[] = [];
  const route = method === "POST" ? http.post : http.put;
  portal.use(
    route(`${portal.apiUrl}${path}`, async ({ request }) => {
      bodies.push(await request.clone().json());
      return undefined;
    }),
  );
  return bodies;
}

function captureConsole(method: "error" | "log"): () => string[] {
  const lines: string[] = [];
  vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
  return () => [...lines];
}
