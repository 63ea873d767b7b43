/**
 * The store used directly, as the demo and end-to-end tests do to change the portal "by hand":
 * seeding is all or nothing, and rules default to the portal's defaults.
 */
import { describe, expect, it } from "vitest";
import { PortalStore } from "../../provider/fake-portal/index.js";
import { FIXED_TIME } from "./support.js";

describe("PortalStore", () => {
  it("loads nothing from a seed with a bad reference", () => {
    const store = new PortalStore();
    store.seed({ users: [{ id: 1, email: "ada@example.com" }] });

    expect(() => store.seed({ groups: [{ id: 2, title: "Sales" }], memberships: [{ group_id: 2, user_id: 99 }] })).toThrow(
      "seed: unknown user id 99",
    );
    expect([store.users.size, store.groups.size, store.memberships.size]).toEqual([1, 0, 0]);
    expect(store.seed({ groups: [{ title: "Sales" }] }).groups).toEqual([300001]);
  });

  it("updates a user by id with the default rules, refusing a taken email in another case", () => {
    const store = new PortalStore({ now: () => FIXED_TIME });
    store.seed({ users: [{ id: 1, email: "ada@example.com" }, { id: 2, email: "alan@example.com" }] });

    expect(store.updateUser(1, { enabled: false, first_name: "Ada" })).toMatchObject({ ok: true, value: { enabled: false, first_name: "Ada" } });
    expect(store.updateUser(2, { email: "ADA@example.com" })).toEqual({ ok: false, problem: "email_taken" });
    expect(store.updateUser(3, { enabled: false })).toEqual({ ok: false, problem: "not_found" });
  });

  it("restarts ids on reset", () => {
    const store = new PortalStore();
    store.createUser({ email: "a@x.com", username: null });
    store.reset();
    const created = store.createUser({ email: "a@x.com", username: null });
    expect(created.ok && created.value.id).toBe(100001);
  });
});
