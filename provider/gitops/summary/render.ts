/**
 * Render: the classified changes as the markdown of a pull-request comment: a one-line overview,
 * then a section per kind of change, its items sorted. Every name, email and value is escaped
 * (./markdown.ts), and secret values are shown as "(secret)".
 * @module
 */
import { UNKNOWN } from "../../resources/lifecycle.js";
import type { Entry, FieldChange, Person, PreviewChanges, UnmanagedDiagnostic } from "./classify.js";
import { bold, code, escapeMarkdown, fenced } from "./markdown.js";
import { isSecret } from "./parse.js";

/** So that a mass change stays readable, and fits a GitHub comment (at most 65,536 characters). */
const MAX_ITEMS_PER_SECTION = 100;

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

export function renderSummary(changes: PreviewChanges): string {
  const { errors, warnings } = changes;
  const groups = sectionGroups(changes);
  const lines = [errors.length > 0 ? `### ${changes.lmsTitle} roster: the preview failed` : `### ${changes.lmsTitle} roster changes`, ""];
  if (errors.length > 0) {
    lines.push("Nothing will be applied until the preview passes.", "", fenced(errors.map((error) => error.trim()).join("\n\n")), "");
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
  if (changes.notInRoster) lines.push(...notInRosterLines(changes.notInRoster));
  if (warnings.length > 0) {
    lines.push("#### Warnings", "", fenced(warnings.map((warning) => warning.trim()).join("\n\n")), "");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

/** The sections in the order a reviewer reads them, grouped as the overview counts them. */
function sectionGroups({ people, enrollments, memberships, drift }: PreviewChanges): Array<[string, Section[]]> {
  const section = (title: string, counted: string, note: string | undefined, items: Item[]): Section => ({ title, counted, items, ...(note ? { note } : {}) });
  return [
    [
      "People",
      [
        section(
          "People added",
          "added",
          "Created, or adopted when the portal already has someone with their email.",
          people.added.map(({ person, admin, deactivated }) => ({ line: `${personLabel(person)}${admin ? ", admin" : ""}${deactivated ? " (deactivated)" : ""}` })),
        ),
        section(
          "People deactivated",
          "deactivated",
          "They can no longer sign in; their training history is kept.",
          people.deactivated.map(({ person, reason }) => ({
            line: `${personLabel(person)}: ${reason === "set to enabled: false" ? "set to `enabled: false`" : reason}`,
          })),
        ),
        section(
          "People deleted",
          "deleted",
          "Deleted from the portal with their training history (removal policy `delete`).",
          people.deleted.map(({ person }) => ({ line: personLabel(person) })),
        ),
        section(
          "People no longer managed",
          "no longer managed",
          "Left in the portal as they are.",
          people.unmanaged.map(({ person, reason }) => ({
            line: `${personLabel(person)}: ${reason === "retain policy" ? "removal policy `retain`" : reason}`,
          })),
        ),
        section("People re-activated", "re-activated", undefined, people.reactivated.map(({ person }) => ({ line: personLabel(person) }))),
        section("People changed", "changed", undefined, people.changed.map(({ person, changes }) => ({ line: personLabel(person), details: changes.map(changeLine) }))),
      ],
    ],
    [
      "Enrollments",
      [
        section(
          "Enrollments added",
          "added",
          undefined,
          enrollments.added.map(({ entry, dueDate }) => ({ line: dueDate === undefined ? entryLabel(entry) : `${entryLabel(entry)}, due ${dueDate}` })),
        ),
        section(
          "Enrollments removed",
          "removed",
          "Completed enrollments stay in the portal as training history.",
          enrollments.removed.map(({ entry, keptWithStatus }) => ({
            line: keptWithStatus === undefined ? entryLabel(entry) : `${entryLabel(entry)} (${keptWithStatus}: kept as training history)`,
          })),
        ),
        section("Enrollments changed", "changed", undefined, enrollments.changed.map(({ entry, changes }) => ({ line: entryLabel(entry), details: changes.map(changeLine) }))),
      ],
    ],
    [
      "Group memberships",
      [
        section("Group memberships added", "added", "Joining a group also enrolls in the group's courses.", memberships.added.map(({ entry }) => ({ line: entryLabel(entry) }))),
        section("Group memberships removed", "removed", "The enrollments the group gave are kept.", memberships.removed.map(({ entry }) => ({ line: entryLabel(entry) }))),
      ],
    ],
    [
      "Drift",
      [
        section(
          "Drift found by refresh",
          "found",
          "Changed in the portal since the last update, outside this stack. The changes above put the roster's values back.",
          drift.map(({ subject, recreated, changes }) => {
            const what = "person" in subject ? personLabel(subject.person) : `${subject.entry.kind === "Enrollment" ? "enrollment" : "membership"} ${entryLabel(subject.entry)}`;
            return recreated ? { line: `${what}: no longer in the portal (created again by this update)` } : { line: what, details: changes.map(changeLine) };
          }),
        ),
      ],
    ],
  ];
}

/** The people the roster does not declare, in their two groups: not changes, unless the mode deactivates them (above). */
function notInRosterLines({ lmsTitle, verdict, counts, people }: UnmanagedDiagnostic): string[] {
  const total = counts.withEmployeeId + counts.withoutEmployeeId;
  const lines = [
    `#### Not in the roster (${total})`,
    "",
    `Active in the ${escapeMarkdown(lmsTitle)} portal but not in the roster: ${counts.withEmployeeId} with an employee id, ${counts.withoutEmployeeId} without; ${escapeMarkdown(verdict)}.`,
    "",
  ];
  const groups: Array<[string, typeof people]> = [
    ["Carries an employee id", people.filter((person) => person.employeeId !== undefined)],
    ["No employee id", people.filter((person) => person.employeeId === undefined)],
  ];
  for (const [title, members] of groups) {
    if (members.length === 0) continue;
    lines.push(`${title}:`, "");
    for (const person of members.slice(0, MAX_ITEMS_PER_SECTION)) {
      lines.push(`- ${person.employeeId === undefined ? `user ${escapeMarkdown(person.lmsId)}` : bold(person.employeeId)} ${escapeMarkdown(person.label)}`);
    }
    if (members.length > MAX_ITEMS_PER_SECTION) lines.push(`- … and ${members.length - MAX_ITEMS_PER_SECTION} more`);
    lines.push("");
  }
  return lines;
}

/** "**E1** Ada Lovelace (ada@example.com)", or the bold name alone for a person no step shows. */
function personLabel({ name, fullName, email }: Person): string {
  if (fullName === undefined) return bold(name);
  return `${bold(name)} ${escapeMarkdown(fullName)}${email === undefined ? "" : ` (${escapeMarkdown(email)})`}`.replace(/ {2,}/g, " ");
}

/** "<person>: <course or group>". */
function entryLabel({ kind, owner, target }: Entry): string {
  const ownerText = "person" in owner ? personLabel(owner.person) : "userEmail" in owner ? escapeMarkdown(owner.userEmail) : `user ${owner.userId}`;
  const targetText = "name" in target ? escapeMarkdown(target.name) : `${kind === "Enrollment" ? "course" : "group"} ${String(target.id)}`;
  return `${ownerText}: ${targetText}`;
}

/** "field: before → after". */
function changeLine({ field, label, before, after }: FieldChange): string {
  if (label !== undefined) return `${field}.${escapeMarkdown(label)}: ${shown(before)} → ${shown(after)}`;
  const absent = field === "removal" ? "(stack default)" : "(none)";
  return `${field}: ${shown(before, absent)} → ${shown(after, absent)}`;
}

function shown(value: unknown, absent = "(none)"): string {
  if (value === undefined || value === null || value === "") return absent;
  if (isSecret(value)) return "(secret)";
  if (value === UNKNOWN) return "(known after apply)";
  return code(typeof value === "string" ? value : JSON.stringify(value));
}
