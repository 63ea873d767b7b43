/**
 * The Learnifier backend's `LmsClient` against the fake realm over real HTTP: what it sends (the
 * request log's transcript) and what it makes of each answer, each uncertain switch at each value.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createRateLimiter } from "../../provider/client/index.js";
import { createLearnifierClient } from "../../provider/client/learnifier/client.js";
import { startLearnifierPortal, type LearnifierFakePortal, type StartLearnifierPortalOptions } from "../../provider/fake-portal/learnifier/index.js";
import { learnifierLms, type LearnifierLms, type LearnifierLmsOptions } from "../../provider/lms/learnifier/client.js";
import type { LearnifierLmsUser } from "../../provider/lms/learnifier/fields.js";

const SEED = {
  groups: ["Sales", "Support", "Sales Ops"],
  projects: [{ name: "Onboarding" }, { name: "Security", activitiesTotal: 4 }, { name: "Draft", status: "NEW" as const }],
  users: [
    { externalId: "E1", email: "ann@example.com", firstName: "Ann", lastName: "Lee" },
    { externalId: "E2", email: "bob@example.com", firstName: "Bob", lastName: "Ray" },
    { email: "admin@example.com", firstName: "Portal", lastName: "Admin", backOffice: true },
  ],
};

interface Harness {
  realm: LearnifierFakePortal;
  lms: LearnifierLms;
  reports: string[];
  /** `METHOD path` of every request since the last `clearLog`. */
  transcript(): string[];
  user(externalIdOrEmail: string): LearnifierLmsUser;
}

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

async function harness(portal: StartLearnifierPortalOptions = {}, options: Partial<LearnifierLmsOptions> = {}, usersPageSize?: number): Promise<Harness> {
  const realm = await startLearnifierPortal({ seed: SEED, ...portal });
  const client = createLearnifierClient({
    baseUrl: `${realm.url}/`,
    keyId: realm.keyId,
    keySecret: realm.keySecret,
    rateLimiter: createRateLimiter({ perSecond: 10_000, burst: 10_000 }),
    retry: { limit: 1, backoffBaseMs: 1 },
    ...(usersPageSize !== undefined && { usersPageSize }),
  });
  const reports: string[] = [];
  const lms = learnifierLms(client, { orgUnit: realm.orgUnitId, report: (message) => reports.push(message), ...options });
  open.push(realm, lms);
  const users = new Map<string, LearnifierLmsUser>();
  for await (const user of lms.users.list()) users.set(user.externalId ?? user.email ?? user.id, user);
  realm.log.clear();
  return {
    realm,
    lms,
    reports,
    transcript: () => realm.log.entries().map((entry) => `${entry.method} ${entry.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "{uuid}")}`),
    user: (key) => users.get(key)!,
  };
}

