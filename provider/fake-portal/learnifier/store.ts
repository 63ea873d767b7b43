/**
 * In-memory state of one fake Learnifier realm and its rules (docs/learnifier-api-notes.md):
 * realm-wide users with UUIDs, organization units holding user groups and projects, group members
 * and project participants. Endpoints translate HTTP to these calls; a rule that refuses a call
 * throws a `Refusal` carrying the answer Learnifier gives.
 *
 * Users, org units, groups, projects and participants each take their ids from a collection of
 * their own range (org units at 1001, groups at 2001, projects at 4001, participants at 9001), so
 * an id sent to the wrong endpoint comes back "not found". Users are addressed by their UUID.
 * @module
 */
import { randomUUID } from "node:crypto";
import { Collection } from "../collection.js";
import { defaultSwitches, type LearnifierSwitches } from "./options.js";

export interface UserRecord {
  id: number;
  uuid: string;
  /** The customer's key; `null` on people made in Learnifier by hand. Case-sensitive. */
  externalId: string | null;
  primaryEmail: string | null;
  firstName: string | null;
  lastName: string | null;
  displayName: string | null;
  homeOrg: number | null;
  locale: string | null;
  /** Locked by an administrator (or by `PATCH {"hardLock": true}`). */
  hardLock: boolean;
  /** Cannot reach the platform, for whatever reason. */
  locked: boolean;
  backOfficeRoles: Array<{ id: number; name: string }>;
}

export interface OrgUnitRecord {
  id: number;
  name: string;
  externalId: string | null;
}

export interface GroupRecord {
  id: number;
  orgId: number;
  name: string;
  parent: number | null;
}

export interface MemberRecord {
  id: number;
  groupId: number;
  userUuid: string;
}

export type ProjectStatus = "ACTIVATED" | "NEW" | "DISABLED";

export interface ProjectRecord {
  id: number;
  orgId: number;
  name: string;
  status: ProjectStatus;
  /** Activities in the course design: what a participant's progress counts towards. */
  activitiesTotal: number;
}

export interface ParticipantRecord {
  id: number;
  projectId: number;
  userUuid: string;
  externalId: string | null;
  activated: boolean;
  inError: boolean;
  errorMessage: string | null;
  firstActivation: string | null;
  lastActivation: string | null;
  activitiesCompleted: number;
}

/** A call the realm refuses, as Learnifier answers it. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${JSON.stringify(body)}`);
  }
}

/** Learnifier's error body: `{code, field, message}`, every member optional. */
export function refusal(status: number, message: string, field?: string, headers?: Record<string, string>): Refusal {
  return new Refusal(status, { code: status, ...(field !== undefined && { field }), message }, headers);
}

/** The user fields `POST /users` and `PATCH /users/{id}` take (`locale` is read back under `prefs`). */
export const WRITABLE_USER_FIELDS = ["externalId", "primaryEmail", "firstName", "lastName", "displayName", "homeOrg", "locale", "hardLock"] as const;
export type WritableUserField = (typeof WRITABLE_USER_FIELDS)[number];
export type UserWrite = Partial<Record<WritableUserField, unknown>>;

export interface LearnifierSeed {
  /** The org unit's name; its id is 1001. @default "Acme" */
  orgUnit?: string;
  groups?: string[];
  projects?: Array<{ name: string; status?: ProjectStatus; activitiesTotal?: number }>;
  users?: Array<{ externalId?: string; email?: string; firstName: string; lastName: string; hardLock?: boolean; backOffice?: boolean }>;
}

export class LearnifierStore {
  readonly users = new Collection<UserRecord>("users", 1);
  readonly orgUnits = new Collection<OrgUnitRecord>("orgUnits", 1001);
  readonly groups = new Collection<GroupRecord>("groups", 2001);
  readonly members = new Collection<MemberRecord>("members", 3001);
  readonly projects = new Collection<ProjectRecord>("projects", 4001);
  readonly participants = new Collection<ParticipantRecord>("participants", 9001);
  /** Per project, the failures its next activations answer 406 with (a component refusing). */
  readonly activationFailures = new Map<number, string[]>();
  /** Projects whose components refuse the next participant deletes (409, participant left in error). */
  readonly deleteFailures = new Set<number>();
  /** Full `GET /users` listings served (a call with offset 0), for tests of "one listing per run". */
  userListings = 0;

  constructor(
    private readonly switches: LearnifierSwitches = defaultSwitches(),
    private readonly now: () => number = Date.now,
  ) {}

