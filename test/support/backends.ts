/**
 * The backends the conformance suite runs against, each with its own fake portal. A backend gives
 * the suite what a person would do in that LMS's admin screens (deactivate someone, rename them,
 * take them out of a group), read through the fake's store, and the stack config that points the
 * roster program at it. A new backend is done when `test/e2e/conformance.test.ts` passes for it.
 * @module
 */
import { startFakePortal, type FakePortal, type RequestLog } from "../../provider/fake-portal/index.js";
import { LEARNAMP_SWITCHES, startLearnAmpSandbox, type LearnAmpSandbox } from "../../provider/fake-portal/learnamp/index.js";
import { learnUponOptions, learnUponSeed, learnUponSwitches, SANDBOX_EMPLOYEE_ID_FIELD } from "../../provider/fake-portal/learnupon-sandbox.js";
import { NORTHPASS_SWITCHES, NorthpassFakeSchool, uuidOf, type NorthpassSwitches } from "../../provider/fake-portal/northpass/index.js";
import { checkedSwitches, type SandboxSeed } from "../../provider/fake-portal/sandbox.js";
import { startLearnifierSandbox } from "../../provider/fake-portal/learnifier/sandbox.js";
import { LEARNIFIER_SWITCHES } from "../../provider/fake-portal/learnifier/options.js";
import { LEARNIFIER_USERS_PAGE } from "../../provider/client/learnifier/conventions.js";

/** A person as the portal has them, in the project's own terms. */
export interface PortalPerson {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  enabled: boolean;
  /** The employee id the portal holds for them (external id or custom field), where it can hold one. */
  employeeId?: string | undefined;
}

/** One running fake portal, seen and changed the way an admin would. */
export interface PortalUnderTest {
  /** Where the portal listens. */
  readonly url: string;
  /** Stack config for the roster program; `secrets` are set with `--secret`. */
  readonly config: Record<string, string>;
  readonly secrets: Record<string, string>;
  /** Every API request the portal answered since the last `clearLog`. */
  readonly log: RequestLog;
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
    /** Edits the employee id the portal holds (the ownership marker); throws where it holds none. */
    setEmployeeId(email: string, employeeId: string): void;
  };
  /** The fewest list requests that read back every user, and every member and enrollment of these groups and courses. */
  listPageMinimum(scope: { groups: readonly string[]; courses: readonly string[] }): number;
  /** API requests since the last `clearLog`, and how many of them wrote. */
  calls(): number;
  writes(): number;
  clearLog(): void;
  close(): Promise<void>;
}

/** How a test, the demo or the bench wants the portal. */
export interface PortalStart {
  /** Groups, courses and people it holds; the backend's own groups and courses, and nobody, by default. */
  seed?: SandboxSeed;
  latencyMs?: number;
  /** The portal's limit, and the share of it the provider is told to use; none by default. */
  rateLimit?: { perMinute: number; share: number };
  pageSize?: number;
  /** The fake portal's switches for the vendor's open points. */
  switches?: Record<string, string>;
}

export interface BackendUnderTest {
  /** The `roster:lms` value, and the backend's config namespace. */
  readonly name: string;
  /** As people write it. */
  readonly title: string;
  /** Groups and courses the fake portal is started with. */
  readonly groups: readonly string[];
  readonly courses: readonly string[];
  /**
   * Whether the LMS lets the API enrol one person in one course. Without, the suite's steps carry
   * no courses, and a roster that names one must fail at preview, writing nothing.
   */
  readonly enrollments: boolean;
  /** The fake portal's switches, each with its values, the default first. */
  readonly switches: Readonly<Record<string, readonly string[]>>;
  /**
   * Switch values under which the LMS cannot converge by design, left out of the conformance
   * matrix, with why; the backend's own switch test shows what happens instead.
   */
  readonly outsideConformance?: Readonly<Record<string, { values: readonly string[]; why: string }>>;
  /**
   * The stack config that makes the portal hold the employee id as the ownership marker (`{}` when
   * it always does), or `undefined` when the LMS cannot hold one.
   */
  readonly employeeIdConfig: Readonly<Record<string, string>> | undefined;
  start(options?: PortalStart): Promise<PortalUnderTest>;
}

