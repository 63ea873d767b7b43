/**
 * What each LMS backend gives the rest of the package: its name (the `roster:lms` value and the
 * config namespace), what it can manage, and a client in the project's own terms built from the
 * stack config. Resources, the runtime, the preview's portal check and the CLI pick theirs here.
 * @module
 */
import type { LmsClient, ResourceKind } from "./model.js";

/** What an LMS can manage through its API. `check` refuses the rest at preview, saying why. */
export interface Capabilities {
  /** Resource kinds the LMS supports, each with why not when it does not. */
  resources: Record<ResourceKind, true | { unsupported: string }>;
  /** Per resource kind, input fields the LMS has no place for, with why. */
  unsupportedFields: Partial<Record<ResourceKind, Record<string, string>>>;
  /** The roles a person can have, in the LMS's own names. */
  userTypes: readonly string[];
  /** Whether the portal can hold the employee id (a custom field or an external id). */
  holdsEmployeeId: boolean;
}

/** A source of stack config values (`learnupon:portalUrl`, …), as the provider's `configure` receives it. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

export interface LmsBackend {
  /** `roster:lms`, the config namespace and the type tokens' module: `pulumi-nodejs:dynamic/<name>:<Kind>`. */
  readonly name: string;
  /** As people write it: "LearnUpon". */
  readonly title: string;
  readonly capabilities: Capabilities;
  /** Reads and checks the backend's settings; throws one error naming every bad key, never a value. */
  checkSettings(config: ConfigSource, env?: NodeJS.ProcessEnv): void;
  /** The client for these settings; `quick` gives up on an unreachable portal within a second (previews). */
  connect(config: ConfigSource, options?: { quick?: boolean; env?: NodeJS.ProcessEnv }): LmsClient;
}

/**
 * The check failures of inputs an LMS cannot take: one per unsupported resource or field, naming
 * the resource, the field, the LMS and why.
 */
export function capabilityFailures(
  backend: Pick<LmsBackend, "title" | "capabilities">,
  kind: ResourceKind,
  name: string | undefined,
  inputs: Record<string, unknown>,
): Array<{ property: string; reason: string }> {
  const subject = name ? `${kind} ${name}` : kind;
  const support = backend.capabilities.resources[kind];
  if (support !== true) return [{ property: "(inputs)", reason: `${subject}: ${backend.title} has no ${kind}: ${support.unsupported}` }];
  const fields = backend.capabilities.unsupportedFields[kind] ?? {};
  const failures = Object.entries(fields)
    .filter(([field]) => inputs[field] !== undefined)
    .map(([field, why]) => ({ property: field, reason: `${subject}: ${field} is not supported by ${backend.title}: ${why}` }));
  const userType = inputs["userType"];
  if (kind === "User" && typeof userType === "string" && !backend.capabilities.userTypes.includes(userType)) {
    failures.push({
      property: "userType",
      reason: `${subject}: userType ${userType} is not a ${backend.title} role; it has ${backend.capabilities.userTypes.join(", ")}`,
    });
  }
  return failures;
}
