/**
 * Learnifier's settings: read once per provider process from stack config, with `LEARNIFIER_*`
 * environment variables as fallbacks. The safety settings every backend shares are in `lms/config.ts`.
 *
 * | stack config                     | environment                      | meaning                                   |
 * |----------------------------------|----------------------------------|-------------------------------------------|
 * | `learnifier:baseUrl`             | `LEARNIFIER_BASE_URL`            | the instance's API base URL, whole        |
 * | `learnifier:keyId`               | `LEARNIFIER_KEY_ID`              | a Back Office API key                     |
 * | `learnifier:keySecret` (secret)  | `LEARNIFIER_KEY_SECRET`          | its secret                                |
 * | `learnifier:orgUnit`             | `LEARNIFIER_ORG_UNIT`            | the organization unit of the groups and projects: id, external id or name |
 * | `learnifier:userRemoval`         | `LEARNIFIER_USER_REMOVAL`        | deactivate (hardLock, the default), delete or retain |
 * | `learnifier:autoClearEmail`      | `LEARNIFIER_AUTO_CLEAR_EMAIL`    | true: an email change takes the address from whoever has it (default false) |
 * | `learnifier:requestsPerSecond`   | `LEARNIFIER_REQUESTS_PER_SECOND` | our pace (default 5; Learnifier publishes no limit) |
 * | `learnifier:timeoutSeconds`      | `LEARNIFIER_TIMEOUT_SECONDS`     | per-request timeout (default 30)          |
 * | `learnifier:rateLimitWaitSeconds`| `LEARNIFIER_RATE_LIMIT_WAIT_SECONDS` | how long one call may wait out 429s (default 120) |
 * @module
 */
import { z } from "zod";
import { createLearnifierClient, learnifierApiBaseUrl, type LearnifierClient, type LearnifierClientOptions } from "../../client/learnifier/client.js";
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
  withoutCredentials,
  type ConfigKeys,
  type ConfigSource,
} from "../config.js";

export interface LearnifierSettings extends BackendSettings {
  baseUrl: string;
  keyId: string;
  keySecret: string;
  orgUnit: string;
  autoClearEmail: boolean;
  requestsPerSecond: number;
  timeoutMs: number;
  rateLimitWaitMs: number;
}

const SETTINGS = {
  baseUrl: setting("learnifier", "baseUrl"),
  keyId: setting("learnifier", "keyId"),
  keySecret: setting("learnifier", "keySecret"),
  orgUnit: setting("learnifier", "orgUnit"),
  userRemoval: setting("learnifier", "userRemoval"),
  autoClearEmail: setting("learnifier", "autoClearEmail"),
  requestsPerSecond: setting("learnifier", "requestsPerSecond"),
  ...timingSettings("learnifier"),
};

function settingsSchema() {
  return z.object({
    baseUrl: requiredSetting(SETTINGS.baseUrl).pipe(z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://acme.learnifier.com" })),
    keyId: requiredSetting(SETTINGS.keyId),
    keySecret: requiredSetting(SETTINGS.keySecret, { secret: true }),
    orgUnit: requiredSetting(SETTINGS.orgUnit).pipe(z.string().trim().min(1, "is empty")),
    userRemoval: userRemovalSchema(),
    autoClearEmail: z.enum(["true", "false"], { error: "must be true or false" }).default("false").transform((value) => value === "true"),
    requestsPerSecond: z.coerce.number().positive("must be a positive number").default(5),
    ...timingFields(),
  });
}

export const LEARNIFIER_CONFIG_KEYS: ConfigKeys = {
  title: "Learnifier",
  credentialKeys: [SETTINGS.keyId.key, SETTINGS.keySecret.key],
  urlKey: SETTINGS.baseUrl.key,
  rateLimitWaitKey: SETTINGS.rateLimitWaitSeconds.key,
};

/** Reads and validates the settings: one error naming every bad key, never a value. */
export function readSettings(config: ConfigSource, env: NodeJS.ProcessEnv = process.env): LearnifierSettings {
  const rest = inMilliseconds(parseSettings("Learnifier", SETTINGS, settingsSchema(), config, env));
  return {
    ...rest,
    portal: withoutCredentials(learnifierApiBaseUrl(rest.baseUrl)),
    portalKey: SETTINGS.baseUrl.key,
  };
}

/** The one way settings become a wire client; callers add only what differs (a quicker retry). @internal */
export function clientFor(settings: LearnifierSettings, overrides: Partial<LearnifierClientOptions> = {}): LearnifierClient {
  const { retry, ...rest } = overrides;
  return createLearnifierClient({
    baseUrl: settings.baseUrl,
    keyId: settings.keyId,
    keySecret: settings.keySecret,
    timeoutMs: settings.timeoutMs,
    requestsPerSecond: settings.requestsPerSecond,
    ...rest,
    retry: { rateLimitWaitMs: settings.rateLimitWaitMs, ...retry },
  });
}

/** A failed call the configuration caused, explained naming the `learnifier:*` key to fix. */
export function configProblem(error: unknown, apiBaseUrl?: string): string | undefined {
  return explainConfigProblem(error, LEARNIFIER_CONFIG_KEYS, apiBaseUrl);
}
