/**
 * `summarizePreview`: the output of `pulumi preview --json` as markdown for a pull request, in the
 * words a reviewer needs: who is added, deactivated, deleted, re-activated or changed (field:
 * before → after), which enrollments and group memberships are added or removed, and what was
 * changed in the portal by hand (drift, when the preview ran with `--refresh`).
 *
 * How the preview JSON says it:
 * - each step has an `op` (create, update, delete, same…), the state before (`oldState`, as the
 *   refresh left it) and the declared inputs (`newState.inputs`); dynamic providers give no
 *   per-field diff, so fields are compared here, with the provider's rules (emails without case,
 *   only the fields the roster declares);
 * - with `--refresh`, a `refresh` step comes first for each resource, whose `oldState` is the state
 *   before the refresh; the resource's later step holds the refreshed state. Drift is the difference.
 *
 * Secrets never reach the markdown: fields named like "password" are skipped, and values the
 * engine marks secret ("[secret]", or ciphertext objects) are shown as "(secret)". The stack
 * config, which holds the credentials, is only read for `learnupon:userRemoval`.
 * @module
 */
import { z } from "zod";
import { UNKNOWN } from "../resources/lifecycle.js";
import { USER_REMOVAL_POLICIES, type UserRemovalPolicy } from "../settings.js";

const stateSchema = z.looseObject({
  type: z.string(),
  inputs: z.record(z.string(), z.unknown()).nullish(),
  outputs: z.record(z.string(), z.unknown()).nullish(),
});
const previewSchema = z.looseObject({
  config: z.record(z.string(), z.unknown()).nullish(),
  steps: z.array(z.looseObject({ op: z.string(), urn: z.string(), oldState: stateSchema.nullish(), newState: stateSchema.nullish() })).nullish(),
  diagnostics: z.array(z.looseObject({ message: z.string(), severity: z.string() })).nullish(),
});
type Preview = z.output<typeof previewSchema>;
type Step = NonNullable<Preview["steps"]>[number];
type Properties = Record<string, unknown>;

const RESOURCE_KINDS: Record<string, "User" | "Enrollment" | "GroupMembership"> = {
  "pulumi-nodejs:dynamic/learnupon:User": "User",
  "pulumi-nodejs:dynamic/learnupon:Enrollment": "Enrollment",
  "pulumi-nodejs:dynamic/learnupon:GroupMembership": "GroupMembership",
};

/** The fields compared, in the order a reviewer reads them; a User's `enabled` has sections of its own. */
const DIFFED_FIELDS = {
  User: ["email", "firstName", "lastName", "username", "userType", "language", "customData", "removal"],
  Enrollment: ["dueDate", "expiresAt", "removeHistory"],
  // A membership is there or not: it has no field a refresh or an update could change.
  GroupMembership: [],
} satisfies Record<string, string[]>;
const FINISHED_ENROLLMENT = new Set(["completed", "passed", "failed"]);
/** How Pulumi encrypts a secret value in state: an object carrying this signature key. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";
/** So that a mass change stays readable, and fits a GitHub comment (at most 65,536 characters). */
const MAX_ITEMS_PER_SECTION = 100;

export interface SummaryOptions {
  /** Used for `learnupon:userRemoval` when the preview's config does not set it, as the provider does. */
  env?: NodeJS.ProcessEnv;
}

/** One line of a section, with lines nested under it. */
interface Item {
  line: string;
  details?: string[];
}

interface Section {
  title: string;
  /** The word in the one-line overview, e.g. "deactivated". */
  counted: string;
  note?: string;
  items: Item[];
}

