/**
 * A per-run snapshot of the portal, shared by every resource in the provider process.
 *
 * The engine calls `read` and `create` once per resource, in parallel. Asking LearnUpon about each
 * person separately costs one request per resource against a budget of 300 a minute; listing costs
 * one request per 500 records. So the first lookup of a kind lists it (single-flight: concurrent
 * callers share one listing) and later lookups are served from memory. Our own writes are applied
 * to the snapshot so it stays coherent for the rest of the run.
 * @module
 */
import { collect, type LearnUponClient, type LearnUponEnrollment, type LearnUponUser } from "./client/index.js";

export class PortalSnapshot {
  private usersById: Promise<Map<number, LearnUponUser>> | undefined;
  private readonly enrollmentsByCourse = new Map<number, Promise<Map<number, LearnUponEnrollment>>>();
  private readonly membersByGroup = new Map<number, Promise<Set<number>>>();
  private readonly claimedThisRun = new Set<string>();

  constructor(private readonly client: LearnUponClient) {}

  async userById(id: number): Promise<LearnUponUser | undefined> {
    return (await this.users()).get(id);
  }

  /** Emails are unique per portal regardless of case, and disabled users still hold theirs. */
  async userByEmail(email: string): Promise<LearnUponUser | undefined> {
    const wanted = email.toLowerCase();
    for (const user of (await this.users()).values()) {
      if (user.email?.toLowerCase() === wanted) return user;
    }
    return undefined;
  }

  /** Active users in the portal: the base of the removal breaker's percentage. */
  async activeUserCount(): Promise<number> {
    let count = 0;
    for (const user of (await this.users()).values()) if (user.enabled !== false) count += 1;
    return count;
  }

  async rememberUser(user: LearnUponUser): Promise<void> {
    (await this.users()).set(user.id, user);
  }

  async forgetUser(id: number): Promise<void> {
    (await this.users()).delete(id);
  }

  async enrollment(userId: number, courseId: number): Promise<LearnUponEnrollment | undefined> {
    return (await this.courseEnrollments(courseId)).get(userId);
  }

  async rememberEnrollment(enrollment: LearnUponEnrollment): Promise<void> {
    (await this.courseEnrollments(enrollment.course_id)).set(enrollment.user_id, enrollment);
  }

  async forgetEnrollment(userId: number, courseId: number): Promise<void> {
    (await this.courseEnrollments(courseId)).delete(userId);
  }

  async isMember(userId: number, groupId: number): Promise<boolean> {
    return (await this.groupMembers(groupId)).has(userId);
  }

  /** Only a group already listed needs updating; one never listed is listed fresh when asked. */
  async rememberMembership(userId: number, groupId: number, member: boolean): Promise<void> {
    const listing = this.membersByGroup.get(groupId);
    if (!listing) return;
    const members = await listing;
    if (member) members.add(userId);
    else members.delete(userId);
  }

  /**
   * Marks a LearnUpon object as adopted by a resource in this run. When a person's
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

  private users(): Promise<Map<number, LearnUponUser>> {
    this.usersById ??= keyedBy(this.client.users.list(), (user) => user.id).catch((error: unknown) => {
      this.usersById = undefined; // let the next caller retry instead of caching the failure
      throw error;
    });
    return this.usersById;
  }

  private courseEnrollments(courseId: number): Promise<Map<number, LearnUponEnrollment>> {
    return singleFlight(this.enrollmentsByCourse, courseId, () =>
      keyedBy(this.client.enrollments.searchByCourse(courseId), (enrollment) => enrollment.user_id),
    );
  }

  private groupMembers(groupId: number): Promise<Set<number>> {
    return singleFlight(this.membersByGroup, groupId, async () =>
      new Set((await collect(this.client.groupMemberships.listByGroup(groupId))).map((member) => member.userId)),
    );
  }
}

async function keyedBy<T>(items: AsyncIterable<T>, keyOf: (item: T) => number): Promise<Map<number, T>> {
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
