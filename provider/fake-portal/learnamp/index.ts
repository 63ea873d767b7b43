/**
 * The fake Learn Amp: an in-memory company with the real API's behaviours and a switch for each
 * point our notes leave open (docs/learnamp-api-notes.md), served over real HTTP.
 *
 * ```ts
 * const portal = await startLearnAmpFakePortal({ seed: { teams: ["Engineering"] }, options: { era: "2024" } });
 * // point the client at portal.url with portal.clientId / portal.clientSecret, then assert on portal.log
 * await portal.close();
 * ```
 * @module
 */
export { LearnAmpFakePortal, startLearnAmpFakePortal } from "./server.js";
export type { StartLearnAmpOptions } from "./server.js";
export { LEARNAMP_SWITCHES, defaultLearnAmpOptions, parseLearnAmpOptions } from "./options.js";
export type { LearnAmpOptions, LearnAmpSwitches } from "./options.js";
export { LearnAmpStore, STATUS_NAMES } from "./store.js";
export type { LearnAmpSeed, MembershipRecord, TeamRecord, UserRecord, UserStatus } from "./store.js";
export { learnAmpFakePortal, learnAmpSwitchOptions, startLearnAmpSandbox } from "./factory.js";
export type { LearnAmpSandbox } from "./factory.js";
