/**
 * The field table of the LearnUpon backend: how the LMS seam's records (`lms/model.ts`) map to
 * LearnUpon's wire records and back. Every name that changes between the two sides is here.
 *
 * A user's plain fields are the rows of `USER_FIELDS`. Four cases do not fit a row, and sit next
 * to the table:
 * - `id` is a number on the wire and text in the seam;
 * - `CustomData` is read as text and written per label (LearnUpon keeps the labels not sent);
 * - on a `PUT`, `email` names the user, so a new email goes out as `new_email`;
 * - the language is written as `language` and read back as `locale` (the `readAs` column).
 * @module
 */
import { enrollmentDates, type LearnUponEnrollment, type LearnUponUser, type UserFields } from "../../client/index.js";
import type { LmsEnrollment, LmsUser, UserChanges } from "../model.js";

interface UserFieldRow {
  /** The seam's name. */
  domain: Exclude<keyof UserChanges, "customData">;
  /** The name LearnUpon takes on `POST /users` and `PUT /users/{id}`. */
  wire: keyof UserFields;
  /** The name LearnUpon answers it under, when not `wire`. */
  readAs?: keyof LearnUponUser;
  /** What a read gives when LearnUpon sends null or nothing; without it the field is left out. */
  whenAbsent?: string | boolean;
}

/** A user's plain fields: same value on both sides, only the name differs. */
export const USER_FIELDS: readonly UserFieldRow[] = [
  { domain: "email", wire: "email" },
  { domain: "firstName", wire: "first_name", whenAbsent: "" },
  { domain: "lastName", wire: "last_name", whenAbsent: "" },
  { domain: "username", wire: "username" },
  { domain: "userType", wire: "user_type" },
  { domain: "enabled", wire: "enabled", whenAbsent: true }, // a user LearnUpon does not flag is active
  { domain: "language", wire: "language", readAs: "locale" }, // sent as language, read back as locale
];

/** A user as LearnUpon returns it, in the seam's terms. */
export function lmsUserOf(wire: LearnUponUser): LmsUser {
  const user: Record<string, unknown> = { id: String(wire.id) };
  for (const row of USER_FIELDS) {
    const value = wire[row.readAs ?? row.wire] ?? row.whenAbsent;
    if (value !== undefined) user[row.domain] = value;
  }
  user["customData"] = customDataOf(wire.CustomData);
  // The schema behind LearnUponUser types every row's wire value as the seam's field expects.
  return user as unknown as LmsUser;
}

/** CustomData as text by label; a null value is an empty field, so it is left out. */
function customDataOf(wire: Record<string, unknown> | null | undefined): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [label, value] of Object.entries(wire ?? {})) {
    if (value !== null && value !== undefined) data[label] = String(value);
  }
  return data;
}

/** The body of `POST /users` (without the password) for `changes`; fields left out are not sent. */
export function wireFieldsForPost(changes: UserChanges): UserFields {
  const fields: UserFields = {};
  for (const row of USER_FIELDS) {
    const value = changes[row.domain];
    // The wire schema checks each value (user_type's role names, say) before anything is sent.
    if (value !== undefined) Object.assign(fields, { [row.wire]: value });
  }
  if (changes.customData !== undefined) fields.CustomData = changes.customData; // only these labels are written
  return fields;
}

/** The body of `PUT /users/{id}` for `changes`. */
export function wireFieldsForPut(changes: UserChanges): UserFields {
  const { email, ...rest } = wireFieldsForPost(changes);
  // On a PUT, `email` names the user; renaming takes `new_email` (contract §2.1).
  return email === undefined ? rest : { ...rest, new_email: email };
}

/**
 * The user as a read would show them after a `PUT` of `changes`, without asking. In the seam's
 * terms a rename and a language read back under the names they were written with; only
 * CustomData needs care: LearnUpon merges it by label.
 */
export function userAfterChanges(user: LmsUser, changes: UserChanges): LmsUser {
  const after: LmsUser = { ...user, customData: { ...user.customData, ...changes.customData } };
  for (const row of USER_FIELDS) {
    const value = changes[row.domain];
    if (value !== undefined) Object.assign(after, { [row.domain]: value });
  }
  return after;
}

/** An enrollment as LearnUpon returns it, in the seam's terms; its dates read as days. */
export function lmsEnrollmentOf(wire: LearnUponEnrollment): LmsEnrollment {
  const { dueDate, expiresAt } = enrollmentDates(wire);
  return {
    id: String(wire.id),
    userId: String(wire.user_id),
    courseId: String(wire.course_id),
    status: wire.status ?? "not_started",
    progress: wire.percentage_complete ?? 0,
    ...(dueDate !== undefined && { dueDate }),
    ...(expiresAt !== undefined && { expiresAt }),
  };
}
