/**
 * The fake LearnUpon portal over real HTTP on 127.0.0.1, for tests that need a socket (retries,
 * resets, latency), for `pulumi up` runs in another process, and for users' sandboxes.
 *
 * A `node:http` server turns each request into a Fetch `Request`, asks msw's `getResponse` for the
 * answer from the handlers in `handlers.ts`, and writes it back. Around that it keeps a request log,
 * scripted faults, optional latency and the `/__fake/` admin endpoints. Every piece of state lives
 * on the `FakePortal` instance, so several portals can run in one process.
 * @module
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { getResponse, type HttpHandler } from "msw";
import { answerAdmin } from "./admin.js";
import { FaultInjector, type FaultSpec } from "./faults.js";
import { createHandlers } from "./handlers.js";
import { resolvePortalOptions, type PortalOptions } from "./options.js";
import { RateLimiter, rateLimitedBody } from "./rate-limiter.js";
import { RequestLog, isWrite, redactSecrets } from "./request-log.js";
import { PortalStore, type SeedData } from "./store.js";

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

/** Bodies beyond this are refused with 413: no roster call comes near it. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

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
  readonly #server: Server;
  #extraHandlers: HttpHandler[] = [];
  #latencyMs: number;
  #url = "";
  #closing: Promise<void> | undefined;

  static async start(options: StartFakePortalOptions): Promise<FakePortal> {
    const portal = new FakePortal(options);
    await portal.#listen(options.host ?? "127.0.0.1", options.port ?? 0);
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
    this.#server = createServer((request, response) => {
      this.#serve(request, response).catch((error: unknown) => answerCrash(response, error));
    });
  }

  /** Portal root, e.g. `http://127.0.0.1:41234`; the API lives under `/api/v1`. */
  get url(): string {
    return this.#url;
  }

  get apiUrl(): string {
    return `${this.#url}/api/v1`;
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
    const arrivedAt = new Date(this.#now()).toISOString();
    const method = (request.method ?? "GET").toUpperCase();
    const path = request.url ?? "/";
    const body = await readBody(request);
    if (body === undefined) return writeReply(response, 413, { message: "Request body too large" });
    const url = new URL(path, this.url);

    if (url.pathname.startsWith("/__fake/")) {
      if (!this.#hasCredentials(request)) return writeReply(response, 401, this.options.unauthorizedBody);
      const reply = answerAdmin(this, method, url, body.toString("utf8"));
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
    const answer = fault?.status !== undefined ? faultResponse(fault, this.options) : await this.#dispatch(request, url, body);
    await writeResponse(response, answer);
    record(answer.status, fault?.status !== undefined ? "status" : undefined);
  }

  async #dispatch(incoming: IncomingMessage, url: URL, body: Buffer): Promise<Response> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined && !HOP_BY_HOP_HEADERS.has(name)) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const method = incoming.method ?? "GET";
    // Fetch forbids a body on GET and HEAD; the content-type trap only needs to know it is empty.
    const canCarryBody = method !== "GET" && method !== "HEAD" && body.length > 0;
    const request = new Request(url, { method, headers, ...(canCarryBody ? { body: new Uint8Array(body) } : {}) });
    try {
      const answer = await getResponse([...this.#extraHandlers, ...this.#portalHandlers], request);
      return answer ?? Response.json({ message: "Not found" }, { status: 404 });
    } catch (error) {
      return Response.json({ message: `fake portal error: ${describe(error)}` }, { status: 500 });
    }
  }

  #hasCredentials(request: IncomingMessage): boolean {
    const expected = `Basic ${Buffer.from(`${this.username}:${this.password}`).toString("base64")}`;
    return request.headers.authorization === expected;
  }
}

export const HOP_BY_HOP_HEADERS = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);

export async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** The JSON body for the log, passwords redacted; nothing when the body is not JSON. */
function loggableBody(request: IncomingMessage, body: Buffer): { body?: unknown } {
  if (body.length === 0 || !/application\/json/i.test(request.headers["content-type"] ?? "")) return {};
  try {
    return { body: redactSecrets(JSON.parse(body.toString("utf8"))) };
  } catch {
    return {};
  }
}

function faultResponse(fault: FaultSpec, options: PortalOptions): Response {
  const status = fault.status ?? 500;
  const retryAfter = status === 429 && options.retryAfterSeconds !== false ? { "Retry-After": String(options.retryAfterSeconds) } : {};
  const body = fault.body ?? (status === 429 ? rateLimitedBody("minute") : { message: "Injected fault" });
  return Response.json(body, { status, headers: { ...retryAfter, ...fault.headers } });
}

export async function writeResponse(response: ServerResponse, answer: Response): Promise<void> {
  const payload = Buffer.from(await answer.arrayBuffer());
  response.statusCode = answer.status;
  answer.headers.forEach((value, name) => response.setHeader(name, value));
  response.setHeader("content-length", payload.length);
  response.end(payload);
}

export function writeReply(response: ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body));
  response.writeHead(status, { "content-type": "application/json", "content-length": payload.length });
  response.end(payload);
}

export function answerCrash(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  writeReply(response, 500, { message: `fake portal error: ${describe(error)}` });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
