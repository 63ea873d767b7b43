/**
 * Learn Amp's settings: read once per provider process from stack config, with `LEARNAMP_*`
 * environment variables as fallbacks. The safety settings every backend shares are in `lms/config.ts`.
 *
 * | stack config                     | environment                     | meaning                                  |
 * |----------------------------------|---------------------------------|------------------------------------------|
 * | `learnamp:baseUrl`               | `LEARNAMP_BASE_URL`             | the pod's API host, as Company Settings › API shows it (`api.learnamp.com`, `api-eu2.learnamp.com`) |
 * | `learnamp:clientId`              | `LEARNAMP_CLIENT_ID`            | API key client id                        |
 * | `learnamp:clientSecret` (secret) | `LEARNAMP_CLIENT_SECRET`        | API key client secret                    |
 * | `learnamp:scopes`                | `LEARNAMP_SCOPES`               | scopes to ask for, space-separated (keys made with granular scopes need them) |
 * | `learnamp:userRemoval`           | `LEARNAMP_USER_REMOVAL`         | deactivate (default), delete or retain   |
 * | `learnamp:sendInvitations`       | `LEARNAMP_SEND_INVITATIONS`     | whether people created get Learn Amp's invitation email (default true) |
 * | `learnamp:requestsPerMinute`     | `LEARNAMP_REQUESTS_PER_MINUTE`  | the company's budget (undocumented; default 60) |
 * | `learnamp:timeoutSeconds`        | `LEARNAMP_TIMEOUT_SECONDS`      | per-request timeout (default 30)         |
 * | `learnamp:rateLimitWaitSeconds`  | `LEARNAMP_RATE_LIMIT_WAIT_SECONDS` | how long one call may wait out 429s (default 120) |
 * @module
 */
import { z } from "zod";
import { createLearnAmpClient, learnAmpOrigin, type LearnAmpClient, type LearnAmpClientOptions } from "../../client/learnamp/client.js";
import type { BackendSettings } from "../backend.js";
import {
  explainConfigProblem,
  inMilliseconds,
  parseSettings,
  requiredSetting,
  setting,
  timingFields,
  timingSettings,
  userRemovalSchema,
  type ConfigKeys,
  type ConfigSource,
} from "../config.js";

export interface LearnAmpSettings extends BackendSettings {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  sendInvitations: boolean;
  requestsPerMinute: number;
  timeoutMs: number;
  rateLimitWaitMs: number;
}

const SETTINGS = {
  baseUrl: setting("learnamp", "baseUrl"),
  clientId: setting("learnamp", "clientId"),
  clientSecret: setting("learnamp", "clientSecret"),
  scopes: setting("learnamp", "scopes"),
  userRemoval: setting("learnamp", "userRemoval"),
  sendInvitations: setting("learnamp", "sendInvitations"),
  requestsPerMinute: setting("learnamp", "requestsPerMinute"),
  ...timingSettings("learnamp"),
};

function settingsSchema() {
  return z.object({
    baseUrl: requiredSetting(SETTINGS.baseUrl).refine(isApiHost, "must be the API host Company Settings › API shows, such as api.learnamp.com"),
    clientId: requiredSetting(SETTINGS.clientId),
    clientSecret: requiredSetting(SETTINGS.clientSecret, { secret: true }),
    scopes: z.string().default("").transform((value) => value.split(/\s+/).filter((scope) => scope !== "")),
    userRemoval: userRemovalSchema(),
    sendInvitations: z.enum(["true", "false"], { error: "must be true or false" }).default("true").transform((value) => value === "true"),
    requestsPerMinute: z.coerce.number().int().positive("must be a positive whole number").default(60),
    ...timingFields(),
  });
}

function isApiHost(value: string): boolean {
  try {
    learnAmpOrigin(value);
    return true;
  } catch {
    return false;
  }
}

export const LEARNAMP_CONFIG_KEYS: ConfigKeys = {
  title: "Learn Amp",
  credentialKeys: [SETTINGS.clientId.key, SETTINGS.clientSecret.key],
  urlKey: SETTINGS.baseUrl.key,
  rateLimitWaitKey: SETTINGS.rateLimitWaitSeconds.key,
};

/** Reads and validates the settings: one error naming every bad key, never a value. */
export function readLearnAmpSettings(config: ConfigSource, env: NodeJS.ProcessEnv = process.env): LearnAmpSettings {
  const rest = inMilliseconds(parseSettings("Learn Amp", SETTINGS, settingsSchema(), config, env));
  return {
    ...rest,
    portal: `${learnAmpOrigin(rest.baseUrl)}/v1`,
    portalKey: SETTINGS.baseUrl.key,
  };
}

/** The one way settings become a wire client; callers add only what differs (a quicker retry). */
export function learnAmpClientFor(settings: LearnAmpSettings, overrides: Partial<LearnAmpClientOptions> = {}): LearnAmpClient {
  const { retry, ...rest } = overrides;
  return createLearnAmpClient({
    baseUrl: settings.baseUrl,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    scopes: settings.scopes,
    requestsPerMinute: settings.requestsPerMinute,
    timeoutMs: settings.timeoutMs,
    ...rest,
    retry: { rateLimitWaitMs: settings.rateLimitWaitMs, ...retry },
  });
}

/** A failed call the configuration caused, explained naming the `learnamp:*` key to fix. */
export function learnAmpConfigProblem(error: unknown, apiBaseUrl?: string): string | undefined {
  return explainConfigProblem(error, LEARNAMP_CONFIG_KEYS, apiBaseUrl);
}
