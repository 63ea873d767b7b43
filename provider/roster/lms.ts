/**
 * Which LMS the roster program converges: stack config `roster:lms`, LearnUpon when unset. The
 * name is also the backend's stack-config namespace (`learnupon:portalUrl`, …).
 * @module
 */
import * as pulumi from "@pulumi/pulumi";

/** The LMSes this version can manage. */
export const SUPPORTED_LMSES = ["learnupon"] as const;
export type Lms = (typeof SUPPORTED_LMSES)[number];

/** `roster:lms`, checked: an unknown name stops the preview before anything is registered. */
export function lmsFromStack(config: { get(key: string): string | undefined } = new pulumi.Config("roster")): Lms {
  const value = (config.get("lms") ?? "learnupon").trim().toLowerCase();
  if ((SUPPORTED_LMSES as readonly string[]).includes(value)) return value as Lms;
  throw new pulumi.RunError(`roster:lms must be one of ${SUPPORTED_LMSES.join(", ")}, not "${config.get("lms")}"`);
}