  seed(seed: LearnifierSeed): void {
    const org = this.orgUnits.create({ name: seed.orgUnit ?? "Acme", externalId: null });
    for (const name of seed.groups ?? []) this.groups.create({ orgId: org.id, name, parent: null });
    for (const project of seed.projects ?? []) {
      this.projects.create({ orgId: org.id, name: project.name, status: project.status ?? "ACTIVATED", activitiesTotal: project.activitiesTotal ?? 5 });
    }
    for (const person of seed.users ?? []) {
      const user = this.createUser({
        externalId: person.externalId ?? null,
        primaryEmail: person.email ?? null,
        firstName: person.firstName,
        lastName: person.lastName,
        homeOrg: org.id,
        hardLock: person.hardLock ?? false,
      });
      if (person.backOffice) user.backOfficeRoles = [{ id: 1, name: "Administrator" }];
    }
  }

  // ---- users ----------------------------------------------------------------------------------

  userByUuid(uuid: string): UserRecord | undefined {
    return this.users.find((user) => user.uuid === uuid);
  }

  /** Emails are unique without regard to case, and stored as given. */
  userByEmail(email: string, except?: UserRecord): UserRecord | undefined {
    const wanted = email.trim().toLowerCase();
    return this.users.find((user) => user !== except && user.primaryEmail?.toLowerCase() === wanted);
  }

  /** Exact and case-sensitive, as external ids are. */
  userByExternalId(externalId: string): UserRecord | undefined {
    return this.users.find((user) => user.externalId === externalId);
  }

  /** `POST /users`: a taken email answers 409 naming the user who has it. */
  createUser(fields: UserWrite): UserRecord {
    const values = checkedUserWrite(fields);
    const email = values.primaryEmail;
    const holder = typeof email === "string" ? this.userByEmail(email) : undefined;
    if (holder) throw new Refusal(409, { userId: holder.uuid });
    const hardLock = values.hardLock === true;
    return this.users.create({
      uuid: randomUUID(),
      externalId: text(values.externalId),
      primaryEmail: text(email),
      firstName: text(values.firstName),
      lastName: text(values.lastName),
      displayName: text(values.displayName) ?? displayNameOf(text(values.firstName), text(values.lastName)),
      homeOrg: typeof values.homeOrg === "number" ? values.homeOrg : (this.orgUnits.all()[0]?.id ?? null),
      locale: text(values.locale),
      hardLock,
      locked: hardLock,
      backOfficeRoles: [],
    });
  }

  /**
   * `PATCH /users/{id}`: every key present is written and a key sent empty (`null` or `""`)
   * clears the field; keys left out are untouched. With `autoClearEmail` a taken email is taken
   * from its holder, who is left without one; without it a taken email answers 409.
   */
  updateUser(user: UserRecord, fields: UserWrite, autoClearEmail: boolean): UserRecord {
    const values = checkedUserWrite(fields);
    const email = text(values.primaryEmail);
    const holder = "primaryEmail" in values && email !== null ? this.userByEmail(email, user) : undefined;
    if (holder && !autoClearEmail) throw refusal(409, "Email address already in use", "primaryEmail");
    if (holder) holder.primaryEmail = null;
    for (const field of ["externalId", "primaryEmail", "firstName", "lastName", "displayName", "locale"] as const) {
      if (field in values) user[field] = text(values[field]);
    }
    if ("homeOrg" in values) user.homeOrg = typeof values.homeOrg === "number" ? values.homeOrg : null;
    if ("hardLock" in values) {
      user.hardLock = values.hardLock === true;
      user.locked = user.hardLock;
    }
    return user;
  }

  /** `DELETE /users/{id}`: refused while the user takes part in a project, as the admin screens do (switchable). */
  deleteUser(user: UserRecord): void {
    const participations = this.participants.filter((participant) => participant.userUuid === user.uuid);
    if (participations.length > 0 && this.switches.deleteWithParticipations === "refuse") {
      throw refusal(409, `User has ${participations.length} project participations; remove them first`);
    }
    this.participants.deleteWhere((participant) => participant.userUuid === user.uuid);
    this.members.deleteWhere((member) => member.userUuid === user.uuid);
    this.users.delete(user.id);
  }

  // ---- groups ---------------------------------------------------------------------------------

  group(orgId: number, groupId: number): GroupRecord {
    const group = this.groups.get(groupId);
    if (!group || group.orgId !== orgId) throw refusal(404, "User group not found");
    return group;
  }

  membersOf(group: GroupRecord): UserRecord[] {
    return this.members.filter((member) => member.groupId === group.id).flatMap((member) => this.userByUuid(member.userUuid) ?? []);
  }

