/**
 * Seeding: the shape of a seed, and loading it as it is, without business rules, so that a test
 * can set up any state (a seeded membership enrols nobody; disabled users and completed
 * enrollments load as given). References, taken ids and duplicate emails are still refused.
 * @module
 */
import { z } from "zod";
import type { Collection } from "../collection.js";
import { labelCustomData } from "./custom-fields.js";
import { isFinished } from "./enrollments.js";
import { COURSE_STATUSES, ENROLLMENT_STATUSES, USER_TYPES, type PortalData } from "./records.js";
import { blankUser, findUserByEmail } from "./users.js";

const seedId = z.number().int().positive();

/** What `seed()` accepts. Records reference each other by id, so give ids to what you reference. */
export const seedDataSchema = z.strictObject({
  customFields: z
    .array(
      z.strictObject({
        id: seedId.optional(),
        label: z.string().min(1),
        type_id: z.number().int().min(1).max(7).default(1),
        predefined_values: z.array(z.string()).default([]),
      }),
    )
    .default([]),
  courses: z
    .array(
      z.strictObject({
        id: seedId.optional(),
        name: z.string().min(1),
        published_status_id: z.enum(COURSE_STATUSES).default("published"),
        number_of_modules: z.number().int().min(0).default(1),
        reference_code: z.string().nullable().default(null),
        num_enrolled: z.number().int().min(0).default(0),
      }),
    )
    .default([]),
  groups: z
    .array(z.strictObject({ id: seedId.optional(), title: z.string().min(1), description: z.string().default("") }))
    .default([]),
  groupCourses: z
    .array(z.strictObject({ id: seedId.optional(), group_id: seedId, course_id: seedId }))
    .default([]),
  users: z
    .array(
      z.strictObject({
        id: seedId.optional(),
        email: z.string().min(3).nullable().default(null),
        username: z.string().min(1).nullable().default(null),
        first_name: z.string().default(""),
        last_name: z.string().default(""),
        locale: z.string().default("en"),
        user_type: z.enum(USER_TYPES).default("learner"),
        enabled: z.boolean().default(true),
        sign_in_count: z.number().int().min(0).default(0),
        CustomData: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
      }),
    )
    .default([]),
  memberships: z
    .array(z.strictObject({ id: seedId.optional(), group_id: seedId, user_id: seedId }))
    .default([]),
  enrollments: z
    .array(
      z.strictObject({
        id: seedId.optional(),
        user_id: seedId,
        course_id: seedId,
        group_id: seedId.nullable().default(null),
        status: z.enum(ENROLLMENT_STATUSES).default("not_started"),
        percentage: z.number().min(0).max(100).nullable().default(null),
        due_date: z.iso.date().nullable().default(null),
        expires_at: z.iso.date().nullable().default(null),
      }),
    )
    .default([]),
});

export type SeedData = z.input<typeof seedDataSchema>;

/** The ids given to seeded records, in input order. */
export interface SeedResult {
  customFields: number[];
  courses: number[];
  groups: number[];
  groupCourses: number[];
  users: number[];
  memberships: number[];
  enrollments: number[];
}

/**
 * Adds a parsed seed to the collections; the first problem throws an error starting "seed:".
 * Records loaded before the problem stay: the caller rolls the collections back.
 */
export function loadSeed(data: PortalData, input: z.output<typeof seedDataSchema>): SeedResult {
  try {
    return load(data, input);
  } catch (error) {
    throw new Error(`seed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function load(data: PortalData, input: z.output<typeof seedDataSchema>): SeedResult {
  const at = data.timestamp();
  const customFields = input.customFields.map(({ id, ...field }) => data.customFields.create(field, id).id);
  const courses = input.courses.map(
    ({ id, num_enrolled, ...course }) =>
      data.courses.create({ ...course, version: 1, created_at: at, seeded_num_enrolled: num_enrolled }, id).id,
  );
  const groups = input.groups.map(({ id, ...group }) => data.groups.create({ ...group, created_at: at, updated_at: at }, id).id);
  const users = input.users.map(({ id, CustomData, ...user }) => {
    if (user.email === null && user.username === null) throw new Error("a user needs an email or a username");
    if (user.email !== null && findUserByEmail(data, user.email, true)) throw new Error(`duplicate user email ${user.email}`);
    const customData = labelCustomData(data.customFields, CustomData);
    return data.users.create({ ...blankUser(at, user.email, user.username), ...user, customData }, id).id;
  });
  const groupCourses = input.groupCourses.map(({ id, ...link }) => {
    requireRecord("group", data.groups, link.group_id);
    requireRecord("course", data.courses, link.course_id);
    return data.groupCourses.create({ ...link, created_at: at }, id).id;
  });
  const memberships = input.memberships.map(({ id, ...membership }) => {
    requireRecord("group", data.groups, membership.group_id);
    requireRecord("user", data.users, membership.user_id);
    return data.memberships.create({ ...membership, created_at: at }, id).id;
  });
  const enrollments = input.enrollments.map(({ id, ...enrollment }) => {
    requireRecord("user", data.users, enrollment.user_id);
    requireRecord("course", data.courses, enrollment.course_id);
    if (enrollment.group_id !== null) requireRecord("group", data.groups, enrollment.group_id);
    return data.enrollments.create(
      {
        ...enrollment,
        date_enrolled: at,
        date_started: enrollment.status === "not_started" ? null : at,
        date_completed: isFinished(enrollment.status) ? at : null,
        updated_at: at,
      },
      id,
    ).id;
  });
  return { customFields, courses, groups, groupCourses, users, memberships, enrollments };
}

function requireRecord(kind: string, records: Collection<{ id: number }>, id: number): void {
  if (!records.has(id)) throw new Error(`unknown ${kind} id ${id}`);
}
