/**
 * A per-run snapshot of the portal, shared by every resource in the provider process.
 *
 * The engine calls `read` and `create` once per resource, in parallel. Asking the LMS about each
 * person separately costs one request per resource against its rate limit; listing costs one
 * request per page (500 records on LearnUpon). So the first lookup of a kind lists it (single-flight: concurrent
 * callers share one listing) and later lookups are served from memory. Our own writes are applied
 * to the snapshot so it stays coherent for the rest of the run.
 * @module
 */
import { collect, sameEmail } from "./client/index.js";
import type { LmsClient, LmsEnrollment, LmsId, LmsUser } from "./lms/model.js";

export class PortalSnapshot {
  private usersById: Promise<Map<LmsId, LmsUser>> | undefined;
  private readonly enrollmentsByCourse = new Map<LmsId, Promise<Map<LmsId, LmsEnrollment>>>();
  private readonly membersByGroup = new Map<LmsId, Promise<Set<LmsId>>>();
  private readonly claimedThisRun = new Set<string>();

  constructor(private readonly lms: LmsClient) {}

  async userById(id: LmsId): Promise<LmsUser | undefined> {
    return (await this.users()).get(id);
  }

  /** Emails are unique per portal regardless of case, and disabled users still hold theirs. */
  async userByEmail(email: string): Promise<LmsUser | undefined> {
    for (const user of (await this.users()).values()) {
      if (sameEmail(user.email, email)) return user;
    }
    return undefined;
  }

  /** External ids are the customer's own and compared exactly, as the LMSes that keep them do. */
  async userByExternalId(externalId: string): Promise<LmsUser | undefined> {
    for (const user of (await this.users()).values()) {
      if (user.externalId === externalId) return user;
    }
    return undefined;
  }

  /** Active users in the portal: the base of the removal breaker's percentage. */
  async activeUserCount(): Promise<number> {
    let count = 0;
    for (const user of (await this.users()).values()) if (user.enabled) count += 1;
    return count;
  }

  async rememberUser(user: LmsUser): Promise<void> {
    (await this.users()).set(user.id, user);
  }

  async forgetUser(id: LmsId): Promise<void> {
    (await this.users()).delete(id);
  }

  async enrollment(userId: LmsId, courseId: LmsId): Promise<LmsEnrollment | undefined> {
    return (await this.courseEnrollments(courseId)).get(userId);
  }

  async rememberEnrollment(enrollment: LmsEnrollment): Promise<void> {
    (await this.courseEnrollments(enrollment.courseId)).set(enrollment.userId, enrollment);
  }

  async forgetEnrollment(userId: LmsId, courseId: LmsId): Promise<void> {
    (await this.courseEnrollments(courseId)).delete(userId);
  }

  async isMember(userId: LmsId, groupId: LmsId): Promise<boolean> {
    return (await this.groupMembers(groupId)).has(userId);
  }

  /** Only a group already listed needs updating; one never listed is listed fresh when asked. */
  async rememberMembership(userId: LmsId, groupId: LmsId, member: boolean): Promise<void> {
    const listing = this.membersByGroup.get(groupId);
    if (!listing) return;
    const members = await listing;
    if (member) members.add(userId);
    else members.delete(userId);
  }

  /**
   * Marks an LMS object as adopted by a resource in this run. When a person's
   * employee id changes, the new resource adopts their user (and memberships and enrollments)
   * before the engine deletes the old resources at the end of the run; those deletes must then
   * leave the objects alone.
   */
  claim(key: string): void {
    this.claimedThisRun.add(key);
  }

  isClaimed(key: string): boolean {
    return this.claimedThisRun.has(key);
  }

  private users(): Promise<Map<LmsId, LmsUser>> {
    this.usersById ??= keyedBy(this.lms.users.list(), (user) => user.id).catch((error: unknown) => {
      this.usersById = undefined; // let the next caller retry instead of caching the failure
      throw error;
    });
    return this.usersById;
  }

  private courseEnrollments(courseId: LmsId): Promise<Map<LmsId, LmsEnrollment>> {
    return singleFlight(this.enrollmentsByCourse, courseId, () =>
      keyedBy(this.lms.enrollments.listByCourse(courseId), (enrollment) => enrollment.userId),
    );
  }

  private groupMembers(groupId: LmsId): Promise<Set<LmsId>> {
    return singleFlight(this.membersByGroup, groupId, async () => new Set(await collect(this.lms.memberships.listByGroup(groupId))));
  }
}

async function keyedBy<T>(items: AsyncIterable<T>, keyOf: (item: T) => LmsId): Promise<Map<LmsId, T>> {
  return new Map((await collect(items)).map((item) => [keyOf(item), item]));
}

function singleFlight<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
  let pending = cache.get(key);
  if (!pending) {
    pending = load().catch((error: unknown) => {
      cache.delete(key);
      throw error;
    });
    cache.set(key, pending);
  }
  return pending;
}
