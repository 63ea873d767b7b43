/**
 * The HTTP plumbing every fake portal shares: a `node:http` server on 127.0.0.1 that turns each
 * request into a Fetch `Request`, asks msw's `getResponse` for the answer from the portal's
 * handlers, and writes it back. Around that it keeps the request log, scripted faults, optional
 * latency and the `/__fake/` admin endpoints, which each portal answers in its own way.
 *
 * A portal (LearnUpon's `server.ts`, Learn Amp's `learnamp/server.ts`) supplies what differs as a
 * `HostedPortal`; everything here is the same for all of them.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { getResponse, type HttpHandler } from "msw";
import type { FaultInjector, FaultSpec } from "./faults.js";
import { isWrite, redactSecrets, type RequestLog } from "./request-log.js";

/** What one portal puts behind the shared server. */
export interface HostedPortal {
  readonly log: RequestLog;
  readonly faults: FaultInjector;
  /** Clock of the log's timestamps, in epoch milliseconds. */
  now(): number;
  /** Delay added to every API request now. */
  latencyMs(): number;
  /** The msw handlers to answer API requests with, in match order (per-test ones first). */
  handlers(): readonly HttpHandler[];
  /** The answer to an injected status fault. */
  faultResponse(fault: FaultSpec): Response;
  /** Answers a request under `/__fake/`, which is neither logged, limited, delayed nor faulted. */
  answerAdmin(request: IncomingMessage, method: string, url: URL, body: string): { status: number; body: unknown };
  /** The body of the 404 for a route no handler takes. */
  notFoundBody: unknown;
  /** Whether a request changes the portal, for the log. @default anything but GET, HEAD and OPTIONS */
  changesPortal?: (method: string, path: string) => boolean;
}

/** A listening fake portal server. */
export interface HostServer {
  /** `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Stops listening and drops open connections; safe to call twice. */
  close(): Promise<void>;
}

/** Bodies beyond this are refused with 413: no roster call comes near it. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

export async function hostPortal(portal: HostedPortal, host = "127.0.0.1", port = 0): Promise<HostServer> {
  let url = "";
  const server: Server = createServer((request, response) => {
    serve(portal, url, request, response).catch((error: unknown) => answerCrash(response, error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  url = `http://${host}:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function serve(portal: HostedPortal, origin: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const startedAt = performance.now();
  const arrivedAt = new Date(portal.now()).toISOString();
  const method = (request.method ?? "GET").toUpperCase();
  const path = request.url ?? "/";
  const body = await readBody(request);
  if (body === undefined) return writeReply(response, 413, { message: "Request body too large" });
  const url = new URL(path, origin);

  if (url.pathname.startsWith("/__fake/")) {
    const reply = portal.answerAdmin(request, method, url, body.toString("utf8"));
    return writeReply(response, reply.status, reply.body);
  }

  const fault = portal.faults.take(method, path);
  const delayMs = portal.latencyMs() + (fault?.latencyMs ?? 0);
  if (delayMs > 0) await sleep(delayMs);
  const record = (status: number, faultKind?: "status" | "reset") =>
    portal.log.record({
      method,
      path,
      status,
      at: arrivedAt,
      durationMs: Math.round(performance.now() - startedAt),
      write: portal.changesPortal ? portal.changesPortal(method, path) : isWrite(method),
      ...loggableBody(request, body),
      ...(faultKind ? { fault: faultKind } : {}),
    });

  if (fault?.reset) {
    request.socket.destroy();
    record(0, "reset");
    return;
  }
  const answer = fault?.status !== undefined ? portal.faultResponse(fault) : await dispatch(portal, request, url, body);
  await writeResponse(response, answer);
  record(answer.status, fault?.status !== undefined ? "status" : undefined);
}

async function dispatch(portal: HostedPortal, incoming: IncomingMessage, url: URL, body: Buffer): Promise<Response> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined && !HOP_BY_HOP_HEADERS.has(name)) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const method = incoming.method ?? "GET";
  // Fetch forbids a body on GET and HEAD; the content-type traps only need to know it is empty.
  const canCarryBody = method !== "GET" && method !== "HEAD" && body.length > 0;
  const request = new Request(url, { method, headers, ...(canCarryBody ? { body: new Uint8Array(body) } : {}) });
  try {
    const answer = await getResponse([...portal.handlers()], request);
    return answer ?? Response.json(portal.notFoundBody, { status: 404 });
  } catch (error) {
    return Response.json({ message: `fake portal error: ${describe(error)}` }, { status: 500 });
  }
}

const HOP_BY_HOP_HEADERS = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
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

/** The JSON or form body for the log, secrets redacted; nothing for other bodies. */
function loggableBody(request: IncomingMessage, body: Buffer): { body?: unknown } {
  if (body.length === 0) return {};
  const contentType = request.headers["content-type"] ?? "";
  try {
    if (/application\/json/i.test(contentType)) return { body: redactSecrets(JSON.parse(body.toString("utf8"))) };
    if (/application\/x-www-form-urlencoded/i.test(contentType)) {
      return { body: redactSecrets(Object.fromEntries(new URLSearchParams(body.toString("utf8")))) };
    }
  } catch {
    // not loggable: left out
  }
  return {};
}

async function writeResponse(response: ServerResponse, answer: Response): Promise<void> {
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

function answerCrash(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  writeReply(response, 500, { message: `fake portal error: ${describe(error)}` });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
