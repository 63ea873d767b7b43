/**
 * The fake Learnifier realm: users, org units with user groups and projects, participants, with
 * the API's quirks and a switch for each uncertain point (docs/learnifier-api-notes.md).
 * @module
 */
export { startLearnifierPortal, LearnifierFakePortal } from "./server.js";
export type { StartLearnifierPortalOptions } from "./server.js";
export { LearnifierStore, Refusal } from "./store.js";
export type { LearnifierSeed, UserRecord, GroupRecord, ProjectRecord, ParticipantRecord, ProjectStatus } from "./store.js";
export { LEARNIFIER_SWITCHES, defaultSwitches, resolveLearnifierOptions } from "./options.js";
export type { LearnifierPortalOptions, LearnifierSwitches, LearnifierSwitchName } from "./options.js";