/** Reads `pulumi preview --json` output (as text) and returns the markdown summary. */
export function summarizePreview(previewJson: string, options: SummaryOptions = {}): string {
  let document: unknown;
  try {
    document = JSON.parse(previewJson);
  } catch {
    throw new Error("summary reads the output of `pulumi preview --json`, but its input is not JSON");
  }
  if (!isPreviewDocument(document)) {
    // `{}` or a stack's outputs would otherwise read as a preview without changes.
    throw new Error(
      "summary reads the output of `pulumi preview --json`, but its input has none of `steps`, `diagnostics` and `changeSummary`",
    );
  }
  const parsed = previewSchema.safeParse(document);
  if (!parsed.success) throw new Error(`summary reads the output of \`pulumi preview --json\`: ${z.prettifyError(parsed.error)}`);
  return render(collect(parsed.data, options.env ?? process.env), parsed.data);
}

/** Every preview document has one of these: a preview that fails before planning still has its diagnostics. */
function isPreviewDocument(document: unknown): boolean {
  if (document === null || typeof document !== "object" || Array.isArray(document)) return false;
  return ["steps", "diagnostics", "changeSummary"].some((key) => key in document);
}

type Sections = ReturnType<typeof emptySections>;

function emptySections() {
  const section = (title: string, counted: string, note?: string): Section => ({ title, counted, items: [], ...(note ? { note } : {}) });
  return {
    people: {
      added: section("People added", "added", "Created, or adopted when the portal already has someone with their email."),
      deactivated: section("People deactivated", "deactivated", "They can no longer sign in; their training history is kept."),
      deleted: section("People deleted", "deleted", "Deleted from the portal with their training history (removal policy `delete`)."),
      unmanaged: section("People no longer managed", "no longer managed", "Left in the portal as they are."),
      reactivated: section("People re-activated", "re-activated"),
      changed: section("People changed", "changed"),
    },
    enrollments: {
      added: section("Enrollments added", "added"),
      removed: section("Enrollments removed", "removed", "Completed enrollments stay in the portal as training history."),
      changed: section("Enrollments changed", "changed"),
    },
    memberships: {
      added: section("Group memberships added", "added", "Joining a group also enrolls in the group's courses."),
      removed: section("Group memberships removed", "removed", "The enrollments the group gave are kept."),
    },
    drift: section(
      "Drift found by refresh",
      "found",
      "Changed in the portal since the last update, outside this stack. The changes above put the roster's values back.",
    ),
  };
}

/** What describing a step needs besides the step. */
interface Context {
  sections: Sections;
  /** Each person's label by employee id. */
  labels: Map<string, string>;
  /** The removal policy of people whose state sets none. */
  removalDefault: UserRemovalPolicy;
}

function collect(preview: Preview, env: NodeJS.ProcessEnv): Sections {
  const steps = (preview.steps ?? []).filter((step) => kindOf(step) !== undefined);
  const refreshes = steps.filter((step) => step.op === "refresh");
  const plan = steps.filter((step) => step.op !== "refresh");
  const context: Context = {
    sections: emptySections(),
    labels: personLabels([...plan, ...refreshes]),
    removalDefault: userRemovalDefault(preview.config, env),
  };
  for (const step of plan) {
    if (kindOf(step) === "User") describeUserStep(step, context);
    else describeEntryStep(step, context);
  }
  for (const refresh of refreshes) describeDrift(refresh, plan.find((step) => step.urn === refresh.urn), context);
  return context.sections;
}

