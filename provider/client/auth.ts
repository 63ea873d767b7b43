/**
 * How a request proves who sends it. Each backend picks one strategy and hands it to the
 * transport as a value; the transport asks it for headers before every attempt and never looks
 * inside:
 *
 * - `basicAuth(username, password)`: `Authorization: Basic …`, the same on every request;
 * - `apiKeyHeader(name, key)`: the key in a header of its own (`X-Api-Key`), never in the URL;
 * - `oauth2ClientCredentials({…})`: a bearer token from the OAuth2 client-credentials grant
 *   (RFC 6749 §4.4), fetched on first use, cached in memory for every request of the client,
 *   renewed shortly before it expires and once after a 401.
 *
 * Every strategy lists its `secrets()`, the strings the error family removes from messages and
 * bodies (`errors.ts`); the OAuth2 strategy lists its client secret and every token it was issued.
 * @module
 */
import { z } from "zod";
import { ResponseShapeError } from "./errors.js";
import { formatPath } from "./shape.js";

/** Request headers, lower-cased names. */
export type AuthHeaders = Readonly<Record<string, string>>;

/**
 * Sends one form-encoded POST to an absolute URL (a token endpoint) through the transport's
 * connection pool and returns the parsed 2xx body. Failures are thrown as the error family, with
 * any 4xx as an `AuthError`, redacted with the strategy's secrets.
 */
export type TokenRequest = (url: string, form: Readonly<Record<string, string>>) => Promise<{ status: number; body: unknown }>;

export interface AuthStrategy {
  /** Headers that authorize the next request; may first fetch a credential with `requestToken`. */
  authorize(requestToken: TokenRequest): Promise<AuthHeaders>;
  /**
   * The server answered 401 to a request sent with `headers`. True when fresh headers are worth
   * one replay of that request; the transport never replays twice, so a second 401 surfaces.
   */
  rejected(headers: AuthHeaders): boolean;
  /** Strings that must never appear in an error, log line or transcript. */
  secrets(): readonly string[];
}

/** HTTP Basic (RFC 7617): the same `Authorization` header on every request. */
export function basicAuth(username: string, password: string): AuthStrategy {
  const encoded = Buffer.from(`${username}:${password}`).toString("base64");
  const headers = { authorization: `Basic ${encoded}` };
  const secrets = [password, username, encoded];
  return {
    authorize: () => Promise.resolve(headers),
    rejected: () => false,
    secrets: () => secrets,
  };
}

/** An API key sent in a header of its own on every request (`X-Api-Key: <key>`). */
export function apiKeyHeader(headerName: string, key: string): AuthStrategy {
  const headers = { [headerName.toLowerCase()]: key };
  const secrets = [key];
  return {
    authorize: () => Promise.resolve(headers),
    rejected: () => false,
    secrets: () => secrets,
  };
}

export interface OAuth2ClientCredentialsOptions {
  /** Absolute URL of the token endpoint (`https://api.example.com/oauth/token`). */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Sent space-separated as `scope`; left out when empty. */
  scopes?: readonly string[] | undefined;
  /**
   * Renew once less than this fraction of the token's lifetime (`expires_in`) is left, so a token
   * never expires between being read and reaching the server.
   * @default 0.1
   */
  renewBeforeExpiry?: number | undefined;
  /** @default Date.now */
  now?: () => number;
}

/**
 * What a client-credentials token endpoint answers (RFC 6749 §5.1); other fields are ignored.
 * Built on use, not at import: nothing heavy at module scope.
 */
function tokenResponseSchema() {
  return z.object({
    access_token: z.string().min(1),
    token_type: z.string().regex(/^bearer$/i, "expected Bearer").optional(),
    expires_in: z.number().positive().optional(),
  });
}

/**
 * OAuth2 client credentials: one bearer token shared by every request of the client. Concurrent
 * callers wait for the same token request; a token without `expires_in` is kept until a 401.
 * No refresh token is used: the grant issues none, so renewing means asking again.
 */
export function oauth2ClientCredentials(options: OAuth2ClientCredentialsOptions): AuthStrategy {
  const now = options.now ?? Date.now;
  const renewBeforeExpiry = options.renewBeforeExpiry ?? 0.1;
  if (!(renewBeforeExpiry >= 0 && renewBeforeExpiry < 1)) {
    throw new RangeError(`renewBeforeExpiry must be in [0, 1), got ${renewBeforeExpiry}`);
  }
  const tokenUrl = new URL(options.tokenUrl);
  if (tokenUrl.username || tokenUrl.password) throw new Error("The token URL must not contain credentials");
  const form: Record<string, string> = {
    grant_type: "client_credentials",
    client_id: options.clientId,
    client_secret: options.clientSecret,
  };
  if (options.scopes && options.scopes.length > 0) form["scope"] = options.scopes.join(" ");

  /** The cached token and the moment to stop using it (`undefined`: until a 401). */
  let current: { headers: AuthHeaders; renewAt: number | undefined } | undefined;
  let pending: Promise<AuthHeaders> | undefined;
  /** Every token issued to this client, so that none can leak even after it was replaced. */
  const issued: string[] = [];

  async function fetchToken(requestToken: TokenRequest): Promise<AuthHeaders> {
    const requestedAt = now();
    const response = await requestToken(tokenUrl.href, form);
    const parsed = tokenResponseSchema().safeParse(response.body);
    if (!parsed.success) {
      // The body is not kept: it may hold a token the schema did not recognise.
      throw new ResponseShapeError({
        method: "POST",
        path: tokenUrl.pathname,
        endpoint: `POST ${tokenUrl.pathname}`,
        status: response.status,
        issues: parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
      });
    }
    const { access_token: token, expires_in: lifetimeSeconds } = parsed.data;
    issued.push(token);
    const headers = { authorization: `Bearer ${token}` };
    const renewAt = lifetimeSeconds === undefined ? undefined : requestedAt + lifetimeSeconds * 1_000 * (1 - renewBeforeExpiry);
    current = { headers, renewAt };
    return headers;
  }

  return {
    authorize(requestToken) {
      if (current && (current.renewAt === undefined || now() < current.renewAt)) return Promise.resolve(current.headers);
      pending ??= fetchToken(requestToken).finally(() => (pending = undefined));
      return pending;
    },
    rejected(headers) {
      // Drop the token only if it is the one refused: a parallel caller may already have renewed it.
      if (current?.headers.authorization === headers["authorization"]) current = undefined;
      return true;
    },
    secrets: () => [options.clientSecret, options.clientId, ...issued],
  };
}
