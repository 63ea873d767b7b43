/**
 * Users over real HTTP: envelopes and key order (§4.6), pagination (§4.7), ignored filters (§4.8),
 * search (§4.9) and the create, update, deactivate and delete rules (§4.12 to §4.15).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { FakePortal, SeedData } from "../../provider/fake-portal/index.js";
import { api, idOf, luHeaders, startTestPortal } from "./support.js";

const T = "2026-01-02T03:04:05Z";

let portal: FakePortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

const ADA_SEED: SeedData = {
  customFields: [{ id: 1, label: "Department" }],
  users: [{ id: 11, email: "ada@example.com", first_name: "Ada", last_name: "Lovelace", CustomData: { department: "R&D" } }],
};

const ADA_VIEW = {
  id: 11,
  first_name: "Ada",
  last_name: "Lovelace",
  email: "ada@example.com",
  locale: "en",
  created_at: T,
  last_sign_in_at: null,
  account_expires: null,
  sign_in_count: 0,
  enabled: true,
  user_type: "learner",
  number_of_enrollments: 0,
  number_of_enrollments_accessed: 0,
  number_of_points: 0,
  number_of_badges: 0,
  CustomData: { Department: "R&D" },
};

const DEPARTMENT_FIELD = { id: 1, type_id: 1, label: "Department", predefined_values: [] };

function people(count: number): SeedData["users"] {
  return Array.from({ length: count }, (_, index) => ({ email: `person${index + 1}@example.com` }));
}

describe("envelopes (§4.6)", () => {
  it("lists users under `user`, after the misspelled `customDataFieldDefintions`", async () => {
    portal = await startTestPortal({ seed: ADA_SEED });
    const answer = await api(portal, "GET", "/users");

    expect(answer.text.startsWith('{"customDataFieldDefintions":[')).toBe(true);
    expect(Object.keys(answer.json as object)).toEqual(["customDataFieldDefintions", "user"]);
    expect(answer.json).toEqual({ customDataFieldDefintions: [DEPARTMENT_FIELD], user: [ADA_VIEW] });
  });

  it("returns one user as a one-element array, and 404 for an unknown id", async () => {
    portal = await startTestPortal({ seed: ADA_SEED });
    const found = await api(portal, "GET", "/users/11");
    const missing = await api(portal, "GET", "/users/12");

    expect(Object.keys(found.json as object)).toEqual(["customDataFieldDefintions", "user"]);
    expect(found.json).toEqual({ customDataFieldDefintions: [DEPARTMENT_FIELD], user: [ADA_VIEW] });
    expect([missing.status, missing.json]).toEqual([404, { message: "User not found" }]);
  });

  it("adds updated_at with version_id=1.1 and timezone_id with 1.2", async () => {
    portal = await startTestPortal({ seed: ADA_SEED });
    const v11 = (await api(portal, "GET", "/users/11?version_id=1.1")).json as { user: Record<string, unknown>[] };
    const v12 = (await api(portal, "GET", "/users/11?version_id=1.2")).json as { user: Record<string, unknown>[] };

    expect(v11.user[0]).toEqual({ ...ADA_VIEW, updated_at: T });
    expect(v12.user[0]).toEqual({ ...ADA_VIEW, updated_at: T, timezone_id: null });
  });

  it("lists custom field definitions", async () => {
    portal = await startTestPortal({ seed: ADA_SEED });
    const answer = await api(portal, "GET", "/users/customuserdata");
    expect(answer.json).toEqual({ customDataFieldDefintions: [DEPARTMENT_FIELD] });
  });
});

describe("pagination (§4.7)", () => {
  it("pages 1,200 users as 500, 500 and 200, then an empty page", async () => {
    portal = await startTestPortal({ seed: { users: people(1200) } });

    const pages = [];
    for (let page = 1; page <= 4; page++) pages.push(await api(portal, "GET", `/users?page=${page}`));

    const users = pages.map((answer) => (answer.json as { user: { email: string }[] }).user);
    expect(users.map((page) => page.length)).toEqual([500, 500, 200, 0]);
    expect([users[0]?.[0]?.email, users[1]?.[0]?.email, users[2]?.[199]?.email]).toEqual([
      "person1@example.com",
      "person501@example.com",
      "person1200@example.com",
    ]);
    expect(pages.map(luHeaders)).toEqual([
      { "lu-current-page": "1", "lu-records-per-page": "500", "lu-has-next-page": "true" },
      { "lu-current-page": "2", "lu-records-per-page": "500", "lu-has-next-page": "true" },
      { "lu-current-page": "3", "lu-records-per-page": "500", "lu-has-next-page": "false" },
      { "lu-current-page": "4", "lu-records-per-page": "500", "lu-has-next-page": "false" },
    ]);
  });

  it("ignores per_page and limit, and reads a bad page number as page 1", async () => {
    portal = await startTestPortal({ seed: { users: people(5) }, options: { pageSize: 2 } });

    const limited = await api(portal, "GET", "/users?per_page=50&limit=1");
    const badPage = await api(portal, "GET", "/users?page=zero");

    expect((limited.json as { user: unknown[] }).user).toHaveLength(2);
    expect(luHeaders(limited)).toEqual({ "lu-current-page": "1", "lu-records-per-page": "2", "lu-has-next-page": "true" });
    expect(luHeaders(badPage)["lu-current-page"]).toBe("1");
  });
});

describe("filters and search (§4.8, §4.9)", () => {
  const seed: SeedData = {
    users: [
      { id: 21, email: "Grace.Hopper@example.com" },
      { id: 22, email: "linus@example.com", username: "torvalds", enabled: false },
      { id: 23, email: "alan@example.com" },
    ],
  };
  const ids = (answer: { json: unknown }) => (answer.json as { user: { id: number }[] }).user.map((user) => user.id);

  it("finds a user by email without regard to case, and by username", async () => {
    portal = await startTestPortal({ seed });
    const byEmail = await api(portal, "GET", "/users/search?email=grace.hopper%40EXAMPLE.com");
    const byUsername = await api(portal, "GET", "/users/search?username=torvalds");

    expect(Object.keys(byEmail.json as object)).toEqual(["user"]);
    expect(ids(byEmail)).toEqual([21]);
    expect(ids(byUsername)).toEqual([22]);
  });

  it("answers a search without a match with 404 and a response_code", async () => {
    portal = await startTestPortal({ seed });
    const answer = await api(portal, "GET", "/users/search?email=nobody%40example.com");
    expect([answer.status, answer.json]).toEqual([
      404,
      { response_type: "ERROR", response_code: 404, message: "User not found" },
    ]);
  });

  it("matches case-sensitively when switched", async () => {
    portal = await startTestPortal({ seed, options: { searchEmailCaseInsensitive: false } });
    const answer = await api(portal, "GET", "/users/search?email=grace.hopper%40example.com");
    expect(answer.status).toBe(404);
  });

  it("ignores unknown filters and returns the whole roster", async () => {
    portal = await startTestPortal({ seed });
    expect(ids(await api(portal, "GET", "/users/search?user_id=23"))).toEqual([21, 22, 23]);
    expect(ids(await api(portal, "GET", "/users?email=alan%40example.com"))).toEqual([21, 22, 23]);
  });

  it("filters GET /users by email only when switched", async () => {
    portal = await startTestPortal({ seed, options: { usersEmailParamFilters: true } });
    expect(ids(await api(portal, "GET", "/users?email=alan%40example.com"))).toEqual([23]);
  });

  it("filters by login_enabled", async () => {
    portal = await startTestPortal({ seed });
    expect(ids(await api(portal, "GET", "/users?login_enabled=false"))).toEqual([22]);
    expect(ids(await api(portal, "GET", "/users?login_enabled=true"))).toEqual([21, 23]);
  });
});

describe("create (§4.12, §4.15)", () => {
  const newUser = { email: "ada@example.com", password: "secret1", first_name: "Ada", last_name: "Lovelace" };

  it("returns only the new id, and defaults enabled and user_type", async () => {
    portal = await startTestPortal();
    const answer = await api(portal, "POST", "/users", { body: { User: { ...newUser, language: "de" } } });
    const stored = portal.store.users.get(idOf(answer));

    expect([answer.status, answer.json]).toEqual([200, { id: 100001 }]);
    expect([stored?.enabled, stored?.user_type, stored?.locale]).toEqual([true, "learner", "de"]);
  });

  it("requires the capitalised User wrapper", async () => {
    portal = await startTestPortal();
    const unwrapped = await api(portal, "POST", "/users", { body: newUser });
    const lowercase = await api(portal, "POST", "/users", { body: { user: newUser } });
    portal.options.acceptLowercaseWrappers = true;
    const lowercaseAccepted = await api(portal, "POST", "/users", { body: { user: newUser } });

    expect([unwrapped.status, unwrapped.json]).toEqual([404, { message: "Invalid user parameters provided" }]);
    expect([lowercase.status, lowercase.json]).toEqual([404, { message: "Invalid user parameters provided" }]);
    expect(lowercaseAccepted.status).toBe(200);
  });

  it("refuses a duplicate email in any letter case, even of a disabled user", async () => {
    portal = await startTestPortal({ seed: { users: [{ email: "ada@example.com", enabled: false }] } });
    const answer = await api(portal, "POST", "/users", { body: { User: { ...newUser, email: "ADA@Example.com" } } });
    portal.options.duplicateUserStatus = 409;
    const conflict = await api(portal, "POST", "/users", { body: { User: newUser } });

    expect([answer.status, answer.json]).toEqual([422, { message: "A user already exists with the email ADA@Example.com" }]);
    expect(conflict.status).toBe(409);
    expect(portal.store.users.size).toBe(1);
  });

  it("accepts a case variant when uniqueness is case-sensitive", async () => {
    portal = await startTestPortal({ seed: { users: [{ email: "ada@example.com" }] }, options: { uniqueEmailCaseInsensitive: false } });
    const answer = await api(portal, "POST", "/users", { body: { User: { ...newUser, email: "ADA@example.com" } } });
    expect(answer.status).toBe(200);
  });

  it("requires a password of 6 or more characters unless switched", async () => {
    portal = await startTestPortal();
    const missing = await api(portal, "POST", "/users", { body: { User: { email: "a@x.com" } } });
    const short = await api(portal, "POST", "/users", { body: { User: { email: "a@x.com", password: "12345" } } });
    portal.options.requirePassword = false;
    const allowed = await api(portal, "POST", "/users", { body: { User: { email: "a@x.com" } } });

    expect([missing.status, missing.json]).toEqual([400, { message: "Password is required and must be at least 6 characters" }]);
    expect([short.status, short.json]).toEqual([400, { message: "Password must be at least 6 characters" }]);
    expect(allowed.status).toBe(200);
  });

  it("enrols every new user in the portal-wide courses", async () => {
    portal = await startTestPortal({
      seed: { courses: [{ id: 5, name: "An Introduction to LearnUpon" }] },
      options: { autoEnrollCourseIds: [5] },
    });
    const userId = idOf(await api(portal, "POST", "/users", { body: { User: newUser } }));
    const enrollments = await api(portal, "GET", `/enrollments/search?user_id=${userId}`);

    expect((enrollments.json as { enrollments: { course_id: number; status: string }[] }).enrollments.map((e) => [e.course_id, e.status])).toEqual([
      [5, "not_started"],
    ]);
  });
});

describe("update, deactivate and delete (§4.13, §4.14)", () => {
  const seed: SeedData = {
    customFields: [{ id: 1, label: "Cost Centre" }],
    courses: [{ id: 5, name: "Onboarding" }],
    groups: [{ id: 6, title: "Sales" }],
    users: [
      { id: 31, email: "ada@example.com", first_name: "Ada", last_name: "Lovelace", user_type: "manager" },
      { id: 32, email: "alan@example.com" },
    ],
    memberships: [{ id: 41, group_id: 6, user_id: 31 }],
    enrollments: [{ id: 51, user_id: 31, course_id: 5, status: "completed" }],
  };

  it("changes only the supplied fields", async () => {
    portal = await startTestPortal({ seed });
    const answer = await api(portal, "PUT", "/users/31", { body: { User: { last_name: "King", CustomData: { costcentre: "CC-7" } } } });
    const user = portal.store.users.get(31);

    expect([answer.status, answer.json]).toEqual([200, { success: "ok" }]);
    expect([user?.first_name, user?.last_name, user?.email, user?.user_type, user?.customData]).toEqual([
      "Ada",
      "King",
      "ada@example.com",
      "manager",
      { "Cost Centre": "CC-7" },
    ]);
  });

  it("drops custom data whose label no field has, without a word, as LearnUpon does", async () => {
    portal = await startTestPortal({ seed });
    const answer = await api(portal, "PUT", "/users/31", { body: { User: { CustomData: { Manager: "Grace", "cost centre": "CC-7" } } } });
    const read = (await api(portal, "GET", "/users/31")).json as { user: { CustomData: unknown }[] };

    expect([answer.status, answer.json]).toEqual([200, { success: "ok" }]);
    expect(read.user[0]?.CustomData).toEqual({ "Cost Centre": "CC-7" });
  });

  it("resolves PUT /users/0 by email and renames with new_email", async () => {
    portal = await startTestPortal({ seed });
    const renamed = await api(portal, "PUT", "/users/0", { body: { User: { email: "ADA@example.com", new_email: "ada@example.org" } } });
    const taken = await api(portal, "PUT", "/users/0", { body: { User: { email: "ada@example.org", new_email: "Alan@example.com" } } });

    expect(renamed.status).toBe(200);
    expect(portal.store.users.get(31)?.email).toBe("ada@example.org");
    expect([taken.status, taken.json]).toEqual([422, { message: "A user already exists with the email Alan@example.com" }]);
  });

  it("answers 404 for an unknown user and 404 without the wrapper", async () => {
    portal = await startTestPortal({ seed });
    const unknown = await api(portal, "PUT", "/users/99", { body: { User: { first_name: "X" } } });
    const unknownByEmail = await api(portal, "PUT", "/users/0", { body: { User: { email: "nobody@example.com" } } });
    const unwrapped = await api(portal, "PUT", "/users/31", { body: { first_name: "X" } });

    expect([unknown.status, unknown.json]).toEqual([404, { message: "User not found" }]);
    expect(unknownByEmail.status).toBe(404);
    expect([unwrapped.status, unwrapped.json]).toEqual([404, { message: "Invalid user parameters provided" }]);
  });

  it("deactivates and re-enables with enabled false and true, keeping history and memberships", async () => {
    portal = await startTestPortal({ seed });
    await api(portal, "PUT", "/users/31", { body: { User: { enabled: false } } });
    const disabled = (await api(portal, "GET", "/users?login_enabled=false")).json as { user: { id: number }[] };
    const search = await api(portal, "GET", "/users/search?email=ada%40example.com");
    const kept = [portal.store.enrollments.has(51), portal.store.memberships.has(41)];
    await api(portal, "PUT", "/users/31", { body: { User: { enabled: true } } });

    expect(disabled.user.map((user) => user.id)).toEqual([31]);
    expect((search.json as { user: { enabled: boolean }[] }).user[0]?.enabled).toBe(false);
    expect(kept).toEqual([true, true]);
    expect(portal.store.users.get(31)?.enabled).toBe(true);
  });

  it("deletes the user with its enrollments and memberships", async () => {
    portal = await startTestPortal({ seed });
    const deleted = await api(portal, "DELETE", "/users/31");
    const after = await api(portal, "GET", "/users/31");
    const again = await api(portal, "DELETE", "/users/31");

    expect([deleted.status, deleted.json]).toEqual([200, { success: "ok" }]);
    expect(after.status).toBe(404);
    expect(again.status).toBe(404);
    expect([portal.store.enrollments.size, portal.store.memberships.size]).toEqual([0, 0]);
  });
});
