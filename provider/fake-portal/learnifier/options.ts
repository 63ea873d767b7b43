/**
 * Switches of the fake Learnifier portal: one per point our notes (docs/learnifier-api-notes.md)
 * leave open. Each defaults to the variant less convenient for a client, so a client that passes
 * with the defaults copes with the worse case; the other values are run by the switch-matrix test.
 * Handlers read the object on every request, so a test may flip a switch on a running portal.
 * @module
 */

/** Every switch with its values, the default first. */
export const LEARNIFIER_SWITCHES = {
  /** Where `PATCH /users/{id}` reads `autoClearEmail` from: a body member or a query parameter; the other place is refused (body) or ignored (query). */
  autoClearEmail: ["body", "query"],
  /** `DELETE /users/{id}` of a user who still has project participations: refused with 409, or done. */
  deleteWithParticipations: ["refuse", "allow"],
  /** Adding a user who already is a group member: 409, or a 200 no-op. */
  duplicateMember: ["conflict", "ok"],
  /** Removing a user who is not a group member: 404, or 200. */
  removeNonMember: ["404", "200"],
  /** `POST …/participants`: the new participant's URL in a `Location` header, or nothing (a duplicate's 409 always has it). */
  participantLocation: ["none", "header"],
  /** Activating a participant that is already active: 422, or 201 again. */
  activateActive: ["reject", "ok"],
  /** `DELETE /users/{id}`: the route the seed names, or missing (404 for every id) as on an instance older than the seed. */
  deleteUserRoute: ["present", "missing"],
} as const satisfies Record<string, readonly [string, ...string[]]>;

export type LearnifierSwitchName = keyof typeof LEARNIFIER_SWITCHES;
export type LearnifierSwitches = { -readonly [Name in LearnifierSwitchName]: (typeof LEARNIFIER_SWITCHES)[Name][number] };

export interface LearnifierPortalOptions {
  switches: LearnifierSwitches;
  /** Most users `GET /users` returns per call, whatever `limit` asks; Learnifier's default limit is 5000. @default 5000 */
  maxLimit: number;
  /** Requests per minute before a 429, or `false` for none: Learnifier publishes no limit. @default false */
  rateLimit: { perMinute: number } | false;
  /** `Retry-After` seconds sent with a 429, or `false` to leave it out. @default 1 */
  retryAfterSeconds: number | false;
}

export function defaultSwitches(): LearnifierSwitches {
  const switches = Object.fromEntries(Object.entries(LEARNIFIER_SWITCHES).map(([name, values]) => [name, values[0]]));
  return switches as LearnifierSwitches;
}

/**
 * The options with `overrides` applied; switch values are checked, since they arrive as text from
 * the CLI and the sandbox.
 */
export function resolveLearnifierOptions(
  overrides: Partial<Omit<LearnifierPortalOptions, "switches">> & { switches?: Readonly<Record<string, string>> | undefined } = {},
): LearnifierPortalOptions {
  const switches = defaultSwitches();
  for (const [name, value] of Object.entries(overrides.switches ?? {})) {
    const allowed: readonly string[] | undefined = LEARNIFIER_SWITCHES[name as LearnifierSwitchName];
    if (!allowed) throw new Error(`unknown Learnifier fake portal switch ${name}; it has ${Object.keys(LEARNIFIER_SWITCHES).join(", ")}`);
    if (!allowed.includes(value)) throw new Error(`switch ${name} takes ${allowed.join(" or ")}, not "${value}"`);
    Object.assign(switches, { [name]: value });
  }
  return {
    maxLimit: overrides.maxLimit ?? 5000,
    rateLimit: overrides.rateLimit ?? false,
    retryAfterSeconds: overrides.retryAfterSeconds ?? 1,
    switches,
  };
}
