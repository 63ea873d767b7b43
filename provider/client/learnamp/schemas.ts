/**
 * zod schemas for the Learn Amp responses the client reads (docs/learnamp-api-notes.md §5).
 * Responses are `looseObject`s: only the fields the client relies on are checked, the rest pass
 * through. Built on first use, not at import.
 * @module
 */
import { z } from "zod";

function buildSchemas() {
  const id = z.number().int();
  const text = z.string().nullish();
  const teamSummary = z.looseObject({ id, name: text });
  const user = z.looseObject({
    id,
    email: text,
    firstName: text,
    lastName: text,
    role: text,
    language: text,
    jobTitle: text,
    /** Absent on servers before 2026-06: its presence is how the client tells. */
    integrationExternalId: text,
    status: z.looseObject({ status: text }).nullish(),
    primaryTeam: teamSummary.nullish(),
    secondaryTeams: z.array(teamSummary).nullish(),
  });
  const team = z.looseObject({ id, name: z.string() });
  return {
    user,
    userList: z.looseObject({ users: z.array(user) }),
    team,
    teamList: z.looseObject({ teams: z.array(team) }),
    /** `GET /teams/{id}/users`: the team object, its members (one page) under `users`. */
    teamMembers: z.looseObject({ id, users: z.array(z.looseObject({ id })) }),
  };
}

export type LearnAmpSchemas = ReturnType<typeof buildSchemas>;
let cached: LearnAmpSchemas | undefined;

export function learnAmpSchemas(): LearnAmpSchemas {
  cached ??= buildSchemas();
  return cached;
}

export type LearnAmpUser = z.output<LearnAmpSchemas["user"]>;
export type LearnAmpTeam = z.output<LearnAmpSchemas["team"]>;

/** What `POST /users` and `PUT /users/{id}` take (camelCase, as the reference writes them). */
export interface LearnAmpUserFields {
  email?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  role?: string | undefined;
  language?: string | undefined;
  jobTitle?: string | undefined;
  /** `""` clears it. */
  integrationExternalId?: string | undefined;
}
