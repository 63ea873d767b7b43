/**
 * The shapes Learnifier answers in, as zod schemas built on use (nothing heavy at module scope).
 * Ids are opaque text here whatever the JSON carries: users have UUIDs, org units, groups,
 * projects and participants 64-bit integers, which are kept as the digits they were sent as.
 * Optional members are `nullish`: the API description marks none as required.
 * @module
 */
import { z } from "zod";

export function learnifierSchemas() {
  const id = z.union([z.string().min(1), z.number().int()]).transform(String);
  const text = z.string().nullish();
  const user = z.object({
    id: z.string().min(1),
    externalId: text,
    primaryEmail: text,
    firstName: text,
    lastName: text,
    displayName: text,
    prefs: z.object({ locale: text }).nullish(),
    hardLock: z.boolean().nullish(),
    locked: z.boolean().nullish(),
    backOfficeRoles: z.array(z.object({ id: id.nullish(), name: text })).nullish(),
  });
  const participant = z.object({
    id,
    projectId: id,
    userId: z.string().min(1),
    activated: z.boolean().nullish(),
    inError: z.boolean().nullish(),
    errorMessage: text,
    activitiesCompleted: z.number().nullish(),
    activitiesTotal: z.number().nullish(),
    projectName: text,
    projectOrgId: id.nullish(),
  });
  const group = z.object({ groupId: id, name: z.string(), parent: id.nullish(), children: z.array(z.unknown()).nullish() });
  return {
    user,
    users: z.array(user),
    /** `POST /users` answers `{"userId"}`, and so does its 409 for a taken email. */
    userId: z.object({ userId: z.string().min(1) }),
    orgUnits: z.object({ orgUnits: z.array(z.object({ id, name: text, externalId: text })) }),
    group,
    groups: z.array(z.unknown()),
    project: z.object({ id, name: z.string(), status: text }),
    projects: z.array(z.object({ id, name: z.string(), status: text })),
    participant,
    participants: z.array(participant),
    /** One object in the API description, an array in public client code: both are read as a list. */
    participations: z.union([z.array(participant), participant.transform((one) => [one])]),
    /** A 406 from activation: what each course component refused. */
    activationFailures: z.object({ failures: z.array(z.object({ message: text, type: text })).nullish() }),
  };
}

export type LearnifierSchemas = ReturnType<typeof learnifierSchemas>;
export type LearnifierUser = z.output<LearnifierSchemas["user"]>;
export type LearnifierParticipant = z.output<LearnifierSchemas["participant"]>;
export type LearnifierGroup = z.output<LearnifierSchemas["group"]>;
export type LearnifierProject = z.output<LearnifierSchemas["project"]>;

/** What `POST /users` and `PATCH /users/{id}` take; on a PATCH a key present is written and `null` clears it. */
export interface LearnifierUserWrite {
  externalId?: string | null;
  primaryEmail?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  /** Written at the top level, read back as `prefs.locale`. */
  locale?: string | null;
  hardLock?: boolean;
}
