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
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { getResponse, type HttpHandler } from "msw";
import { FaultInjector, type FaultSpec } from "../faults.js";
import { answerCrash, describeError, fetchRequestOf, loggableBody, readBody, writeReply, writeResponse } from "../http.js";
import { TokenBucket } from "../rate-limiter.js";
import { RequestLog, isWrite } from "../request-log.js";
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
  readonly #server: Server;
  #latencyMs: number;
  #url = "";
  #closing: Promise<void> | undefined;

  static async start(options: StartNorthpassOptions = {}): Promise<NorthpassFakeSchool> {
    const school = new NorthpassFakeSchool(options);
    await school.#listen(options.host ?? "127.0.0.1", options.port ?? 0);
    return school;
  }

  private constructor(options: StartNorthpassOptions) {
    const now = options.now ?? Date.now;
    this.apiKey = options.apiKey ?? `np-${randomBytes(18).toString("base64url")}`;
    this.options = northpassOptions(options.options);
    this.store = new NorthpassStore(now);
    if (options.seed) this.store.seed(options.seed);
    this.#bucket = new TokenBucket(now);
    this.#latencyMs = options.latencyMs ?? 0;
    this.#handlers = northpassHandlers({ store: this.store, options: this.options, apiKey: this.apiKey, bucket: this.#bucket });
    this.#server = createServer((request, response) => {
      this.#serve(request, response).catch((error: unknown) => answerCrash(response, error));
    });
  }

  /** The server root, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return this.#url;
  }

  /** The API base URL, the value of `northpass:baseUrl`. */
  get apiUrl(): string {
    return `${this.#url}/v2`;
  }

  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve, reject) => {
      this.#server.close((error) => (error ? reject(error) : resolve()));
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }

  async #listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => resolve());
    });
    this.#url = `http://${host}:${(this.#server.address() as AddressInfo).port}`;
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const startedAt = performance.now();
    const arrivedAt = new Date().toISOString();
    const method = (request.method ?? "GET").toUpperCase();
    const path = request.url ?? "/";
    const body = await readBody(request);
    if (body === undefined) return writeReply(response, 413, { errors: [{ status: "413", title: "Payload Too Large" }] });
    const url = new URL(path, this.#url);

    if (url.pathname.startsWith("/__fake/")) {
      if (request.headers["x-api-key"] !== this.apiKey) return writeReply(response, 401, { errors: [{ status: "401", title: "Unauthorized" }] });
      const reply = this.#admin(method, url.pathname, body.toString("utf8"));
      return writeReply(response, reply.status, reply.body);
    }

    const fault = this.faults.take(method, path);
    const delayMs = this.#latencyMs + (fault?.latencyMs ?? 0);
    if (delayMs > 0) await sleep(delayMs);
    const record = (status: number, faultKind?: "status" | "reset") =>
      this.log.record({
        method,
        path,
        status,
        at: arrivedAt,
        durationMs: Math.round(performance.now() - startedAt),
        write: isWrite(method),
        ...loggableBody(request, body),
        ...(faultKind ? { fault: faultKind } : {}),
      });
    if (fault?.reset) {
      request.socket.destroy();
      record(0, "reset");
      return;
    }
    const answer = fault?.status !== undefined ? this.#faultResponse(fault) : await this.#dispatch(request, url, body);
    await writeResponse(response, answer);
    record(answer.status, fault?.status !== undefined ? "status" : undefined);
  }

  async #dispatch(incoming: IncomingMessage, url: URL, body: Buffer): Promise<Response> {
    try {
      return (await getResponse(this.#handlers, fetchRequestOf(incoming, url, body))) ?? new Response(null, { status: 404 });
    } catch (error) {
      return Response.json({ errors: [{ status: "500", title: "fake school error", detail: describeError(error) }] }, { status: 500 });
    }
  }

  #faultResponse(fault: FaultSpec): Response {
    const status = fault.status ?? 500;
    const retryAfter = status === 429 && this.options.retryAfter === "sent" ? { "Retry-After": "1" } : {};
    const body = fault.body ?? { errors: [{ status: String(status), title: status === 429 ? "Too Many Requests" : "Injected fault" }] };
    return Response.json(body, { status, headers: { ...retryAfter, ...fault.headers } });
  }

  #admin(method: string, pathname: string, text: string): { status: number; body: unknown } {
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
