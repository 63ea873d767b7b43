/**
 * What the provider checks before it writes to a person or removes one. The program's removal guard
 * judges a roster change at preview; these checks hold on every path, `pulumi destroy` and
 * `pulumi up --skip-preview` included, because they run where the writes are made:
 *
 * - a resource is only read or changed on the portal it was created on (`learnupon:movePortal`
 *   for the run that moves a stack);
 * - the portal's user at the id in state is the person in state (same email), or nothing is written;
 * - an admin or the portal's API user is never deactivated, deleted or demoted unless
 *   `roster:allowAdminRemoval` is true;
 * - one run deactivates or deletes no more people than the removal limit (a circuit breaker);
 * - with an ownership marker (`learnupon:ownerField`), a person owned by another stack is not
 *   adopted unless `roster:allowTakeover` is true, and not removed by this one.
 * @module
 */
import { sameEmail } from "../client/index.js";
import type { Capabilities } from "../lms/backend.js";
import type { LmsUser } from "../lms/model.js";
import type { SafetySettings } from "../lms/config.js";

/** By default this many are always allowed: in a small stack, 10% would be a single person. */
const ALWAYS_ALLOWED_REMOVALS = 5;
const DEFAULT_MAX_SHARE = 0.1;


/** Thrown when a write would reach the wrong person or break a protection: never retried. */
export class SafetyError extends Error {
  override readonly name = "SafetyError";
}

/**
 * The most removals allowed among `activePeople`: `roster:approveRemovals` or `roster:maxRemovals`
 * when set, else the larger of 5 people and 10%. The description says where the number came from.
 */
export function removalLimit(
  settings: Pick<SafetySettings, "maxRemovals" | "approveRemovals">,
  activePeople: number,
): { count: number; description: string } {
  const { maxRemovals, approveRemovals } = settings;
  if (approveRemovals !== undefined) return { count: approveRemovals, description: `roster:approveRemovals ${approveRemovals}` };
  if (maxRemovals === undefined) {
    const count = Math.max(ALWAYS_ALLOWED_REMOVALS, Math.floor(activePeople * DEFAULT_MAX_SHARE));
    return { count, description: `the limit of ${count} (the larger of ${ALWAYS_ALLOWED_REMOVALS} people and ${DEFAULT_MAX_SHARE * 100}%)` };
  }
  const value = maxRemovals.trim();
  if (/^\d+$/.test(value)) return { count: Number(value), description: `roster:maxRemovals ${value}` };
  const percentage = /^(\d+(?:\.\d+)?)%$/.exec(value)?.[1];
  if (percentage !== undefined && Number(percentage) <= 100) {
    const count = Math.floor((activePeople * Number(percentage)) / 100);
    return { count, description: `roster:maxRemovals ${value} (${count} people)` };
  }
  throw new SafetyError(`roster:maxRemovals must be a count such as 40 or a percentage such as 35%, not "${maxRemovals}"`);
}

/** The roles that matter to the checks: which are protected, and their order (lowest rights first). */
export type RoleRules = Pick<Capabilities, "userTypes" | "protectedUserTypes">;

/** Why the person may not lose access or rights without `roster:allowAdminRemoval`, if they are protected. */
export function protectedRole(user: Pick<LmsUser, "email" | "username" | "userType">, apiUser: string | undefined, roles: RoleRules): string | undefined {
  const isApiUser = apiUser === undefined ? false : apiUser.includes("@") ? sameEmail(user.email, apiUser) : user.username === apiUser;
  if (isApiUser) return "the portal's API user";
  if (user.userType !== undefined && roles.protectedUserTypes.includes(user.userType)) return `an ${user.userType}`;
  return undefined;
}

/**
 * True when `to` takes rights away from someone who is `from` now: it is lower in the LMS's list of
 * roles, or `from` is a protected role (an owner, say, which no roster can give) and `to` is not.
 */
export function isDemotion(from: string | null | undefined, to: string | undefined, roles: RoleRules): boolean {
  if (to === undefined || from === undefined || from === null || to === from) return false;
  if (roles.protectedUserTypes.includes(from) && !roles.protectedUserTypes.includes(to)) return true;
  return Math.max(0, roles.userTypes.indexOf(to)) < Math.max(0, roles.userTypes.indexOf(from));
}

/**
 * Refuses to write to a user that is not the person in state: after a hand edit of the email, or
 * under a portal whose ids overlap with the one the state was written on.
 */
export function assertSamePerson(user: LmsUser, expected: { employeeId: string; email: string }, action: string, lmsTitle: string): void {
  if (sameEmail(user.email, expected.email)) return;
  throw new SafetyError(
    `refusing to ${action} ${lmsTitle} user ${user.id}: the portal has it as ${user.email ?? "(no email)"}, ` +
      `but this stack's state has employee ${expected.employeeId} as ${expected.email}, so it may be someone else. ` +
      `If the email was changed by hand in the portal, run \`pulumi refresh\` to take it in, then update again.`,
  );
}

/**
 * Counts the people this provider process deactivates or deletes and refuses the one past the
 * limit. The limit's base is the active users of the portal: `pulumi destroy` has no roster, and
 * the portal is what the run can see.
 */
export class RemovalBreaker {
  private admitted = 0;

  constructor(private readonly settings: SafetySettings) {}

  /** Call before removing `who`; throws once this run has removed as many people as allowed. */
  admit(who: string, activeUsers: number): void {
    const limit = removalLimit(this.settings, activeUsers);
    if (this.admitted >= limit.count) {
      throw new SafetyError(
        `refusing to deactivate or delete ${who}: this run has already removed ${this.admitted} people, ` +
          `${limit.description}. If that many removals are intended (pulumi destroy of a whole stack, say), allow them ` +
          `for this run: pulumi config set roster:approveRemovals <the number of people> (for pulumi destroy, which configures ` +
          `the provider as the last update did, ROSTER_APPROVE_REMOVALS=<the number> in the environment), or keep the people in the ` +
          `portal with the resource option retainOnDelete (see the README, "Stacks that must never deactivate").`,
      );
    }
    this.admitted += 1;
  }
}