function describeUserStep(step: Step, { sections: { people }, labels, removalDefault }: Context): void {
  const before = step.oldState?.outputs ?? {};
  const declared = step.newState?.inputs ?? {};
  const who = labels.get(resourceName(step.urn)) ?? bold(resourceName(step.urn));
  if (step.op === "create" || step.op === "create-replacement") {
    people.added.items.push({ line: `${who}${declared["userType"] === "admin" ? ", admin" : ""}${declared["enabled"] === false ? " (deactivated)" : ""}` });
  } else if (step.op === "delete" || step.op === "delete-replaced") {
    // As the provider's delete decides: the policy in the person's state, else the stack's.
    const policy = (before["removal"] as UserRemovalPolicy | undefined) ?? removalDefault;
    if (policy === "delete") people.deleted.items.push({ line: who });
    else if (policy === "retain") people.unmanaged.items.push({ line: `${who}: removal policy \`retain\`` });
    else if (before["enabled"] === false) people.unmanaged.items.push({ line: `${who}: already deactivated` });
    else people.deactivated.items.push({ line: `${who}: removed from the roster` });
  } else if (step.op === "update") {
    if (before["enabled"] === true && declared["enabled"] === false) people.deactivated.items.push({ line: `${who}: set to \`enabled: false\`` });
    if (before["enabled"] === false && declared["enabled"] === true) people.reactivated.items.push({ line: who });
    const changes = fieldChanges(before, declared, DIFFED_FIELDS.User, { declaredOnly: true });
    if (changes.length > 0) people.changed.items.push({ line: who, details: changes });
  }
}

/** An enrollment's or a group membership's step. */
function describeEntryStep(step: Step, { sections, labels }: Context): void {
  const before = step.oldState?.outputs ?? {};
  const declared = step.newState?.inputs ?? {};
  const isEnrollment = kindOf(step) === "Enrollment";
  const what = entryLabel(step, { ...before, ...declared }, labels);
  const changes = isEnrollment ? sections.enrollments : sections.memberships;
  if (step.op === "create" || step.op === "create-replacement") {
    changes.added.items.push({ line: typeof declared["dueDate"] === "string" ? `${what}, due ${declared["dueDate"]}` : what });
  } else if (step.op === "delete" || step.op === "delete-replaced") {
    const keptAsHistory = FINISHED_ENROLLMENT.has(String(before["status"])) && before["removeHistory"] !== true;
    changes.removed.items.push({ line: keptAsHistory ? `${what} (${before["status"]}: kept as training history)` : what });
  } else if (step.op === "update" && isEnrollment) {
    const fields = fieldChanges(before, declared, DIFFED_FIELDS.Enrollment, { declaredOnly: true });
    if (fields.length > 0) sections.enrollments.changed.items.push({ line: what, details: fields });
  }
  // A membership's update changes nothing in the portal: `processEnrollments` only matters when joining.
}

/**
 * Drift: a resource's inputs before its refresh against the refreshed ones, which the resource's
 * later step holds. (The JSON gives a refresh step the state before the refresh as both its old and
 * new state, and gives unchanged resources no later step.)
 */
function describeDrift(refresh: Step, later: Step | undefined, { sections: { drift }, labels }: Context): void {
  const kind = kindOf(refresh);
  if (kind === undefined) return;
  const before = refresh.oldState?.inputs ?? {};
  const what =
    kind === "User"
      ? (labels.get(resourceName(refresh.urn)) ?? bold(resourceName(refresh.urn)))
      : `${kind === "Enrollment" ? "enrollment" : "membership"} ${entryLabel(refresh, { ...before, ...later?.newState?.inputs }, labels)}`;
  if (later?.op === "create") {
    drift.items.push({ line: `${what}: no longer in the portal (created again by this update)` });
    return;
  }
  const after = later?.oldState?.inputs;
  if (!after) return;
  const fields = fieldChanges(before, after, kind === "User" ? [...DIFFED_FIELDS.User, "enabled"] : DIFFED_FIELDS[kind], { declaredOnly: false });
  if (fields.length > 0) drift.items.push({ line: what, details: fields });
}

