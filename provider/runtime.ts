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
import { createLearnUponClient, type LearnUponClient } from "./client/index.js";
import { enrollmentLifecycle } from "./resources/enrollment.js";
import { groupMembershipLifecycle } from "./resources/group-membership.js";
import type { ResourceKind } from "./resources/lifecycle.js";
import { userLifecycle } from "./resources/user.js";
import { configProblem, readSettings, type ConfigSource, type ProviderSettings } from "./settings.js";
import { PortalSnapshot } from "./snapshot.js";

/** What a resource's lifecycle functions get besides the engine's arguments. */
export interface ProviderContext {
  readonly settings: ProviderSettings;
  readonly client: LearnUponClient;
  readonly snapshot: PortalSnapshot;
}

export interface Lifecycle {
  check(olds: unknown, news: unknown): Promise<unknown>;
  diff(id: string, olds: unknown, news: unknown): Promise<unknown>;
  create(context: ProviderContext, inputs: unknown): Promise<unknown>;
  read(context: ProviderContext, id: string, props: unknown): Promise<unknown>;
  update(context: ProviderContext, id: string, olds: unknown, news: unknown): Promise<unknown>;
  delete(context: ProviderContext, id: string, props: unknown): Promise<void>;
}

let configSource: ConfigSource | undefined;
let current: { key: string; context: ProviderContext } | undefined;

/**
 * Called by the engine once per distinct provider module (so once per resource kind). It stores
 * the config synchronously, before any await, because refresh and destroy may call other methods
 * while it is still pending. Validation happens here too, so a missing portal URL or password fails
 * the preview, not the apply.
 */
export function configure(request: { config: ConfigSource }): Promise<void> {
  configSource = request.config;
  readSettings(configSource);
  return Promise.resolve();
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
  const settings = readSettings(configSource ?? { get: () => undefined });
  const key = JSON.stringify(settings);
  if (current?.key !== key) {
    const client = createLearnUponClient({
      portalUrl: settings.portalUrl,
      username: settings.username,
      password: settings.password,
      timeoutMs: settings.timeoutMs,
      retry: { rateLimitWaitMs: settings.rateLimitWaitMs },
      rateLimit: { share: settings.rateLimitShare, perMinute: settings.requestsPerMinute },
    });
    current = { key, context: { settings, client, snapshot: new PortalSnapshot(client) } };
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
    const problem = configProblem(error, current?.context.client.apiBaseUrl);
    throw problem === undefined ? error : new Error(problem, { cause: error });
  }
}

function call(kind: ResourceKind, method: keyof Lifecycle, args: unknown[]): Promise<unknown> {
  const resource = lifecycles[kind];
  if (!resource) throw new Error(`unknown LearnUpon resource kind ${String(kind)}`);
  switch (method) {
    case "check":
      return resource.check(args[0], args[1]);
    case "diff": // check and diff never touch the network: the engine runs them serially
      return resource.diff(String(args[0]), args[1], args[2]);
    case "create":
      return resource.create(context(), args[0]);
    case "read":
      return resource.read(context(), String(args[0]), args[1]);
    case "update":
      return resource.update(context(), String(args[0]), args[1], args[2]);
    case "delete":
      return resource.delete(context(), String(args[0]), args[1]);
    default:
      throw new Error(`unknown provider method ${String(method)}`);
  }
}
