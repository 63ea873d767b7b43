/**
 * zod schemas for every LearnUpon request and response the client uses, following the contract
 * (/work/shared/learnupon-api.md, §1.2–1.3 and §2).
 *
 * - Responses are `looseObject`s: fields we do not name pass through untouched, and only the
 *   fields the client relies on are checked. Wire names stay snake_case; the inferred types
 *   (`LearnUponUser`, …) are the raw wire records.
 * - List envelopes are read by their known key (`user`, `enrollments`, `courses`, `groups`,
 *   `group`), never as "the first array": `GET /users` puts `customDataFieldDefintions`
 *   (sic) before `user` (§1.3).
 * - Request bodies carry LearnUpon's capitalised wrappers (`{"User":{…}}`) except the enrollment
 *   PATCH and DELETE bodies, which must be unwrapped (§1.2).
 *
 * Schemas are built on first use by `learnUponSchemas()`, not at import time, so nothing heavy
 * is created just by loading the package.
 * @module
 */
import { z } from "zod";

/** `YYYY-MM-DD`, the format of LearnUpon's date-only fields (§1.2). */
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function buildSchemas() {
  const id = z.number().int();
  const text = z.string().nullish();
  const dateOnly = z.string().regex(DATE_ONLY, "expected a date as YYYY-MM-DD");
  /** The docs send flags as the strings "true"/"false"; booleans are not reliably coerced (§1.2). */
  const stringFlag = z.enum(["true", "false"]);

  // §2.1 user attributes. `email` is absent on portals that identify users by username.
  const user = z.looseObject({
    id,
    email: text,
    username: text,
    first_name: text,
    last_name: text,
    enabled: z.boolean().nullish(),
    user_type: text,
    locale: text,
    account_expires: text,
    CustomData: z.record(z.string(), z.unknown()).nullish(),
  });

  // §2.2 enrollment attributes.
  const enrollment = z.looseObject({
    id,
    user_id: id,
    course_id: id,
    email: text,
    course_name: text,
    status: text,
    percentage_complete: z.number().nullish(),
    due_date: text,
    course_access_expires_at: text,
    group_id: id.nullish(),
  });

  // §2.5 course fields, §2.4 group fields.
  const course = z.looseObject({ id, name: z.string() });
  const group = z.looseObject({ id, title: z.string() });

  // §2.1 writable user fields, in wire names. Strict: a misspelt field fails here instead of
  // being ignored by LearnUpon.
  const userFields = z.strictObject({
    email: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
    /** Renames the user (`PUT` only). */
    new_email: z.string().min(1).optional(),
    new_username: z.string().min(1).optional(),
    password: z.string().min(6, "password must have at least 6 characters").optional(),
    first_name: z.string().optional(),
    last_name: z.string().optional(),
    /** ISO code such as `en`; read back as `locale`. */
    language: z.string().optional(),
    user_type: z.enum(["learner", "instructor", "manager", "admin"]).optional(),
    enabled: z.boolean().optional(),
    account_expires: dateOnly.optional(),
    timezone_id: id.optional(),
    /** Custom user data keyed by field label. */
    CustomData: z.record(z.string(), z.unknown()).optional(),
  });

  return {
    // Responses
    /** `GET /users`, `GET /users/{id}` (one-element array) and `GET /users/search` (§1.3). */
    userList: z.looseObject({ user: z.array(user) }),
    /** `GET /users`' custom user field definitions, under their misspelled key (§1.3, §2.1). */
    customFieldDefinitions: z.looseObject({ customDataFieldDefintions: z.array(z.looseObject({ id, label: z.string() })) }),
    /** `GET /enrollments/search` and `GET /enrollments/{id}` (one-element array). */
    enrollmentList: z.looseObject({ enrollments: z.array(enrollment) }),
    courseList: z.looseObject({ courses: z.array(course) }),
    groupList: z.looseObject({ groups: z.array(group) }),
    /** `GET /group_memberships?group_id=&version_id=1.1`: users, each with its membership id (§2.3). */
    groupMemberList: z.looseObject({ user: z.array(user.extend({ group_membership_id: id.nullish() })) }),
    /** `GET /group_memberships?user_id=`: the user's groups; `id` is the group id (§2.3). */
    userGroupList: z.looseObject({ group: z.array(z.looseObject({ id, title: text })) }),
    /** `POST /users` and `POST /enrollments`: a flat `{"id": N}`, not the record (§1.3). */
    created: z.looseObject({ id }),

    // Requests
    /** `POST /users` and `PUT /users/{id}`; a PUT changes only the fields sent (§2.1). */
    userWrite: z.object({ User: userFields }),
    enrollmentCreate: z.object({
      Enrollment: z.object({
        email: z.string().min(1).optional(),
        user_id: id.optional(),
        course_id: id,
        due_date: dateOnly.optional(),
        expires_at: dateOnly.optional(),
      }),
    }),
    /** Unwrapped: a wrapped PATCH answers 200 and changes nothing (§1.2, §2.2). */
    enrollmentUpdate: z.object({ due_date: dateOnly.optional(), expires_at: dateOnly.optional() }),
    /** Unwrapped, with the flag as the string "true"; boolean `true` gets a 400 (§2.2). */
    enrollmentDelete: z.object({ remove_from_history: stringFlag }),
    groupMembershipCreate: z.object({
      GroupMembership: z.object({ group_id: id, user_id: id, process_enrollments: stringFlag }),
    }),
    /** Body of `DELETE /group_memberships/0`, which removes the membership by pair (§2.3). */
    groupMembershipDelete: z.object({
      GroupMembership: z.object({ group_id: id, user_id: id, process_unenrollments: stringFlag.optional() }),
    }),
  };
}

export type LearnUponSchemas = ReturnType<typeof buildSchemas>;

let schemas: LearnUponSchemas | undefined;

/** The schemas, built once per process on first use. */
export function learnUponSchemas(): LearnUponSchemas {
  schemas ??= buildSchemas();
  return schemas;
}

/** A user as LearnUpon returns it (snake_case wire record; unknown fields kept). */
export type LearnUponUser = z.output<LearnUponSchemas["userList"]>["user"][number];
/** A group member row from `GET /group_memberships?group_id=`, with `group_membership_id`. */
export type LearnUponGroupMember = z.output<LearnUponSchemas["groupMemberList"]>["user"][number];
/** A group as listed by `GET /group_memberships?user_id=`. */
export type LearnUponUserGroup = z.output<LearnUponSchemas["userGroupList"]>["group"][number];
export type LearnUponEnrollment = z.output<LearnUponSchemas["enrollmentList"]>["enrollments"][number];
/** Writable user fields in wire names, for `users.create` and `users.update`. */
export type UserFields = z.input<LearnUponSchemas["userWrite"]>["User"];
export type LearnUponCourse = z.output<LearnUponSchemas["courseList"]>["courses"][number];
export type LearnUponGroup = z.output<LearnUponSchemas["groupList"]>["groups"][number];
/** A custom user field's definition: users' `CustomData` is keyed by its `label`. */
export type LearnUponCustomField = z.output<LearnUponSchemas["customFieldDefinitions"]>["customDataFieldDefintions"][number];
