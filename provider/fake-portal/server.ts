/**
 * The fake LearnUpon portal over real HTTP on 127.0.0.1, for tests that need a socket (retries,
 * resets, latency), for `pulumi up` runs in another process, and for users' sandboxes.
 *
 * The shared server in `http-host.ts` answers each request from the handlers in `handlers.ts`,
 * with the request log, scripted faults, optional latency and the `/__fake/` admin endpoints
 * around them. Every piece of state lives on the `FakePortal` instance, so several portals can run
 * in one process.
 * @module
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { HttpHandler } from "msw";
import { answerAdmin, type AdminSurface } from "./admin.js";
import { FaultInjector, type FaultSpec } from "./faults.js";
import { createHandlers } from "./handlers.js";
import { hostPortal, type HostServer } from "./http-host.js";
import { portalOptionsPatchSchema, resolvePortalOptions, type PortalOptions } from "./options.js";
import { RateLimiter, rateLimitedBody } from "./rate-limiter.js";
import { RequestLog } from "./request-log.js";
import { PortalStore, seedDataSchema, type SeedData } from "./store.js";

export interface StartFakePortalOptions {
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** API key username. @default a random `fake-…` name */
  username?: string;
  /** API key password. @default a random secret */
  password?: string;
  /** Quirk switches and limits; see `PortalOptions` for each default. */
  options?: Partial<PortalOptions>;
  /** Records to load before the first request. */
  seed?: SeedData;
  /** Delay added to every API request, for realistic-latency benchmarks. @default 0 */
  latencyMs?: number;
  /** Clock for timestamps and rate-limit buckets, in epoch milliseconds. @default Date.now */
  now?: () => number;
}

export function startFakePortal(options: StartFakePortalOptions = {}): Promise<FakePortal> {
  return FakePortal.start(options);
}

export class FakePortal {
  readonly username: string;
  readonly password: string;
  readonly store: PortalStore;
  /** Quirk switches, read on every request: change them on a running portal. */
  readonly options: PortalOptions;
  readonly log = new RequestLog();
  readonly faults = new FaultInjector();
  readonly #now: () => number;
  readonly #rateLimiter: RateLimiter;
  readonly #portalHandlers: HttpHandler[];
  #extraHandlers: HttpHandler[] = [];
  #latencyMs: number;
  #server: HostServer | undefined;

  static async start(options: StartFakePortalOptions): Promise<FakePortal> {
    const portal = new FakePortal(options);
    portal.#server = await hostPortal(
      {
        log: portal.log,
        faults: portal.faults,
        now: portal.#now,
        latencyMs: () => portal.#latencyMs,
        handlers: () => [...portal.#extraHandlers, ...portal.#portalHandlers],
        faultResponse: (fault) => faultResponse(fault, portal.options),
        answerAdmin: (request, method, url, body) =>
          portal.#hasCredentials(request) ? answerAdmin(portal.#adminSurface(), method, url, body) : { status: 401, body: portal.options.unauthorizedBody },
        notFound: () => Response.json({ message: "Not found" }, { status: 404 }),
      },
      options.host,
      options.port,
    );
    return portal;
  }

  private constructor(options: StartFakePortalOptions) {
    this.#now = options.now ?? Date.now;
    this.username = options.username ?? `fake-${randomBytes(6).toString("hex")}`;
    this.password = options.password ?? randomBytes(18).toString("base64url");
    this.options = resolvePortalOptions(options.options);
    this.store = new PortalStore({ now: this.#now });
    if (options.seed) this.store.seed(options.seed);
    this.#rateLimiter = new RateLimiter(this.#now);
    this.#latencyMs = options.latencyMs ?? 0;
    this.#portalHandlers = createHandlers(this.store, {
      credentials: { username: this.username, password: this.password },
      options: this.options,
      rateLimiter: this.#rateLimiter,
    });
  }

  /** Portal root, e.g. `http://127.0.0.1:41234`; the API lives under `/api/v1`. */
  get url(): string {
    return this.#server?.url ?? "";
  }

  get apiUrl(): string {
    return `${this.url}/api/v1`;
  }

  /** Delay every later API request by `ms`. */
  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  /** Put per-test msw handlers in front of the portal's, like msw's `server.use`. */
  use(...handlers: HttpHandler[]): void {
    this.#extraHandlers = [...handlers, ...this.#extraHandlers];
  }

  resetHandlers(): void {
    this.#extraHandlers = [];
  }

  /** Empties the store, the log, queued faults and the rate-limit buckets; options and latency stay. */
  reset(): void {
    this.store.reset();
    this.log.clear();
    this.faults.clear();
    this.#rateLimiter.reset();
  }

  /** Stops listening and drops open connections; safe to call twice. */
  close(): Promise<void> {
    return this.#server?.close() ?? Promise.resolve();
  }

  #adminSurface(): AdminSurface {
    return {
      log: this.log,
      faults: this.faults,
      setLatency: (ms) => this.setLatency(ms),
      reset: () => this.reset(),
      state: () => this.store.snapshot(),
      seed: (input) => this.store.seed(seedDataSchema.parse(input)),
      options: () => this.options,
      patchOptions: (input) => Object.assign(this.options, portalOptionsPatchSchema.parse(input)),
    };
  }

  #hasCredentials(request: IncomingMessage): boolean {
    const expected = `Basic ${Buffer.from(`${this.username}:${this.password}`).toString("base64")}`;
    return request.headers.authorization === expected;
  }
}

function faultResponse(fault: FaultSpec, options: PortalOptions): Response {
  const status = fault.status ?? 500;
  const retryAfter = status === 429 && options.retryAfterSeconds !== false ? { "Retry-After": String(options.retryAfterSeconds) } : {};
  const body = fault.body ?? (status === 429 ? rateLimitedBody("minute") : { message: "Injected fault" });
  return Response.json(body, { status, headers: { ...retryAfter, ...fault.headers } });
}
