/**
 * The provider's own protections, through the User lifecycle against the fake portal over HTTP:
 * the person at the id must be the person in state; admins and the API user are not deactivated,
 * deleted or demoted unless allowed; adoption keeps a role the inputs leave out; one run removes no
 * more people than the limit; and an ownership marker keeps two stacks from taking each other's people.
 */
import { describe, expect, it } from "vitest";
import type { SeedData } from "../../provider/fake-portal/index.js";
import { learnUpon } from "../../provider/lms/learnupon/backend.js";
import { isDemotion, protectedRole, removalLimit } from "../../provider/resources/safety.js";
import { userLifecycle, type UserInputs, type UserOutputs } from "../../provider/resources/user.js";
import type { ProviderContext } from "../../provider/runtime.js";
import { usePortals } from "./support.js";

const start = usePortals();

const ADA = { employeeId: "E1001", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" };

async function checked(news: Record<string, unknown>): Promise<UserInputs> {
  const result = await userLifecycle.check({}, news);
  if (!result.inputs) throw new Error(`check failed: ${JSON.stringify(result.failures)}`);
  return result.inputs;
}

async function create(context: ProviderContext, news: Record<string, unknown>) {
  const result = await userLifecycle.create(context, await checked(news));
  return { id: result.id, outs: result.outs as UserOutputs };
}

function portalWith(users: NonNullable<SeedData["users"]>): SeedData {
  return { customFields: [{ label: "Managed By" }], users };
}

describe("the person at the id", () => {
  it("refuses to update or remove a user whose email is no longer the one in state, writing nothing", async () => {
    const t = await start({ seed: portalWith([]) });
    const { id, outs } = await create(t.context, ADA);
    t.portal.store.updateUser(Number(id), { email: "stranger@example.com" });
    t.portal.log.clear();

    await expect(userLifecycle.update(t.nextRun(), id, outs, await checked({ ...ADA, lastName: "King" }))).rejects.toThrow(
      `refusing to update LearnUpon user ${id}: the portal has it as stranger@example.com, but this stack's state has employee E1001 as ada@example.com`,
    );
    await expect(userLifecycle.delete(t.nextRun(), id, outs)).rejects.toThrow(`refusing to deactivate LearnUpon user ${id}`);
    expect(t.writes()).toEqual([]);
  });
});

describe("admins and the API user", () => {
  const boss = { id: 11, email: "boss@example.com", first_name: "Big", last_name: "Boss", user_type: "admin" as const };

  it("adopts an admin without a declared role and keeps the role, sending no user_type", async () => {
    const t = await start({ seed: portalWith([boss]) });
    const { outs } = await create(t.context, { employeeId: "A1", email: boss.email, firstName: "Big", lastName: "Boss" });
    expect(outs.userType).toBe("admin");
    expect(t.writes()).toEqual([]);
  });

  it("refuses to demote, deactivate or delete an admin unless roster:allowAdminRemoval", async () => {
    const t = await start({ seed: portalWith([boss]) });
    const declared = { employeeId: "A1", email: boss.email, firstName: "Big", lastName: "Boss" };
    const { outs } = await create(t.context, declared);

    await expect(userLifecycle.update(t.nextRun(), "11", outs, await checked({ ...declared, userType: "learner" }))).rejects.toThrow(
      "refusing to change employee A1 (boss@example.com) from admin to learner: they are an admin",
    );
    await expect(userLifecycle.update(t.nextRun(), "11", outs, await checked({ ...declared, enabled: false }))).rejects.toThrow(
      "refusing to deactivate employee A1 (boss@example.com): they are an admin",
    );
    await expect(userLifecycle.delete(t.nextRun(), "11", { ...outs, removal: "delete" })).rejects.toThrow("refusing to delete employee A1");
    expect(t.writes()).toEqual([]);

    await userLifecycle.update(t.nextRun({ "roster:allowAdminRemoval": "true" }), "11", outs, await checked({ ...declared, userType: "learner" }));
    expect(t.portal.store.users.get(11)?.user_type).toBe("learner");
  });

  it("knows the API user by email or by username", () => {
    const roles = learnUpon.capabilities;
    expect(protectedRole({ email: "API@example.com", userType: "learner" }, "api@example.com", roles)).toBe("the portal's API user");
    expect(protectedRole({ email: "x@example.com", username: "svc-lms", userType: "learner" }, "svc-lms", roles)).toBe("the portal's API user");
    expect(protectedRole({ email: "x@example.com", userType: "manager" }, "svc-lms", roles)).toBeUndefined();
    expect([isDemotion("admin", "manager", roles), isDemotion("learner", "admin", roles), isDemotion("admin", undefined, roles)]).toEqual([true, false, false]);
  });
});

describe("the removal circuit breaker", () => {
  it("removes at most the limit in one provider run, then refuses naming the setting", async () => {
    const users = Array.from({ length: 8 }, (_, index) => ({ id: 21 + index, email: `p${index}@example.com`, first_name: "P", last_name: String(index) }));
    const t = await start({ seed: portalWith(users) });
    const states = await Promise.all(users.map((user, index) => create(t.context, { employeeId: `P${index}`, email: user.email, firstName: "P", lastName: String(index) })));
    const run = t.nextRun();

    const results = await Promise.allSettled(states.map(({ id, outs }) => userLifecycle.delete(run, id, outs)));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(5);
    const refused = results.find((result) => result.status === "rejected");
    expect(String((refused as PromiseRejectedResult).reason)).toContain("this run has already removed 5 people, the limit of 5");
    expect([...t.portal.store.users.values()].filter((user) => !user.enabled)).toHaveLength(5);
  });

  it("counts a deactivation through enabled: false too", async () => {
    const users = Array.from({ length: 6 }, (_, index) => ({ id: 41 + index, email: `q${index}@example.com`, first_name: "Q", last_name: String(index) }));
    const t = await start({ seed: portalWith(users) });
    const declared = users.map((user, index) => ({ employeeId: `Q${index}`, email: user.email, firstName: "Q", lastName: String(index) }));
    const states = await Promise.all(declared.map((news) => create(t.context, news)));
    const run = t.nextRun();

    const results = await Promise.allSettled(
      states.map(async ({ id, outs }, index) => userLifecycle.update(run, id, outs, await checked({ ...declared[index], enabled: false }))),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(5);
    expect([...t.portal.store.users.values()].filter((user) => !user.enabled)).toHaveLength(5);
  });

  it("takes roster:approveRemovals, then roster:maxRemovals, then max(5, 10%)", () => {
    expect(removalLimit({ approveRemovals: 30, maxRemovals: "10" }, 100).count).toBe(30);
    expect(removalLimit({ maxRemovals: "20%" }, 100).count).toBe(20);
    expect(removalLimit({}, 300).count).toBe(30);
  });
});

describe("the ownership marker", () => {
  const owned = { id: 31, email: "ada@example.com", first_name: "Ada", last_name: "Lovelace", CustomData: { "Managed By": "org/roster/other" } };
  const ours = { ...ADA, customData: { "Managed By": "org/roster/this" } };

  it("refuses to adopt a person another stack owns, unless roster:allowTakeover", async () => {
    const t = await start({ seed: portalWith([owned]), config: { "learnupon:ownerField": "Managed By" } });
    await expect(create(t.context, ours)).rejects.toThrow(
      'refusing to adopt ada@example.com (LearnUpon user 31) as employee E1001: stack org/roster/other manages them (custom field "Managed By")',
    );
    expect(t.writes()).toEqual([]);

    await create(t.nextRun({ "learnupon:ownerField": "Managed By", "roster:allowTakeover": "true" }), ours);
    expect(t.portal.store.users.get(31)?.customData).toEqual({ "Managed By": "org/roster/this" });
  });

  it("leaves a person another stack took over when this one removes them", async () => {
    const t = await start({ seed: portalWith([owned]), config: { "learnupon:ownerField": "Managed By" } });
    const outs = { ...ours, enabled: true, userType: "learner" as const, userId: 31 };
    await userLifecycle.delete(t.context, "31", outs);
    expect(t.portal.store.users.get(31)?.enabled).toBe(true);
    expect(t.stdout()).toEqual(["LearnUpon user 31 (employee E1001) is now managed by stack org/roster/other; left as it is"]);
  });
});
