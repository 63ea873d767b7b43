/**
 * What the three resources share: the provider module stored in state, input validation that names the
 * resource, field and reason, the unknown-value sentinel of previews, and partial-create errors.
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { sameEmail } from "../client/index.js";
import type { LmsBackend } from "../lms/backend.js";
import { programBackend } from "../lms/backends.js";
import { learnUpon } from "../lms/learnupon/backend.js";
import { RESOURCE_KINDS, type LmsUser, type ResourceKind } from "../lms/model.js";
import type { ProviderContext } from "../runtime.js";

/** Pulumi passes this string for inputs not known yet during a preview (pulumi/pulumi#6310). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

export function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

export { RESOURCE_KINDS, type ResourceKind } from "../lms/model.js";

/**
 * The `__provider` every resource stores, in its inputs and again in its outputs: a CommonJS module
 * whose `handler()` returns the provider, which is how Pulumi's dynamic-provider host loads it.
 * `pulumi.dynamic.Resource` would write it with the closure serializer (2.4 KB of wrappers for
 * seven one-line methods); written by hand it is one line. It loads this package by name, so a fix
 * to `read` or `delete` reaches resources already in state as soon as the package is upgraded, and
 * `runtime.provider(kind)` is therefore a stable entry point.
 */
export function providerModule(kind: ResourceKind): string {
  return `exports.handler = () => require("pulumi-learnupon/runtime").provider(${JSON.stringify(kind)});`;
}

/**
 * What `pulumi.dynamic.Resource` does, with the provider module above: a `pulumi-nodejs:dynamic/…`
 * type token, so the engine runs these resources in its Node.js dynamic-provider host. The token's
 * module is the LMS the program manages (`roster:lms`): `pulumi-nodejs:dynamic/learnupon:User`.
 */
export abstract class LmsResource extends pulumi.CustomResource {
  constructor(kind: ResourceKind, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions | undefined) {
    super(typeToken(programBackend().name, kind), name, { ...props, __provider: providerModule(kind) }, opts);
  }
}

/** The type token of a resource kind of one backend. */
export function typeToken(backend: string, kind: ResourceKind): string {
  return `pulumi-nodejs:dynamic/${backend}:${kind}`;
}

/**
 * The kind a type token names, for this backend's tokens (above) and for another backend's
 * resources of the same kinds: `pulumi-nodejs:dynamic/<backend>:<kind>`.
 */
export function resourceKindOf(typeToken: string): ResourceKind | undefined {
  const kind = /^pulumi-nodejs:dynamic\/[^:]+:(\w+)$/.exec(typeToken)?.[1];
  return RESOURCE_KINDS.find((known) => known === kind);
}

/**
 * `check` for every resource: validates the inputs and fills in defaults. Inputs not known yet
 * (another resource's output during a preview) are left out of validation and passed through; the
 * engine checks again once they are known, before anything is applied. @internal
 */
export function checkInputs<Inputs>(
  kind: ResourceKind,
  schemas: { inputs: z.ZodType<Inputs>; fields: z.ZodType<unknown> },
  news: Record<string, unknown>,
  name?: string,
): pulumi.dynamic.CheckResult<Inputs> {
  const schema = schemas.inputs;
  const unknownEntries = Object.entries(news).filter(([, value]) => containsUnknown(value));
  if (unknownEntries.length === 0) {
    const parsed = schema.safeParse(news);
    return parsed.success ? { inputs: parsed.data } : { failures: checkFailures(kind, name, parsed.error) };
  }
  // Rules across fields ("exactly one of userId or userEmail") wait until every input is known.
  const known = Object.fromEntries(Object.entries(news).filter(([, value]) => !containsUnknown(value)));
  const parsed = schemas.fields.safeParse(known);
  const withDefaults = parsed.success ? (parsed.data as Record<string, unknown>) : known;
  return { inputs: { ...withDefaults, ...Object.fromEntries(unknownEntries) } as Inputs };
}

