/**
 * Classify: who a preview adds, deactivates, deletes, re-activates or changes, which enrollments
 * and group memberships it adds or removes, and what a refresh found changed in the portal by hand,
 * as data for `render`.
 *
 * Dynamic providers give no per-field diff, so fields are compared here with the provider's rules:
 * emails without case, only the fields the roster declares, and the field lists the resources
 * export. Any backend's resources are read alike (`resourceKindOf`). With `--refresh`, a `refresh`
 * step comes first for each resource, whose `oldState` is the state before the refresh; the
 * resource's later step holds the refreshed state. Drift is the difference.
 * @module
 */
import { sameEmail } from "../../client/index.js";
import { COMPLETED_STATUSES, ENROLLMENT_SUMMARY_FIELDS } from "../../resources/enrollment.js";
import { GROUP_MEMBERSHIP_SUMMARY_FIELDS } from "../../resources/group-membership.js";
import { resourceKindOf, type ResourceKind } from "../../resources/lifecycle.js";
import { USER_SUMMARY_FIELDS } from "../../resources/user.js";
import type { LmsBackend } from "../../lms/backend.js";
import { backendNamed } from "../../lms/backends.js";
import { setting, USER_REMOVAL_POLICIES, type UserRemovalPolicy } from "../../lms/config.js";
import { parseUnmanaged } from "../../roster/unmanaged.js";
import { isSecret, type Preview, type Properties, type Step } from "./parse.js";

export type UnmanagedDiagnostic = NonNullable<ReturnType<typeof parseUnmanaged>>;

/** A person, by resource name (a Roster's is the employee id); named when a User step shows them. */
export interface Person {
  name: string;
  fullName?: string;
  email?: string | undefined;
}

/** An enrollment in a course, or a membership of a group. */
export interface Entry {
  kind: "Enrollment" | "GroupMembership";
  /** A person, or the user reference of an entry not made by a Roster. */
  owner: { person: Person } | { userEmail: string } | { userId: number };
  /** The course or group by its declared name, else by id. */
  target: { name: string } | { id: unknown };
}

/** One field that differs; `label` names the custom-data field within `customData`. */
export interface FieldChange {
  field: string;
  label?: string;
  before: unknown;
  after: unknown;
}

export interface PreviewChanges {
  /** The LMS the preview is for, as people write it (`roster:lms` in the preview's config). */
  lmsTitle: string;
  people: {
    added: Array<{ person: Person; admin: boolean; deactivated: boolean }>;
    deactivated: Array<{ person: Person; reason: "removed from the roster" | "set to enabled: false" | "not in the roster (roster:mode authoritative)" }>;
    deleted: Array<{ person: Person }>;
    unmanaged: Array<{ person: Person; reason: "retain policy" | "already deactivated" }>;
    reactivated: Array<{ person: Person }>;
    changed: Array<{ person: Person; changes: FieldChange[] }>;
  };
  enrollments: {
    added: Array<{ entry: Entry; dueDate?: string | undefined }>;
    /** `keptWithStatus`: finished, so the portal keeps it as training history. */
    removed: Array<{ entry: Entry; keptWithStatus?: string | undefined }>;
    changed: Array<{ entry: Entry; changes: FieldChange[] }>;
  };
  memberships: {
    added: Array<{ entry: Entry }>;
    removed: Array<{ entry: Entry }>;
  };
  /** Active people in the portal the roster does not declare, when the preview read its users (unmanaged.ts). */
  notInRoster?: UnmanagedDiagnostic | undefined;
  /** `recreated`: gone from the portal, so this update creates it again. */
  drift: Array<{ subject: { person: Person } | { entry: Entry }; recreated: boolean; changes: FieldChange[] }>;
  errors: string[];
  warnings: string[];
}

/** What a refresh may find changed, per kind: for a User, `enabled` too (deactivated by hand). */
const DRIFT_FIELDS: Record<ResourceKind, readonly string[]> = {
  User: [...USER_SUMMARY_FIELDS, "enabled"],
  Enrollment: ENROLLMENT_SUMMARY_FIELDS,
  GroupMembership: GROUP_MEMBERSHIP_SUMMARY_FIELDS,
};

type ResourceStep = Step & { kind: ResourceKind };

/** What classifying a step needs besides the step. */
interface Context {
  changes: PreviewChanges;
  /** The person with this resource name, named if a User step shows them. */
  personOf: (name: string) => Person;
  /** The removal policy of people whose state sets none. */
  removalDefault: UserRemovalPolicy;
}

