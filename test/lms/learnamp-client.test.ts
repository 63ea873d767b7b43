/**
 * The Learn Amp backend of the LMS seam against the fake Learn Amp over real HTTP: the field table
 * both ways, the exact requests each method makes (the portal's transcript), and the contract's
 * scenarios: adopting a deactivated person, deactivation emptying teams, a token expiring mid-run,
 * and a server of the 2024 release.
 */
import { afterEach, describe, expect, it } from "vitest";
import { AuthError, collect } from "../../provider/client/index.js";
import { AmbiguousNameError } from "../../provider/client/index.js";
import { lmsUserOf } from "../../provider/lms/learnamp/fields.js";
import { startLearnAmp, type LearnAmpUnderTest } from "../fake-portal/learnamp-support.js";

const SEED = {
  teams: ["Engineering", "Sales", "Sales EMEA"],
  people: [
    { email: "Ada@Example.com", firstName: "Ada", lastName: "Lovelace", employeeId: "E-1" },
    { email: "grace@example.com", firstName: "Grace", lastName: "Hopper", employeeId: "E-2", enabled: false },
  ],
};

let t: LearnAmpUnderTest;
afterEach(async () => t?.close());

const userIdOf = (email: string) => String(t.portal.store.userByEmail(email)!.id);
const teamIdOf = (name: string) => String(t.portal.store.teams.find((team) => team.name === name)!.id);

