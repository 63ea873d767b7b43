/**
 * zod schemas for every LearnUpon request and response the client uses, following the wire facts
 * written down in docs/learnupon-api-notes.md.
 *
 * - Responses are `looseObject`s: fields we do not name pass through untouched, and only the
 *   fields the client relies on are checked. Wire names stay snake_case; the inferred types
 *   (`LearnUponUser`, …) are the raw wire records.
 * - List envelopes are read by their known key (`user`, `enrollments`, `courses`, `groups`,
 *   `group`), never as "the first array": `GET /users` puts `customDataFieldDefintions`
 *   (sic) before `user` (notes, "Envelopes").
 * - Request bodies carry LearnUpon's capitalised wrappers (`{"User":{…}}`) except the enrollment
 *   PATCH and DELETE bodies, which must be unwrapped (notes, "Request bodies").
 * - Enrollment dates come back as date-times or as dates; read them with `calendarDate()`.
 *
 * Schemas are built on first use by `learnUponSchemas()`, not at import time, so nothing heavy
 * is created just by loading the package.
 * @module
 */
import { z } from "zod";

/** `YYYY-MM-DD`, the format LearnUpon takes dates in (notes, "Dates"). */
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/** A date, optionally followed by a time and a zone: `2027-01-31`, `2027-01-31T00:00:00Z`, `2027-01-31 00:00:00.000+01:00`. */
const DATE_PREFIX = /^(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * The calendar day of a date LearnUpon sent, as `YYYY-MM-DD`, whatever precision and zone suffix
 * it came with; `undefined` for null, empty or unreadable values. The day is taken as written,
 * not shifted to UTC: the portal writes the day it means (notes, "Dates").
 */
export function calendarDate(value: string | null | undefined): string | undefined {
  const day = DATE_PREFIX.exec(value?.trim() ?? "")?.[1];
  if (day === undefined) return undefined;
  return new Date(`${day}T00:00:00Z`).toISOString().startsWith(day) ? day : undefined;
}

function buildSchemas() {
  const id = z.number().int();
  const text = z.string().nullish();
  const dateOnly = z.string().regex(DATE_ONLY, "expected a date as YYYY-MM-DD");
  /** Flags the docs' examples send as the strings "true"/"false" (notes, "Flags"). */
  const stringFlag = z.enum(["true", "false"]);

  // User attributes. `email` is absent on portals that identify users by username.
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

  // Enrollment attributes.
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

  // Course and group fields.
  const course = z.looseObject({ id, name: z.string() });
  const group = z.looseObject({ id, title: z.string() });

  // Writable user fields, in wire names. Strict: a misspelt field fails here instead of
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
    /** A time-zone name such as "Eastern Time (US & Canada)" (notes, "Time zones"). */
    timezone_id: z.string().min(1).optional(),
    /** Custom user data keyed by field label. */
    CustomData: z.record(z.string(), z.unknown()).optional(),
  });

  return {
    // Responses
    /** `GET /users`, `GET /users/{id}` (one-element array) and `GET /users/search`. */
    userList: z.looseObject({ user: z.array(user) }),
    /** `GET /users`' custom user field definitions, under their misspelled key (§1.3, §2.1). */
    customFieldDefinitions: z.looseObject({ customDataFieldDefintions: z.array(z.looseObject({ id, label: z.string() })) }),
    /** `GET /enrollments/search` and `GET /enrollments/{id}` (one-element array). */
    enrollmentList: z.looseObject({ enrollments: z.array(enrollment) }),
    courseList: z.looseObject({ courses: z.array(course) }),
    groupList: z.looseObject({ groups: z.array(group) }),
    /**
     * `GET /group_memberships?group_id=`: one row per member. Usually the row is the user (`id` is
     * the user id); a row that also has `user_id` has the membership's id in `id` (notes, "Group members").
     */
    groupMemberList: z.looseObject({
      user: z.array(z.looseObject({ id, user_id: id.nullish(), group_membership_id: id.nullish(), email: text })),
    }),
    /** `GET /group_memberships?user_id=`: the user's groups; `id` is the group id. */
    userGroupList: z.looseObject({ group: z.array(z.looseObject({ id, title: text })) }),
    /** `POST /users` and `POST /enrollments`: a flat `{"id": N}`, not the record. */
    created: z.looseObject({ id }),

    // Requests
    /** `POST /users` and `PUT /users/{id}`; a PUT changes only the fields sent. */
    userWrite: z.object({ User: userFields }),
    enrollmentCreate: z.object({
      Enrollment: z.object({
        email: z.string().min(1).optional(),
        user_id: id.optional(),
        course_id: id,
        due_date: dateOnly.optional(),
        /** The expiry goes under one of two names; which one a portal takes is learnt at run time (notes, "Enrollment expiry"). */
        expires_at: dateOnly.optional(),
        expiry_date: dateOnly.optional(),
      }),
    }),
    /** Unwrapped: a wrapped PATCH answers 200 and changes nothing (notes, "Request bodies"). */
    enrollmentUpdate: z.strictObject({ due_date: dateOnly.optional(), expires_at: dateOnly.optional(), expiry_date: dateOnly.optional() }),
    /** Unwrapped, with the flag as the string "true"; boolean `true` gets a 400 (notes, "Flags"). */
    enrollmentDelete: z.object({ remove_from_history: stringFlag }),
    /** `process_enrollments` is a JSON boolean, as the guide types it (notes, "Flags"). */
    groupMembershipCreate: z.object({
      GroupMembership: z.object({ group_id: id, user_id: id, process_enrollments: z.boolean() }),
    }),
    /** Body of `DELETE /group_memberships/0`, which removes the membership by pair. */
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
/** A raw member row of `GET /group_memberships?group_id=`; read it with `groupMembershipsApi.listByGroup`. */
export type LearnUponGroupMemberRow = z.output<LearnUponSchemas["groupMemberList"]>["user"][number];
/** A group as listed by `GET /group_memberships?user_id=`. */
export type LearnUponUserGroup = z.output<LearnUponSchemas["userGroupList"]>["group"][number];
export type LearnUponEnrollment = z.output<LearnUponSchemas["enrollmentList"]>["enrollments"][number];
/** Writable user fields in wire names, for `users.create` and `users.update`. */
export type UserFields = z.input<LearnUponSchemas["userWrite"]>["User"];
export type LearnUponCourse = z.output<LearnUponSchemas["courseList"]>["courses"][number];
export type LearnUponGroup = z.output<LearnUponSchemas["groupList"]>["groups"][number];
/** A custom user field's definition: users' `CustomData` is keyed by its `label`. */
export type LearnUponCustomField = z.output<LearnUponSchemas["customFieldDefinitions"]>["customDataFieldDefintions"][number];