/** `env` gives `LEARNUPON_USER_REMOVAL` (or the LMS's own) when the preview's config has no `learnupon:userRemoval`, as for the provider. */
export function classifyPreview(preview: Preview, env: NodeJS.ProcessEnv): PreviewChanges {
  const steps = (preview.steps ?? []).flatMap((step) => {
    const kind = resourceKindOf(step.newState?.type ?? step.oldState?.type ?? "");
    return kind === undefined ? [] : [{ ...step, kind }];
  });
  const refreshes = steps.filter((step) => step.op === "refresh");
  const plan = steps.filter((step) => step.op !== "refresh");
  const people = peopleIn([...plan, ...refreshes]);
  const diagnostics = preview.diagnostics ?? [];
  const context: Context = {
    changes: {
      lmsTitle: lmsOf(preview.config).title,
      people: { added: [], deactivated: [], deleted: [], unmanaged: [], reactivated: [], changed: [] },
      enrollments: { added: [], removed: [], changed: [] },
      memberships: { added: [], removed: [] },
      drift: [],
      errors: diagnostics.filter((diagnostic) => diagnostic.severity === "error").map((diagnostic) => diagnostic.message),
      warnings: diagnostics.filter((diagnostic) => diagnostic.severity === "warning").map((diagnostic) => diagnostic.message),
      notInRoster: diagnostics
        .filter((diagnostic) => diagnostic.severity.startsWith("info"))
        .map((diagnostic) => parseUnmanaged(diagnostic.message))
        .find((report) => report !== undefined),
    },
    personOf: (name) => people.get(name) ?? { name },
    removalDefault: userRemovalDefault(preview.config, env),
  };
  for (const step of plan) {
    if (step.kind === "User") classifyUserStep(step, context);
    else classifyEntryStep(step, step.kind, context);
  }
  for (const refresh of refreshes) classifyDrift(refresh, plan.find((step) => step.urn === refresh.urn), context);
  return context.changes;
}

function classifyUserStep(step: ResourceStep, { changes: { people }, personOf, removalDefault }: Context): void {
  const before = step.oldState?.outputs ?? {};
  const declared = step.newState?.inputs ?? {};
  const person = personOf(resourceName(step.urn));
  if (isCreate(step) && declared["unmanaged"] === true) {
    people.deactivated.push({ person, reason: "not in the roster (roster:mode authoritative)" });
  } else if (isCreate(step)) {
    people.added.push({ person, admin: declared["userType"] === "admin", deactivated: declared["enabled"] === false });
  } else if (isDelete(step)) {
    // As the provider's delete decides: the policy in the person's state, else the stack's.
    const policy = (before["removal"] as UserRemovalPolicy | undefined) ?? removalDefault;
    if (policy === "delete") people.deleted.push({ person });
    else if (policy === "retain") people.unmanaged.push({ person, reason: "retain policy" });
    else if (before["enabled"] === false) people.unmanaged.push({ person, reason: "already deactivated" });
    else people.deactivated.push({ person, reason: "removed from the roster" });
  } else if (step.op === "update") {
    if (before["enabled"] === true && declared["enabled"] === false) people.deactivated.push({ person, reason: "set to enabled: false" });
    if (before["enabled"] === false && declared["enabled"] === true) people.reactivated.push({ person });
    const changes = fieldChanges(before, declared, USER_SUMMARY_FIELDS, { declaredOnly: true });
    if (changes.length > 0) people.changed.push({ person, changes });
  }
}

function classifyEntryStep(step: ResourceStep, kind: Entry["kind"], { changes: { enrollments, memberships }, personOf }: Context): void {
  const before = step.oldState?.outputs ?? {};
  const declared = step.newState?.inputs ?? {};
  const entry = entryOf(kind, step.urn, { ...before, ...declared }, personOf);
  if (kind === "GroupMembership") {
    // A membership's update changes nothing in the portal: `processEnrollments` only matters when joining.
    if (isCreate(step)) memberships.added.push({ entry });
    else if (isDelete(step)) memberships.removed.push({ entry });
  } else if (isCreate(step)) {
    enrollments.added.push({ entry, dueDate: typeof declared["dueDate"] === "string" ? declared["dueDate"] : undefined });
  } else if (isDelete(step)) {
    const keptAsHistory = COMPLETED_STATUSES.has(String(before["status"])) && before["removeHistory"] !== true;
    enrollments.removed.push({ entry, keptWithStatus: keptAsHistory ? String(before["status"]) : undefined });
  } else if (step.op === "update") {
    const changes = fieldChanges(before, declared, ENROLLMENT_SUMMARY_FIELDS, { declaredOnly: true });
    if (changes.length > 0) enrollments.changed.push({ entry, changes });
  }
}

/**
 * Drift: a resource's inputs before its refresh against the refreshed ones, which the resource's
 * later step holds. (The JSON gives a refresh step the state before the refresh as both its old and
 * new state, and gives unchanged resources no later step.)
 */
