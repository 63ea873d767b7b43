/**
 * The LMS backends this package has, by `roster:lms` name, LearnUpon the default.
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import type { ConfigSource, LmsBackend } from "./backend.js";
import { learnUpon } from "./learnupon/backend.js";

export const BACKENDS: Readonly<Record<string, LmsBackend>> = { [learnUpon.name]: learnUpon };

/** The names `roster:lms` takes. */
export const SUPPORTED_LMSES = Object.keys(BACKENDS);

/** The backend stack config `roster:lms` names; throws naming the setting and the choices. */
export function backendFor(config: ConfigSource): LmsBackend {
  const given = config.get("roster:lms");
  const backend = BACKENDS[(given ?? learnUpon.name).trim().toLowerCase()];
  if (!backend) throw new Error(`roster:lms must be one of ${SUPPORTED_LMSES.join(", ")}, not "${given}"`);
  return backend;
}

/** The backend of the running Pulumi program, from its stack config. */
export function programBackend(): LmsBackend {
  return backendFor({ get: (key) => (key === "roster:lms" ? new pulumi.Config("roster").get("lms") : undefined) });
}
