/**
 * LearnUpon's settings: read once per provider process from stack config (in the dynamic
 * provider's `configure`), with `LEARNUPON_*` environment variables as fallbacks. The safety
 * settings every backend shares are in `lms/config.ts`.
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
import { createLearnUponClient, learnUponApiBaseUrl, type LearnUponClient, type LearnUponClientOptions } from "../../client/index.js";
import type { BackendSettings } from "../backend.js";
import {
  explainConfigProblem,
  parseSettings,
  requiredSetting,
  setting,
  userRemovalSchema,
  withoutCredentials,
  type ConfigKeys,
  type ConfigSource,
  inMilliseconds,
  timingFields,
  timingSettings,
} from "../config.js";

export interface LearnUponSettings extends BackendSettings {
  portalUrl: string;
  username: string;
  password: string;
  rateLimitShare: number;
  requestsPerMinute: number;
  timeoutMs: number;
  /** How long one call may spend waiting out the portal's 429s before it fails. */
  rateLimitWaitMs: number;
}

const SETTINGS = {
  portalUrl: setting("learnupon", "portalUrl"),
  username: setting("learnupon", "username"),
  password: setting("learnupon", "password"),
  userRemoval: setting("learnupon", "userRemoval"),
  rateLimitShare: setting("learnupon", "rateLimitShare"),
  requestsPerMinute: setting("learnupon", "requestsPerMinute"),
  ...timingSettings("learnupon"),
};

function settingsSchema() {
  return z.object({
    portalUrl: requiredSetting(SETTINGS.portalUrl).pipe(
      z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://acme.learnupon.com" }),
    ),
    username: requiredSetting(SETTINGS.username),
    password: requiredSetting(SETTINGS.password, { secret: true }),
    userRemoval: userRemovalSchema(),
    rateLimitShare: z.coerce.number().gt(0, "must be above 0").max(1, "must be at most 1").default(0.8),
    requestsPerMinute: z.coerce.number().int().positive("must be a positive whole number").default(300),
    ...timingFields(),
  });
}

export const LEARNUPON_CONFIG_KEYS: ConfigKeys = {
  title: "LearnUpon",
  credentialKeys: [SETTINGS.username.key, SETTINGS.password.key],
  urlKey: SETTINGS.portalUrl.key,
  rateLimitWaitKey: SETTINGS.rateLimitWaitSeconds.key,
};

/**
 * Reads and validates the settings. Throws one error listing every problem by config key, and never
 * echoes a value back (the password may be among them).
 */
export function readSettings(config: ConfigSource, env: NodeJS.ProcessEnv = process.env): LearnUponSettings {
  const rest = inMilliseconds(parseSettings("LearnUpon", SETTINGS, settingsSchema(), config, env));
  return {
    ...rest,
    portal: portalOf(rest),
    portalKey: SETTINGS.portalUrl.key,
    apiUser: rest.username,
  };
}

/**
 * The one way settings become a client: the provider's runtime, the preview's portal check, `dump`
 * and the tests all build theirs here, each adding only what differs (a quicker retry, a test clock).
 * @internal
 */
export function clientFor(settings: LearnUponSettings, overrides: Partial<LearnUponClientOptions> = {}): LearnUponClient {
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
export function portalOf(settings: { portalUrl: string }): string {
  return withoutCredentials(learnUponApiBaseUrl(settings.portalUrl));
}

/** A failed call the configuration caused, explained naming the `learnupon:*` key to fix. */
export function configProblem(error: unknown, apiBaseUrl?: string): string | undefined {
  return explainConfigProblem(error, LEARNUPON_CONFIG_KEYS, apiBaseUrl);
}
