/**
 * Northpass's settings: read once per provider process from stack config, with `NORTHPASS_*`
 * environment variables as fallbacks. The safety settings every backend shares are in `lms/config.ts`.
 *
 * | stack config                          | environment                              | meaning                                   |
 * |---------------------------------------|------------------------------------------|-------------------------------------------|
 * | `northpass:apiKey` (secret)           | `NORTHPASS_API_KEY`                      | the school's API key, sent as `X-Api-Key` |
 * | `northpass:baseUrl`                   | `NORTHPASS_BASE_URL`                     | the API (default https://api.northpass.com/v2) |
 * | `northpass:userRemoval`               | `NORTHPASS_USER_REMOVAL`                 | deactivate (default), delete or retain    |
 * | `northpass:unconfirmedDeactivation`   | `NORTHPASS_UNCONFIRMED_DEACTIVATION`     | fail (default), or removeFromGroups        |
 * | `northpass:requestsPerSecond`         | `NORTHPASS_REQUESTS_PER_SECOND`          | the school's limit (default 10)           |
 * | `northpass:rateLimitShare`            | `NORTHPASS_RATE_LIMIT_SHARE`             | share of it we may use (default 0.8)      |
 * | `northpass:timeoutSeconds`            | `NORTHPASS_TIMEOUT_SECONDS`              | per-request timeout (default 30)          |
 * | `northpass:rateLimitWaitSeconds`      | `NORTHPASS_RATE_LIMIT_WAIT_SECONDS`      | how long one call may wait out 429s (default 120) |
 * @module
 */
import { z } from "zod";
import { createNorthpassClient, northpassApiBaseUrl, type NorthpassClient, type NorthpassClientOptions } from "../../client/northpass/client.js";
import { NORTHPASS_DEFAULT_BASE_URL, NORTHPASS_RATE_LIMIT } from "../../client/northpass/conventions.js";
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
import { UNCONFIRMED_DEACTIVATION_POLICIES, type UnconfirmedDeactivationPolicy } from "./client.js";

export interface NorthpassSettings extends BackendSettings {
  apiKey: string;
  baseUrl: string;
  unconfirmedDeactivation: UnconfirmedDeactivationPolicy;
  requestsPerSecond: number;
  rateLimitShare: number;
  timeoutMs: number;
  rateLimitWaitMs: number;
}

const SETTINGS = {
  apiKey: setting("northpass", "apiKey"),
  baseUrl: setting("northpass", "baseUrl"),
  userRemoval: setting("northpass", "userRemoval"),
  unconfirmedDeactivation: setting("northpass", "unconfirmedDeactivation"),
  requestsPerSecond: setting("northpass", "requestsPerSecond"),
  rateLimitShare: setting("northpass", "rateLimitShare"),
  ...timingSettings("northpass"),
};

function settingsSchema() {
  return z.object({
    apiKey: requiredSetting(SETTINGS.apiKey, { secret: true }),
    baseUrl: z.url({ protocol: /^https?$/, error: `must be an http(s) URL such as ${NORTHPASS_DEFAULT_BASE_URL}` }).default(NORTHPASS_DEFAULT_BASE_URL),
    userRemoval: userRemovalSchema(),
    unconfirmedDeactivation: z
      .enum(UNCONFIRMED_DEACTIVATION_POLICIES, { error: `must be one of ${UNCONFIRMED_DEACTIVATION_POLICIES.join(", ")}` })
      .default("fail"),
    requestsPerSecond: z.coerce.number().positive("must be a positive number").default(NORTHPASS_RATE_LIMIT.perSecond),
    rateLimitShare: z.coerce.number().gt(0, "must be above 0").max(1, "must be at most 1").default(0.8),
    ...timingFields(),
  });
}

export const NORTHPASS_CONFIG_KEYS: ConfigKeys = {
  title: "Northpass",
  credentialKeys: [SETTINGS.apiKey.key],
  urlKey: SETTINGS.baseUrl.key,
  rateLimitWaitKey: SETTINGS.rateLimitWaitSeconds.key,
};

/** Reads and validates the settings; one error naming every bad key, never a value (the key may be among them). */
export function readSettings(config: ConfigSource, env: NodeJS.ProcessEnv = process.env): NorthpassSettings {
  const rest = inMilliseconds(parseSettings("Northpass", SETTINGS, settingsSchema(), config, env));
  const baseUrl = northpassApiBaseUrl(rest.baseUrl);
  return {
    ...rest,
    baseUrl,
    portal: withoutCredentials(baseUrl),
    portalKey: SETTINGS.baseUrl.key,
  };
}

/** The one way settings become a wire client; callers add only what differs (a quicker retry). */
export function clientFor(settings: NorthpassSettings, overrides: Partial<NorthpassClientOptions> = {}): NorthpassClient {
  const { retry, ...rest } = overrides;
  return createNorthpassClient({
    baseUrl: settings.baseUrl,
    apiKey: settings.apiKey,
    timeoutMs: settings.timeoutMs,
    rateLimit: { perSecond: settings.requestsPerSecond, share: settings.rateLimitShare },
    ...rest,
    retry: { rateLimitWaitMs: settings.rateLimitWaitMs, ...retry },
  });
}

/** A failed call the configuration caused, explained naming the `northpass:*` key to fix. */
export function configProblem(error: unknown, apiBaseUrl?: string): string | undefined {
  return explainConfigProblem(error, NORTHPASS_CONFIG_KEYS, apiBaseUrl);
}