const LEARNUPON_GROUPS = ["Engineering", "Sales", "Support"];
const LEARNUPON_COURSES = ["Security Awareness", "Code of Conduct", "Git Fundamentals", "Customer Care"];

const learnUpon: BackendUnderTest = {
  name: "learnupon",
  title: "LearnUpon",
  groups: LEARNUPON_GROUPS,
  courses: LEARNUPON_COURSES,
  enrollments: true,
  switches: learnUponSwitches,
  employeeIdConfig: { "learnupon:employeeIdField": SANDBOX_EMPLOYEE_ID_FIELD },
  async start({ seed, latencyMs, rateLimit, pageSize, switches } = {}) {
    const portal = await startFakePortal({
      seed: learnUponSeed(seed ?? { groups: LEARNUPON_GROUPS, courses: LEARNUPON_COURSES, people: [] }),
      ...(latencyMs !== undefined && { latencyMs }),
      options: {
        ...learnUponOptions(switches),
        rateLimit: rateLimit ? { perMinute: rateLimit.perMinute, perWeek: 500_000 } : false,
        ...(pageSize !== undefined && { pageSize }),
      },
    });
    const rateConfig = rateLimit
      ? { "learnupon:requestsPerMinute": String(rateLimit.perMinute), "learnupon:rateLimitShare": String(rateLimit.share) }
      : { "learnupon:requestsPerMinute": "100000" };
    return learnUponPortal(portal, rateConfig);
  },
};

function learnUponPortal(portal: FakePortal, rateConfig: Record<string, string>): PortalUnderTest {
  const { store } = portal;
  const user = (email: string) => [...store.users.values()].find((candidate) => candidate.email?.toLowerCase() === email.toLowerCase());
  const userId = (email: string) => user(email)?.id ?? -1;
  const groupId = (title: string) => [...store.groups.values()].find((group) => group.title === title)?.id ?? -1;
  const courseId = (name: string) => [...store.courses.values()].find((course) => course.name === name)?.id ?? -1;
  const enrollment = (email: string, course: string) =>
    [...store.enrollments.values()].find((candidate) => candidate.user_id === userId(email) && candidate.course_id === courseId(course));
  return {
    url: portal.url,
    config: { "learnupon:portalUrl": portal.url, "learnupon:username": portal.username, ...rateConfig },
    secrets: { "learnupon:password": portal.password },
    log: portal.log,
    person(email) {
      const found = user(email);
      if (!found) return undefined;
      const employeeId = found.customData[SANDBOX_EMPLOYEE_ID_FIELD];
      return {
        id: String(found.id),
        email: found.email ?? "",
        firstName: found.first_name,
        lastName: found.last_name,
        enabled: found.enabled,
        ...(employeeId != null && employeeId !== "" && { employeeId: String(employeeId) }),
      };
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
      setEmployeeId: (email, employeeId) => void store.updateUser(userId(email), { customData: { [SANDBOX_EMPLOYEE_ID_FIELD]: employeeId } }),
    },
    listPageMinimum({ groups, courses }) {
      const pages = (records: number) => Math.max(1, Math.ceil(records / portal.options.pageSize));
      const enrollments = [...store.enrollments.values()];
      const memberships = [...store.memberships.values()];
      return (
        pages(store.users.size) +
        courses.reduce((sum, name) => sum + pages(enrollments.filter((record) => record.course_id === courseId(name)).length), 0) +
        groups.reduce((sum, title) => sum + pages(memberships.filter((record) => record.group_id === groupId(title)).length), 0)
      );
    },
    calls: () => portal.log.entries().length,
    writes: () => portal.log.writes().length,
    clearLog: () => portal.log.clear(),
    close: () => portal.close(),
  };
}

