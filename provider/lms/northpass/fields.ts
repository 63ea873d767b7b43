/**
 * The field table of the Northpass backend: how the LMS seam's records (`lms/model.ts`) map to
 * Northpass's person attributes and back. Every name that changes between the two sides is here.
 *
 * A person's plain fields are the rows of `PERSON_FIELDS`. `enabled` does not fit a row: it is
 * read from `disabled` or `deactivated_at` (the server's choice is unsettled, so both are read)
 * and written through the separate, read-back deactivation call (`client.ts`). The seam's other
 * user fields have no place in a Northpass person (the backend's capabilities say so at preview).
 * @module
 */
import { isDeactivated, type NorthpassEnrollment, type NorthpassPerson, type PersonAttributes } from "../../client/northpass/schemas.js";
import type { LmsEnrollment, LmsUser, UserChanges } from "../model.js";

/** The role every person reads as. */
export const NORTHPASS_ROLE = "learner";

interface PersonFieldRow {
  /** The seam's name. */
  domain: "email" | "firstName" | "lastName";
  /** The attribute Northpass reads and writes. */
  wire: "email" | "first_name" | "last_name";
}

export const PERSON_FIELDS: readonly PersonFieldRow[] = [
  { domain: "email", wire: "email" },
  { domain: "firstName", wire: "first_name" },
  { domain: "lastName", wire: "last_name" },
];

/**
 * A person as Northpass returns them, in the seam's terms. The API shows no role, so everyone
 * reads as a learner, the one role the backend knows (`backend.ts`).
 */
export function lmsUserOf(person: NorthpassPerson): LmsUser {
  const user: LmsUser = { id: person.id, firstName: "", lastName: "", userType: NORTHPASS_ROLE, enabled: !isDeactivated(person), customData: {} };
  for (const row of PERSON_FIELDS) {
    const value = person.attributes[row.wire];
    if (typeof value === "string") user[row.domain] = value;
  }
  return user;
}

/** The attributes a create or `PATCH` writes for `changes`; fields left out are not sent. */
export function personAttributesFor(changes: UserChanges): PersonAttributes {
  const attributes: PersonAttributes = {};
  for (const row of PERSON_FIELDS) {
    const value = changes[row.domain];
    if (value !== undefined) attributes[row.wire] = value;
  }
  return attributes;
}

/** The user as a read would show them after `changes` were written. */
export function userAfterChanges(user: LmsUser, changes: UserChanges): LmsUser {
  const after: LmsUser = { ...user };
  for (const row of PERSON_FIELDS) {
    const value = changes[row.domain];
    if (value !== undefined) after[row.domain] = value;
  }
  return after;
}

/**
 * A course enrollment (read only; access comes from groups) in the seam's terms. Northpass gives
 * progress, not a status, so the status is derived from it.
 */
export function lmsEnrollmentOf(courseId: string, wire: NorthpassEnrollment): LmsEnrollment {
  const progress = wire.attributes.progress ?? 0;
  const status = progress >= 100 ? "completed" : progress > 0 ? "in_progress" : "not_started";
  return { id: wire.id ?? `${courseId}:${wire.attributes.person_id}`, userId: wire.attributes.person_id, courseId, status, progress };
}
