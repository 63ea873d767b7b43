/**
 * The LMS backends this package has, by `roster:lms` name, LearnUpon the default.
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import type { ConfigSource, LmsBackend } from "./backend.js";
import { learnAmp } from "./learnamp/backend.js";
import { learnifier } from "./learnifier/backend.js";
import { learnUpon } from "./learnupon/backend.js";
import { northpass } from "./northpass/backend.js";

export const BACKENDS: Readonly<Record<string, LmsBackend>> = {
  [learnUpon.name]: learnUpon,
  [learnAmp.name]: learnAmp,
  [learnifier.name]: learnifier,
  [northpass.name]: northpass,
};

/** The names `roster:lms` takes. */
export const SUPPORTED_LMSES = Object.keys(BACKENDS);

/** The backend named `name` (`roster:lms`, the CLI's `--lms`), LearnUpon when unset; throws naming the choices. */
export function backendNamed(name: string | undefined, setting = "roster:lms"): LmsBackend {
  const backend = BACKENDS[(name ?? learnUpon.name).trim().toLowerCase()];
  if (!backend) throw new Error(`${setting} must be one of ${SUPPORTED_LMSES.join(", ")}, not "${name}"`);
  return backend;
}

/** The backend stack config `roster:lms` names. */
export function backendFor(config: ConfigSource): LmsBackend {
  return backendNamed(config.get("roster:lms"));
}

/** The backend of the running Pulumi program, from its stack config. */
export function programBackend(): LmsBackend {
  return backendFor({ get: (key) => (key === "roster:lms" ? new pulumi.Config("roster").get("lms") : undefined) });
}
