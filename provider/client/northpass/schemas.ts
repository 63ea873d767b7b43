/**
 * zod schemas for the Northpass JSON:API documents the client reads (docs/northpass-api-notes.md).
 *
 * Resource objects are `looseObject`s: only the members the client relies on are checked, the
 * rest (per-record `links`, counters, timestamps) pass through. Ids are opaque strings, UUIDs or
 * compound: never parsed. Built on first use, not at import time.
 * @module
 */
import { z } from "zod";

function buildSchemas() {
  const id = z.string().min(1);
  const text = z.string().nullish();
  const person = z.looseObject({
    id,
    type: z.string().optional(),
    attributes: z.looseObject({
      email: text,
      first_name: text,
      last_name: text,
      sso_uid: text,
      // Which of the two the server sends is unsettled (notes, §Deactivation): both are read.
      disabled: z.boolean().nullish(),
      deactivated_at: text,
    }),
  });
  const group = z.looseObject({ id, type: z.string().optional(), attributes: z.looseObject({ name: z.string() }) });
  const course = z.looseObject({ id, type: z.string().optional(), attributes: z.looseObject({ name: z.string(), status: text }) });
  /** A membership's own id may be compound; the person is named in its relationship (notes, §Memberships). */
  const membership = z.looseObject({
    id: z.string().optional(),
    relationships: z.looseObject({ person: z.looseObject({ data: z.looseObject({ id }) }) }),
  });
  const enrollment = z.looseObject({
    id: z.string().optional(),
    attributes: z.looseObject({ person_id: id, course_id: text, progress: z.number().nullish() }),
  });
  const list = <Item extends z.ZodType>(item: Item) => z.looseObject({ data: z.array(item) });
  const one = <Item extends z.ZodType>(item: Item) => z.looseObject({ data: item });
  return {
    person,
    personList: list(person),
    onePerson: one(person),
    group,
    groupList: list(group),
    oneGroup: one(group),
    courseList: list(course),
    oneCourse: one(course),
    membershipList: list(membership),
    enrollmentList: list(enrollment),
  };
}

export type NorthpassSchemas = ReturnType<typeof buildSchemas>;
let built: NorthpassSchemas | undefined;

export function northpassSchemas(): NorthpassSchemas {
  built ??= buildSchemas();
  return built;
}

export type NorthpassPerson = z.output<NorthpassSchemas["person"]>;
export type NorthpassGroup = z.output<NorthpassSchemas["group"]>;
export type NorthpassCourse = z.output<NorthpassSchemas["courseList"]>["data"][number];
export type NorthpassEnrollment = z.output<NorthpassSchemas["enrollmentList"]>["data"][number];

/** The person attributes we write (`POST /people`, `PATCH /people/{id}`), snake_case as on the wire. */
export interface PersonAttributes {
  email?: string;
  first_name?: string;
  last_name?: string;
  /** The undocumented deactivation flag public code sends; honoured or not, it is read back (notes, §Deactivation). */
  deactivated?: boolean;
}

/** Deactivated by either signal the server may send. */
export function isDeactivated(person: NorthpassPerson): boolean {
  return person.attributes.disabled === true || (person.attributes.deactivated_at ?? "") !== "";
}
