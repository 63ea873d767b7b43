/**
 * Which LMS the roster program converges: stack config `roster:lms`, LearnUpon when unset. The
 * name is also the backend's stack-config namespace (`learnupon:portalUrl`, …).
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import { backendFor } from "../lms/backends.js";

export { SUPPORTED_LMSES } from "../lms/backends.js";

/** `roster:lms`, checked: an unknown name stops the preview before anything is registered. */
export function lmsFromStack(config: { get(key: string): string | undefined } = new pulumi.Config("roster")): string {
  try {
    return backendFor({ get: (key) => (key === "roster:lms" ? config.get("lms") : undefined) }).name;
  } catch (error) {
    throw new pulumi.RunError((error as Error).message);
  }
}
