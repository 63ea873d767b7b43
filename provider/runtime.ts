/**
 * The provider-process side of the resources: what the provider module stored with each resource calls.
 *
 * `provider(kind)` is this package's stable entry point: the provider module stored in every
 * resource's state calls it by name (see `providerModule`), so its signature must stay backward
 * compatible; so must `configure` and `dispatch`, which state written by earlier versions calls.
 * Everything behind them (client, rate limiter, snapshot) is built lazily, once per provider
 * process, and shared by every resource of the run.
 * @module
 */
import type * as pulumi from "@pulumi/pulumi";
import { capabilityFailures, type BackendSettings, type LmsBackend } from "./lms/backend.js";
import { backendFor } from "./lms/backends.js";
import { readSafetySettings, type ConfigSource, type SafetySettings } from "./lms/config.js";
import type { LmsClient } from "./lms/model.js";
import { enrollmentLifecycle } from "./resources/enrollment.js";
import { groupMembershipLifecycle } from "./resources/group-membership.js";
import { PartialCreateError, type CheckedLms, type ResourceKind } from "./resources/lifecycle.js";
import { userLifecycle } from "./resources/user.js";
import { RemovalBreaker, SafetyError } from "./resources/safety.js";
import { PortalSnapshot } from "./snapshot.js";

/** What a resource's lifecycle functions get besides the engine's arguments. */
export interface ProviderContext {
  /** The configured LMS: its name, title and capabilities. */
  readonly backend: LmsBackend;
  readonly settings: BackendSettings;
  readonly safety: SafetySettings;
  /** The LMS, in the project's own terms. */
  readonly lms: LmsClient;
  readonly snapshot: PortalSnapshot;
  readonly breaker: RemovalBreaker;
}

export interface Lifecycle {
  check(olds: unknown, news: unknown, lms: CheckedLms): Promise<unknown>;
  diff(id: string, olds: unknown, news: unknown): Promise<unknown>;
  create(context: ProviderContext, inputs: unknown): Promise<unknown>;
  read(context: ProviderContext, id: string, props: unknown): Promise<unknown>;
  update(context: ProviderContext, id: string, olds: unknown, news: unknown): Promise<unknown>;
  delete(context: ProviderContext, id: string, props: unknown): Promise<void>;
}

/** The settings `configure` parsed: read once per provider process, kept for every call after it. */
interface Configured {
  backend: LmsBackend;
  settings: BackendSettings;
  safety: SafetySettings;
}

let configured: Configured | undefined;
let current: { key: string; context: ProviderContext } | undefined;

/**
 * Called by the engine once per distinct provider module (so once per resource kind). It parses and
 * keeps the settings synchronously, before any await, because refresh and destroy may call other
 * methods while it is still pending. A missing portal URL or password therefore fails the preview,
 * not the apply.
 */
export function configure(request: { config: ConfigSource }): Promise<void> {
  configured = parse(request.config);
  return Promise.resolve();
}

function parse(source: ConfigSource): Configured {
  const backend = backendFor(source);
  return { backend, settings: backend.readSettings(source), safety: readSafetySettings(backend.name, backend.title, source) };
}

/** The configured settings; before `configure` (some tests), those of the environment alone. */
function settingsNow(): Configured {
  configured ??= parse({ get: () => undefined });
  return configured;
}

/** The configured LMS; before `configure`, the default. `check` needs no more, so it never fails on settings. */
function backendNow(): LmsBackend {
  return configured?.backend ?? backendFor({ get: () => undefined });
}

/** The provider of one resource kind, as the dynamic-provider host calls it. */
export function provider(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  return {
    configure,
    check: (olds, news) => dispatch(kind, "check", olds, news) as Promise<pulumi.dynamic.CheckResult>,
    diff: (id, olds, news) => dispatch(kind, "diff", id, olds, news) as Promise<pulumi.dynamic.DiffResult>,
    create: (inputs) => dispatch(kind, "create", inputs) as Promise<pulumi.dynamic.CreateResult>,
    read: (id, props) => dispatch(kind, "read", id, props) as Promise<pulumi.dynamic.ReadResult>,
    update: (id, olds, news) => dispatch(kind, "update", id, olds, news) as Promise<pulumi.dynamic.UpdateResult>,
    delete: (id, props) => dispatch(kind, "delete", id, props) as Promise<void>,
  };
}

/**
 * One client, rate budget and snapshot for every resource kind of the run: a user created by one
 * kind must be visible to the memberships and enrollments of another.
 */
function context(): ProviderContext {
  const { backend, settings, safety } = settingsNow();
  const key = JSON.stringify([backend.name, settings, safety]);
  if (current?.key !== key) {
    const lms = backend.connect(settings);
    const snapshot = new PortalSnapshot(lms);
    current = { key, context: { backend, settings, safety, lms, snapshot, breaker: new RemovalBreaker(safety) } };
  }
  return current.context;
}

const lifecycles: Record<ResourceKind, Lifecycle> = {
  User: userLifecycle,
  Enrollment: enrollmentLifecycle,
  GroupMembership: groupMembershipLifecycle,
};

