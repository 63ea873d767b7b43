/**
 * The fake Learn Amp's records and business rules, over the shared `Collection`: people, teams,
 * team memberships, issued tokens and the invitation emails it "sends". Endpoints in
 * `handlers.ts` are thin: what happens on deactivation, re-activation or a duplicate lives here.
 * @module
 */
import { z } from "zod";
import { Collection } from "../collection.js";

/** Status codes, as `filters[status][]` takes them. */
export type UserStatus = "not_invited" | "invite_pending" | "confirmed" | "deactivated";

/** The display names responses carry in `status.status`. */
export const STATUS_NAMES: Readonly<Record<UserStatus, string>> = {
  not_invited: "Not yet invited",
  invite_pending: "Invite pending",
  confirmed: "Confirmed",
  deactivated: "Deactivated",
};

export interface UserRecord {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  role: string;
  language: string;
  jobTitle: string | null;
  integrationExternalId: string | null;
  status: UserStatus;
  /** The status before deactivation, which re-activation gives back. */
  statusBefore: UserStatus | null;
  deactivatedAt: string | null;
  /** Teams deactivation took, for the `teams-restored` variant. */
  teamsBeforeDeactivation: number[];
}

export interface TeamRecord {
  id: number;
  name: string;
  integrationExternalId: string | null;
}

export interface MembershipRecord {
  id: number;
  teamId: number;
  userId: number;
  primary: boolean;
}

export interface LearnAmpSeed {
  teams?: string[] | undefined;
  people?: Array<{ email: string; firstName: string; lastName: string; employeeId?: string | undefined; enabled?: boolean | undefined; userType?: string | undefined }> | undefined;
}

/** Seed data sent from outside the process (`POST /__fake/seed`), checked. */
export function parseLearnAmpSeed(input: unknown): LearnAmpSeed {
  const person = z.strictObject({
    email: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    employeeId: z.string().optional(),
    enabled: z.boolean().optional(),
    userType: z.string().optional(),
  });
  return z.strictObject({ teams: z.array(z.string()).optional(), people: z.array(person).optional() }).parse(input);
}

export class LearnAmpStore {
  // Separate id ranges: an id sent to the wrong endpoint finds nothing.
  readonly users = new Collection<UserRecord>("users", 1001);
  readonly teams = new Collection<TeamRecord>("teams", 301);
  readonly memberships = new Collection<MembershipRecord>("memberships", 9001);
  /** Every token issued, with its expiry in epoch ms. */
  readonly tokens = new Map<string, number>();
  tokenRequests = 0;
  /** Emails of the invitations "sent", in order. */
  readonly invitations: string[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  seed(seed: LearnAmpSeed): { teams: number[]; users: number[] } {
    const teams = (seed.teams ?? []).map((name) => this.teams.create({ name, integrationExternalId: null }).id);
    const users = (seed.people ?? []).map((person) => {
      const user = this.createUser({
        email: person.email,
        firstName: person.firstName,
        lastName: person.lastName,
        role: person.userType ?? "viewer",
        integrationExternalId: person.employeeId ?? null,
        status: "confirmed",
      });
      if (person.enabled === false) this.deactivate(user);
      return user.id;
    });
    return { teams, users };
  }

  reset(): void {
    this.users.clear();
    this.teams.clear();
    this.memberships.clear();
    this.tokens.clear();
    this.tokenRequests = 0;
    this.invitations.length = 0;
  }

  userByEmail(email: string): UserRecord | undefined {
    const wanted = email.trim().toLowerCase();
    return this.users.find((user) => user.email.toLowerCase() === wanted);
  }

  userByExternalId(externalId: string): UserRecord | undefined {
    return this.users.find((user) => user.integrationExternalId === externalId);
  }

  createUser(fields: Pick<UserRecord, "email" | "firstName" | "lastName" | "role" | "integrationExternalId" | "status"> & Partial<UserRecord>): UserRecord {
    const user = this.users.create({
      language: "en",
      jobTitle: null,
      statusBefore: null,
      deactivatedAt: null,
      teamsBeforeDeactivation: [],
      ...fields,
    });
    if (user.status === "invite_pending") this.invitations.push(user.email);
    return user;
  }

  teamsOf(userId: number): MembershipRecord[] {
    return this.memberships.filter((membership) => membership.userId === userId);
  }

  membersOf(teamId: number): UserRecord[] {
    return this.memberships.filter((membership) => membership.teamId === teamId).flatMap((membership) => this.users.get(membership.userId) ?? []);
  }

  isMember(teamId: number, userId: number): boolean {
    return this.memberships.find((membership) => membership.teamId === teamId && membership.userId === userId) !== undefined;
  }

  /** Adds the membership (primary when the person has no primary team yet); an existing one is returned as it is. */
  addMember(teamId: number, userId: number): { membership: MembershipRecord; created: boolean } {
    const existing = this.memberships.find((membership) => membership.teamId === teamId && membership.userId === userId);
    if (existing) return { membership: existing, created: false };
    const primary = !this.teamsOf(userId).some((membership) => membership.primary);
    return { membership: this.memberships.create({ teamId, userId, primary }), created: true };
  }

  /** Whether there was a membership to remove; removing the primary team leaves the person without one. */
  removeMember(teamId: number, userId: number): boolean {
    const existing = this.memberships.find((membership) => membership.teamId === teamId && membership.userId === userId);
    return existing !== undefined && this.memberships.delete(existing.id);
  }

  /** Active Owners other than `user`: the account must keep one. */
  otherActiveOwners(user: UserRecord): number {
    return this.users.filter((other) => other.id !== user.id && other.role === "owner" && other.status !== "deactivated").length;
  }

  /** Deactivation takes the person out of every team at once (our notes §5.1). */
  deactivate(user: UserRecord): void {
    user.teamsBeforeDeactivation = this.teamsOf(user.id).map((membership) => membership.teamId);
    this.memberships.deleteWhere((membership) => membership.userId === user.id);
    user.statusBefore = user.status;
    user.status = "deactivated";
    user.deactivatedAt = new Date(this.now()).toISOString();
  }

  reactivate(user: UserRecord, restoreTeams: boolean): void {
    user.status = user.statusBefore ?? "confirmed";
    user.statusBefore = null;
    user.deactivatedAt = null;
    if (restoreTeams) for (const teamId of user.teamsBeforeDeactivation) if (this.teams.has(teamId)) this.addMember(teamId, user.id);
    user.teamsBeforeDeactivation = [];
  }

  deleteUser(user: UserRecord): void {
    this.memberships.deleteWhere((membership) => membership.userId === user.id);
    this.users.delete(user.id);
  }

  /** Everything, as plain JSON, for `GET /__fake/state`. */
  snapshot(): object {
    return {
      users: this.users.all(),
      teams: this.teams.all(),
      memberships: this.memberships.all(),
      tokenRequests: this.tokenRequests,
      invitations: [...this.invitations],
    };
  }
}
