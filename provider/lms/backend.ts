/**
 * What each LMS backend gives the rest of the package: its name (the `roster:lms` value and the
 * config namespace), what it can manage, and a client in the project's own terms built from the
 * stack config. Resources, the runtime, the preview's portal check and the CLI pick theirs here.
 * @module
 */
import type { FakePortalFactory } from "../fake-portal/sandbox.js";
import type { ConfigSource, UserRemovalPolicy } from "./config.js";
import type { LmsClient, ResourceKind } from "./model.js";

export type { ConfigSource } from "./config.js";

/** What an LMS can manage through its API. `check` refuses the rest at preview, saying why. */
export interface Capabilities {
  /** Resource kinds the LMS supports, each with why not when it does not. */
  resources: Record<ResourceKind, true | { unsupported: string }>;
  /** Per resource kind, input fields the LMS has no place for, with why. */
  unsupportedFields: Partial<Record<ResourceKind, Record<string, string>>>;
  /** The roles a person can have, in the LMS's own names, lowest rights first: a move down the list is a demotion. */
  userTypes: readonly string[];
  /** The role a person created without one gets. */
  defaultUserType: string;
  /** Roles never deactivated, deleted or demoted without `roster:allowAdminRemoval` (LearnUpon's admin). */
  protectedUserTypes: readonly string[];
  /** Whether the portal can hold the employee id (a custom field or an external id). */
  holdsEmployeeId: boolean;
  /**
   * Whether every user has an external id the API can look up (`users.findByExternalId`): the
   * employee id is then written there, and a person is found by it before their email.
   */
  externalId: boolean;
  /** Whether its ids are numbers (LearnUpon) rather than text: inputs that give an id are checked so. */
  numericIds: boolean;
  /**
   * Whether deactivating a person takes them out of every group (Learn Amp). Their memberships then
   * read as suspended while they are deactivated, and come back when they are re-activated. @default false
   */
  deactivationEmptiesGroups?: boolean;
}

/** What every backend's settings give the rest of the package; each backend adds its own. */
export interface BackendSettings {
  /** The portal as resources record it in state: the API base URL without credentials. */
  portal: string;
  /** The stack config key that names the portal, for messages: `learnupon:portalUrl`. */
  portalKey: string;
  /** `<lms>:userRemoval`: what removing a person does when the roster does not say. */
  userRemoval: UserRemovalPolicy;
  /** The API user's sign-in when the credential belongs to a person: protected like an admin. */
  apiUser?: string | undefined;
}

export interface LmsBackend<S extends BackendSettings = BackendSettings> {
  /** `roster:lms`, the config namespace and the type tokens' module: `pulumi-nodejs:dynamic/<name>:<Kind>`. */
  readonly name: string;
  /** As people write it: "LearnUpon". */
  readonly title: string;
  readonly capabilities: Capabilities;
  /** Reads and checks `<name>:*` stack config, `<NAME>_*` variables as fallbacks; throws one error naming every bad key, never a value. */
  readSettings(config: ConfigSource, env?: NodeJS.ProcessEnv): S;
  /** The client for these settings; `quick` gives up on an unreachable portal within a second (previews). */
  connect(settings: S, options?: { quick?: boolean }): LmsClient;
  /** A failed call the configuration caused, explained naming the stack config to fix (never a credential); else `undefined`. */
  configProblem(error: unknown, apiBaseUrl?: string): string | undefined;
  /** Its fake portal, for sandboxes, the demo and the bench; loaded only when asked (it needs msw). */
  loadFakePortal(): Promise<FakePortalFactory>;
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
  return failures;
}
