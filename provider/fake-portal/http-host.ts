/**
 * The server every fake portal can share (the request and answer helpers are in `http.ts`): a `node:http` server on 127.0.0.1 that turns each
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
import { answerCrash, describeError, fetchRequestOf, loggableBody, readBody, writeReply, writeResponse } from "./http.js";
import { isWrite, type RequestLog } from "./request-log.js";

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
  /** The answer for a route no handler takes, as the LMS gives it. */
  notFound(): Response;
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
  try {
    const answer = await getResponse([...portal.handlers()], fetchRequestOf(incoming, url, body));
    return answer ?? portal.notFound();
  } catch (error) {
    return Response.json({ message: `fake portal error: ${describeError(error)}` }, { status: 500 });
  }
}
