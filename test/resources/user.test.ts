/**
 * The User lifecycle against the fake portal over real HTTP, through the production client:
 * create (new user, adopting by email in any case, adopting a disabled user, a PUT failing halfway),
 * update (only changed fields, an email change in place, the run's snapshot kept coherent), delete
 * under each removal policy (and of a user already deleted by hand), read (a user deleted, renamed
 * or disabled by hand) and diff (what counts as a change; never a replacement).
 */
import { describe, expect, it } from "vitest";
import type { SeedData } from "../../provider/fake-portal/index.js";
import { enrollmentLifecycle } from "../../provider/resources/enrollment.js";
import { PartialCreateError, UNKNOWN } from "../../provider/resources/lifecycle.js";
import { userLifecycle, type UserInputs, type UserOutputs } from "../../provider/resources/user.js";
import type { ProviderContext } from "../../provider/runtime.js";
import { captureBodies, usePortals } from "./support.js";

const start = usePortals();

const ADA = { employeeId: "E1001", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" };
/** ADA after check: the defaults filled in. */
const ADA_INPUTS: UserInputs = { ...ADA, userType: "learner", enabled: true };
/** ADA created or adopted: her role is the portal's, since ADA leaves userType out. */
const ADA_OUTPUTS: UserOutputs = { ...ADA_INPUTS, roleFromPortal: true, userId: 100001 };

/** A portal with one custom field and, when given, Ada as she is in the portal already (id 11). */
function seedWith(ada?: NonNullable<SeedData["users"]>[number]): SeedData {
  return { customFields: [{ id: 701, label: "Department" }], users: ada ? [{ id: 11, ...ada }] : [] };
}

/** The inputs as the engine passes them to create and update: validated by check, defaults applied. */
async function checked(news: Record<string, unknown>): Promise<UserInputs> {
  const result = await userLifecycle.check({}, news);
  if (!result.inputs || result.failures?.length) throw new Error(`check failed: ${JSON.stringify(result.failures)}`);
  return result.inputs;
}

async function create(context: ProviderContext, news: Record<string, unknown>) {
  const result = await userLifecycle.create(context, await checked(news));
  return { id: result.id, outs: result.outs as UserOutputs };
}

describe("User create", () => {
  it("creates a new user with a User-wrapped body and a generated password that never reaches the outputs", async () => {
    const t = await start({ seed: seedWith() });
    const sent = captureBodies(t.portal, "POST", "/users");

    const result = await create(t.context, ADA);

    expect(result).toEqual({ id: "100001", outs: ADA_OUTPUTS });
    expect(t.writes()).toEqual([
      {
        method: "POST",
        path: "/api/v1/users",
        body: { User: { email: "ada@example.com", first_name: "Ada", last_name: "Lovelace", user_type: "learner", enabled: true, password: "[REDACTED]" } },
      },
    ]);
    const password = (sent[0] as { User: { password: string } }).User.password;
    expect(password.length).toBeGreaterThanOrEqual(6);
    expect(JSON.stringify(result.outs)).not.toContain(password);
    expect(t.portal.store.users.get(100001)).toMatchObject({ email: "ada@example.com", first_name: "Ada", last_name: "Lovelace", enabled: true });
  });

  it("sends a declared password on create and leaves it out of the outputs", async () => {
    const t = await start({ seed: seedWith() });
    const sent = captureBodies(t.portal, "POST", "/users");

    const result = await create(t.context, { ...ADA, password: "correct-horse" });

    expect((sent[0] as { User: { password: string } }).User.password).toBe("correct-horse");
    expect(result.outs).toEqual(ADA_OUTPUTS);
    expect(JSON.stringify(result)).not.toContain("correct-horse");
  });

  it("adopts the user holding the email in another case, sending nothing when the fields already match", async () => {
    const t = await start({ seed: seedWith({ email: "Ada@Example.COM", first_name: "Ada", last_name: "Lovelace" }) });

    const result = await create(t.context, ADA);

    expect(result).toEqual({ id: "11", outs: { ...ADA_INPUTS, roleFromPortal: true, userId: 11 } });
    expect(t.writes()).toEqual([]);
    expect(t.portal.store.users.size).toBe(1);
  });

  it("adopts a disabled user: same id, re-enabled, and only the changed fields sent", async () => {
    const t = await start({
      seed: seedWith({ email: "ada@example.com", first_name: "Ada", last_name: "Byron", enabled: false, CustomData: { Department: "Sales" } }),
    });

    const result = await create(t.context, { ...ADA, userType: "manager", customData: { Department: "Engineering" } });

    expect(result).toEqual({
      id: "11",
      outs: { ...ADA_INPUTS, userType: "manager", customData: { Department: "Engineering" }, userId: 11 },
    });
    expect(t.writes()).toEqual([
      {
        method: "PUT",
        path: "/api/v1/users/11",
        body: { User: { last_name: "Lovelace", user_type: "manager", enabled: true, CustomData: { Department: "Engineering" } } },
      },
    ]);
    expect(t.portal.store.users.size).toBe(1);
    expect(t.portal.store.users.get(11)).toMatchObject({
      email: "ada@example.com",
      first_name: "Ada",
      last_name: "Lovelace",
      user_type: "manager",
      enabled: true,
      customData: { Department: "Engineering" },
    });
  });

  it("reports a PUT failing while adopting as a PartialCreateError with the id and live properties; creating again makes no duplicate", async () => {
    const t = await start({ seed: seedWith({ email: "ada@example.com", first_name: "Ada", last_name: "Byron", enabled: false }) });
    t.portal.faults.inject({ count: 10, status: 500, match: { method: "PUT" } });

    const failure = await userLifecycle.create(t.context, await checked(ADA)).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(PartialCreateError);
    const partial = failure as PartialCreateError;
    expect(partial.id).toBe("11");
    expect(partial.properties).toEqual({
      email: "ada@example.com",
      firstName: "Ada",
      lastName: "Byron",
      userType: "learner",
      enabled: false,
      employeeId: "E1001",
      userId: 11,
    });
    expect(partial.reasons).toHaveLength(1);
    expect(partial.message).toMatch(/^created LearnUpon object 11, then failed: /);
    expect(t.portal.log.count({ method: "PUT" })).toBe(5); // the first attempt and the client's 4 retries

    t.portal.faults.clear();
    const retried = await create(t.nextRun(), ADA);

    expect(retried).toEqual({ id: "11", outs: { ...ADA_INPUTS, roleFromPortal: true, userId: 11 } });
    expect(t.portal.log.count({ method: "POST" })).toBe(0);
    expect(t.portal.store.users.size).toBe(1);
    expect(t.portal.store.users.get(11)).toMatchObject({ last_name: "Lovelace", enabled: true });
  });
});

describe("User update", () => {
  it("changes the email in place: same LearnUpon id, new_email sent and nothing else", async () => {
    const t = await start({ seed: seedWith() });
    const { id, outs } = await create(t.context, ADA);
    t.portal.log.clear();

    const result = await userLifecycle.update(t.nextRun(), id, outs, await checked({ ...ADA, email: "ada.lovelace@example.com" }));

    expect(result).toEqual({ outs: { ...ADA_OUTPUTS, email: "ada.lovelace@example.com" } });
    expect(t.writes()).toEqual([{ method: "PUT", path: "/api/v1/users/100001", body: { User: { new_email: "ada.lovelace@example.com" } } }]);
    expect(t.portal.store.users.size).toBe(1);
    expect(t.portal.store.users.get(100001)?.email).toBe("ada.lovelace@example.com");
  });

  it("keeps the run's snapshot coherent after an email change: later resources find the user by the new email only", async () => {
    const t = await start({ seed: { ...seedWith(), courses: [{ id: 201, name: "Security Awareness" }] } });
    const { id, outs } = await create(t.context, ADA);

    await userLifecycle.update(t.context, id, outs, await checked({ ...ADA, email: "ada.lovelace@example.com", language: "fr" }));
    const enrollment = await enrollmentLifecycle.create(t.context, { userEmail: "ada.lovelace@example.com", courseId: 201, removeHistory: false });

    expect(enrollment.outs).toMatchObject({ userId: 100001, courseId: 201 });
    expect(await t.context.snapshot.userByEmail("ada@example.com")).toBeUndefined();
    expect((await t.context.snapshot.userById("100001"))?.language).toBe("fr");
  });

  it("sends only the fields that changed", async () => {
    const t = await start({ seed: seedWith() });
    const { id, outs } = await create(t.context, ADA);
    t.portal.log.clear();

    const news = await checked({ ...ADA, lastName: "King", userType: "instructor", customData: { Department: "Research" } });
    const result = await userLifecycle.update(t.nextRun(), id, outs, news);

    expect(result).toEqual({ outs: { ...news, userId: 100001 } });
    expect(t.writes()).toEqual([
      {
        method: "PUT",
        path: "/api/v1/users/100001",
        body: { User: { last_name: "King", user_type: "instructor", CustomData: { Department: "Research" } } },
      },
    ]);
    expect(t.portal.store.users.get(100001)).toMatchObject({ last_name: "King", user_type: "instructor", customData: { Department: "Research" } });
  });
});

describe("User delete", () => {
  /** Ada adopted in an earlier run, with her outputs as state holds them; the log starts empty. */
  async function adoptedAda(news: Record<string, unknown> = ADA, config: Record<string, string> = {}) {
    const t = await start({ seed: seedWith({ email: "ada@example.com", first_name: "Ada", last_name: "Lovelace" }), config });
    const { outs } = await create(t.context, news);
    t.portal.log.clear();
    return { t, outs };
  }

  it("deactivates by default: enabled false, the user and their history kept", async () => {
    const { t, outs } = await adoptedAda();
    t.portal.store.seed({ courses: [{ id: 201, name: "Security Awareness" }], enrollments: [{ user_id: 11, course_id: 201, status: "completed" }] });

    await userLifecycle.delete(t.nextRun(), "11", outs);

    expect(t.writes()).toEqual([{ method: "PUT", path: "/api/v1/users/11", body: { User: { enabled: false } } }]);
    expect(t.portal.store.users.get(11)?.enabled).toBe(false);
    expect([...t.portal.store.enrollments.values()].map((e) => [e.user_id, e.course_id, e.status])).toEqual([[11, 201, "completed"]]);
    expect(t.stdout()).toEqual(["LearnUpon user 11 (employee E1001) deactivated; its training history is kept (removal policy: deactivate)"]);
  });

  it("deletes the user for good under learnupon:userRemoval delete", async () => {
    const { t, outs } = await adoptedAda(ADA, { "learnupon:userRemoval": "delete" });

    await userLifecycle.delete(t.nextRun(), "11", outs);

    expect(t.writes()).toEqual([{ method: "DELETE", path: "/api/v1/users/11" }]);
    expect(t.portal.store.users.has(11)).toBe(false);
  });

  it("leaves the user untouched under learnupon:userRemoval retain", async () => {
    const { t, outs } = await adoptedAda(ADA, { "learnupon:userRemoval": "retain" });

    await userLifecycle.delete(t.nextRun(), "11", outs);

    expect(t.writes()).toEqual([]);
    expect(t.portal.store.users.get(11)?.enabled).toBe(true);
    expect(t.stdout()).toEqual(["LearnUpon user 11 (employee E1001) is no longer managed; left as it is in the portal (removal policy: retain)"]);
  });

  it("lets the resource's own removal policy beat the stack's: retain over delete", async () => {
    const { t, outs } = await adoptedAda({ ...ADA, removal: "retain" }, { "learnupon:userRemoval": "delete" });

    await userLifecycle.delete(t.nextRun(), "11", outs);

    expect(t.writes()).toEqual([]);
    expect(t.portal.store.users.has(11)).toBe(true);
  });

  it("lets the resource's own removal policy beat the stack's: delete over retain", async () => {
    const { t, outs } = await adoptedAda({ ...ADA, removal: "delete" }, { "learnupon:userRemoval": "retain" });

    await userLifecycle.delete(t.nextRun(), "11", outs);

    expect(t.writes()).toEqual([{ method: "DELETE", path: "/api/v1/users/11" }]);
    expect(t.portal.store.users.has(11)).toBe(false);
  });

  it("re-activates a deactivated person declared again: same id, enabled, nobody duplicated", async () => {
    const { t, outs } = await adoptedAda();
    await userLifecycle.delete(t.nextRun(), "11", outs);
    t.portal.log.clear();

    const result = await create(t.nextRun(), ADA);

    expect(result).toEqual({ id: "11", outs: { ...ADA_INPUTS, roleFromPortal: true, userId: 11 } });
    expect(t.writes()).toEqual([{ method: "PUT", path: "/api/v1/users/11", body: { User: { enabled: true } } }]);
    expect(t.portal.store.users.size).toBe(1);
    expect(t.portal.store.users.get(11)?.enabled).toBe(true);
  });

  it("counts deactivating a user deleted by hand since the last refresh as done", async () => {
    const { t, outs } = await adoptedAda();
    t.portal.store.deleteUser(11);

    await userLifecycle.delete(t.nextRun(), "11", outs);

    // The run's listing shows the id gone: nothing is written to an id that is nobody now.
    expect(t.writes()).toEqual([]);
    expect(t.stdout()).toEqual(["LearnUpon user 11 (employee E1001) no longer exists in the portal; nothing to deactivate (removal policy: deactivate)"]);
  });
});

describe("User read", () => {
  it("drops a user deleted by hand ({ id: '' }) with a warning on stderr", async () => {
    const t = await start({ seed: seedWith() });
    const { id, outs } = await create(t.context, ADA);
    t.portal.store.deleteUser(100001);

    const result = await userLifecycle.read(t.nextRun(), id, outs);

    expect(result).toEqual({ id: "" });
    expect(t.stderr()).toEqual([
      "warning: LearnUpon user 100001 (employee E1001, ada@example.com) no longer exists in the portal; it is dropped from the stack and will be created again on the next update",
    ]);
  });

  it("shows a rename and a deactivation made by hand in props and inputs, so diff reports a change", async () => {
    const t = await start({ seed: seedWith() });
    const { id, outs } = await create(t.context, ADA);
    t.portal.store.updateUser(100001, { first_name: "Augusta", enabled: false });

    const result = await userLifecycle.read(t.nextRun(), id, outs);

    const live = { ...ADA_INPUTS, firstName: "Augusta", enabled: false };
    const { userType: _unmanaged, ...declared } = live; // ADA leaves the role out, so the inputs do too
    expect(result).toEqual({ id: "100001", props: { ...live, roleFromPortal: true, userId: 100001 }, inputs: declared });
    expect(await userLifecycle.diff(id, result.props as UserOutputs, ADA_INPUTS)).toEqual({ changes: true });
  });

  it("reads an untouched user back as it was declared, so diff reports no change", async () => {
    const t = await start({ seed: seedWith() });
    const declared = await checked({ ...ADA, language: "en", customData: { Department: "Research" } });
    const { id, outs } = await userLifecycle.create(t.context, declared);

    const result = await userLifecycle.read(t.nextRun(), id, outs as UserOutputs);

    expect(result.props).toEqual({ ...declared, userType: "learner", roleFromPortal: true, userId: 100001 }); // the role a new person gets
    expect(await userLifecycle.diff(id, result.props as UserOutputs, declared)).toEqual({ changes: false });
  });
});

describe("User diff", () => {
  it("sees no change when only the email's case differs", async () => {
    expect(await userLifecycle.diff("11", ADA_OUTPUTS, { ...ADA_INPUTS, email: "ADA@Example.com" })).toEqual({ changes: false });
  });

  it.each<[string, Partial<UserInputs>]>([
    ["firstName", { firstName: "Augusta" }],
    ["lastName", { lastName: "King" }],
    ["userType", { userType: "admin" }],
    ["customData", { customData: { Department: "Research" } }],
    ["enabled", { enabled: false }],
    ["email", { email: "ada.king@example.com" }],
  ])("reports a change of %s as an update, never a replacement", async (_field, change) => {
    expect(await userLifecycle.diff("11", ADA_OUTPUTS, { ...ADA_INPUTS, ...change })).toEqual({ changes: true });
  });

  it("reports a change, never a replacement, while an input is still unknown", async () => {
    const news = { ...ADA_INPUTS, email: UNKNOWN };
    expect(await userLifecycle.diff("11", ADA_OUTPUTS, news)).toEqual({ changes: true });
  });
});

describe("a person's employee id changes", () => {
  it("the new resource adopts the user and the old one's delete leaves it enabled", async () => {
    const t = await start({ seed: seedWith({ email: "ada@example.com", first_name: "Ada", last_name: "Lovelace" }) });

    const renamed = await create(t.context, { ...ADA, employeeId: "E2002" });
    await userLifecycle.delete(t.context, "11", { ...ADA_OUTPUTS, userId: 11 });

    expect(renamed.id).toBe("11");
    expect(t.portal.store.users.get(11)?.enabled).toBe(true);
    expect(t.writes()).toEqual([]);
    expect(t.stdout()).toContain("LearnUpon user 11 (employee E1001) is now managed under another employee id; left as it is");
  });
});