describe("users", () => {
  it("lists every user page by page until X-More is false, in the seam's terms", async () => {
    const { lms, transcript } = await harness({}, {}, 2);
    const all: LearnifierLmsUser[] = [];
    for await (const user of lms.users.list()) all.push(user);
    expect(transcript()).toEqual(["GET /users?offset=0&limit=2", "GET /users?offset=2&limit=2"]);
    expect(all).toEqual([
      expect.objectContaining({ externalId: "E1", email: "ann@example.com", firstName: "Ann", enabled: true, userType: "learner" }),
      expect.objectContaining({ externalId: "E2" }),
      expect.objectContaining({ email: "admin@example.com", userType: "admin" }),
    ]);
    expect(all[2]).not.toHaveProperty("externalId");
  });

  it("creates with the declared fields only, and finds by external id case-sensitively", async () => {
    const { lms, realm } = await harness();
    const id = await lms.users.create({ externalId: "E3", email: "cy@example.com", firstName: "Cy", lastName: "Ng", enabled: true, password: "unused" });
    expect(realm.log.writes().map((entry) => entry.body)).toEqual([{ externalId: "E3", primaryEmail: "cy@example.com", firstName: "Cy", lastName: "Ng", hardLock: false }]);
    expect((await lms.users.findByExternalId("E3"))?.id).toBe(id);
    expect(await lms.users.findByExternalId("e3")).toBeUndefined();
  });

  it("answers a create whose email is taken with a DuplicateError, and finds the holder by email without a listing", async () => {
    const { lms, transcript, user } = await harness();
    await expect(lms.users.create({ externalId: "E7", email: "Ann@Example.com", firstName: "A", lastName: "L" })).rejects.toMatchObject({ name: "DuplicateError" });
    expect((await lms.users.findByEmail("ann@example.com"))?.id).toBe(user("E1").id);
    expect(transcript()).toEqual(["POST /users", "GET /users/{uuid}"]);
  });

  it("PATCHes only the changed keys, and locks with hardLock, read back", async () => {
    const { lms, realm, user } = await harness();
    const renamed = await lms.users.update(user("E1"), { firstName: "Anna", language: "sv-SE" });
    expect(renamed).toMatchObject({ firstName: "Anna", lastName: "Lee", language: "sv-SE" });
    const locked = await lms.users.update(renamed, { enabled: false });
    expect(locked).toMatchObject({ enabled: false, firstName: "Anna" });
    expect(realm.log.entries().map((entry) => [entry.method, entry.body])).toEqual([
      ["PATCH", { firstName: "Anna", locale: "sv-SE" }],
      ["PATCH", { hardLock: true }],
      ["GET", undefined],
    ]);
    expect(realm.store.userByExternalId("E1")).toMatchObject({ hardLock: true, locked: true, lastName: "Lee" });
  });

  it("never writes to, locks or deletes a user without an external id, but lets the roster give one", async () => {
    const { lms, realm, user } = await harness();
    const admin = user("admin@example.com");
    await expect(lms.users.update(admin, { enabled: false })).rejects.toThrow(/has no external id, so it was made in Learnifier by hand/);
    await expect(lms.users.update(admin, { firstName: "X" })).rejects.toThrow(/made in Learnifier by hand/);
    await expect(lms.users.delete(admin.id)).rejects.toThrow(/made in Learnifier by hand/);
    expect(realm.log.writes()).toEqual([]);
    await lms.users.update(admin, { externalId: "A1" });
    expect(realm.store.userByExternalId("A1")?.primaryEmail).toBe("admin@example.com");
  });

  it("sets no role: a learner is what everyone is, anything else is refused before a request", async () => {
    const { lms, realm, user } = await harness();
    await expect(lms.users.update(user("E1"), { userType: "admin" })).rejects.toThrow(/cannot make .* a Learnifier admin: its API sets no role/);
    await expect(lms.users.create({ externalId: "E5", email: "e5@example.com", firstName: "E", lastName: "F", userType: "admin" })).rejects.toThrow(/sets no role/);
    expect(realm.log.entries()).toEqual([]);
    expect(await lms.users.create({ externalId: "E5", email: "e5@example.com", firstName: "E", lastName: "F", userType: "learner" })).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses an email another user has, naming the setting, when autoClearEmail is not allowed", async () => {
    const { lms, realm, user } = await harness();
    await expect(lms.users.update(user("E1"), { email: "bob@example.com" })).rejects.toThrow(/another user has it.*learnifier:autoClearEmail true/);
    expect(realm.store.userByExternalId("E2")?.primaryEmail).toBe("bob@example.com");
  });

  it.each([
    ["body", ["PATCH /users/{uuid}", "PATCH /users/{uuid}?autoClearEmail=true", "PATCH /users/{uuid}"]],
    ["query", ["PATCH /users/{uuid}", "PATCH /users/{uuid}?autoClearEmail=true"]],
  ])("with autoClearEmail allowed and the realm reading it from the %s, takes a taken email from its holder", async (placement, expected) => {
    const { lms, realm, transcript, user } = await harness({ options: { switches: { autoClearEmail: placement } } }, { autoClearEmail: true });
    expect(await lms.users.update(user("E1"), { email: "bob@example.com" })).toMatchObject({ email: "bob@example.com" });
    expect(transcript()).toEqual(expected);
    expect(realm.store.userByExternalId("E2")?.primaryEmail).toBeNull();
  });

  it.each([
    ["refuse", /refuses to delete .* while they take part in projects/],
    ["allow", undefined],
  ] as const)("deletes on request; a user with participations when the realm would %s", async (mode, refusal) => {
    const { lms, realm, user } = await harness({ options: { switches: { deleteWithParticipations: mode } } });
    const ann = user("E1");
    const onboarding = (await lms.catalog.courseByName("Onboarding"))!;
    await lms.enrollments.create({ user: ann, courseId: onboarding.id });
    if (refusal) await expect(lms.users.delete(ann.id)).rejects.toThrow(refusal);
    else expect(await lms.users.delete(ann.id)).toBe(true);
    expect(realm.store.userByExternalId("E1") === undefined).toBe(mode === "allow");
    expect(await lms.users.delete(user("E2").id)).toBe(true);
    expect(await lms.users.delete(user("E2").id)).toBe(false);
  });

  it("says so when the instance has no DELETE /users/{id}", async () => {
    const { lms, user } = await harness({ options: { switches: { deleteUserRoute: "missing" } } });
    await expect(lms.users.delete(user("E2").id)).rejects.toThrow(/has no DELETE \/users\/\{id\}.*"deactivate"/);
  });
});

