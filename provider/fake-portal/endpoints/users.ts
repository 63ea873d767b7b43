/**
 * `/users` endpoints (contract §2.1, §4.6 to §4.9, §4.12 to §4.15).
 * @module
 */
import type { JsonObject, PortalOptions } from "../options.js";
import { USER_TYPES, type CustomValue, type PortalStore, type UserChanges, type UserRecord, type UserType } from "../store.js";
import { customFieldView, userView } from "../views.js";
import {
  apiVersion,
  fail,
  isCustomValue,
  ok,
  optionalBoolean,
  optionalCustomData,
  optionalDate,
  optionalText,
  paged,
  pathId,
  reject,
  requireEmailShape,
  requireWrapped,
  type ApiCall,
  type Portal,
  type Reply,
} from "./kit.js";

export function listUsers({ store, options }: Portal, call: ApiCall): Reply {
  let users = store.list(store.users);
  const loginEnabled = call.query.get("login_enabled");
  if (loginEnabled === "true" || loginEnabled === "false") {
    users = users.filter((user) => user.enabled === (loginEnabled === "true"));
  }
  const email = call.query.get("email");
  // contract §4.8: `?email=` is not a documented filter here; ignoring it catches clients using the seed's lookup.
  if (email !== null && options.usersEmailParamFilters) {
    const match = store.findUserByEmail(email, options.searchEmailCaseInsensitive);
    users = users.filter((user) => user === match);
  }
  const version = apiVersion(call);
  return paged({ store, options }, call, "user", users, (user) => userView(store, user, version), {
    customDataFieldDefintions: customFieldDefinitions(store),
  });
}

export function getUser({ store }: Portal, call: ApiCall): Reply {
  const user = store.users.get(pathId(call));
  if (!user) return fail(404, "User not found");
  // contract §1.3: a one-element array, with the misspelled definitions key first.
  return ok({ customDataFieldDefintions: customFieldDefinitions(store), user: [userView(store, user, apiVersion(call))] });
}

export function searchUsers(portal: Portal, call: ApiCall): Reply {
  const { store, options } = portal;
  const email = call.query.get("email");
  const username = call.query.get("username");
  let users = store.list(store.users);
  if (email !== null) {
    const match = store.findUserByEmail(email, options.searchEmailCaseInsensitive);
    users = users.filter((user) => user === match);
  }
  if (username !== null) {
    const match = store.findUserByUsername(username, options.searchEmailCaseInsensitive);
    users = users.filter((user) => user === match);
  }
  // contract §1.6: any other filter (`?user_id=`) is ignored, so the whole roster comes back.
  if (users.length === 0 && (email !== null || username !== null)) {
    return { status: options.searchMissStatus, body: options.userSearchNotFoundBody };
  }
  const version = apiVersion(call);
  return paged(portal, call, "user", users, (user) => userView(store, user, version));
}

export function listCustomFields(portal: Portal, call: ApiCall): Reply {
  const { store } = portal;
  return paged(portal, call, "customDataFieldDefintions", store.list(store.customFields), customFieldView);
}

export function createUser({ store, options }: Portal, call: ApiCall): Reply {
  // contract §1.2: measured 404 "Invalid user parameters provided" for a missing wrapper.
  const fields = requireWrapped(options, call, "User", "user", 404);
  const email = optionalText(fields, "email");
  const username = optionalText(fields, "username");
  if (email === undefined && username === undefined) throw reject(400, "Email address is required");
  if (email !== undefined) requireEmailShape(email);
  if (fields.password === undefined) {
    if (options.requirePassword) throw reject(400, "Password is required and must be at least 6 characters");
  } else {
    requirePasswordShape(fields.password);
  }
  const outcome = store.createUser(
    { ...readUserProfile(fields), email: email ?? null, username: username ?? null },
    options,
  );
  if (!outcome.ok) return duplicateUser(options, outcome.problem, email ?? username ?? "");
  // contract §1.3: creation answers with the id only, not the record.
  return ok({ id: outcome.value.id });
}

