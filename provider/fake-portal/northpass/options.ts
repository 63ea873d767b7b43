/**
 * Switches and limits of the fake Northpass school (docs/northpass-api-notes.md, "Uncertain points").
 *
 * Every point the sources leave open is a switch whose first value is the default: the variant
 * less convenient for a client, except deactivation, whose "ignored" variant makes removal
 * impossible by design and is exercised on its own. Routes read the options on every request, so a
 * test may flip a switch on a running school.
 * @module
 */

/** Switch name -> its values, the default first. */
export const NORTHPASS_SWITCHES = {
  /** `PATCH /people/{id}` with `deactivated: true|false`: honoured, or answered 200 and ignored. */
  deactivation: ["accepted", "ignored"],
  /** Adding someone already in the group: 422, or a 2xx no-op as JSON:API says. */
  duplicateMember: ["422", "2xx"],
  /** A list with no rows: a JSON 404, or `{"data":[]}`. */
  emptyList: ["404", "200"],
  /** A 429 without `Retry-After` (none is documented), or with it. */
  retryAfter: ["absent", "sent"],
  /** `POST /people` for a known email: the existing person with 200 (the seed's word), or 422 "taken". */
  existingEmail: ["200", "422"],
} as const;

export type NorthpassSwitches = { -readonly [Name in keyof typeof NORTHPASS_SWITCHES]: (typeof NORTHPASS_SWITCHES)[Name][number] };

export interface NorthpassOptions extends NorthpassSwitches {
  /** Rows per page when the request gives no `limit`. Small in tests so paging is exercised. @default 25 */
  pageSize: number;
  /** The largest `limit` honoured; a larger one is cut to it without a word. @default 100 */
  maxLimit: number;
  /** Requests a second per school, or `false` for fast tests. @default 10 */
  perSecond: number | false;
  /** List calls of `GET /people` in which a deleted person still shows, as deactivated, while deletion runs. @default 1 */
  deletedLingersFor: number;
}

export function northpassOptions(overrides: Partial<NorthpassOptions> = {}): NorthpassOptions {
  const defaults = Object.fromEntries(Object.entries(NORTHPASS_SWITCHES).map(([name, values]) => [name, values[0]])) as NorthpassSwitches;
  return { ...defaults, pageSize: 25, maxLimit: 100, perSecond: 10, deletedLingersFor: 1, ...overrides };
}