describe("users", () => {
  it("lists everyone, deactivated people included, with one token and the teams expanded", async () => {
    t = await startLearnAmp({ seed: SEED });
    const users = await collect(t.lms.users.list());
    expect(users.map((user) => [user.email, user.enabled])).toEqual([
      ["owner@learnamp.test", true],
      ["Ada@Example.com", true],
      ["grace@example.com", false],
    ]);
    expect(users[1]).toEqual({ id: userIdOf("ada@example.com"), email: "Ada@Example.com", firstName: "Ada", lastName: "Lovelace", userType: "viewer", language: "en", externalId: "E-1", enabled: true, customData: {} });
    expect(t.transcript()).toEqual([
      "POST /oauth/token",
      "GET /v1/users?expanded=true&filters[status][]=not_invited&filters[status][]=invite_scheduled&filters[status][]=invite_pending&filters[status][]=confirmed&filters[status][]=deactivated&page=1&perPage=100",
    ]);
  });

  it("a 2024 server ignores the status filter: deactivated people come from the deactivation-date range, each once", async () => {
    t = await startLearnAmp({ seed: SEED, switches: { era: "2024" } });
    const users = await collect(t.lms.users.list());
    expect(users.map((user) => user.email)).toEqual(["owner@learnamp.test", "Ada@Example.com", "grace@example.com"]);
    expect(t.transcript().slice(-1)).toEqual(["GET /v1/users?expanded=true&filters[deactivated_at][from]=1970-01-01&page=1&perPage=100"]);
    expect(t.client.users.hasExternalIds()).toBe(false);
    expect(await t.client.users.findByExternalId("E-1")).toBeUndefined();
  });

  it("pages by Total-Pages, and by Per-Page when a server clamps perPage and leaves Total-Pages out", async () => {
    const people = Array.from({ length: 60 }, (_, n) => ({ email: `p${n}@example.com`, firstName: "P", lastName: String(n) }));
    t = await startLearnAmp({ seed: { people }, switches: { maxPerPage: "25", pageHeaders: "no-total-pages" } });
    const users = await collect(t.lms.users.list());
    expect(users).toHaveLength(61);
    // 61 people at 25 a page: 3 pages, then the deactivated range (no one deactivated was listed).
    expect(t.portal.log.count({ pathPrefix: "/v1/users" })).toBe(4);
  });

  it("finds a person by email without regard to case, deactivated included, past a case-sensitive filter", async () => {
    t = await startLearnAmp({ seed: SEED });
    expect((await t.lms.users.findByEmail("GRACE@example.com"))?.id).toBe(userIdOf("grace@example.com"));
    expect(await t.lms.users.findByEmail("nobody@example.com")).toBeUndefined();
  });

  it("creates with skipInvitation always sent, as a form; invitations go out only when the backend says so", async () => {
    for (const [sendInvitations, status] of [[false, "not_invited"], [true, "invite_pending"]] as const) {
      t = await startLearnAmp({ seed: SEED, sendInvitations });
      const id = await t.lms.users.create({ email: "linus@example.com", firstName: "Linus", lastName: "Torvalds", userType: "curator" });
      expect(t.portal.log.entries({ method: "POST", pathPrefix: "/v1/users" })[0]?.body).toEqual({
        email: "linus@example.com",
        firstName: "Linus",
        lastName: "Torvalds",
        role: "curator",
        skipInvitation: String(!sendInvitations),
      });
      expect(t.portal.store.users.get(Number(id))).toMatchObject({ status, role: "curator" });
      expect(t.portal.store.invitations).toEqual(sendInvitations ? ["linus@example.com"] : []);
      await t.close();
    }
  });

  it("adopts a deactivated person: one reactivate, one PUT with email and names, no invitation, no POST", async () => {
    t = await startLearnAmp({ seed: SEED });
    const grace = (await t.lms.users.findByEmail("Grace@Example.com"))!;
    t.portal.log.clear();
    const after = await t.lms.users.update(grace, { enabled: true, lastName: "Murray Hopper" });
    expect(after).toMatchObject({ enabled: true, lastName: "Murray Hopper", email: "grace@example.com" });
    expect(t.transcript()).toEqual([`PUT /v1/users/${grace.id}/reactivate`, `PUT /v1/users/${grace.id}`]);
    expect(t.portal.log.entries({ method: "PUT" })[1]?.body).toEqual({ email: "grace@example.com", firstName: "Grace", lastName: "Murray Hopper" });
    expect(t.portal.store.invitations).toEqual([]);
  });

  it("changes enabled only through /deactivate and /reactivate, never the PUT", async () => {
    t = await startLearnAmp({ seed: SEED });
    const ada = (await t.lms.users.findByEmail("ada@example.com"))!;
    t.portal.log.clear();
    expect(await t.lms.users.update(ada, { enabled: false })).toMatchObject({ enabled: false });
    expect(t.transcript()).toEqual([`PUT /v1/users/${ada.id}/deactivate`]);
  });

  it("the account's Owner cannot be deactivated: the server refuses, and says why", async () => {
    t = await startLearnAmp({ seed: SEED });
    const owner = (await t.lms.users.findByEmail("owner@learnamp.test"))!;
    expect(owner.userType).toBe("owner");
    await expect(t.lms.users.update(owner, { enabled: false })).rejects.toThrow(/at least one active Owner/);
  });

  it("a role a 2024 server ignores on update is an error, not a silent success", async () => {
    t = await startLearnAmp({ seed: SEED, switches: { era: "2024" } });
    const ada = (await t.lms.users.findByEmail("ada@example.com"))!;
    await expect(t.lms.users.update(ada, { userType: "admin" })).rejects.toThrow(/kept user \d+ as viewer when asked for admin/);
  });

  it("maps the wire record through the field table both ways", () => {
    const wire = { id: 7, email: "a@b.c", firstName: "A", lastName: "B", role: "hr", language: "de", status: { status: "Deactivated" } };
    expect(lmsUserOf(wire)).toEqual({ id: "7", email: "a@b.c", firstName: "A", lastName: "B", userType: "hr", language: "de", enabled: false, customData: {} });
  });
});

