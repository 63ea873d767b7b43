/**
 * pulumi-learnupon: manage a LearnUpon portal's roster (users, enrollments, group memberships) as code.
 * @module
 */
export { User, USER_TYPES } from "./resources/user.js";
export type { UserArgs, UserType } from "./resources/user.js";
export { Enrollment } from "./resources/enrollment.js";
export type { EnrollmentArgs } from "./resources/enrollment.js";
export { GroupMembership } from "./resources/group-membership.js";
export type { GroupMembershipArgs } from "./resources/group-membership.js";
export { Roster } from "./roster/roster.js";
export type { RosterArgs, RosterCounts, RosterPersonArgs } from "./roster/roster.js";
export { loadRoster, rosterOptionsFromStack, RosterError } from "./roster/roster-file.js";
export { lmsFromStack, SUPPORTED_LMSES } from "./roster/lms.js";
export type { RosterCourse, RosterOptions, RosterPerson } from "./roster/roster-file.js";
export { USER_REMOVAL_POLICIES } from "./lms/config.js";
export type { UserRemovalPolicy } from "./lms/config.js";
export { assertRemovalsAllowed, managedPeopleOf, plannedRemovals, RemovalRefusedError } from "./roster/removal-guard.js";
export type { ManagedPeople, ManagedPerson, Removal, RemovalGuardSettings } from "./roster/removal-guard.js";
export { removalGuardFromStack } from "./roster/stack-guard.js";
export { rosterAuthorityFromStack, ROSTER_MODES, UNMANAGED_SCOPES } from "./roster/unmanaged.js";
export type { RosterAuthority, RosterMode, UnmanagedPeopleOutput, UnmanagedScope } from "./roster/unmanaged.js";
export { summarizePreview } from "./gitops/preview-summary.js";
export type { SummaryOptions } from "./gitops/preview-summary.js";