function classifyDrift(refresh: ResourceStep, later: ResourceStep | undefined, { changes: { drift }, personOf }: Context): void {
  const before = refresh.oldState?.inputs ?? {};
  const subject =
    refresh.kind === "User"
      ? { person: personOf(resourceName(refresh.urn)) }
      : { entry: entryOf(refresh.kind, refresh.urn, { ...before, ...later?.newState?.inputs }, personOf) };
  if (later?.op === "create") {
    drift.push({ subject, recreated: true, changes: [] });
    return;
  }
  const after = later?.oldState?.inputs;
  if (!after) return;
  const changes = fieldChanges(before, after, DRIFT_FIELDS[refresh.kind], { declaredOnly: false });
  if (changes.length > 0) drift.push({ subject, recreated: false, changes });
}

function isCreate(step: Step): boolean {
  return step.op === "create" || step.op === "create-replacement";
}

function isDelete(step: Step): boolean {
  return step.op === "delete" || step.op === "delete-replaced";
}

/** The resource's name: the last part of its URN (for a Roster, the employee id or `employeeId/course`). */
function resourceName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** Each person by resource name, from the first of `steps` that has them: the roster's values, else the state's. */
function peopleIn(steps: ResourceStep[]): Map<string, Person> {
  const people = new Map<string, Person>();
  const plainText = (value: unknown): value is string => typeof value === "string" && !isSecret(value);
  for (const step of steps) {
    const name = resourceName(step.urn);
    if (step.kind !== "User" || people.has(name)) continue;
    const shown = step.newState?.inputs ?? step.oldState?.outputs ?? {};
    const fullName = [shown["firstName"], shown["lastName"]].filter(plainText).join(" ");
    people.set(name, { name, fullName, email: plainText(shown["email"]) ? shown["email"] : undefined });
  }
  return people;
}

/**
 * An enrollment or membership from its properties. A Roster names it `<employee id>/<course or
 * group>`; the person's name is known when their User has a step too (unchanged ones have none).
 */
function entryOf(kind: Entry["kind"], urn: string, properties: Properties, personOf: Context["personOf"]): Entry {
  const [nameField, idField] = kind === "Enrollment" ? ["courseName", "courseId"] : ["groupTitle", "groupId"];
  const targetName = properties[nameField];
  const target = typeof targetName === "string" ? { name: targetName } : { id: properties[idField] };
  return { kind, owner: ownerOf(resourceName(urn), properties, personOf), target };
}

function ownerOf(name: string, properties: Properties, personOf: Context["personOf"]): Entry["owner"] {
  const [employeeId, rest] = name.split("/", 2);
  if (employeeId !== undefined && rest !== undefined) return { person: personOf(employeeId) };
  if (typeof properties["userEmail"] === "string") return { userEmail: properties["userEmail"] };
  return typeof properties["userId"] === "number" ? { userId: properties["userId"] } : { person: { name } };
}

/**
 * The fields that differ. With `declaredOnly`, as the provider's diff does, a field the roster
 * leaves out is not managed and so not a change (except `removal`, whose absence means the stack's
 * default).
 */
function fieldChanges(before: Properties, after: Properties, fields: readonly string[], { declaredOnly }: { declaredOnly: boolean }): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of fields) {
    if (/password/i.test(field)) continue; // never shown, should a resource ever list one
    if (field === "customData") {
      const beforeData = (before[field] ?? {}) as Properties;
      const afterData = (after[field] ?? {}) as Properties;
      const labels = declaredOnly ? Object.keys(afterData) : [...new Set([...Object.keys(beforeData), ...Object.keys(afterData)])];
      for (const label of labels) {
        if (!sameValue(field, beforeData[label], afterData[label])) changes.push({ field, label, before: beforeData[label], after: afterData[label] });
      }
      continue;
    }
    if (declaredOnly && after[field] === undefined && field !== "removal") continue;
    if (!sameValue(field, before[field], after[field])) changes.push({ field, before: before[field], after: after[field] });
  }
  return changes;
}

function sameValue(field: string, a: unknown, b: unknown): boolean {
  if (field === "email" && typeof a === "string" && typeof b === "string") return sameEmail(a, b);
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The backend `roster:lms` names in the preview's config; LearnUpon when it names none the package has. */
function lmsOf(config: Properties | null | undefined): LmsBackend {
  const name = config?.["roster:lms"];
  try {
    return backendNamed(typeof name === "string" ? name : undefined);
  } catch {
    return backendNamed(undefined); // the preview failed on it already, and says so among its errors
  }
}

function userRemovalDefault(config: Properties | null | undefined, env: NodeJS.ProcessEnv): UserRemovalPolicy {
  const { key, env: variable } = setting(lmsOf(config).name, "userRemoval");
  const policy = config?.[key] ?? env[variable];
  return USER_REMOVAL_POLICIES.includes(policy as UserRemovalPolicy) ? (policy as UserRemovalPolicy) : "deactivate";
}
