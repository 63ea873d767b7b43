/**
 * Provider settings: read once per provider process from stack config (in the dynamic provider's
 * `configure`), with `LEARNUPON_*` environment variables as fallbacks.
 *
 * | stack config                  | environment                 | meaning                                   |
 * |-------------------------------|-----------------------------|-------------------------------------------|
 * | `learnupon:portalUrl`         | `LEARNUPON_PORTAL_URL`      | portal root, e.g. https://acme.learnupon.com |
 * | `learnupon:username`          | `LEARNUPON_USERNAME`        | API key username                          |
 * | `learnupon:password` (secret) | `LEARNUPON_PASSWORD`        | API key password                          |
 * | `learnupon:userRemoval`       | `LEARNUPON_USER_REMOVAL`    | deactivate (default), delete or retain     |
 * | `learnupon:rateLimitShare`    | `LEARNUPON_RATE_LIMIT_SHARE`| share of 300 requests/minute we may use (default 0.8) |
 * | `learnupon:requestsPerMinute` | `LEARNUPON_REQUESTS_PER_MINUTE` | the portal's limit (default 300)      |
 * | `learnupon:timeoutSeconds`    | `LEARNUPON_TIMEOUT_SECONDS` | per-request timeout (default 30)          |
 * | `learnupon:rateLimitWaitSeconds` | `LEARNUPON_RATE_LIMIT_WAIT_SECONDS` | how long one call may wait out 429s (default 120) |
 * @module
 */
import { z } from "zod";
import { ApiError, AuthError, NetworkError, RateLimitError, ResponseShapeError } from "./client/index.js";

export const USER_REMOVAL_POLICIES = ["deactivate", "delete", "retain"] as const;
export type UserRemovalPolicy = (typeof USER_REMOVAL_POLICIES)[number];

export interface ProviderSettings {
  portalUrl: string;
  username: string;
  password: string;
  userRemoval: UserRemovalPolicy;
  rateLimitShare: number;
  requestsPerMinute: number;
  timeoutMs: number;
  /** How long one call may spend waiting out the portal's 429s before it fails. */
  rateLimitWaitMs: number;
}

/** The subset of Pulumi's dynamic `Config` we use, so tests can pass a plain object. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

const SETTINGS = {
  portalUrl: { key: "learnupon:portalUrl", env: "LEARNUPON_PORTAL_URL" },
  username: { key: "learnupon:username", env: "LEARNUPON_USERNAME" },
  password: { key: "learnupon:password", env: "LEARNUPON_PASSWORD" },
  userRemoval: { key: "learnupon:userRemoval", env: "LEARNUPON_USER_REMOVAL" },
  rateLimitShare: { key: "learnupon:rateLimitShare", env: "LEARNUPON_RATE_LIMIT_SHARE" },
  requestsPerMinute: { key: "learnupon:requestsPerMinute", env: "LEARNUPON_REQUESTS_PER_MINUTE" },
  timeoutSeconds: { key: "learnupon:timeoutSeconds", env: "LEARNUPON_TIMEOUT_SECONDS" },
  rateLimitWaitSeconds: { key: "learnupon:rateLimitWaitSeconds", env: "LEARNUPON_RATE_LIMIT_WAIT_SECONDS" },
} as const;

function settingsSchema() {
  const required = (name: keyof typeof SETTINGS) =>
    z.string({
      error: `missing: set it with \`pulumi config set ${SETTINGS[name].key}${name === "password" ? " --secret" : ""} …\` or the ${SETTINGS[name].env} environment variable`,
    }).min(1, `is empty`);
  return z.object({
    portalUrl: required("portalUrl").pipe(
      z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://acme.learnupon.com" }),
    ),
    username: required("username"),
    password: required("password"),
    userRemoval: z.enum(USER_REMOVAL_POLICIES, { error: "must be one of deactivate, delete, retain" }).default("deactivate"),
    rateLimitShare: z.coerce.number().gt(0, "must be above 0").max(1, "must be at most 1").default(0.8),
    requestsPerMinute: z.coerce.number().int().positive("must be a positive whole number").default(300),
    timeoutSeconds: z.coerce.number().positive("must be a positive number of seconds").default(30),
    // Two of LearnUpon's minute windows: a storm that would have passed a minute later never fails a run.
    rateLimitWaitSeconds: z.coerce.number().min(0, "must be 0 or more seconds").default(120),
  });
}

/**
 * Reads and validates the settings. Throws one error listing every problem by config key, and never
 * echoes a value back (the password may be among them).
 */