// ---- Northpass ---------------------------------------------------------------------------------

const NORTHPASS_GROUPS = ["Engineering", "Sales", "Support"];
const NORTHPASS_COURSES = ["Security Awareness", "Code of Conduct"];

const northpass: BackendUnderTest = {
  name: "northpass",
  title: "Northpass",
  groups: NORTHPASS_GROUPS,
  courses: NORTHPASS_COURSES,
  enrollments: false,
  switches: NORTHPASS_SWITCHES,
  outsideConformance: {
    deactivation: {
      values: ["ignored"],
      why: "a school that ignores deactivation keeps people active: the removal must fail naming them (test/e2e/northpass-switches.test.ts)",
    },
  },
  employeeIdConfig: undefined, // Northpass has no field for it: the employee id lives in state only
  async start({ seed, latencyMs, rateLimit, pageSize, switches } = {}) {
    const given = seed ?? { groups: NORTHPASS_GROUPS, courses: NORTHPASS_COURSES, people: [] };
    const school = await NorthpassFakeSchool.start({
      seed: {
        ...given,
        people: given.people.map((person) => ({ email: person.email, firstName: person.firstName, lastName: person.lastName, enabled: person.enabled ?? true })),
      },
      ...(latencyMs !== undefined && { latencyMs }),
      options: {
        ...(checkedSwitches(northpass, switches) as Partial<NorthpassSwitches>),
        perSecond: rateLimit ? rateLimit.perMinute / 60 : false,
        ...(pageSize !== undefined && { pageSize, maxLimit: pageSize }),
      },
    });
    const rateConfig = rateLimit
      ? { "northpass:requestsPerSecond": String(rateLimit.perMinute / 60), "northpass:rateLimitShare": String(rateLimit.share) }
      : { "northpass:requestsPerSecond": "100000" };
    return northpassPortal(school, rateConfig);
  },
};

function northpassPortal(school: NorthpassFakeSchool, rateConfig: Record<string, string>): PortalUnderTest {
  const { store } = school;
  const person = (email: string) => store.personByEmail(email);
  const personId = (email: string) => person(email)?.id ?? -1;
  const group = (name: string) => store.groupByName(name);
  const noEnrollments = () => {
    throw new Error("Northpass has no enrollments of their own: course access comes from groups");
  };
  return {
    url: school.url,
    config: { "northpass:baseUrl": school.apiUrl, ...rateConfig },
    secrets: { "northpass:apiKey": school.apiKey },
    log: school.log,
    person(email) {
      const found = person(email);
      if (!found) return undefined;
      return { id: uuidOf(found.id), email: found.email, firstName: found.first_name, lastName: found.last_name, enabled: found.deactivated_at === null };
    },
    isMember: (email, name) => store.membership(group(name)?.id ?? -1, personId(email)) !== undefined,
    isEnrolled(email, name) {
      const course = store.courses.find((candidate) => candidate.name === name);
      return course !== undefined && store.enrollments(course.id).some((enrollment) => enrollment.person.id === personId(email));
    },
    byHand: {
      deactivate: (email) => void store.updatePerson(person(email)!, { deactivated_at: store.timestamp() }),
      rename: (email, firstName) => void store.updatePerson(person(email)!, { first_name: firstName }),
      removeMembership: (email, name) => store.removeMember(group(name)?.id ?? -1, personId(email)),
      removeEnrollment: noEnrollments,
      completeCourse: noEnrollments,
      setEmployeeId() {
        throw new Error("Northpass holds no employee id");
      },
    },
    listPageMinimum({ groups }) {
      // The client asks for 100 a page; the school cuts that to its maximum.
      const perPage = Math.min(100, school.options.maxLimit);
      const pages = (records: number) => Math.max(1, Math.ceil(records / perPage));
      const members = (name: string) => store.memberships.filter((membership) => membership.groupId === group(name)?.id).length;
      return pages(store.people.size) + groups.reduce((sum, name) => sum + pages(members(name)), 0);
    },
    calls: () => school.log.entries().length,
    writes: () => school.log.writes().length,
    clearLog: () => school.log.clear(),
    close: () => school.close(),
  };
}

