/**
 * The plumbing every fake portal's HTTP server shares: turning a `node:http` request into a Fetch
 * `Request` for msw's `getResponse`, reading a bounded body, and writing answers back. Kept free of
 * any LMS, so each fake only adds its own gate (auth, rate limit) and routes.
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { redactSecrets } from "./request-log.js";

/** Bodies beyond this are refused with 413: no roster call comes near it. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

const HOP_BY_HOP_HEADERS = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);

/** The whole body, or `undefined` when it is over `MAX_BODY_BYTES`. */
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

/** The incoming request as a Fetch `Request` for msw handlers. */
export function fetchRequestOf(incoming: IncomingMessage, url: URL, body: Buffer): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined && !HOP_BY_HOP_HEADERS.has(name)) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const method = incoming.method ?? "GET";
  // Fetch forbids a body on GET and HEAD.
  const canCarryBody = method !== "GET" && method !== "HEAD" && body.length > 0;
  return new Request(url, { method, headers, ...(canCarryBody ? { body: new Uint8Array(body) } : {}) });
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

/** A crash inside the fake answers 500, or drops the connection when the answer had begun. */
export function answerCrash(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  writeReply(response, 500, { message: `fake portal error: ${describeError(error)}` });
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The JSON or form body for the log, secrets redacted; nothing for other bodies. */
export function loggableBody(request: IncomingMessage, body: Buffer): { body?: unknown } {
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
