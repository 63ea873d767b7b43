/**
 * The switches of the fake Learn Amp: one per point our notes mark uncertain
 * (docs/learnamp-api-notes.md §7), each with its values, the first the default. Where the
 * evidence is thin the default is the variant less convenient for a client. Handlers read them on
 * every request, so a test may flip one on a running portal.
 * @module
 */
import { z } from "zod";

export const LEARNAMP_SWITCHES = {
  /** "2024": the server of the mid-2024 reference: no external ids, no status filter, role ignored on update, add-member answers the team. */
  era: ["2026", "2024"],
  /** Whether `GET /users` lists deactivated people without a filter asking for them. */
  deactivatedInList: ["hidden", "listed"],
  /** How `filters[email]` compares. */
  emailFilter: ["case-sensitive", "case-insensitive"],
  /** What `PUT /users/{id}` requires: the three documented fields every time, or only what changes. */
  updateRequires: ["email-and-names", "partial"],
  /** Whether re-activation gives a person back the teams deactivation took. */
  reactivation: ["teams-lost", "teams-restored"],
  /** Deactivating someone already deactivated. */
  redeactivate: ["204", "422"],
  /** Status of a duplicate email on `POST /users`. */
  duplicateEmail: ["400", "422"],
  /** What `POST /teams/{id}/users` answers (in era 2024 always the team). */
  addMemberAnswer: ["membership", "team"],
  /** Adding someone already in the team. */
  duplicateMember: ["201", "422"],
  /** Adding a deactivated person to a team. */
  deactivatedMember: ["refused", "accepted"],
  /** Whether lists send `Total-Pages` (they always send `Total` and `Per-Page`). */
  pageHeaders: ["total-pages", "no-total-pages"],
  /** The largest `perPage` honoured; larger ones are clamped. */
  maxPerPage: ["100", "25"],
  /** How `filters[name]` matches team names. */
  teamNameFilter: ["substring", "exact"],
  /** Whether a token request mints a new token or hands back the live one. */
  tokens: ["mint", "reuse"],
  /** Whether `/users` and `/teams` read JSON bodies or forms only (team members read both). */
  jsonBodies: ["forms-only", "accepted"],
  /** Whether a 429 says `Retry-After`. */
  retryAfter: ["absent", "seconds"],
} as const satisfies Record<string, readonly [string, ...string[]]>;

export type LearnAmpSwitches = { -readonly [Name in keyof typeof LEARNAMP_SWITCHES]: (typeof LEARNAMP_SWITCHES)[Name][number] };

export interface LearnAmpOptions extends LearnAmpSwitches {
  /** Records per page when `perPage` is not given. */
  pageSize: number;
  /** Requests a minute the company may make, or `false` for none. */
  rateLimit: { perMinute: number } | false;
  /** `expires_in` of every token, in seconds. */
  tokenLifetimeSeconds: number;
}

export function defaultLearnAmpOptions(): LearnAmpOptions {
  const switches = Object.fromEntries(Object.entries(LEARNAMP_SWITCHES).map(([name, values]) => [name, values[0]])) as LearnAmpSwitches;
  return { ...switches, pageSize: 10, rateLimit: { perMinute: 120 }, tokenLifetimeSeconds: 7200 };
}

function optionsSchema() {
  const switches = Object.fromEntries(Object.entries(LEARNAMP_SWITCHES).map(([name, values]) => [name, z.enum(values)]));
  return z.strictObject({
    ...switches,
    pageSize: z.number().int().positive(),
    rateLimit: z.union([z.literal(false), z.strictObject({ perMinute: z.number().int().positive() })]),
    tokenLifetimeSeconds: z.number().int().positive(),
  });
}

/** Switches and limits changed from outside the process (the CLI, `PATCH /__fake/options`); throws naming a bad one. */
export function parseLearnAmpOptions(input: unknown): Partial<LearnAmpOptions> {
  return optionsSchema().partial().parse(input) as Partial<LearnAmpOptions>;
}