describe("memberships and the catalog", () => {
  it("finds groups and active projects by exact name in the org unit, found by name too", async () => {
    const { lms, realm } = await harness({}, { orgUnit: "Acme" });
    expect(await lms.catalog.groupByTitle("Sales")).toEqual({ id: "2001", title: "Sales" });
    expect(await lms.catalog.groupByTitle("sales")).toBeUndefined();
    expect(await lms.catalog.courseByName("Onboarding")).toEqual({ id: "4001", name: "Onboarding" });
    expect(await lms.catalog.courseByName("Draft")).toBeUndefined(); // not activated: nobody can be enrolled
    // A second "Sales", seen by a client that has not listed the groups yet.
    const fresh = await harness({}, { orgUnit: realm.orgUnitId });
    fresh.realm.store.groups.create({ orgId: 1001, name: "Sales", parent: null });
    await expect(fresh.lms.catalog.groupByTitle("Sales")).rejects.toThrow(/2 Learnifier user groups are named "Sales"/);
  });

  it.each(["conflict", "ok"])("adds a member, and adding them again (%s) is done", async (mode) => {
    const { lms, realm, user } = await harness({ options: { switches: { duplicateMember: mode } } });
    await lms.memberships.add({ groupId: "2001", userId: user("E1").id, processEnrollments: false });
    await lms.memberships.add({ groupId: "2001", userId: user("E1").id, processEnrollments: false });
    expect(realm.store.members.size).toBe(1);
    expect(realm.log.writes().map((entry) => entry.body)).toEqual([{ uuid: user("E1").id }, { uuid: user("E1").id }]);
    expect(await lms.memberships.isMember("2001", user("E1").id)).toBe(true);
    const groups: string[] = [];
    for await (const group of lms.memberships.groupsOf(user("E1").id)) groups.push(group.title ?? "");
    expect(groups).toEqual(["Sales"]);
  });

  it.each(["404", "200"])("removes a member, and removing a non-member (%s) is done", async (mode) => {
    const { lms, realm, user } = await harness({ options: { switches: { removeNonMember: mode } } });
    await lms.memberships.add({ groupId: "2001", userId: user("E1").id, processEnrollments: false });
    await lms.memberships.remove({ groupId: "2001", userId: user("E1").id });
    await lms.memberships.remove({ groupId: "2001", userId: user("E1").id });
    expect(realm.store.members.size).toBe(0);
  });
});

