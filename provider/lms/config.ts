/**
 * What every backend's settings share: the settings-table reader (stack config `<lms>:<key>`, an
 * environment variable as fallback, one error naming every bad key), the removal policies, the
 * safety settings, and the explanation of a failure that the configuration caused.
 *
 * The safety settings are the same for every backend; the provider enforces them on every path,
 * `pulumi destroy` included (it does not run the program, so the program's removal guard cannot):
 *
 * | stack config               | environment                  | meaning                                   |
 * |----------------------------|------------------------------|-------------------------------------------|
 * | `<lms>:ownerField`         | `<LMS>_OWNER_FIELD`          | label of a custom user field that records the owning stack |
 * | `<lms>:employeeIdField`    | `<LMS>_EMPLOYEE_ID_FIELD`    | label of a custom user field that holds the employee id (LMSes without an external id) |
 * | `<lms>:movePortal`         | `<LMS>_MOVE_PORTAL`          | true for the run that moves the stack to another portal |
 * | `roster:allowAdminRemoval` | `ROSTER_ALLOW_ADMIN_REMOVAL` | let a run deactivate, delete or demote an admin or the API user |
 * | `roster:allowTakeover`     | `ROSTER_ALLOW_TAKEOVER`      | let this stack adopt people another stack owns |
 * | `roster:maxRemovals`       | `ROSTER_MAX_REMOVALS`        | the most people one run may deactivate or delete (count or %) |
 * | `roster:approveRemovals`   | `ROSTER_APPROVE_REMOVALS`    | the exact number of removals one change was approved for |
 *
 * `pulumi destroy` and `pulumi refresh` configure the provider with the stack config of the last
 * update, not the current one: for them, give these by environment.
 * @module
 */
import { z } from "zod";
import { ApiError, AuthError, NetworkError, RateLimitError, ResponseShapeError } from "../client/errors.js";

export const USER_REMOVAL_POLICIES = ["deactivate", "delete", "retain"] as const;
export type UserRemovalPolicy = (typeof USER_REMOVAL_POLICIES)[number];

/** A source of stack config values (`learnupon:portalUrl`, …), as the provider's `configure` receives it. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

/** Each setting's stack config key and environment variable. */
export type SettingsTable = Record<string, { key: string; env: string | undefined }>;

/** The stack config key of `name` in the backend's namespace, and its environment variable: `learnamp:baseUrl`, `LEARNAMP_BASE_URL`. */
export function setting(namespace: string, name: string): { key: string; env: string } {
  return { key: `${namespace}:${name}`, env: `${namespace}_${name.replace(/[A-Z]/g, (letter) => `_${letter}`)}`.toUpperCase() };
}

/** A required text setting, whose error says how to set it. @internal */
export function requiredSetting(entry: { key: string; env: string | undefined }, options: { secret?: boolean } = {}) {
  const how = `set it with \`pulumi config set ${entry.key}${options.secret ? " --secret" : ""} …\`${entry.env ? ` or the ${entry.env} environment variable` : ""}`;
  return z.string({ error: `missing: ${how}` }).min(1, "is empty");
}

/** The per-request timeout and the wait for 429s every backend has, in its namespace. */
export function timingSettings(namespace: string) {
  return { timeoutSeconds: setting(namespace, "timeoutSeconds"), rateLimitWaitSeconds: setting(namespace, "rateLimitWaitSeconds") };
}

/** Their schema fields. @internal */
export function timingFields() {
  return {
    timeoutSeconds: z.coerce.number().positive("must be a positive number of seconds").default(30),
    // Two minute windows: a storm that would have passed a minute later never fails a run.
    rateLimitWaitSeconds: z.coerce.number().min(0, "must be 0 or more seconds").default(120),
  };
}

/** The parsed settings with the timings in milliseconds, as the clients take them. */
export function inMilliseconds<T extends { timeoutSeconds: number; rateLimitWaitSeconds: number }>(
  parsed: T,
): Omit<T, "timeoutSeconds" | "rateLimitWaitSeconds"> & { timeoutMs: number; rateLimitWaitMs: number } {
  const { timeoutSeconds, rateLimitWaitSeconds, ...rest } = parsed;
  return { ...rest, timeoutMs: timeoutSeconds * 1000, rateLimitWaitMs: rateLimitWaitSeconds * 1000 };
}

/** @internal */
export function userRemovalSchema() {
  return z.enum(USER_REMOVAL_POLICIES, { error: `must be one of ${USER_REMOVAL_POLICIES.join(", ")}` }).default("deactivate");
}

/**
 * Reads the table's settings and validates them with `schema`. Throws one error listing every
 * problem by config key, and never echoes a value back (a secret may be among them). @internal
 */
