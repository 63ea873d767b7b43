/**
 * Never acting on the wrong person, end to end: the real `pulumi` engine, a file backend, the root
 * roster program and fake portals over HTTP. Each test replays a red-team finding and checks that
 * it now fails safe, with nothing written to the portal that would be harmed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startFakePortal, type FakePortal, type SeedData } from "../../provider/fake-portal/index.js";
import { RosterStack, type Person } from "../support/roster-stack.js";

const opened: Array<{ dispose(): Promise<void> } | FakePortal> = [];

afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await ("close" in item ? item.close() : item.dispose());
});

async function portal(seed: SeedData = {}, credentials: { username?: string; password?: string } = {}): Promise<FakePortal> {
  const started = await startFakePortal({ seed, options: { rateLimit: false }, ...credentials });
  opened.push(started);
  return started;
}

async function stack(on: FakePortal, name: string, people: Person[]): Promise<RosterStack> {
  const started = await RosterStack.start(on, name);
  opened.push(started);
  await started.writeRoster(people);
  return started;
}

function people(count: number, prefix = "P"): Person[] {
  return Array.from({ length: count }, (_, index) => {
    const number = String(index + 1).padStart(2, "0");
    return { employeeId: `${prefix}${number}`, email: `${prefix.toLowerCase()}${number}@example.com`, firstName: "Person", lastName: number };
  });
}

const output = (result: { stdout: string; stderr: string }) => result.stdout + result.stderr;

describe("a stack pointed at another portal", () => {
  it("refuses to touch the other portal's users at the same ids, at preview and at up; movePortal adopts by email instead", async () => {
    const home = await portal();
    const staff = people(3);
    const roster = await stack(home, "e2e-safety-portal", staff);
    await roster.pulumi(["up", "--yes", "--skip-preview"]);
    const ids = staff.map((person) => roster.userByEmail(person.email)!.id);

    // Another portal whose ids overlap: strangers at exactly those ids.
    const strangers = ids.map((id, index) => ({ id, email: `stranger${index}@elsewhere.com`, first_name: "Stranger", last_name: String(index) }));
    const other = await portal({ users: strangers }, { username: home.username, password: home.password });
    await roster.workspace.setConfig("learnupon:portalUrl", other.url);
    await roster.writeRoster([{ ...staff[0]!, firstName: "Renamed" }, staff[1]!]);

    const preview = await roster.pulumi(["preview"], { check: false });
    expect(preview.exitCode).not.toBe(0);
    expect(output(preview)).toContain(`this stack was last applied to the LearnUpon portal ${home.url}/api/v1, but learnupon:portalUrl is now ${other.url}/api/v1`);
    const up = await roster.pulumi(["up", "--yes", "--skip-preview"], { check: false });
    expect(up.exitCode).not.toBe(0);
    expect(output(up)).toContain("pulumi config set learnupon:movePortal true");
    expect(other.log.writes()).toEqual([]);
    expect([...other.store.users.values()].map((user) => [user.email, user.first_name, user.enabled])).toEqual(
      strangers.map((stranger) => [stranger.email, "Stranger", true]),
    );

    // Moving on purpose: the people are created on the new portal; the old one is left as it is.
    home.log.clear();
    await roster.workspace.setConfig("learnupon:movePortal", "true");
    await roster.pulumi(["up", "--yes", "--skip-preview"]);
    expect(home.log.writes()).toEqual([]);
    expect(other.store.users.size).toBe(5);
    expect([...other.store.users.values()].filter((user) => user.first_name === "Stranger" && user.enabled)).toHaveLength(3);
    expect(other.log.writes().filter((write) => write.method === "PUT")).toEqual([]);
  });

  it("refuses to update a user whose email in the portal is no longer the one in state, until a refresh takes it in", async () => {
    const home = await portal();
    const [ada] = people(1);
    const roster = await stack(home, "e2e-safety-person", [ada!]);
    await roster.pulumi(["up", "--yes", "--skip-preview"]);
    const id = roster.userByEmail(ada!.email)!.id;
    home.store.updateUser(id, { email: "someone.else@example.com" });
    await roster.writeRoster([{ ...ada!, lastName: "King" }]);
    home.log.clear();

    const up = await roster.pulumi(["up", "--yes", "--skip-preview"], { check: false });
    expect(up.exitCode).not.toBe(0);
    expect(output(up)).toContain(`refusing to update LearnUpon user ${id}: the portal has it as someone.else@example.com, but this stack's state has employee P01 as p01@example.com`);
    expect(home.log.writes()).toEqual([]);

    await roster.pulumi(["refresh", "--yes"]);
    await roster.pulumi(["up", "--yes", "--skip-preview"]);
    expect(home.store.users.get(id)).toMatchObject({ email: ada!.email, last_name: "King" });
  });
});

describe("admins and the API user", () => {
  const apiUser: Person = { employeeId: "A1", email: "api@example.com", firstName: "API", lastName: "User" };
  const boss: Person = { employeeId: "A2", email: "boss@example.com", firstName: "Big", lastName: "Boss" };
  const seed: SeedData = {
    users: [
      { email: apiUser.email, first_name: "API", last_name: "User", user_type: "admin" },
      { email: boss.email, first_name: "Big", last_name: "Boss", user_type: "admin" },
    ],
  };

  it("adopts them without lowering their role, and refuses a roster that demotes one", async () => {
    const home = await portal(seed, { username: apiUser.email });
    const roster = await stack(home, "e2e-safety-admins", [apiUser, boss, ...people(3)]);
    await roster.pulumi(["up", "--yes", "--skip-preview"]);
    expect([roster.userByEmail(apiUser.email)!.user_type, roster.userByEmail(boss.email)!.user_type]).toEqual(["admin", "admin"]);
    expect(home.log.writes().filter((write) => JSON.stringify(write.body).includes("user_type") && write.method === "PUT")).toEqual([]);

    await roster.writeRoster([apiUser, { ...boss, userType: "learner" }, ...people(3)]);
    home.log.clear();
    const preview = await roster.pulumi(["preview"], { check: false });
    expect(preview.exitCode).not.toBe(0);
    expect(output(preview)).toContain("A2 boss@example.com: demote (userType: admin → learner, admin)");
    expect((await roster.pulumi(["up", "--yes", "--skip-preview"], { check: false })).exitCode).not.toBe(0);
    expect(home.log.writes()).toEqual([]);
    expect(roster.userByEmail(boss.email)!.user_type).toBe("admin");
  });

  it("pulumi destroy deactivates neither, and stops at the removal limit", async () => {
    const home = await portal(seed, { username: apiUser.email });
    const staff = people(12);
    const roster = await stack(home, "e2e-safety-destroy", [apiUser, boss, ...staff]);
    await roster.pulumi(["up", "--yes", "--skip-preview"]);
    home.log.clear();

    // --continue-on-error: every removal is tried, so each refusal shows, whatever the order.
    const destroy = await roster.pulumi(["destroy", "--yes", "--continue-on-error"], { check: false });
    expect(destroy.exitCode).not.toBe(0);
    expect(output(destroy)).toContain("refusing to deactivate employee A1 (api@example.com): they are the portal's API user");
    expect(output(destroy)).toContain("refusing to deactivate employee A2 (boss@example.com): they are an admin");
    expect(output(destroy)).toContain("pulumi config set roster:approveRemovals");
    const deactivated = [...home.store.users.values()].filter((user) => !user.enabled);
    expect(deactivated).toHaveLength(5);
    expect(deactivated.every((user) => user.user_type !== "admin")).toBe(true);

    // Approved for this run: every learner goes; the admins still stay without roster:allowAdminRemoval.
    // destroy configures the provider as the last update did, so the approval comes by environment.
    const approved = await roster.pulumi(["destroy", "--yes", "--continue-on-error"], { check: false, env: { ROSTER_APPROVE_REMOVALS: "14" } });
    expect(approved.exitCode).not.toBe(0); // the two admins are still refused
    expect(staff.every((person) => roster.userByEmail(person.email)!.enabled === false)).toBe(true);
    expect([roster.userByEmail(apiUser.email)!.enabled, roster.userByEmail(boss.email)!.enabled]).toEqual([true, true]);
  });
});

describe("two stacks on one portal", () => {
  it("with an ownership marker, a second stack neither adopts nor, after a takeover, loses a person to the first", async () => {
    const home = await portal({ customFields: [{ label: "Managed By" }] });
    const [ada, alan] = people(2);
    const first = await stack(home, "e2e-safety-owner-one", [ada!, alan!]);
    await first.workspace.setConfig("learnupon:ownerField", "Managed By");
    await first.pulumi(["up", "--yes", "--skip-preview"]);
    expect(first.userByEmail(ada!.email)!.customData).toEqual({ "Managed By": "organization/learnupon-roster/e2e-safety-owner-one" });

    const second = await stack(home, "e2e-safety-owner-two", [{ ...ada!, employeeId: "X1" }]);
    await second.workspace.setConfig("learnupon:ownerField", "Managed By");
    home.log.clear();
    const preview = await second.pulumi(["preview"], { check: false });
    expect(preview.exitCode).not.toBe(0);
    expect(output(preview)).toContain("email: p01@example.com is managed by stack organization/learnupon-roster/e2e-safety-owner-one (custom field \"Managed By\")");
    const up = await second.pulumi(["up", "--yes", "--skip-preview"], { check: false });
    expect(up.exitCode).not.toBe(0);
    expect(output(up)).toContain("refusing to adopt p01@example.com");
    expect(home.log.writes()).toEqual([]);

    // Taken over on purpose: the first stack's removal then leaves the person to the second.
    await second.workspace.setConfig("roster:allowTakeover", "true");
    await second.pulumi(["up", "--yes", "--skip-preview"]);
    expect(first.userByEmail(ada!.email)!.customData).toEqual({ "Managed By": "organization/learnupon-roster/e2e-safety-owner-two" });
    await first.writeRoster([alan!]);
    const removal = await first.pulumi(["up", "--yes", "--skip-preview"]);
    expect(output(removal)).toContain("is now managed by stack organization/learnupon-roster/e2e-safety-owner-two; left as it is");
    expect(first.userByEmail(ada!.email)!.enabled).toBe(true);
  });
});

describe("the removal guard counts what was applied", () => {
  it("after an up that failed before its deletes, counts those removals again", async () => {
    const home = await portal({ courses: [{ name: "Onboarding" }] });
    const staff = people(20);
    const roster = await stack(home, "e2e-safety-failed-up", staff);
    await roster.pulumi(["up", "--yes", "--skip-preview"]);

    // Five leave (the limit), and a newcomer's enrollment fails for good: the deletes never run.
    const newcomer: Person = { employeeId: "N1", email: "new@example.com", firstName: "New", lastName: "Comer", courses: [{ name: "Onboarding" }] };
    await roster.writeRoster([...staff.slice(0, 15), newcomer]);
    home.faults.inject({ count: 1000, status: 500, match: { method: "POST", pathPrefix: "/api/v1/enrollments" } });
    expect((await roster.pulumi(["up", "--yes", "--skip-preview"], { check: false })).exitCode).not.toBe(0);
    home.faults.clear();
    expect(staff.slice(15).every((person) => roster.userByEmail(person.email)!.enabled)).toBe(true);

    // Five more leave: ten in all against a limit of five.
    await roster.writeRoster([...staff.slice(0, 10), newcomer]);
    const preview = await roster.pulumi(["preview"], { check: false });
    expect(preview.exitCode).not.toBe(0);
    expect(output(preview)).toContain("it would deactivate or delete 10 of the 20 active people this stack manages, more than the limit of 5");
  });

  it("adds up removals over the window, and an approval covers one change only", async () => {
    const home = await portal();
    const staff = people(30);
    const roster = await stack(home, "e2e-safety-window", staff);
    await roster.pulumi(["up", "--yes", "--skip-preview"]);

    await roster.writeRoster(staff.slice(0, 26)); // 4 of 30: within the limit of 5
    await roster.pulumi(["up", "--yes"]);
    await roster.writeRoster(staff.slice(0, 22)); // 4 more: 8 within the window
    const preview = await roster.pulumi(["preview"], { check: false });
    expect(preview.exitCode).not.toBe(0);
    expect(output(preview)).toContain("changes of the last 7 days already removed 4 (P27, P28, P29, P30): 8 in all, more than the limit of 5");

    await roster.workspace.setConfig("roster:approveRemovals", "4");
    await roster.pulumi(["up", "--yes"]);
    expect(staff.slice(22).every((person) => roster.userByEmail(person.email)!.enabled === false)).toBe(true);

    await roster.writeRoster(staff.slice(0, 21)); // the approval does not carry over to the next change
    const next = await roster.pulumi(["preview"], { check: false });
    expect(next.exitCode).not.toBe(0);
    expect(output(next)).toContain("roster:approveRemovals is 4, but this change would deactivate, delete or demote 1");
  });
});