// ---- Learn Amp ------------------------------------------------------------------------------

const LEARNAMP_GROUPS = ["Engineering", "Sales", "Support"];

const learnAmp: BackendUnderTest = {
  name: "learnamp",
  title: "Learn Amp",
  groups: LEARNAMP_GROUPS,
  // Named in the roster only to be refused at preview: Learn Amp holds no courses.
  courses: ["Security Awareness", "Code of Conduct"],
  enrollments: false,
  switches: LEARNAMP_SWITCHES,
  employeeIdConfig: {}, // always: integrationExternalId
  async start({ seed, latencyMs, rateLimit, pageSize, switches } = {}) {
    const sandbox = await startLearnAmpSandbox({
      seed: seed ?? { groups: LEARNAMP_GROUPS, courses: [], people: [] },
      rateLimit: rateLimit ? { perMinute: rateLimit.perMinute } : false,
      ...(latencyMs !== undefined && { latencyMs }),
      ...(pageSize !== undefined && { pageSize }),
      ...(switches !== undefined && { switches }),
    });
    const rateConfig = { "learnamp:requestsPerMinute": String(rateLimit ? Math.floor(rateLimit.perMinute * rateLimit.share) : 100_000) };
    return learnAmpPortal(sandbox, rateConfig);
  },
};

function learnAmpPortal(sandbox: LearnAmpSandbox, rateConfig: Record<string, string>): PortalUnderTest {
  const { store, options } = sandbox.portal;
  const user = (email: string) => store.userByEmail(email);
  const team = (name: string) => store.teams.find((candidate) => candidate.name === name);
  const notEnrollable = (): never => {
    throw new Error("Learn Amp has no course enrollments");
  };
  return {
    url: sandbox.url,
    config: { ...sandbox.config, ...rateConfig },
    secrets: sandbox.secrets,
    log: sandbox.log,
    person(email) {
      const found = user(email);
      return (
        found && {
          id: String(found.id),
          email: found.email,
          firstName: found.firstName,
          lastName: found.lastName,
          enabled: found.status !== "deactivated",
          ...(found.integrationExternalId !== null && { employeeId: found.integrationExternalId }),
        }
      );
    },
    isMember: (email, group) => store.isMember(team(group)?.id ?? -1, user(email)?.id ?? -1),
    isEnrolled: () => false,
    byHand: {
      deactivate(email) {
        const found = user(email);
        if (found && found.status !== "deactivated") store.deactivate(found);
      },
      rename: (email, firstName) => void store.users.update(user(email)?.id ?? -1, { firstName }),
      removeMembership: (email, group) => void store.removeMember(team(group)?.id ?? -1, user(email)?.id ?? -1),
      removeEnrollment: notEnrollable,
      completeCourse: notEnrollable,
      setEmployeeId: (email, employeeId) => void store.users.update(user(email)?.id ?? -1, { integrationExternalId: employeeId }),
    },
    listPageMinimum({ groups }) {
      // The client asks for 100 a page; the server may clamp it.
      const perPage = Math.min(100, Number(options.maxPerPage));
      const pages = (records: number) => Math.max(1, Math.ceil(records / perPage));
      return pages(store.users.size) + groups.reduce((sum, name) => sum + pages(store.membersOf(team(name)?.id ?? -1).length), 0);
    },
    calls: () => sandbox.log.entries().length,
    writes: () => sandbox.log.writes().length,
    clearLog: () => sandbox.log.clear(),
    close: () => sandbox.close(),
  };
}