export function parseSettings<T>(title: string, table: SettingsTable, schema: z.ZodType<T>, config: ConfigSource, env: NodeJS.ProcessEnv): T {
  const raw = Object.fromEntries(
    Object.entries(table).map(([name, { key, env: envName }]) => [name, config.get(key) ?? (envName ? env[envName] : undefined)]),
  );
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${table[name]?.key ?? name} ${issue.message}`;
    });
    throw new Error(`${title} provider configuration is invalid:\n  - ${problems.join("\n  - ")}`);
  }
  return parsed.data;
}

export interface SafetySettings {
  /** Label of the custom user field that holds the owning stack's name; unset: no ownership marker. */
  ownerField?: string | undefined;
  /** Label of the custom user field that holds the employee id, for LMSes with custom fields but no external id. */
  employeeIdField?: string | undefined;
  movePortal: boolean;
  allowAdminRemoval: boolean;
  allowTakeover: boolean;
  /** `roster:maxRemovals` as given: a count such as "40" or a percentage such as "35%". */
  maxRemovals?: string | undefined;
  /** `roster:approveRemovals`: how many removals one change was approved for. */
  approveRemovals?: number | undefined;
}

/** Stack config booleans arrive as the strings "true"/"false". */
const flag = () => z.enum(["true", "false"], { error: "must be true or false" }).default("false").transform((value) => value === "true");

function safetySchema() {
  return z.object({
    ownerField: z.string().trim().min(1, "is empty").optional(),
    employeeIdField: z.string().trim().min(1, "is empty").optional(),
    movePortal: flag(),
    allowAdminRemoval: flag(),
    allowTakeover: flag(),
    maxRemovals: z.string().regex(/^\s*\d+(\.\d+)?%?\s*$/, "must be a count such as 40 or a percentage such as 35%").optional(),
    approveRemovals: z.coerce.number().int("must be a whole number").nonnegative("must be 0 or more").optional(),
  });
}

/** The safety settings of the backend named `namespace`, read and checked like its own. */
export function readSafetySettings(namespace: string, title: string, config: ConfigSource, env: NodeJS.ProcessEnv = process.env): SafetySettings {
  const table: SettingsTable = {
    ownerField: setting(namespace, "ownerField"),
    employeeIdField: setting(namespace, "employeeIdField"),
    movePortal: setting(namespace, "movePortal"),
    allowAdminRemoval: setting("roster", "allowAdminRemoval"),
    allowTakeover: setting("roster", "allowTakeover"),
    maxRemovals: setting("roster", "maxRemovals"),
    approveRemovals: setting("roster", "approveRemovals"),
  };
  return parseSettings(title, table, safetySchema(), config, env);
}

/** The stack config keys a backend's failures point at. */
export interface ConfigKeys {
  /** As people write the LMS: "LearnUpon". */
  title: string;
  /** The keys holding the credentials, e.g. `learnupon:username` and `learnupon:password`. */
  credentialKeys: readonly string[];
  /** The key naming the portal, e.g. `learnupon:portalUrl`. */
  urlKey: string;
  /** The key of how long one call may wait out 429s, when the backend has one. */
  rateLimitWaitKey?: string | undefined;
}

/** Socket errors that mean the portal URL points nowhere, as opposed to a connection that broke. */
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * When a failed call was the configuration's fault, says so and names the stack config to fix:
 * rejected credentials; a portal URL that reaches nothing, speaks https to a plain-http server or
 * answers with a web page rather than the API; or a rate-limit storm longer than the wait allowed.
 * `undefined` for any other failure. Never includes a credential: only the API base URL and the route.
 */
export function explainConfigProblem(error: unknown, keys: ConfigKeys, apiBaseUrl?: string): string | undefined {
  const { title, urlKey } = keys;
  const portal = apiBaseUrl ? ` at ${apiBaseUrl}` : "";
  if (error instanceof AuthError) {
    return `${title} rejected the API credentials (HTTP ${error.status}): check ${keys.credentialKeys.join(" and ")}`;
  }
  if (error instanceof NetworkError) {
    const tls = error.tlsFailure;
    if (tls === "ERR_SSL_WRONG_VERSION_NUMBER" || tls === "EPROTO" || tls === "TLS") {
      return `TLS handshake with the ${title} portal${portal} failed (is it http, not https?): check ${urlKey}`;
    }
    if (tls !== undefined) return `TLS with the ${title} portal${portal} failed (${tls}): check ${urlKey}`;
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    if (typeof code === "string" && UNREACHABLE_CODES.has(code)) {
      return `cannot reach the ${title} portal${portal} (${code}): check ${urlKey}`;
    }
  }
  if (answeredWithWebPage(error)) {
    const route = `${error.method} ${error.path.split("?")[0]}`;
    return `the portal${portal} answered ${route} with an HTML page, not ${title}'s JSON API: check ${urlKey}`;
  }
  if (error instanceof RateLimitError) {
    const wait = keys.rateLimitWaitKey ? `${keys.rateLimitWaitKey} allows: run again later, or raise it` : "the client waits: run again later";
    return `the ${title} portal${portal} kept refusing requests as over its rate limit (HTTP 429) for longer than ${wait}`;
  }
  return undefined;
}

/** A web page where JSON was expected: a 2xx served as text/html, or an error status whose body is HTML. */
function answeredWithWebPage(error: unknown): error is ApiError {
  if (error instanceof ResponseShapeError) return /text\/html/i.test(error.contentType ?? "");
  return error instanceof ApiError && typeof error.body === "string" && /^\s*<(!doctype\s+html|html)\b/i.test(error.body);
}

/** The URL as resources record their portal: no credentials in it. */
export function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = "";
  parsed.password = "";
  return parsed.toString();
}