/** Zod issues as Pulumi check failures: one per problem, naming the field and the reason. @internal */
export function checkFailures(kind: ResourceKind, name: string | undefined, error: z.ZodError): pulumi.dynamic.CheckFailure[] {
  return error.issues.map((issue) => {
    const property = issue.path.length > 0 ? issue.path.join(".") : "(inputs)";
    const subject = name ? `${kind} ${name}` : kind;
    return { property, reason: `${subject}: ${property} ${issue.message}` };
  });
}

/**
 * Thrown when a create fails after the LearnUpon object exists. The dynamic provider host records
 * the resource with this id ("created, but failed"), so the next `pulumi up` updates it instead of
 * creating a duplicate.
 */
export class PartialCreateError extends Error {
  override readonly name = "PartialCreateError";
  readonly reasons: string[];
  constructor(
    readonly id: string,
    readonly properties: Record<string, unknown>,
    cause: unknown,
    lmsTitle: string,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`created ${lmsTitle} object ${id}, then failed: ${reason}`, { cause });
    this.reasons = [reason];
  }
}


/** Writes a line the engine shows as a diagnostic of the run (dynamic providers have no engine log). */
export function warn(message: string): void {
  console.error(`warning: ${message}`);
}

/** How the Enrollment and GroupMembership resources name their user: one of the two. */
export interface UserReferenceArgs {
  /** The LMS's user id (e.g. `user.userId`); stable across email changes. Give this or `userEmail`. */
  userId?: pulumi.Input<number | string>;
  userEmail?: pulumi.Input<string>;
}

/** A user reference once the engine resolved its inputs. */
export interface UserReference {
  userId?: number | string | undefined;
  userEmail?: string | undefined;
}

/** What `check` needs of the configured LMS: its name, the kind of its ids, its roles. */
export type CheckedLms = Pick<LmsBackend, "title" | "capabilities">;

/** `check` without a configured LMS (a unit test calling it directly) checks for LearnUpon, the default. */
export const DEFAULT_LMS: CheckedLms = learnUpon;

/** An id input as the LMS writes its ids: LearnUpon's are numbers, other LMSes' text. @internal */
export function lmsIdField(lms: CheckedLms, what: "user" | "group" | "course") {
  return lms.capabilities.numericIds
    ? z.number(`must be a ${lms.title} ${what} id (a number)`).int().positive()
    : z.string(`must be a ${lms.title} ${what} id (text)`).trim().min(1, "must not be empty");
}

/** The zod fields of a user reference; `exactlyOneUser` is the rule across them. @internal */
export function userReferenceFields(lms: CheckedLms) {
  return {
    userId: lmsIdField(lms, "user").optional(),
    userEmail: z.email("is not a valid email address").optional(),
  };
}

export const exactlyOneUser: [(inputs: UserReference) => boolean, { message: string; path: string[] }] = [
  (inputs) => exactlyOne(inputs.userId, inputs.userEmail),
  { message: "give exactly one of userId or userEmail", path: ["userId"] },
];

/** The referenced user as the portal has it, or an error that says who could not be found. @internal */
export async function resolveUser(
  { backend, snapshot }: Pick<ProviderContext, "backend" | "snapshot">,
  reference: UserReference,
): Promise<LmsUser> {
  const user =
    reference.userId !== undefined
      ? await snapshot.userById(String(reference.userId))
      : await snapshot.userByEmail(reference.userEmail ?? "");
  if (!user) {
    const who = reference.userId !== undefined ? `id ${reference.userId}` : `email ${reference.userEmail}`;
    throw new Error(`no ${backend.title} user with ${who} exists in the portal`);
  }
  return user;
}

/** True when a user reference names a different person than the one in state. */
export function userReferenceChanged(olds: UserReference, news: UserReference): boolean {
  if (isUnknown(news.userId) || isUnknown(news.userEmail)) return false; // known again at apply time
  if (news.userId !== undefined) return news.userId !== olds.userId;
  return !sameEmail(news.userEmail, olds.userEmail);
}

/** Exactly one of `a` or `b`, for inputs that name a thing by id or by name. */
export function exactlyOne(a: unknown, b: unknown): boolean {
  return (a === undefined) !== (b === undefined);
}
