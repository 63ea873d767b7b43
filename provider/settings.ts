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
 *
 * And the safety settings, which the provider enforces on every path, `pulumi destroy` included
 * (it does not run the program, so the program's removal guard cannot):
 *
 * | stack config                  | environment                 | meaning                                   |
 * |-------------------------------|-----------------------------|-------------------------------------------|
 * | `learnupon:ownerField`        | `LEARNUPON_OWNER_FIELD`     | label of a custom user field that records the owning stack |
 * | `learnupon:movePortal`        | `LEARNUPON_MOVE_PORTAL`     | true for the run that moves the stack to another portal |
 * | `roster:allowAdminRemoval`    | `ROSTER_ALLOW_ADMIN_REMOVAL`| let a run deactivate, delete or demote an admin or the API user |
 * | `roster:allowTakeover`        | `ROSTER_ALLOW_TAKEOVER`     | let this stack adopt people another stack owns |
 * | `roster:maxRemovals`          | `ROSTER_MAX_REMOVALS`       | the most people one run may deactivate or delete (count or %) |
 * | `roster:approveRemovals`      | `ROSTER_APPROVE_REMOVALS`   | the exact number of removals one change was approved for |
 *
 * `pulumi destroy` and `pulumi refresh` configure the provider with the stack config of the last
 * update, not the current one: for them, give these by environment.
 * @module
 */
import { z } from "zod";
import {
  ApiError,
  AuthError,
  createLearnUponClient,
  learnUponApiBaseUrl,
  NetworkError,
  RateLimitError,
  ResponseShapeError,
  type LearnUponClient,
  type LearnUponClientOptions,
} from "./client/index.js";

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

export interface SafetySettings {
  /** Label of the custom user field that holds the owning stack's name; unset: no ownership marker. */
  ownerField?: string | undefined;
  movePortal: boolean;
  allowAdminRemoval: boolean;
  allowTakeover: boolean;
  /** `roster:maxRemovals` as given: a count such as "40" or a percentage such as "35%". */
  maxRemovals?: string | undefined;
  /** `roster:approveRemovals`: how many removals one change was approved for. */
  approveRemovals?: number | undefined;
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

const SAFETY_SETTINGS = {
  ownerField: { key: "learnupon:ownerField", env: "LEARNUPON_OWNER_FIELD" },
  movePortal: { key: "learnupon:movePortal", env: "LEARNUPON_MOVE_PORTAL" },
  allowAdminRemoval: { key: "roster:allowAdminRemoval", env: "ROSTER_ALLOW_ADMIN_REMOVAL" },
  allowTakeover: { key: "roster:allowTakeover", env: "ROSTER_ALLOW_TAKEOVER" },
  maxRemovals: { key: "roster:maxRemovals", env: "ROSTER_MAX_REMOVALS" },
  approveRemovals: { key: "roster:approveRemovals", env: "ROSTER_APPROVE_REMOVALS" },
} as const;

/** Stack config booleans arrive as the strings "true"/"false". */
const flag = () => z.enum(["true", "false"], { error: "must be true or false" }).default("false").transform((value) => value === "true");

function safetySchema() {
  return z.object({
    ownerField: z.string().trim().min(1, "is empty").optional(),
    movePortal: flag(),
    allowAdminRemoval: flag(),
    allowTakeover: flag(),
    maxRemovals: z.string().regex(/^\s*\d+(\.\d+)?%?\s*$/, "must be a count such as 40 or a percentage such as 35%").optional(),
    approveRemovals: z.coerce.number().int("must be a whole number").nonnegative("must be 0 or more").optional(),
  });
}

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
  const { timeoutSeconds, rateLimitWaitSeconds, ...rest } = parseTable(SETTINGS, settingsSchema(), config, env);
  return { ...rest, timeoutMs: timeoutSeconds * 1000, rateLimitWaitMs: rateLimitWaitSeconds * 1000 };
}

/** Reads and validates the safety settings, the same way. */
export function readSafetySettings(config: ConfigSource, env: NodeJS.ProcessEnv = process.env): SafetySettings {
  return parseTable(SAFETY_SETTINGS, safetySchema(), config, env);
}

type SettingsTable = Record<string, { key: string; env: string | undefined }>;

function parseTable<T>(table: SettingsTable, schema: z.ZodType<T>, config: ConfigSource, env: NodeJS.ProcessEnv): T {
  const raw = Object.fromEntries(
    Object.entries(table).map(([name, { key, env: envName }]) => [name, config.get(key) ?? (envName ? env[envName] : undefined)]),
  );
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${table[name]?.key ?? name} ${issue.message}`;
    });
    throw new Error(`LearnUpon provider configuration is invalid:\n  - ${problems.join("\n  - ")}`);
  }
  return parsed.data;
}

/**
 * The one way settings become a client: the provider's runtime, the preview's portal check, `dump`
 * and the tests all build theirs here, each adding only what differs (a quicker retry, a test clock).
 * @internal
 */
export function clientFor(settings: ProviderSettings, overrides: Partial<LearnUponClientOptions> = {}): LearnUponClient {
  const { retry, ...rest } = overrides;
  return createLearnUponClient({
    portalUrl: settings.portalUrl,
    username: settings.username,
    password: settings.password,
    timeoutMs: settings.timeoutMs,
    rateLimit: { share: settings.rateLimitShare, perMinute: settings.requestsPerMinute },
    ...rest,
    retry: { rateLimitWaitMs: settings.rateLimitWaitMs, ...retry },
  });
}

/**
 * The portal a resource belongs to, as recorded in its state: the API base URL without any
 * credentials, so a stack pointed at another portal can tell that it is.
 */
export function portalOf(settings: Pick<ProviderSettings, "portalUrl">): string {
  const url = new URL(learnUponApiBaseUrl(settings.portalUrl));
  url.username = "";
  url.password = "";
  return url.toString();
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
