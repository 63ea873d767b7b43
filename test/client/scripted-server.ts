/**
 * A tiny HTTP server on 127.0.0.1 that answers from a script, for unit tests of the transport and
 * retry layers over real sockets (the client's undici transport is never mocked). Each request
 * takes the next step of the script; the last step repeats. A script may instead be a function
 * that answers each logged request (to route a token endpoint apart from the API). Every request
 * is logged.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export type ScriptStep =
  | { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  /** Destroy the socket without answering (a connection reset). */
  | "reset";

export interface LoggedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ScriptedServer {
  url: string;
  log: LoggedRequest[];
  close(): Promise<void>;
}

export type Script = readonly ScriptStep[] | ((request: LoggedRequest) => ScriptStep);

export async function startScriptedServer(script: Script): Promise<ScriptedServer> {
  const log: LoggedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() };
      log.push(request);
      const step = typeof script === "function" ? script(request) : script[Math.min(log.length - 1, script.length - 1)];
      if (step === undefined || step === "reset") {
        req.socket.destroy();
        return;
      }
      const answer = () => {
        const text = step.body === undefined ? "" : typeof step.body === "string" ? step.body : JSON.stringify(step.body);
        res.writeHead(step.status, { "content-type": "application/json", ...step.headers });
        res.end(text);
      };
      if (!step.delayMs) return answer();
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) answer();
      }, step.delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A clock that only moves when the code under test sleeps; `sleeps` records every wait. */
export function fakeClock(start = 1_700_000_000_000) {
  let nowMs = start;
  const sleeps: number[] = [];
  return {
    now: () => nowMs,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      nowMs += ms;
    },
    advance: (ms: number) => {
      nowMs += ms;
    },
    sleeps,
  };
}