// ---- Learnifier: users are found by external id, courses are projects, enrollments participants ----

const learnifier: BackendUnderTest = {
  name: "learnifier",
  title: "Learnifier",
  groups: LEARNUPON_GROUPS,
  courses: LEARNUPON_COURSES,
  enrollments: true,
  switches: LEARNIFIER_SWITCHES,
  employeeIdConfig: {}, // always: externalId
  async start({ seed, latencyMs, rateLimit, pageSize, switches } = {}) {
    const sandbox = await startLearnifierSandbox({
      seed: seed ?? { groups: LEARNUPON_GROUPS, courses: LEARNUPON_COURSES, people: [] },
      ...(latencyMs !== undefined && { latencyMs }),
      ...(rateLimit && { rateLimit: { perMinute: rateLimit.perMinute } }),
      ...(pageSize !== undefined && { pageSize }),
      ...(switches !== undefined && { switches }),
    });
    const { portal } = sandbox;
    const { store } = portal;
    const pace = rateLimit ? { "learnifier:requestsPerSecond": String((rateLimit.perMinute * rateLimit.share) / 60) } : {};
    const user = (email: string) => store.userByEmail(email);
    const participant = (email: string, course: string) => {
      const project = store.projects.find((candidate) => candidate.name === course);
      return store.participants.find((candidate) => candidate.projectId === project?.id && candidate.userUuid === user(email)?.uuid);
    };
    const member = (email: string, group: string) => {
      const found = store.groups.find((candidate) => candidate.name === group);
      return store.members.find((candidate) => candidate.groupId === found?.id && candidate.userUuid === user(email)?.uuid);
    };
    return {
      url: sandbox.url,
      config: { ...sandbox.config, ...pace },
      secrets: sandbox.secrets,
      log: sandbox.log,
      person(email) {
        const found = user(email);
        if (!found) return undefined;
        return {
          id: found.uuid,
          email: found.primaryEmail ?? "",
          firstName: found.firstName ?? "",
          lastName: found.lastName ?? "",
          enabled: !found.hardLock,
          ...(found.externalId !== null && { employeeId: found.externalId }),
        };
      },
      isMember: (email, group) => member(email, group) !== undefined,
      // Enrolled means able to take the course: added and activated, not in error.
      isEnrolled: (email, course) => {
        const found = participant(email, course);
        return found !== undefined && found.activated && !found.inError;
      },
      byHand: {
        deactivate: (email) => void store.updateUser(user(email)!, { hardLock: true }, false),
        rename: (email, firstName) => void store.updateUser(user(email)!, { firstName }, false),
        removeMembership(email, group) {
          const found = member(email, group);
          if (found) store.members.delete(found.id);
        },
        removeEnrollment(email, course) {
          const found = participant(email, course);
          if (found) store.participants.delete(found.id);
        },
        completeCourse(email, course) {
          const found = participant(email, course);
          const project = store.projects.get(found?.projectId ?? -1);
          if (found && project) found.activitiesCompleted = project.activitiesTotal;
        },
        setEmployeeId: (email, employeeId) => void store.updateUser(user(email)!, { externalId: employeeId }, false),
      },
      listPageMinimum({ groups, courses }) {
        // Users page by `limit`; member and participant lists come whole, one call each.
        const perPage = Math.min(LEARNIFIER_USERS_PAGE, portal.options.maxLimit);
        return Math.max(1, Math.ceil(store.users.size / perPage)) + groups.length + courses.length;
      },
      calls: () => portal.log.entries().length,
      writes: () => portal.log.writes().length,
      clearLog: () => portal.log.clear(),
      close: () => sandbox.close(),
    };
  },
};

/** Every backend with a fake portal; the conformance suite runs each. */
export const BACKENDS: readonly BackendUnderTest[] = [learnUpon, learnAmp, learnifier, northpass];
