/**
 * Users: emails and usernames are unique, disabled users included, a change touches only the
 * fields sent, and deletion takes the user's training history with it (contract §4.12 to §4.15).
 * @module
 */
import type { PortalOptions } from "../options.js";
import { labelCustomData } from "./custom-fields.js";
import { enroll } from "./enrollments.js";
import type { CustomValue, Outcome, PortalData, UserRecord, UserType } from "./records.js";

/** Fields a `PUT /users/{id}` may change, already validated; undefined fields stay as they are (contract §4.13). */
export interface UserChanges {
  email?: string | null | undefined;
  username?: string | null | undefined;
  first_name?: string | undefined;
  last_name?: string | undefined;
  locale?: string | undefined;
  user_type?: UserType | undefined;
  enabled?: boolean | undefined;
  account_expires?: string | undefined;
  timezone_id?: string | undefined;
  /** Values keyed by custom field label or definition id; other keys are dropped. */
  customData?: Record<string, CustomValue> | undefined;
  extras?: Record<string, CustomValue> | undefined;
}

/** A `POST /users`: an email or a username, and any other fields. */
export type NewUser = UserChanges & { email: string | null; username: string | null };

export function findUserByEmail(data: PortalData, email: string, caseInsensitive: boolean): UserRecord | undefined {
  return data.users.find((user) => user.email !== null && sameText(user.email, email, caseInsensitive));
}

export function findUserByUsername(data: PortalData, username: string, caseInsensitive: boolean): UserRecord | undefined {
  return data.users.find((user) => user.username !== null && sameText(user.username, username, caseInsensitive));
}

export function createUser(
  data: PortalData,
  input: NewUser,
  rules: Pick<PortalOptions, "uniqueEmailCaseInsensitive" | "autoEnrollCourseIds" | "rejectUnenrollableCourses">,
): Outcome<UserRecord, "email_taken" | "username_taken"> {
  const taken = identifierTaken(data, input, undefined, rules);
  if (taken) return { ok: false, problem: taken };
  const user = data.users.create(blankUser(data.timestamp(), input.email, input.username));
  applyUserChanges(data, user, input);
  // contract §4.15: some portals enrol every new user in an onboarding course.
  for (const courseId of rules.autoEnrollCourseIds) {
    if (data.courses.has(courseId)) enroll(data, { userId: user.id, courseId }, rules);
  }
  return { ok: true, value: user };
}

/** Changes only the supplied fields (contract §4.13); a new email or username must stay unique. */
export function updateUser(
  data: PortalData,
  userId: number,
  changes: UserChanges,
  rules: Pick<PortalOptions, "uniqueEmailCaseInsensitive">,
): Outcome<UserRecord, "not_found" | "email_taken" | "username_taken"> {
  const user = data.users.get(userId);
  if (!user) return { ok: false, problem: "not_found" };
  const taken = identifierTaken(data, changes, user, rules);
  if (taken) return { ok: false, problem: taken };
  applyUserChanges(data, user, changes);
  user.updated_at = data.timestamp();
  return { ok: true, value: user };
}

/** Deletion is permanent and takes the training history with it (contract §4.14, support article S5). */
export function deleteUser(data: PortalData, userId: number): boolean {
  if (!data.users.delete(userId)) return false;
  data.enrollments.deleteWhere((enrollment) => enrollment.user_id === userId);
  data.memberships.deleteWhere((membership) => membership.user_id === userId);
  return true;
}

/** A user with every optional field at the portal's default, as creation and seeding start from. */
export function blankUser(at: string, email: string | null, username: string | null): Omit<UserRecord, "id"> {
  return {
    email,
    username,
    first_name: "",
    last_name: "",
    locale: "en",
    user_type: "learner",
    enabled: true,
    account_expires: null,
    timezone_id: null,
    sign_in_count: 0,
    last_sign_in_at: null,
    created_at: at,
    updated_at: at,
    customData: {},
    extras: {},
  };
}

/** Which identifier in `wanted` another user than `owner` already holds, if any. */
function identifierTaken(
  data: PortalData,
  wanted: Pick<UserChanges, "email" | "username">,
  owner: UserRecord | undefined,
  rules: Pick<PortalOptions, "uniqueEmailCaseInsensitive">,
): "email_taken" | "username_taken" | undefined {
  const heldByOther = (holder: UserRecord | undefined) => holder !== undefined && holder !== owner;
  if (wanted.email !== undefined && wanted.email !== null) {
    if (heldByOther(findUserByEmail(data, wanted.email, rules.uniqueEmailCaseInsensitive))) return "email_taken";
  }
  if (wanted.username !== undefined && wanted.username !== null) {
    if (heldByOther(findUserByUsername(data, wanted.username, rules.uniqueEmailCaseInsensitive))) return "username_taken";
  }
  return undefined;
}

function applyUserChanges(data: PortalData, user: UserRecord, changes: UserChanges): void {
  const { customData, extras, ...fields } = changes;
  data.users.update(user.id, fields);
  if (customData !== undefined) Object.assign(user.customData, labelCustomData(data.customFields, customData));
  if (extras !== undefined) Object.assign(user.extras, extras);
}

function sameText(a: string, b: string, caseInsensitive: boolean): boolean {
  return caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b;
}