export function updateUser({ store, options }: Portal, call: ApiCall): Reply {
  const fields = requireWrapped(options, call, "User", "user", 404);
  // contract §2.1: `PUT /users/0` names the user by email or username inside the body.
  const user = call.params.id === "0" ? userNamedIn(store, options, fields) : store.users.get(pathId(call));
  if (!user) return fail(404, "User not found");
  if (fields.password !== undefined) requirePasswordShape(fields.password);
  const newEmail = optionalText(fields, "new_email");
  if (newEmail !== undefined) requireEmailShape(newEmail);
  const newUsername = optionalText(fields, "new_username");
  const changes = { ...readUserProfile(fields), email: newEmail, username: newUsername };
  const outcome = store.updateUser(user.id, changes, options);
  if (outcome.ok) return ok({ success: "ok" });
  if (outcome.problem === "not_found") return fail(404, "User not found");
  return duplicateUser(options, outcome.problem, newEmail ?? newUsername ?? "");
}

export function deleteUser({ store }: Portal, call: ApiCall): Reply {
  return store.deleteUser(pathId(call)) ? ok({ success: "ok" }) : fail(404, "User not found");
}

function userNamedIn(store: PortalStore, options: PortalOptions, fields: JsonObject): UserRecord | undefined {
  const email = optionalText(fields, "email");
  if (email !== undefined) return store.findUserByEmail(email, options.searchEmailCaseInsensitive);
  const username = optionalText(fields, "username");
  if (username !== undefined) return store.findUserByUsername(username, options.searchEmailCaseInsensitive);
  return undefined;
}

function duplicateUser(options: PortalOptions, problem: "email_taken" | "username_taken", identifier: string): Reply {
  const kind = problem === "email_taken" ? "email" : "username";
  // contract §1.7: clients match on "user already exists".
  return fail(options.duplicateUserStatus, `A user already exists with the ${kind} ${identifier}`);
}

/** Documented optional user fields kept as sent (contract §2.1 "Create a user"). */
const EXTRA_USER_FIELDS = [
  "can_enroll",
  "can_unenroll_users",
  "can_mark_complete",
  "can_move_groups",
  "can_act_as_instructor",
  "can_manage_trainings",
  "can_manage_sessions",
  "tutor_can_edit_their_courses",
  "tutor_can_create_courses",
  "change_password_on_first_login",
  "membership_type",
  "sf_contact_id",
  "sf_user_id",
] as const;

/** The profile fields of a create or update body; identifiers and the password are handled by the caller. */
function readUserProfile(fields: JsonObject): UserChanges {
  const userType = optionalText(fields, "user_type");
  if (userType !== undefined && !isUserType(userType)) {
    throw reject(400, `user_type must be one of ${USER_TYPES.join(", ")}`);
  }
  const extras: Record<string, CustomValue> = {};
  for (const key of EXTRA_USER_FIELDS) {
    const value = fields[key];
    if (isCustomValue(value)) extras[key] = value;
  }
  return {
    first_name: optionalText(fields, "first_name"),
    last_name: optionalText(fields, "last_name"),
    // contract §2.1: sent as `language`, read back as `locale`.
    locale: optionalText(fields, "language"),
    user_type: userType,
    enabled: optionalBoolean(fields, "enabled"),
    account_expires: optionalDate(fields, "account_expires"),
    timezone_id: optionalText(fields, "timezone_id"),
    customData: optionalCustomData(fields),
    extras,
  };
}

// contract §2.1: mandatory password of 6 or more characters.
function requirePasswordShape(password: unknown): void {
  if (typeof password !== "string" || password.length < 6) throw reject(400, "Password must be at least 6 characters");
}

function customFieldDefinitions(store: PortalStore): JsonObject[] {
  return store.list(store.customFields).map(customFieldView);
}

function isUserType(value: string): value is UserType {
  return (USER_TYPES as readonly string[]).includes(value);
}
