/**
 * The fake Northpass school: an in-memory school with the real API's quirks and a switch for each
 * point the sources leave open (docs/northpass-api-notes.md), served over real HTTP.
 *
 * ```ts
 * const school = await NorthpassFakeSchool.start({ seed: { groups: ["Sales"] }, options: { perSecond: false } });
 * // point the client at school.apiUrl with school.apiKey, then assert on school.log
 * await school.close();
 * ```
 * @module
 */
export { NorthpassFakeSchool } from "./server.js";
export type { StartNorthpassOptions } from "./server.js";
export { NorthpassStore, uuidOf } from "./store.js";
export type { CourseRecord, GroupRecord, MembershipRecord, NorthpassSeed, PersonRecord } from "./store.js";
export { NORTHPASS_SWITCHES, northpassOptions } from "./options.js";
export { northpassFakePortal } from "./sandbox.js";
export type { NorthpassOptions, NorthpassSwitches } from "./options.js";
