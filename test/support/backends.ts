/**
 * The backends the conformance suite runs against, each with its own fake portal. A backend gives
 * the suite what a person would do in that LMS's admin screens (deactivate someone, rename them,
 * take them out of a group), read through the fake's store, and the stack config that points the
 * roster program at it. A new backend is done when `test/e2e/conformance.test.ts` passes for it.
 * @module
 */
import { startFakePortal, type FakePortal } from "../../provider/fake-portal/index.js";
import { demoSeed } from "./demo-seed.js";

/** A person as the portal has them, in the project's own terms. */
export interface PortalPerson {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  enabled: boolean;
}

/** One running fake portal, seen and changed the way an admin would. */
export interface PortalUnderTest {
  /** Stack config for the roster program; `secrets` are set with `--secret`. */
  readonly config: Record<string, string>;
  readonly secrets: Record<string, string>;
  person(email: string): PortalPerson | undefined;
  isMember(email: string, group: string): boolean;
  isEnrolled(email: string, course: string): boolean;
  /** Changes made in the portal by hand, outside the stack. */
  readonly byHand: {
    deactivate(email: string): void;
    rename(email: string, firstName: string): void;
    removeMembership(email: string, group: string): void;
    removeEnrollment(email: string, course: string): void;
    completeCourse(email: string, course: string): void;
  };
  /** API requests since the last `clearLog`, and how many of them wrote. */
  calls(): number;
  writes(): number;
  clearLog(): void;
  close(): Promise<void>;
}

export interface BackendUnderTest {
  /** The `roster:lms` value, and the backend's config namespace. */
  readonly name: string;
  /** Groups and courses the fake portal is started with. */
  readonly groups: readonly string[];
  readonly courses: readonly string[];
  /** Whether the LMS lets the API enrol one person in one course (else the suite skips those steps' enrollments). */
  readonly enrollments: boolean;
  start(): Promise<PortalUnderTest>;
}

const learnUpon: BackendUnderTest = {
  name: "learnupon",
  groups: ["Engineering", "Sales", "Support"],
  courses: ["Security Awareness", "Code of Conduct", "Git Fundamentals", "Customer Care"],
  enrollments: true,
  async start() {
    const portal = await startFakePortal({ seed: { ...demoSeed(), users: [] }, options: { rateLimit: false } });
    return learnUponPortal(portal);
  },
};

function learnUponPortal(portal: FakePortal): PortalUnderTest {
  const { store } = portal;
  const user = (email: string) => [...store.users.values()].find((candidate) => candidate.email?.toLowerCase() === email.toLowerCase());
  const userId = (email: string) => user(email)?.id ?? -1;
  const groupId = (title: string) => [...store.groups.values()].find((group) => group.title === title)?.id ?? -1;
  const courseId = (name: string) => [...store.courses.values()].find((course) => course.name === name)?.id ?? -1;
  const enrollment = (email: string, course: string) =>
    [...store.enrollments.values()].find((candidate) => candidate.user_id === userId(email) && candidate.course_id === courseId(course));
  return {
    config: { "learnupon:portalUrl": portal.url, "learnupon:username": portal.username, "learnupon:requestsPerMinute": "100000" },
    secrets: { "learnupon:password": portal.password },
    person(email) {
      const found = user(email);
      if (!found) return undefined;
      return { id: String(found.id), email: found.email ?? "", firstName: found.first_name, lastName: found.last_name, enabled: found.enabled };
    },
    isMember: (email, group) => store.findMembership(groupId(group), userId(email)) !== undefined,
    isEnrolled: (email, course) => enrollment(email, course) !== undefined,
    byHand: {
      deactivate: (email) => void store.updateUser(userId(email), { enabled: false }),
      rename: (email, firstName) => void store.updateUser(userId(email), { first_name: firstName }),
      removeMembership(email, group) {
        const membership = store.findMembership(groupId(group), userId(email));
        if (membership) store.removeMembership(membership, false);
      },
      removeEnrollment(email, course) {
        const found = enrollment(email, course);
        if (found) store.unenroll(found, true);
      },
      completeCourse(email, course) {
        const found = enrollment(email, course);
        if (found) found.status = "completed";
      },
    },
    calls: () => portal.log.entries().length,
    writes: () => portal.log.writes().length,
    clearLog: () => portal.log.clear(),
    close: () => portal.close(),
  };
}

/** Every backend with a fake portal; the conformance suite runs each. */
export const BACKENDS: readonly BackendUnderTest[] = [learnUpon];
