/**
 * The fake Northpass school over real HTTP on 127.0.0.1: the routes of `routes.ts` behind the
 * shared plumbing (`../http.ts`), with the shared request log, scripted faults and latency, and a
 * few `/__fake/` admin routes for a process that only has the URL and the key.
 *
 * | admin route              | does                                                    |
 * |--------------------------|---------------------------------------------------------|
 * | `GET /__fake/log`        | `{"requests":[...]}`                                    |
 * | `DELETE /__fake/log`     | clears the log                                          |
 * | `POST /__fake/faults`    | queues a `FaultSpec` (the next N requests answer 429, …) |
 * | `PATCH /__fake/switches` | `{"deactivation":"ignored",…}` on the running school      |
 *
 * Admin routes take the school's API key and are neither logged, limited, delayed nor faulted.
 * @module
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { HttpHandler } from "msw";
import { FaultInjector, type FaultSpec } from "../faults.js";
import { describeError } from "../http.js";
import { hostPortal, type HostServer } from "../http-host.js";
import { TokenBucket } from "../rate-limiter.js";
import { RequestLog } from "../request-log.js";
import { checkedSwitches } from "../sandbox.js";
import { NORTHPASS_SWITCHES, northpassOptions, type NorthpassOptions } from "./options.js";
import { northpassHandlers } from "./routes.js";
import { NorthpassStore, type NorthpassSeed } from "./store.js";

export interface StartNorthpassOptions {
  /** @default "127.0.0.1" */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** @default a random key */
  apiKey?: string;
  options?: Partial<NorthpassOptions>;
  seed?: NorthpassSeed;
  /** Delay added to every API request. @default 0 */
  latencyMs?: number;
  now?: () => number;
}

export class NorthpassFakeSchool {
  readonly apiKey: string;
  readonly store: NorthpassStore;
  /** Switches and limits, read on every request: change them on a running school. */
  readonly options: NorthpassOptions;
  readonly log = new RequestLog();
  readonly faults = new FaultInjector();
  readonly #bucket: TokenBucket;
  readonly #handlers: HttpHandler[];
  readonly #now: () => number;
  #latencyMs: number;
  #server: HostServer | undefined;

  static async start(options: StartNorthpassOptions = {}): Promise<NorthpassFakeSchool> {
    const school = new NorthpassFakeSchool(options);
    school.#server = await hostPortal(
      {
        log: school.log,
        faults: school.faults,
        now: school.#now,
        latencyMs: () => school.#latencyMs,
        handlers: () => school.#handlers,
        faultResponse: (fault) => school.#faultResponse(fault),
        answerAdmin: (request, method, url, body) => school.#admin(request, method, url.pathname, body),
        notFound: () => new Response(null, { status: 404 }),
      },
      options.host,
      options.port,
    );
    return school;
  }

  private constructor(options: StartNorthpassOptions) {
    const now = options.now ?? Date.now;
    this.#now = now;
    this.apiKey = options.apiKey ?? `np-${randomBytes(18).toString("base64url")}`;
    this.options = northpassOptions(options.options);
    this.store = new NorthpassStore(now);
    if (options.seed) this.store.seed(options.seed);
    this.#bucket = new TokenBucket(now);
    this.#latencyMs = options.latencyMs ?? 0;
    this.#handlers = northpassHandlers({ store: this.store, options: this.options, apiKey: this.apiKey, bucket: this.#bucket });
  }

  /** The server root, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return this.#server?.url ?? "";
  }

  /** The API base URL, the value of `northpass:baseUrl`. */
  get apiUrl(): string {
    return `${this.url}/v2`;
  }

  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  close(): Promise<void> {
    return this.#server?.close() ?? Promise.resolve();
  }

  #faultResponse(fault: FaultSpec): Response {
    const status = fault.status ?? 500;
    const retryAfter = status === 429 && this.options.retryAfter === "sent" ? { "Retry-After": "1" } : {};
    const body = fault.body ?? { errors: [{ status: String(status), title: status === 429 ? "Too Many Requests" : "Injected fault" }] };
    return Response.json(body, { status, headers: { ...retryAfter, ...fault.headers } });
  }

  #admin(request: IncomingMessage, method: string, pathname: string, text: string): { status: number; body: unknown } {
    if (request.headers["x-api-key"] !== this.apiKey) return { status: 401, body: { errors: [{ status: "401", title: "Unauthorized" }] } };
    try {
      const route = `${method} ${pathname}`;
      if (route === "GET /__fake/log") return { status: 200, body: { requests: this.log.entries() } };
      if (route === "DELETE /__fake/log") {
        this.log.clear();
        return { status: 200, body: {} };
      }
      if (route === "POST /__fake/faults") {
        this.faults.inject(JSON.parse(text) as FaultSpec);
        return { status: 200, body: { pending: this.faults.pending() } };
      }
      if (route === "PATCH /__fake/switches") {
        const given = JSON.parse(text) as Record<string, string>;
        const checked = checkedSwitches({ switches: NORTHPASS_SWITCHES }, given);
        for (const name of Object.keys(given)) Object.assign(this.options, { [name]: checked[name] });
        return { status: 200, body: this.options };
      }
      return { status: 404, body: { errors: [{ status: "404", title: `no admin route ${route}` }] } };
    } catch (error) {
      return { status: 400, body: { errors: [{ status: "400", title: describeError(error) }] } };
    }
  }
}