function render(summary: Sections, preview: Preview): string {
  const errors = (preview.diagnostics ?? []).filter((diagnostic) => diagnostic.severity === "error");
  const warnings = (preview.diagnostics ?? []).filter((diagnostic) => diagnostic.severity === "warning");
  const groups: Array<[string, Section[]]> = [
    ["People", Object.values(summary.people)],
    ["Enrollments", Object.values(summary.enrollments)],
    ["Group memberships", Object.values(summary.memberships)],
    ["Drift", [summary.drift]],
  ];

  const lines = [errors.length > 0 ? "### LearnUpon roster: the preview failed" : "### LearnUpon roster changes", ""];
  if (errors.length > 0) {
    lines.push("Nothing will be applied until the preview passes.", "", fenced(errors.map((error) => error.message.trim()).join("\n\n")), "");
  }
  const overview = groups
    .map(([name, sections]) => {
      const counts = sections.filter((section) => section.items.length > 0).map((section) => `${section.items.length} ${section.counted}`);
      return counts.length > 0 ? `**${name}**: ${counts.join(", ")}.` : undefined;
    })
    .filter((part) => part !== undefined);
  if (overview.length === 0 && errors.length === 0) lines.push("No changes: the portal already matches the roster.", "");
  if (overview.length > 0) lines.push(overview.join(" "), "");

  for (const section of groups.flatMap(([, sections]) => sections)) {
    if (section.items.length === 0) continue;
    lines.push(`#### ${section.title} (${section.items.length})`, "");
    if (section.note) lines.push(section.note, "");
    const items = [...section.items].sort((a, b) => a.line.localeCompare(b.line, "en", { numeric: true }));
    for (const item of items.slice(0, MAX_ITEMS_PER_SECTION)) {
      lines.push(`- ${item.line}`, ...(item.details ?? []).map((detail) => `  - ${detail}`));
    }
    if (items.length > MAX_ITEMS_PER_SECTION) lines.push(`- … and ${items.length - MAX_ITEMS_PER_SECTION} more`);
    lines.push("");
  }
  if (warnings.length > 0) {
    lines.push("#### Warnings", "", fenced(warnings.map((warning) => warning.message.trim()).join("\n\n")), "");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

function kindOf(step: Pick<Step, "oldState" | "newState">): "User" | "Enrollment" | "GroupMembership" | undefined {
  return RESOURCE_KINDS[step.newState?.type ?? step.oldState?.type ?? ""];
}

/** The resource's name: the last part of its URN (for a Roster, the employee id or `employeeId/course`). */
function resourceName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** Each person's label by resource name, from the first of `steps` that has them: the roster's values, else the state's. */
function personLabels(steps: Step[]): Map<string, string> {
  const labels = new Map<string, string>();
  for (const step of steps) {
    const name = resourceName(step.urn);
    if (kindOf(step) !== "User" || labels.has(name)) continue;
    const person = step.newState?.inputs ?? step.oldState?.outputs ?? {};
    const fullName = [person["firstName"], person["lastName"]].filter((part) => typeof part === "string" && !isSecret(part)).join(" ");
    const email = typeof person["email"] === "string" && !isSecret(person["email"]) ? ` (${escapeMarkdown(person["email"])})` : "";
    labels.set(name, `${bold(name)} ${escapeMarkdown(fullName)}${email}`.replace(/ {2,}/g, " "));
  }
  return labels;
}

/**
 * The person an enrollment or membership belongs to. A Roster names them `<employee id>/<course or
 * group>`; the person's name is known when their User has a step too (unchanged ones have none).
 */
function ownerLabel(name: string, properties: Properties, labels: Map<string, string>): string {
  const [employeeId, rest] = name.split("/", 2);
  if (employeeId !== undefined && rest !== undefined) return labels.get(employeeId) ?? bold(employeeId);
  if (typeof properties["userEmail"] === "string") return escapeMarkdown(properties["userEmail"]);
  return typeof properties["userId"] === "number" ? `user ${properties["userId"]}` : bold(name);
}

/** "<person>: <course or group>", from an enrollment's or membership's properties. */
function entryLabel(step: Step, properties: Properties, labels: Map<string, string>): string {
  const owner = ownerLabel(resourceName(step.urn), properties, labels);
  const named = (text: unknown, fallback: string) => (typeof text === "string" ? escapeMarkdown(text) : fallback);
  return kindOf(step) === "Enrollment"
    ? `${owner}: ${named(properties["courseName"], `course ${String(properties["courseId"])}`)}`
    : `${owner}: ${named(properties["groupTitle"], `group ${String(properties["groupId"])}`)}`;
}

/**
 * "field: before → after" for each field that differs. With `declaredOnly`, as the provider's diff
 * does, a field the roster leaves out is not managed and so not a change (except `removal`, whose
 * absence means the stack's default).
 */
function fieldChanges(before: Properties, after: Properties, fields: string[], { declaredOnly }: { declaredOnly: boolean }): string[] {
  const changes: string[] = [];
  for (const field of fields) {
    if (/password/i.test(field)) continue;
    if (field === "customData") {
      const beforeData = (before[field] ?? {}) as Properties;
      const afterData = (after[field] ?? {}) as Properties;
      const labels = declaredOnly ? Object.keys(afterData) : [...new Set([...Object.keys(beforeData), ...Object.keys(afterData)])];
      for (const label of labels) {
        if (!sameValue(field, beforeData[label], afterData[label])) changes.push(`customData.${escapeMarkdown(label)}: ${shown(beforeData[label])} → ${shown(afterData[label])}`);
      }
      continue;
    }
    if (declaredOnly && after[field] === undefined && field !== "removal") continue;
    if (sameValue(field, before[field], after[field])) continue;
    const fallback = field === "removal" ? "(stack default)" : "(none)";
    changes.push(`${field}: ${shown(before[field], fallback)} → ${shown(after[field], fallback)}`);
  }
  return changes;
}

function sameValue(field: string, a: unknown, b: unknown): boolean {
  if (field === "email" && typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  return JSON.stringify(a) === JSON.stringify(b);
}

function shown(value: unknown, absent = "(none)"): string {
  if (value === undefined || value === null || value === "") return absent;
  if (isSecret(value)) return "(secret)";
  if (value === UNKNOWN) return "(known after apply)";
  return code(typeof value === "string" ? value : JSON.stringify(value));
}

function isSecret(value: unknown): boolean {
  return value === "[secret]" || (typeof value === "object" && value !== null && SECRET_SIGNATURE in value);
}

function userRemovalDefault(config: Properties | null | undefined, env: NodeJS.ProcessEnv): UserRemovalPolicy {
  const policy = config?.["learnupon:userRemoval"] ?? env["LEARNUPON_USER_REMOVAL"];
  return USER_REMOVAL_POLICIES.includes(policy as UserRemovalPolicy) ? (policy as UserRemovalPolicy) : "deactivate";
}

function bold(text: string): string {
  return `**${escapeMarkdown(text)}**`;
}

/**
 * Names and emails come from HR data: keep them from being read as markdown or HTML, from breaking
 * the list they are in (a newline is shown as `\n`), and from notifying anyone (an `@name` is shown
 * as code, where GitHub makes no mention; `ada@example.com` is no mention already).
 */
function escapeMarkdown(text: string): string {
  return visibleControls(text)
    .split(MENTION)
    .map((part, index) => (index % 2 === 1 ? code(part) : part.replace(/[\\`*_[\]()<>#|~!]/g, (character) => `\\${character}`)))
    .join("");
}

/** An `@user` or `@org/team` GitHub would notify: an `@` not after a letter, digit or `_`. */
const MENTION = /((?<!\w)@[A-Za-z0-9][\w-]*(?:\/[\w-]+)?)/;

/** Line breaks, tabs and other control characters as escapes (`\n`), so a value stays on its line. */
function visibleControls(text: string): string {
  const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
  return text.replace(/[\p{Cc}\u2028\u2029]/gu, (character) => named[character] ?? `\\u{${character.codePointAt(0)!.toString(16)}}`);
}

/** A code span that holds any text, backticks and line breaks included. */
function code(raw: string): string {
  const text = visibleControls(raw);
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  return longestRun > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

function fenced(text: string): string {
  const longestRun = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  return `${fence}\n${text}\n${fence}`;
}
