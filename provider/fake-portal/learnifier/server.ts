/**
 * The fake Learnifier realm over real HTTP on 127.0.0.1, built from the same parts as the fake
 * LearnUpon portal: the request log, scripted faults, the rate-limit buckets and the shared server
 * of `../http-host.ts`; only the store and the handlers are Learnifier's.
 *
 * ```ts
 * const portal = await startLearnifierPortal({ seed: { groups: ["Sales"], projects: [{ name: "Onboarding" }] } });
 * // point the client at portal.url with portal.keyId / portal.keySecret and portal.orgUnitId
 * await portal.close();
 * ```
 * @module
 */
import { randomBytes } from "node:crypto";
import type { HttpHandler } from "msw";
import { FaultInjector, type FaultSpec } from "../faults.js";
import { hostPortal, type HostServer } from "../http-host.js";
import { RateLimiter } from "../rate-limiter.js";
import { RequestLog } from "../request-log.js";
import { createLearnifierHandlers } from "./handlers.js";
import { resolveLearnifierOptions, type LearnifierPortalOptions } from "./options.js";
import { LearnifierStore, type LearnifierSeed } from "./store.js";

export interface StartLearnifierPortalOptions {
  /** @default "127.0.0.1" */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** @default a random `key-…` */
  keyId?: string;
  /** @default a random secret */
  keySecret?: string;
  seed?: LearnifierSeed;
  /** Switch values by name (`{ autoClearEmail: "query" }`) and limits; see `LearnifierPortalOptions`. */
  options?: Partial<Omit<LearnifierPortalOptions, "switches">> & { switches?: Readonly<Record<string, string>> | undefined };
  /** Delay added to every API request. @default 0 */
  latencyMs?: number;
  /** @default Date.now */
  now?: () => number;
}

export function startLearnifierPortal(options: StartLearnifierPortalOptions = {}): Promise<LearnifierFakePortal> {
  return LearnifierFakePortal.start(options);
}

export class LearnifierFakePortal {
  readonly keyId: string;
  readonly keySecret: string;
  readonly store: LearnifierStore;
  /** Switches and limits, read on every request. */
  readonly options: LearnifierPortalOptions;
  readonly log = new RequestLog();
  readonly faults = new FaultInjector();
  readonly #handlers: HttpHandler[];
  readonly #now: () => number;
  #latencyMs: number;
  #server: HostServer | undefined;

  static async start(options: StartLearnifierPortalOptions): Promise<LearnifierFakePortal> {
    const portal = new LearnifierFakePortal(options);
    portal.#server = await hostPortal(
      {
        log: portal.log,
        faults: portal.faults,
        now: portal.#now,
        latencyMs: () => portal.#latencyMs,
        handlers: () => portal.#handlers,
        faultResponse: (fault) => Response.json(fault.body ?? { message: "Injected fault" }, { status: fault.status ?? 500, headers: fault.headers ?? {} }),
        // The realm has no admin surface of its own: tests reach its store directly.
        answerAdmin: () => ({ status: 404, body: { message: "Not found" } }),
        notFoundBody: { message: "Not found" },
      },
      options.host,
      options.port,
    );
    return portal;
  }

  private constructor(options: StartLearnifierPortalOptions) {
    this.#now = options.now ?? Date.now;
    this.keyId = options.keyId ?? `key-${randomBytes(6).toString("hex")}`;
    this.keySecret = options.keySecret ?? randomBytes(18).toString("base64url");
    this.options = resolveLearnifierOptions(options.options);
    this.store = new LearnifierStore(this.options.switches, this.#now);
    this.store.seed(options.seed ?? {});
    this.#latencyMs = options.latencyMs ?? 0;
    this.#handlers = createLearnifierHandlers(this.store, this.options, { keyId: this.keyId, keySecret: this.keySecret }, new RateLimiter(this.#now));
  }

  /** The API base URL: the instance root, under which every path lives. */
  get url(): string {
    return this.#server?.url ?? "";
  }

  /** The seeded organization unit, which groups and projects belong to. */
  get orgUnitId(): string {
    return String(this.store.orgUnits.all()[0]?.id ?? "");
  }

  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  /** Queues a scripted fault (a status, a reset connection, latency) for the next matching requests. */
  inject(fault: FaultSpec): void {
    this.faults.inject(fault);
  }

  close(): Promise<void> {
    return this.#server?.close() ?? Promise.resolve();
  }
}