  addMember(group: GroupRecord, uuid: string): void {
    if (!this.userByUuid(uuid)) throw refusal(404, "User not found", "uuid");
    const existing = this.members.find((member) => member.groupId === group.id && member.userUuid === uuid);
    if (existing && this.switches.duplicateMember === "conflict") throw refusal(409, "User is already a member of the group", "uuid");
    if (!existing) this.members.create({ groupId: group.id, userUuid: uuid });
  }

  removeMember(group: GroupRecord, uuid: string): void {
    const existing = this.members.find((member) => member.groupId === group.id && member.userUuid === uuid);
    if (!existing && this.switches.removeNonMember === "404") throw refusal(404, "User is not a member of the group");
    if (existing) this.members.delete(existing.id);
  }

  // ---- projects and participants --------------------------------------------------------------

  project(orgId: number, projectId: number): ProjectRecord {
    const project = this.projects.get(projectId);
    if (!project || project.orgId !== orgId) throw refusal(404, "Project not found");
    return project;
  }

  participant(project: ProjectRecord, participantId: number): ParticipantRecord {
    const participant = this.participants.get(participantId);
    if (!participant || participant.projectId !== project.id) throw refusal(404, "Participant not found");
    return participant;
  }

  participantsOf(project: ProjectRecord): ParticipantRecord[] {
    return this.participants.filter((participant) => participant.projectId === project.id);
  }

  /**
   * `POST …/participants`: by user id, or by email, which creates a user (without an external id)
   * when nobody has that email. A second add of the same user answers 409.
   */
  addParticipant(project: ProjectRecord, by: { userid: string } | { email: string }, externalId: string | null): { participant: ParticipantRecord; created: boolean } {
    let user: UserRecord | undefined;
    if ("userid" in by) {
      user = this.userByUuid(by.userid);
      if (!user) throw refusal(404, "User not found", "userid");
    } else {
      user = this.userByEmail(by.email) ?? this.createUser({ primaryEmail: by.email });
    }
    const uuid = user.uuid;
    const existing = this.participants.find((participant) => participant.projectId === project.id && participant.userUuid === uuid);
    if (existing) return { participant: existing, created: false };
    const participant = this.participants.create({
      projectId: project.id,
      userUuid: uuid,
      externalId,
      activated: false,
      inError: false,
      errorMessage: null,
      firstActivation: null,
      lastActivation: null,
      activitiesCompleted: 0,
    });
    return { participant, created: true };
  }

  /**
   * `POST …/activate`: 422 unless the project is activated; 406 with the components' failures when
   * they refuse (the participant is then left in error with the reason, and may be activated again).
   */
  activate(project: ProjectRecord, participant: ParticipantRecord): void {
    if (project.status !== "ACTIVATED") throw refusal(422, `Project is ${project.status}; participants cannot be activated`);
    const failures = this.activationFailures.get(project.id);
    if (failures && failures.length > 0) {
      participant.inError = true;
      participant.errorMessage = failures.join("; ");
      throw new Refusal(406, { failures: failures.map((message, index) => ({ message, productId: index + 1, type: "component" })) });
    }
    if (participant.activated && !participant.inError && this.switches.activateActive === "reject") {
      throw refusal(422, "Participant is already activated");
    }
    const at = new Date(this.now()).toISOString();
    participant.activated = true;
    participant.inError = false;
    participant.errorMessage = null;
    participant.firstActivation ??= at;
    participant.lastActivation = at;
  }

  /** `DELETE …/participants/{id}`: its progress goes with it; a component may refuse and leave it in error. */
  removeParticipant(project: ProjectRecord, participant: ParticipantRecord): void {
    if (this.deleteFailures.has(project.id)) {
      participant.inError = true;
      participant.errorMessage = "A course component refused the removal";
      throw refusal(409, "Participant could not be deleted; it is now in error");
    }
    this.participants.delete(participant.id);
  }
}

/** A written value as stored: text, or `null` for a key sent empty. */
function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function displayNameOf(firstName: string | null, lastName: string | null): string | null {
  const name = [firstName, lastName].filter((part) => part !== null).join(" ");
  return name === "" ? null : name;
}

/** A 400 naming the field for a value of the wrong type (unknown keys are refused by the endpoint). */
function checkedUserWrite(fields: UserWrite): UserWrite {
  for (const [field, value] of Object.entries(fields)) {
    if (value === null || value === undefined) continue;
    const expected = field === "hardLock" ? "boolean" : field === "homeOrg" ? "number" : "string";
    if (typeof value !== expected) throw refusal(400, `${field} must be a ${expected}`, field);
    if (field === "externalId" && (value as string).length > 255) throw refusal(400, "externalId is at most 255 characters", field);
  }
  return fields;
}