export async function dispatch(kind: ResourceKind, method: keyof Lifecycle, ...args: unknown[]): Promise<unknown> {
  try {
    return await call(kind, method, args);
  } catch (error) {
    // Rejected credentials and an unreachable portal say which stack config to fix, the same for every resource.
    const problem = settingsNow().backend.configProblem(error, current?.context.lms.apiBaseUrl);
    throw problem === undefined ? error : new Error(problem, { cause: error });
  }
}

async function call(kind: ResourceKind, method: keyof Lifecycle, args: unknown[]): Promise<unknown> {
  const resource = lifecycles[kind];
  if (!resource) throw new Error(`unknown resource kind ${String(kind)}`);
  switch (method) {
    case "check":
      return withinCapabilities(kind, (await resource.check(args[0], args[1], backendNow())) as pulumi.dynamic.CheckResult);
    case "diff": {
      // check and diff never touch the network: the engine runs them serially
      if (portalMoved(kind, args[1], "change")) return { changes: true, replaces: ["portal"], deleteBeforeReplace: false };
      return resource.diff(String(args[0]), args[1], args[2]);
    }
    case "create":
      try {
        return withPortal(await resource.create(context(), args[0]), "outs");
      } catch (error) {
        if (error instanceof PartialCreateError) Object.assign(error.properties, { portal: settingsNow().settings.portal });
        throw error;
      }
    case "read":
      // A stack moving portals does not read its old ids on the new portal: the replacement adopts by email.
      if (portalMoved(kind, args[1], "refresh")) return { id: String(args[0]), props: args[1] };
      return withoutPortalInInputs(withPortal(await resource.read(context(), String(args[0]), args[1]), "props"));
    case "update":
      // A move replaces the resource (see diff): an update of one from another portal is never right.
      if (portalMoved(kind, args[1], "change")) throw new SafetyError(`refusing to change ${describe(kind, args[1])} on another portal than its own`);
      return withPortal(await resource.update(context(), String(args[0]), args[1], args[2]), "outs");
    case "delete":
      if (portalMoved(kind, args[1], "remove")) {
        console.log(`${describe(kind, args[1])} stays on ${recordedPortal(args[1])} as it is: this stack moved to ${settingsNow().settings.portal}`);
        return undefined;
      }
      return resource.delete(context(), String(args[0]), args[1]);
    default:
      throw new Error(`unknown provider method ${String(method)}`);
  }
}

/** A resource or field the configured LMS cannot take fails `check` at preview, saying why. */
function withinCapabilities(kind: ResourceKind, result: pulumi.dynamic.CheckResult): pulumi.dynamic.CheckResult {
  if (!result.inputs || (result.failures?.length ?? 0) > 0) return result;
  const inputs = result.inputs as Record<string, unknown>;
  const name = typeof inputs["employeeId"] === "string" ? inputs["employeeId"] : undefined;
  const failures = capabilityFailures(backendNow(), kind, name, inputs);
  return failures.length > 0 ? { failures } : result;
}

function recordedPortal(props: unknown): string | undefined {
  const portal = (props as { portal?: unknown } | undefined)?.portal;
  return typeof portal === "string" ? portal : undefined;
}

/**
 * False when the resource belongs to the configured portal (or was written before resources
 * recorded theirs); true when it belongs to another and this run moves the stack
 * (`learnupon:movePortal`); otherwise refuses: its ids mean other people on this portal.
 */
function portalMoved(kind: ResourceKind, props: unknown, action: "change" | "refresh" | "remove"): boolean {
  const recorded = recordedPortal(props);
  if (recorded === undefined) return false;
  const { backend, settings, safety } = settingsNow();
  const configured = settings.portal;
  if (recorded === configured) return false;
  if (safety.movePortal) return true;
  throw new SafetyError(
    `refusing to ${action} ${describe(kind, props)}: it belongs to the ${backend.title} portal ${recorded}, but ${settings.portalKey} ` +
      `is now ${configured}, where its id may be someone else. Point ${settings.portalKey} back at ${recorded}; or, to move ` +
      `this stack to the new portal (people are adopted there by email and the old portal is left as it is), ` +
      `run once with: pulumi config set ${backend.name}:movePortal true`,
  );
}

function describe(kind: ResourceKind, props: unknown): string {
  const { employeeId, email, userId, courseName, courseId, groupTitle, groupId } = (props ?? {}) as Record<string, unknown>;
  if (kind === "User") return `User ${String(employeeId)} (${String(email)})`;
  if (kind === "Enrollment") return `the Enrollment of user ${String(userId)} in ${String(courseName ?? courseId)}`;
  return `the GroupMembership of user ${String(userId)} in ${String(groupTitle ?? groupId)}`;
}

/** The program never declares `portal`: a read's inputs, built from the outputs, must not hold it. */
function withoutPortalInInputs<R>(result: R): R {
  const inputs = (result as { inputs?: Record<string, unknown> }).inputs;
  if (inputs === undefined || !("portal" in inputs)) return result;
  const { portal: _recorded, ...declared } = inputs;
  return { ...result, inputs: declared };
}

/** Records the portal a resource belongs to in its state, so a later run can tell. */
function withPortal<R>(result: R, field: "outs" | "props"): R {
  const record = result as Record<string, unknown>;
  if (!record[field]) return result; // a read of something gone returns no props
  return { ...record, [field]: { ...(record[field] as object), portal: settingsNow().settings.portal } } as R;
}