describe("team memberships", () => {
  it("adds, lists and removes; a duplicate add and a 404 on remove are both done", async () => {
    t = await startLearnAmp({ seed: SEED, switches: { duplicateMember: "422" } });
    const [ada, engineering] = [userIdOf("ada@example.com"), teamIdOf("Engineering")];
    await t.lms.memberships.add({ groupId: engineering, userId: ada, processEnrollments: true });
    await t.lms.memberships.add({ groupId: engineering, userId: ada, processEnrollments: true });
    expect(await collect(t.lms.memberships.listByGroup(engineering))).toEqual([ada]);
    expect(await t.lms.memberships.isMember(engineering, ada)).toBe(true);
    expect(await collect(t.lms.memberships.groupsOf(ada))).toEqual([{ id: engineering, title: "Engineering" }]);
    await t.lms.memberships.remove({ groupId: engineering, userId: ada });
    await t.lms.memberships.remove({ groupId: engineering, userId: ada });
    expect(t.portal.log.entries({ method: "DELETE" }).map((entry) => entry.status)).toEqual([204, 404]);
    expect(t.portal.log.entries({ method: "POST", pathPrefix: "/v1/teams" }).map((entry) => entry.status)).toEqual([201, 422]);
  });

  it("takes either add-member answer: the membership, or the whole team (era 2024)", async () => {
    for (const era of ["2026", "2024"] as const) {
      t = await startLearnAmp({ seed: SEED, switches: { era } });
      await t.lms.memberships.add({ groupId: teamIdOf("Sales"), userId: userIdOf("ada@example.com"), processEnrollments: true });
      expect(t.portal.store.isMember(Number(teamIdOf("Sales")), Number(userIdOf("ada@example.com")))).toBe(true);
      await t.close();
    }
  });

  it("deactivation empties a person's teams; re-activation gives them back only where the server does", async () => {
    for (const [reactivation, restored] of [["teams-lost", false], ["teams-restored", true]] as const) {
      t = await startLearnAmp({ seed: SEED, switches: { reactivation } });
      const ada = (await t.lms.users.findByEmail("ada@example.com"))!;
      await t.lms.memberships.add({ groupId: teamIdOf("Sales"), userId: ada.id, processEnrollments: true });
      const deactivated = await t.lms.users.update(ada, { enabled: false });
      expect(await t.lms.memberships.isMember(teamIdOf("Sales"), ada.id)).toBe(false);
      await t.lms.users.update(deactivated, { enabled: true });
      expect(await t.lms.memberships.isMember(teamIdOf("Sales"), ada.id)).toBe(restored);
      await t.close();
    }
  });

  it("finds a team by its exact name through a substring filter; two of a name are ambiguous", async () => {
    t = await startLearnAmp({ seed: { teams: ["Sales", "Sales EMEA", "Support", "Support"] } });
    expect(await t.lms.catalog.groupByTitle("Sales")).toEqual({ id: teamIdOf("Sales"), title: "Sales" });
    expect(await t.lms.catalog.groupByTitle("sales")).toBeUndefined();
    await expect(t.lms.catalog.groupByTitle("Support")).rejects.toBeInstanceOf(AmbiguousNameError);
  });
});

describe("the token", () => {
  it("one token for every request; renewed once before it expires, and once after a 401", async () => {
    t = await startLearnAmp({ seed: SEED, switches: { tokenLifetimeSeconds: 600 } });
    await collect(t.lms.users.list());
    await t.lms.catalog.groupById(teamIdOf("Sales"));
    expect(t.portal.store.tokenRequests).toBe(1);
    t.clock.advance(550_000); // less than 10% of the lifetime left
    await t.lms.catalog.groupById(teamIdOf("Sales"));
    expect(t.portal.store.tokenRequests).toBe(2);
    t.portal.store.tokens.clear(); // the server forgets every token: the next call gets a 401
    await t.lms.catalog.groupById(teamIdOf("Sales"));
    expect(t.portal.store.tokenRequests).toBe(3);
    expect(t.transcript().filter((line) => line.startsWith("GET /v1/teams")).length).toBe(4); // one replay
  });

  it("a revoked key fails as an AuthError naming neither the secret nor a token", async () => {
    t = await startLearnAmp({ seed: SEED });
    await collect(t.lms.users.list());
    const issued = [...t.portal.store.tokens.keys()];
    const secret = t.portal.clientSecret;
    // The key is revoked: the live token stops working and the token endpoint refuses the key.
    t.portal.store.tokens.clear();
    t.portal.faults.inject({ count: 5, status: 401, body: { error: "invalid_client" }, match: { pathPrefix: "/oauth/token" } });
    const failure = await t.lms.catalog.groupByTitle("Sales").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AuthError);
    const text = `${String(failure)} ${JSON.stringify(failure)} ${(failure as Error).stack}`;
    expect(text).toMatch(/invalid_client|401/);
    for (const leaked of [secret, ...issued]) expect(text).not.toContain(leaked);
  });
});

describe("what Learn Amp cannot do", () => {
  it("enrollments and courses throw, saying Learn Amp assigns content through team tasks", async () => {
    t = await startLearnAmp({ seed: SEED });
    await expect(t.lms.catalog.courseByName("Onboarding")).rejects.toThrow(/assigns content through tasks.*declare the team instead/);
    expect(() => t.lms.enrollments.listByCourse("1")).toThrow(/no course enrollments/);
    expect(t.portal.log.count()).toBe(0);
  });
});