export function readSettings(config: ConfigSource, env: NodeJS.ProcessEnv = process.env): ProviderSettings {
  const raw = Object.fromEntries(
    Object.entries(SETTINGS).map(([name, { key, env: envName }]) => [name, config.get(key) ?? env[envName]]),
  );
  const parsed = settingsSchema().safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]) as keyof typeof SETTINGS;
      return `${SETTINGS[name]?.key ?? name} ${issue.message}`;
    });
    throw new Error(`LearnUpon provider configuration is invalid:\n  - ${problems.join("\n  - ")}`);
  }
  const { timeoutSeconds, rateLimitWaitSeconds, ...rest } = parsed.data;
  return { ...rest, timeoutMs: timeoutSeconds * 1000, rateLimitWaitMs: rateLimitWaitSeconds * 1000 };
}

/** Socket errors that mean the portal URL points nowhere, as opposed to a connection that broke. */
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * When a failed call was the configuration's fault, says so and names the stack config to fix:
 * rejected credentials; a portal URL that reaches nothing, speaks https to a plain-http server or
 * answers with a web page rather than the API; or a rate-limit storm longer than the wait allowed.
 * `undefined` for any other failure. Never includes a credential: only the API base URL and the route.
 */
export function configProblem(error: unknown, apiBaseUrl?: string): string | undefined {
  const portal = apiBaseUrl ? ` at ${apiBaseUrl}` : "";
  if (error instanceof AuthError) {
    return `LearnUpon rejected the API credentials (HTTP ${error.status}): check ${SETTINGS.username.key} and ${SETTINGS.password.key}`;
  }
  if (error instanceof NetworkError) {
    const tls = error.tlsFailure;
    if (tls === "ERR_SSL_WRONG_VERSION_NUMBER" || tls === "EPROTO" || tls === "TLS") {
      return `TLS handshake with the LearnUpon portal${portal} failed (is it http, not https?): check ${SETTINGS.portalUrl.key}`;
    }
    if (tls !== undefined) return `TLS with the LearnUpon portal${portal} failed (${tls}): check ${SETTINGS.portalUrl.key}`;
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    if (typeof code === "string" && UNREACHABLE_CODES.has(code)) {
      return `cannot reach the LearnUpon portal${portal} (${code}): check ${SETTINGS.portalUrl.key}`;
    }
  }
  if (answeredWithWebPage(error)) {
    const route = `${error.method} ${error.path.split("?")[0]}`;
    return `the portal${portal} answered ${route} with an HTML page, not LearnUpon's JSON API: check ${SETTINGS.portalUrl.key}`;
  }
  if (error instanceof RateLimitError) {
    return (
      `the LearnUpon portal${portal} kept refusing requests as over its rate limit (HTTP 429) for longer than ` +
      `${SETTINGS.rateLimitWaitSeconds.key} allows: run again later, or raise it`
    );
  }
  return undefined;
}

/** A web page where JSON was expected: a 2xx served as text/html, or an error status whose body is HTML. */
function answeredWithWebPage(error: unknown): error is ApiError {
  if (error instanceof ResponseShapeError) return /text\/html/i.test(error.contentType ?? "");
  return error instanceof ApiError && typeof error.body === "string" && /^\s*<(!doctype\s+html|html)\b/i.test(error.body);
}
