/**
 * The fake Northpass school's records, over the shared `Collection`: people, groups, the group
 * memberships, courses and the courses each group holds. Enrollments are not stored: a person
 * has one for every course of every group they are in, as Northpass grants access through groups.
 *
 * Records are keyed by the collection's numbers inside the fake; the API shows them as UUIDs
 * (`uuidOf`), each collection in its own range, so an id sent to the wrong route finds nothing.
 * @module
 */
import { Collection } from "../collection.js";

export interface PersonRecord {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  sso_uid: string | null;
  deactivated_at: string | null;
  created_at: string;
  updated_at: string;
  /** An invitation email went out when the person was created (no SSO). */
  invited: boolean;
  /** Set once deleted: the person lingers in listings as deactivated for this many more list calls. */
  deletion?: { listingsLeft: number };
}

export interface GroupRecord {
  id: number;
  name: string;
  /** Course ids assigned to the group (an admin's doing; the API path is unknown). */
  courseIds: number[];
  created_at: string;
}

export interface MembershipRecord {
  id: number;
  groupId: number;
  personId: number;
  created_at: string;
}

export interface CourseRecord {
  id: number;
  name: string;
}

export interface NorthpassSeed {
  groups?: string[];
  courses?: string[];
  people?: Array<{ email: string; firstName: string; lastName: string; ssoUid?: string; enabled?: boolean }>;
  /** Course names per group name. */
  groupCourses?: Record<string, string[]>;
}

const UUID = /^([0-9a-f]{8})-0000-4000-8000-([0-9a-f]{12})$/;

/** The UUID the API shows for a record number: deterministic, and parsed back only by the fake. */
export function uuidOf(id: number): string {
  return `${(id >>> 0).toString(16).padStart(8, "0")}-0000-4000-8000-${id.toString(16).padStart(12, "0")}`;
}

export function numberOf(uuid: string): number | undefined {
  const match = UUID.exec(uuid.toLowerCase());
  return match?.[2] === undefined ? undefined : Number.parseInt(match[2], 16);
}

export class NorthpassStore {
  readonly people = new Collection<PersonRecord>("people", 0x1_000_001);
  readonly groups = new Collection<GroupRecord>("groups", 0x2_000_001);
  readonly memberships = new Collection<MembershipRecord>("memberships", 0x3_000_001);
  readonly courses = new Collection<CourseRecord>("courses", 0x4_000_001);

  constructor(private readonly now: () => number = Date.now) {}

  timestamp(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  seed(seed: NorthpassSeed): void {
    for (const name of seed.courses ?? []) this.courses.create({ name });
    for (const name of seed.groups ?? []) this.createGroup(name);
    for (const person of seed.people ?? []) {
      const record = this.createPerson({ email: person.email, first_name: person.firstName, last_name: person.lastName }, false);
      if (person.ssoUid !== undefined) record.sso_uid = person.ssoUid;
      if (person.enabled === false) record.deactivated_at = this.timestamp();
    }
    for (const [group, courses] of Object.entries(seed.groupCourses ?? {})) for (const course of courses) this.assignCourse(group, course);
  }

  /** People the API still answers for: not deleted. */
  livePerson(id: number): PersonRecord | undefined {
    const person = this.people.get(id);
    return person && !person.deletion ? person : undefined;
  }

  personByEmail(email: string): PersonRecord | undefined {
    return this.people.find((person) => !person.deletion && person.email.toLowerCase() === email.trim().toLowerCase());
  }

  createPerson(fields: Pick<PersonRecord, "email" | "first_name" | "last_name">, invite: boolean): PersonRecord {
    const at = this.timestamp();
    return this.people.create({ ...fields, sso_uid: null, deactivated_at: null, created_at: at, updated_at: at, invited: invite });
  }

  updatePerson(person: PersonRecord, changes: Partial<Pick<PersonRecord, "email" | "first_name" | "last_name" | "deactivated_at">>): void {
    Object.assign(person, changes, { updated_at: this.timestamp() });
  }

  /** Deletion runs in the background: memberships go now, the person lingers in listings a while. */
  deletePerson(person: PersonRecord, lingersFor: number): void {
    this.memberships.deleteWhere((membership) => membership.personId === person.id);
    if (lingersFor <= 0) this.people.delete(person.id);
    else person.deletion = { listingsLeft: lingersFor };
  }

  /** One list call of the people has happened: lingering deletions come closer to done. */
  listedPeople(): void {
    for (const person of [...this.people.values()]) {
      if (!person.deletion) continue;
      person.deletion.listingsLeft -= 1;
      if (person.deletion.listingsLeft <= 0) this.people.delete(person.id);
    }
  }

  groupByName(name: string): GroupRecord | undefined {
    return this.groups.find((group) => group.name === name);
  }

  createGroup(name: string): GroupRecord {
    return this.groups.create({ name, courseIds: [], created_at: this.timestamp() });
  }

  membership(groupId: number, personId: number): MembershipRecord | undefined {
    return this.memberships.find((membership) => membership.groupId === groupId && membership.personId === personId);
  }

  addMember(groupId: number, personId: number): void {
    if (!this.membership(groupId, personId)) this.memberships.create({ groupId, personId, created_at: this.timestamp() });
  }

  removeMember(groupId: number, personId: number): void {
    this.memberships.deleteWhere((membership) => membership.groupId === groupId && membership.personId === personId);
  }

  assignCourse(groupName: string, courseName: string): void {
    const group = this.groupByName(groupName);
    const course = this.courses.find((candidate) => candidate.name === courseName);
    if (!group || !course) throw new Error(`no group "${groupName}" or course "${courseName}" to assign`);
    if (!group.courseIds.includes(course.id)) group.courseIds.push(course.id);
  }

  /** The course's enrollments: every active member of a group holding it, since they joined. */
  enrollments(courseId: number): Array<{ person: PersonRecord; enrolledAt: string }> {
    const since = new Map<number, string>();
    for (const group of this.groups.filter((candidate) => candidate.courseIds.includes(courseId))) {
      for (const membership of this.memberships.filter((candidate) => candidate.groupId === group.id)) {
        const earlier = since.get(membership.personId);
        if (earlier === undefined || membership.created_at < earlier) since.set(membership.personId, membership.created_at);
      }
    }
    return [...since].flatMap(([personId, enrolledAt]) => {
      const person = this.livePerson(personId);
      return person && person.deactivated_at === null ? [{ person, enrolledAt }] : [];
    });
  }
}
