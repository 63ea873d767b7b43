/**
 * The fake Learn Amp over real HTTP on 127.0.0.1, on the HTTP host every fake portal shares
 * (`../http-host.ts`): the token endpoint at `/oauth/token`, the API under `/v1`, the request
 * log, faults, latency and the `/__fake/` admin endpoints (Basic auth with the client id and
 * secret).
 * @module
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { HttpHandler } from "msw";
import { answerAdmin, type AdminSurface } from "../admin.js";
import { FaultInjector, type FaultSpec } from "../faults.js";
import { hostPortal, type HostServer } from "../http-host.js";
import { RateLimiter } from "../rate-limiter.js";
import { RequestLog, isWrite } from "../request-log.js";
import { createLearnAmpHandlers } from "./handlers.js";
import { defaultLearnAmpOptions, parseLearnAmpOptions, type LearnAmpOptions } from "./options.js";
import { LearnAmpStore, parseLearnAmpSeed, type LearnAmpSeed } from "./store.js";

export interface StartLearnAmpOptions {
  host?: string | undefined;
  port?: number | undefined;
  /** Switches and limits; see `LearnAmpOptions`. */
  options?: Partial<LearnAmpOptions> | undefined;
  seed?: LearnAmpSeed | undefined;
  /** The account's Owner, who holds the API key. @default "owner@learnamp.test" */
  ownerEmail?: string | undefined;
  latencyMs?: number | undefined;
  /** Clock of tokens, rate limits and timestamps. @default Date.now */
  now?: () => number;
}

export class LearnAmpFakePortal {
  readonly clientId = `fake-${randomBytes(6).toString("hex")}`;
  readonly clientSecret = randomBytes(18).toString("base64url");
  readonly options: LearnAmpOptions;
  readonly store: LearnAmpStore;
  readonly log = new RequestLog();
  readonly faults = new FaultInjector();
  readonly #now: () => number;
  readonly #rateLimiter: RateLimiter;
  readonly #handlers: HttpHandler[];
  readonly #ownerEmail: string;
  #latencyMs: number;
  #server: HostServer | undefined;

  static async start(options: StartLearnAmpOptions = {}): Promise<LearnAmpFakePortal> {
    const portal = new LearnAmpFakePortal(options);
    portal.#server = await hostPortal(
      {
        log: portal.log,
        faults: portal.faults,
        now: portal.#now,
        latencyMs: () => portal.#latencyMs,
        handlers: () => portal.#handlers,
        faultResponse,
        answerAdmin: (request, method, url, body) =>
          portal.#isAdmin(request) ? answerAdmin(portal.#adminSurface(), method, url, body) : { status: 401, body: { error: "invalid_client" } },
        notFound: () => Response.json({ error: "Not found" }, { status: 404 }),
        // Asking for a token changes nothing a roster holds: only the API's own writes count.
        changesPortal: (method, path) => isWrite(method) && !path.startsWith("/oauth/token"),
      },
      options.host,
      options.port,
    );
    return portal;
  }

  private constructor(options: StartLearnAmpOptions) {
    this.#now = options.now ?? Date.now;
    this.options = { ...defaultLearnAmpOptions(), ...options.options };
    this.store = new LearnAmpStore(this.#now);
    this.#ownerEmail = options.ownerEmail ?? "owner@learnamp.test";
    this.#seedOwner();
    if (options.seed) this.store.seed(options.seed);
    this.#rateLimiter = new RateLimiter(this.#now);
    this.#latencyMs = options.latencyMs ?? 0;
    const credentials = { clientId: this.clientId, clientSecret: this.clientSecret };
    this.#handlers = createLearnAmpHandlers({ store: this.store, options: this.options }, credentials, this.#rateLimiter, this.#now);
  }

  /** `http://127.0.0.1:41234`: what Company Settings › API would show as the API host. */
  get url(): string {
    return this.#server?.url ?? "";
  }

  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  /** Empties the store (the Owner stays), the log, faults and the rate-limit bucket; switches stay. */
  reset(): void {
    this.store.reset();
    this.#seedOwner();
    this.log.clear();
    this.faults.clear();
    this.#rateLimiter.reset();
  }

  close(): Promise<void> {
    return this.#server?.close() ?? Promise.resolve();
  }

  /** Every account has its Owner, the one person who may create API keys. */
  #seedOwner(): void {
    this.store.createUser({ email: this.#ownerEmail, firstName: "Account", lastName: "Owner", role: "owner", integrationExternalId: null, status: "confirmed" });
  }

  #adminSurface(): AdminSurface {
    return {
      log: this.log,
      faults: this.faults,
      setLatency: (ms) => this.setLatency(ms),
      reset: () => this.reset(),
      state: () => this.store.snapshot(),
      seed: (input) => this.store.seed(parseLearnAmpSeed(input)),
      options: () => this.options,
      patchOptions: (input) => Object.assign(this.options, parseLearnAmpOptions(input)),
    };
  }

  #isAdmin(request: IncomingMessage): boolean {
    return request.headers.authorization === `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString("base64")}`;
  }
}

function faultResponse(fault: FaultSpec): Response {
  const status = fault.status ?? 500;
  const body = fault.body ?? (status === 429 ? { error: "Too many requests" } : { error: "Injected fault" });
  return Response.json(body, { status, headers: fault.headers ?? {} });
}

export function startLearnAmpFakePortal(options: StartLearnAmpOptions = {}): Promise<LearnAmpFakePortal> {
  return LearnAmpFakePortal.start(options);
}