describe("enrollments", () => {
  it.each([
    ["none", ["POST /orgunits/1001/projects/4001/participants", "GET /orgunits/1001/projects/4001/participants", "POST /orgunits/1001/projects/4001/participants/9001/activate"]],
    ["header", ["POST /orgunits/1001/projects/4001/participants", "POST /orgunits/1001/projects/4001/participants/9001/activate"]],
  ])("adds by user id, never by email, then activates (Location: %s)", async (mode, expected) => {
    const { lms, realm, user } = await harness({ options: { switches: { participantLocation: mode } } });
    await lms.catalog.courseByName("Onboarding");
    realm.log.clear();
    const result = await lms.enrollments.create({ user: user("E1"), courseId: "4001" });
    expect(result).toMatchObject({ created: true, enrollment: { id: "4001:9001", userId: user("E1").id, courseId: "4001", status: "not_started" } });
    expect(realm.log.entries().map((entry) => `${entry.method} ${entry.path}`)).toEqual(expected);
    expect(realm.log.writes()[0]?.body).toEqual({ userid: user("E1").id });
    expect(realm.store.participants.get(9001)).toMatchObject({ activated: true });
  });

  it.each(["reject", "ok"])("finds an enrollment made already and treats activating an active one (%s) as done", async (mode) => {
    const { lms, user } = await harness({ options: { switches: { activateActive: mode } } });
    await lms.enrollments.create({ user: user("E1"), courseId: "4001" });
    expect(await lms.enrollments.create({ user: user("E1"), courseId: "4001" })).toMatchObject({ created: false, enrollment: { id: "4001:9001" } });
    expect(await lms.enrollments.find(user("E1").id, "4001")).toMatchObject({ id: "4001:9001" });
  });

  it("reports a failed activation with its reason, leaves it out of the enrolled, and retries it safely on the next create", async () => {
    const { lms, realm, reports, user } = await harness();
    realm.store.activationFailures.set(4001, ["Licence pool exhausted"]);
    await expect(lms.enrollments.create({ user: user("E1"), courseId: "4001" })).rejects.toThrow(
      /could not activate Learnifier user .* in "Onboarding" \(participant 9001\): Licence pool exhausted\. It is left in error; the next up activates it again/,
    );
    const listed: unknown[] = [];
    for await (const enrollment of lms.enrollments.listByCourse("4001")) listed.push(enrollment);
    expect(listed).toEqual([]);
    expect(reports).toEqual([expect.stringMatching(/participation of user .* in "Onboarding" \(participant 9001\) is in error: Licence pool exhausted/)]);
    realm.store.activationFailures.delete(4001);
    expect(await lms.enrollments.create({ user: user("E1"), courseId: "4001" })).toMatchObject({ created: false, enrollment: { id: "4001:9001" } });
    expect(realm.store.participants.size).toBe(1);
    expect(realm.store.participants.get(9001)).toMatchObject({ activated: true, inError: false });
  });

  it("explains a project that cannot take participants", async () => {
    const { lms, user } = await harness();
    await expect(lms.enrollments.create({ user: user("E1"), courseId: "4003" })).rejects.toThrow(/refused to activate .* in "Draft".*Is the project activated\?/);
  });

  it("reads progress from activities, lists a user's participations, and removes one; a refused removal is explained", async () => {
    const { lms, realm, user } = await harness();
    await lms.enrollments.create({ user: user("E1"), courseId: "4002" });
    realm.store.participants.get(9001)!.activitiesCompleted = 4;
    const mine: unknown[] = [];
    for await (const enrollment of lms.enrollments.listByUser(user("E1").id)) mine.push(enrollment);
    expect(mine).toEqual([{ id: "4002:9001", userId: user("E1").id, courseId: "4002", status: "completed", progress: 100, courseName: "Security" }]);
    realm.store.deleteFailures.add(4002);
    await expect(lms.enrollments.delete("4002:9001", { removeHistory: true })).rejects.toThrow(/refused to remove participant 9001 from "Security"; it is now in error: A course component refused/);
    realm.store.deleteFailures.clear();
    expect(await lms.enrollments.delete("4002:9001", { removeHistory: true })).toBe(true);
    expect(await lms.enrollments.delete("4002:9001", { removeHistory: true })).toBe(false);
  });

  it("has no dates to set", async () => {
    const { lms } = await harness();
    await expect(lms.enrollments.updateDates("4001:9001", { dueDate: "2027-01-01" })).rejects.toThrow(/no due or expiry date/);
  });
});

describe("transport", () => {
  it("retries a GET through an injected 503 and never puts the secret in an error", async () => {
    const { lms, realm } = await harness();
    realm.inject({ count: 1, status: 503, match: { method: "GET" } });
    expect(await lms.catalog.groupByTitle("Support")).toEqual({ id: "2002", title: "Support" });
    const wrong = learnifierLms(createLearnifierClient({ baseUrl: realm.url, keyId: realm.keyId, keySecret: "not-the-secret", retry: { limit: 0 } }), { orgUnit: "1001" });
    open.push(wrong);
    const failure = (await wrong.catalog.groupByTitle("Support").then(
      () => new Error("expected a failure"),
      (error: unknown) => error,
    )) as Error;
    expect(failure).toMatchObject({ name: "AuthError", status: 401 });
    expect(JSON.stringify(failure) + failure.message).not.toContain("not-the-secret");
  });
});
