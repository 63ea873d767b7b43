/**
 * The field table of the Learnifier backend: how the seam's records (`lms/model.ts`) map to
 * Learnifier's wire records and back. Every name that changes between the two sides is here.
 *
 * A user's fields are the rows of `USER_FIELDS`, each with how it is read and written:
 * - the email is `primaryEmail`, and may be `null` (Learnifier's `autoClearEmail` leaves users so);
 * - the language is written as `locale` and read back as `prefs.locale`;
 * - `enabled` is the opposite of `hardLock`, the administrator's lock;
 * - the external id is the employee id, compared case-sensitively.
 * Learnifier has no role to write: `userType` is read as `admin` for people with Back Office
 * roles (made by hand, never ours to change), else `learner`.
 *
 * A participation is an enrollment: the course is the project, and progress counts activities.
 * @module
 */
import type { LearnifierParticipant, LearnifierUser, LearnifierUserWrite } from "../../client/learnifier/schemas.js";
import type { LmsEnrollment, LmsUser, UserChanges } from "../model.js";

/** The seam's user, with the external id the seam is gaining for LMSes that keep one. */
export type LearnifierLmsUser = LmsUser & { externalId?: string | undefined };
export type LearnifierUserChanges = UserChanges & { externalId?: string | undefined };

interface UserFieldRow {
  domain: "email" | "firstName" | "lastName" | "language" | "enabled" | "externalId";
  wire: keyof LearnifierUserWrite;
  /** The domain value from a wire user; `undefined` leaves the field out. */
  read: (wire: LearnifierUser) => string | boolean | undefined;
  /** The wire value for a domain value. */
  write: (value: string | boolean) => string | boolean;
}

const asIs = (value: string | boolean) => value;
const present = (value: string | null | undefined) => (value === null || value === undefined || value === "" ? undefined : value);

export const USER_FIELDS: readonly UserFieldRow[] = [
  { domain: "externalId", wire: "externalId", read: (wire) => present(wire.externalId), write: asIs },
  { domain: "email", wire: "primaryEmail", read: (wire) => present(wire.primaryEmail), write: asIs },
  { domain: "firstName", wire: "firstName", read: (wire) => wire.firstName ?? "", write: asIs },
  { domain: "lastName", wire: "lastName", read: (wire) => wire.lastName ?? "", write: asIs },
  { domain: "language", wire: "locale", read: (wire) => present(wire.prefs?.locale), write: asIs }, // written as locale, read as prefs.locale
  { domain: "enabled", wire: "hardLock", read: (wire) => wire.hardLock !== true, write: (enabled) => !enabled },
];

/** Learnifier's people: those with Back Office roles are administrators. */
export const LEARNIFIER_USER_TYPES = ["learner", "admin"] as const;

export function lmsUserOf(wire: LearnifierUser): LearnifierLmsUser {
  const user: Record<string, unknown> = {
    id: wire.id,
    userType: (wire.backOfficeRoles ?? []).length > 0 ? "admin" : "learner",
    customData: {},
  };
  for (const row of USER_FIELDS) {
    const value = row.read(wire);
    if (value !== undefined) user[row.domain] = value;
  }
  // Each row's `read` gives the type its seam field has.
  return user as unknown as LearnifierLmsUser;
}

/**
 * The body of a `POST` or `PATCH` for `changes`: a key for each field given and none for the rest,
 * since on a `PATCH` every key sent is written, an empty one clearing the field.
 */
export function wireFieldsFor(changes: LearnifierUserChanges): LearnifierUserWrite {
  const fields: Record<string, string | boolean> = {};
  for (const row of USER_FIELDS) {
    const value = changes[row.domain];
    if (value !== undefined) fields[row.wire] = row.write(value);
  }
  return fields;
}

/** The user as a read would show them after writing `changes`, without asking. */
export function userAfterChanges(user: LearnifierLmsUser, changes: LearnifierUserChanges): LearnifierLmsUser {
  const after: LearnifierLmsUser = { ...user };
  for (const row of USER_FIELDS) {
    const value = changes[row.domain];
    if (value !== undefined) Object.assign(after, { [row.domain]: value });
  }
  return after;
}

/** A participation can be used by the learner only once activated, and not while in error. */
export function isUsable(participant: LearnifierParticipant): boolean {
  return participant.activated === true && participant.inError !== true;
}

/** An enrollment's id carries its project: `projectId:participantId`, since removing it needs both. */
export function enrollmentId(projectId: string, participantId: string): string {
  return `${projectId}:${participantId}`;
}

export function parseEnrollmentId(id: string): { projectId: string; participantId: string } {
  const [projectId, participantId, ...rest] = id.split(":");
  if (!projectId || !participantId || rest.length > 0) throw new TypeError(`a Learnifier enrollment id is projectId:participantId, got "${id}"`);
  return { projectId, participantId };
}

/** A participation as an enrollment: progress is the share of the course's activities done. */
export function lmsEnrollmentOf(wire: LearnifierParticipant): LmsEnrollment {
  const done = wire.activitiesCompleted ?? 0;
  const total = wire.activitiesTotal ?? 0;
  const status = total > 0 && done >= total ? "completed" : done > 0 ? "in_progress" : "not_started";
  return {
    id: enrollmentId(wire.projectId, wire.id),
    userId: wire.userId,
    courseId: wire.projectId,
    status,
    progress: total > 0 ? Math.round((Math.min(done, total) / total) * 100) : 0,
    ...(wire.projectName != null && { courseName: wire.projectName }),
  };
}
