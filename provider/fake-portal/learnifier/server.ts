/**
 * The fake Learnifier realm over real HTTP on 127.0.0.1, built from the same parts as the fake
 * LearnUpon portal: the request log, scripted faults, the rate-limit buckets and the server
 * plumbing of `../server.ts`; only the store and the handlers are Learnifier's.
 *
 * ```ts
 * const portal = await startLearnifierPortal({ seed: { groups: ["Sales"], projects: [{ name: "Onboarding" }] } });
 * // point the client at portal.url with portal.keyId / portal.keySecret and portal.orgUnitId
 * await portal.close();
 * ```
 * @module
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { getResponse, type HttpHandler } from "msw";
import { FaultInjector, type FaultSpec } from "../faults.js";
import { RateLimiter } from "../rate-limiter.js";
import { RequestLog, isWrite, redactSecrets } from "../request-log.js";
import { HOP_BY_HOP_HEADERS, answerCrash, readBody, writeReply, writeResponse } from "../server.js";
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
  readonly #server: Server;
  readonly #now: () => number;
  #latencyMs: number;
  #url = "";
  #closing: Promise<void> | undefined;

  static async start(options: StartLearnifierPortalOptions): Promise<LearnifierFakePortal> {
    const portal = new LearnifierFakePortal(options);
    await new Promise<void>((resolve, reject) => {
      portal.#server.once("error", reject);
      portal.#server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
    });
    portal.#url = `http://${options.host ?? "127.0.0.1"}:${(portal.#server.address() as AddressInfo).port}`;
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
    this.#server = createServer((request, response) => {
      this.#serve(request, response).catch((error: unknown) => answerCrash(response, error));
    });
  }

  /** The API base URL: the instance root, under which every path lives. */
  get url(): string {
    return this.#url;
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
    this.#closing ??= new Promise<void>((resolve, reject) => {
      this.#server.close((error) => (error ? reject(error) : resolve()));
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const startedAt = performance.now();
    const arrivedAt = new Date(this.#now()).toISOString();
    const method = (request.method ?? "GET").toUpperCase();
    const path = request.url ?? "/";
    const body = await readBody(request);
    if (body === undefined) return writeReply(response, 413, { message: "Request body too large" });

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
        ...jsonBody(body),
        ...(faultKind ? { fault: faultKind } : {}),
      });
    if (fault?.reset) {
      request.socket.destroy();
      record(0, "reset");
      return;
    }
    const answer =
      fault?.status !== undefined
        ? Response.json(fault.body ?? { message: "Injected fault" }, { status: fault.status, headers: fault.headers ?? {} })
        : await this.#dispatch(request, body);
    await writeResponse(response, answer);
    record(answer.status, fault?.status !== undefined ? "status" : undefined);
  }

  async #dispatch(incoming: IncomingMessage, body: Buffer): Promise<Response> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined && !HOP_BY_HOP_HEADERS.has(name)) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const method = incoming.method ?? "GET";
    const canCarryBody = method !== "GET" && method !== "HEAD" && body.length > 0;
    const request = new Request(new URL(incoming.url ?? "/", this.#url), { method, headers, ...(canCarryBody ? { body: new Uint8Array(body) } : {}) });
    try {
      return (await getResponse(this.#handlers, request)) ?? Response.json({ message: "Not found" }, { status: 404 });
    } catch (error) {
      return Response.json({ message: `fake portal error: ${error instanceof Error ? error.message : String(error)}` }, { status: 500 });
    }
  }
}

/** The JSON body for the log (the log keeps what was sent, to check that only declared keys go out). */
function jsonBody(body: Buffer): { body?: unknown } {
  if (body.length === 0) return {};
  try {
    return { body: redactSecrets(JSON.parse(body.toString("utf8"))) };
  } catch {
    return {};
  }
}
