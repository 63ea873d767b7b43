/**
 * The fake portal's request log: one entry per API request, so tests assert exact transcripts
 * (how many calls, in which order, that no POST was retried) rather than outcomes alone.
 *
 * The log never holds secrets: headers are not recorded at all, and any body field whose name
 * contains "password" or "secret" (an OAuth2 `client_secret`) is replaced by "[REDACTED]".
 * @module
 */

export interface RequestLogEntry {
  /** Position in the log, from 1, in the order the answers were sent. */
  seq: number;
  method: string;
  /** Path with query string, e.g. `/api/v1/users?page=2`. */
  path: string;
  /** Status sent, or 0 when an injected fault reset the connection. */
  status: number;
  /** When the request arrived, on the portal's clock (ISO 8601). */
  at: string;
  durationMs: number;
  /** Anything but GET, HEAD and OPTIONS. */
  write: boolean;
  /** The JSON or form body with secrets redacted, when the request had one. */
  body?: unknown;
  /** Set when an injected fault answered instead of the portal. */
  fault?: "status" | "reset";
}

export interface RequestFilter {
  /** Case-insensitive HTTP method. */
  method?: string | undefined;
  /** Matches the start of `path`, e.g. `/api/v1/enrollments`. */
  pathPrefix?: string | undefined;
}

export class RequestLog {
  #entries: RequestLogEntry[] = [];
  #nextSeq = 1;

  record(entry: Omit<RequestLogEntry, "seq">): void {
    this.#entries.push({ seq: this.#nextSeq++, ...entry });
  }

  /** Every entry in log order, or those matching `filter`. */
  entries(filter: RequestFilter = {}): RequestLogEntry[] {
    const method = filter.method?.toUpperCase();
    return this.#entries.filter(
      (entry) =>
        (method === undefined || entry.method === method) &&
        (filter.pathPrefix === undefined || entry.path.startsWith(filter.pathPrefix)),
    );
  }

  count(filter: RequestFilter = {}): number {
    return this.entries(filter).length;
  }

  writes(): RequestLogEntry[] {
    return this.#entries.filter((entry) => entry.write);
  }

  clear(): void {
    this.#entries = [];
    this.#nextSeq = 1;
  }
}

const REDACTED = "[REDACTED]";

/** A deep copy of a parsed body with every password- or secret-named field redacted. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [key, /password|secret/i.test(key) ? REDACTED : redactSecrets(field)]),
  );
}

export function isWrite(method: string): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase());
}
