/**
 * The field table of the Learn Amp backend: how the seam's records (`lms/model.ts`) map to Learn
 * Amp's wire records and back (docs/learnamp-api-notes.md §6). Every name that changes between the
 * two sides is here. Two cases do not fit a row, and sit next to the table:
 * - `id` is a number on the wire and text in the seam;
 * - `enabled` is not a field: it is read from the status ("Deactivated" or not) and written only
 *   through `/deactivate` and `/reactivate` (client.ts).
 * @module
 */
import { isDeactivated } from "../../client/learnamp/users.js";
import type { LearnAmpUser, LearnAmpUserFields } from "../../client/learnamp/schemas.js";
import type { LmsUser, UserChanges } from "../model.js";

interface UserFieldRow {
  domain: "email" | "firstName" | "lastName" | "userType" | "language" | "externalId";
  wire: keyof LearnAmpUserFields & keyof LearnAmpUser;
  /** What a read gives when Learn Amp sends null or nothing; without it the field is left out. */
  whenAbsent?: string;
}

export const USER_FIELDS: readonly UserFieldRow[] = [
  { domain: "email", wire: "email" },
  { domain: "firstName", wire: "firstName", whenAbsent: "" },
  { domain: "lastName", wire: "lastName", whenAbsent: "" },
  { domain: "userType", wire: "role" }, // Learn Amp's own role names: viewer, curator, …, admin, owner
  { domain: "language", wire: "language" },
  // The employee id, on servers from 2026-06; older ones leave it out of every answer and ignore it.
  { domain: "externalId", wire: "integrationExternalId" },
];

/** A user as Learn Amp returns them, in the seam's terms. */
export function lmsUserOf(wire: LearnAmpUser): LmsUser {
  const user: Record<string, unknown> = { id: String(wire.id), enabled: !isDeactivated(wire), customData: {} };
  for (const row of USER_FIELDS) {
    const value = wire[row.wire] ?? row.whenAbsent;
    if (value !== undefined) user[row.domain] = value;
  }
  // Every row's wire value is the text the seam's field holds.
  return user as unknown as LmsUser;
}

/** The wire fields for `changes`, `enabled` aside; fields left out are not sent. */
export function wireFieldsOf(changes: UserChanges): LearnAmpUserFields {
  const fields: LearnAmpUserFields = {};
  for (const row of USER_FIELDS) {
    const value = changes[row.domain];
    if (value !== undefined) fields[row.wire] = value;
  }
  return fields;
}

/** The user as a read would show them after `changes`, without asking. */
export function userAfterChanges(user: LmsUser, changes: UserChanges): LmsUser {
  const after: LmsUser = { ...user };
  for (const row of USER_FIELDS) {
    const value = changes[row.domain];
    if (value !== undefined) after[row.domain] = value;
  }
  if (changes.enabled !== undefined) after.enabled = changes.enabled;
  return after;
}
