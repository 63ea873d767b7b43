/**
 * The fake Learnifier realm over real HTTP with plain `fetch`: the gate (Basic auth, JSON only),
 * Learnifier's envelopes and statuses, and each switch at each of its values.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startLearnifierPortal, type LearnifierFakePortal, type StartLearnifierPortalOptions } from "../../provider/fake-portal/learnifier/index.js";

const SEED = {
  groups: ["Sales", "Support"],
  projects: [{ name: "Onboarding" }, { name: "Draft", status: "NEW" as const }],
  users: [
    { externalId: "E1", email: "ann@example.com", firstName: "Ann", lastName: "Lee" },
    { externalId: "E2", email: "bob@example.com", firstName: "Bob", lastName: "Ray" },
    { email: "admin@example.com", firstName: "Portal", lastName: "Admin", backOffice: true },
  ],
};

let portal: LearnifierFakePortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

async function start(options: StartLearnifierPortalOptions = {}): Promise<LearnifierFakePortal> {
  portal = await startLearnifierPortal({ seed: SEED, ...options });
  return portal;
}

interface Answer {
  status: number;
  headers: Headers;
  json: unknown;
}

async function call(target: LearnifierFakePortal, method: string, path: string, init: { body?: unknown; raw?: string; contentType?: string | null; auth?: string } = {}): Promise<Answer> {
  const auth = init.auth ?? `${target.keyId}:${target.keySecret}`;
  const headers: Record<string, string> = { authorization: `Basic ${Buffer.from(auth).toString("base64")}` };
  const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  if (body !== undefined && init.contentType !== null) headers["content-type"] = init.contentType ?? "application/json";
  const response = await fetch(`${target.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === "" ? undefined : JSON.parse(text) };
}

const uuidOf = (target: LearnifierFakePortal, externalIdOrEmail: string) =>
  [...target.store.users.values()].find((user) => user.externalId === externalIdOrEmail || user.primaryEmail === externalIdOrEmail)!.uuid;

describe("the gate", () => {
  it("answers 401 to a wrong key, 415 to a body without the JSON content type and 400 to broken JSON", async () => {
    const realm = await start();
    expect((await call(realm, "GET", "/users", { auth: `${realm.keyId}:wrong` })).status).toBe(401);
    expect((await call(realm, "POST", "/users", { body: { firstName: "X" }, contentType: null })).status).toBe(415);
    expect((await call(realm, "POST", "/users", { raw: "{not json" })).status).toBe(400);
    // GETs that declare JSON are fine, as public clients send them.
    expect((await call(realm, "GET", "/orgunits", { contentType: "application/json" })).status).toBe(200);
  });
});

describe("users", () => {
  it("lists a bare array by limit and offset with X-Limit, X-Offset, X-Size and X-More, capping limit at the realm's most", async () => {
    const realm = await start({ options: { maxLimit: 2 } });
    const first = await call(realm, "GET", "/users?limit=50&offset=0");
    expect(first.json).toHaveLength(2);
    expect(Object.fromEntries(["x-limit", "x-offset", "x-size", "x-more"].map((name) => [name, first.headers.get(name)]))).toEqual({
      "x-limit": "2",
      "x-offset": "0",
      "x-size": "2",
      "x-more": "true",
    });
    const last = await call(realm, "GET", "/users?limit=2&offset=2");
    expect(last.json).toMatchObject([{ primaryEmail: "admin@example.com", externalId: null, backOfficeRoles: [{ name: "Administrator" }] }]);
    expect(last.headers.get("x-more")).toBe("false");
    expect(realm.store.userListings).toBe(1);
  });

  it("creates with 200 {userId} and answers a taken email, in any case, with 409 and its holder's userId", async () => {
    const realm = await start();
    const created = await call(realm, "POST", "/users", { body: { externalId: "E9", primaryEmail: "New@Example.com", firstName: "N", lastName: "W" } });
    expect(created.status).toBe(200);
    const { userId } = created.json as { userId: string };
    expect(realm.store.userByUuid(userId)).toMatchObject({ primaryEmail: "New@Example.com", displayName: "N W" });
    const taken = await call(realm, "POST", "/users", { body: { primaryEmail: "ANN@example.com" } });
    expect(taken).toMatchObject({ status: 409, json: { userId: uuidOf(realm, "E1") } });
  });

  it("finds by external id exactly, case-sensitively", async () => {
    const realm = await start();
    expect((await call(realm, "GET", "/extuser?extid=E1")).json).toMatchObject({ primaryEmail: "ann@example.com", prefs: { locale: null } });
    expect((await call(realm, "GET", "/extuser?extid=e1")).status).toBe(404);
  });

  it("PATCH writes the keys sent, clears the ones sent empty, leaves the rest, and answers 201 without a body", async () => {
    const realm = await start();
    const ann = uuidOf(realm, "E1");
    const answer = await call(realm, "PATCH", `/users/${ann}`, { body: { firstName: "Anna", lastName: null, locale: "sv-SE" } });
    expect(answer).toMatchObject({ status: 201, json: undefined });
    expect(realm.store.userByUuid(ann)).toMatchObject({ firstName: "Anna", lastName: null, locale: "sv-SE", primaryEmail: "ann@example.com", externalId: "E1" });
    expect((await call(realm, "PATCH", `/users/${ann}`, { body: { nickname: "A" } })).status).toBe(400);
  });

  it("PATCH {hardLock} locks and unlocks, and the lock keeps participations and memberships", async () => {
    const realm = await start();
    const ann = uuidOf(realm, "E1");
    await call(realm, "POST", "/orgunits/1001/usergroups/2001/members", { body: { uuid: ann } });
    await call(realm, "PATCH", `/users/${ann}`, { body: { hardLock: true } });
    expect(realm.store.userByUuid(ann)).toMatchObject({ hardLock: true, locked: true });
    expect(realm.store.members.size).toBe(1);
    await call(realm, "PATCH", `/users/${ann}`, { body: { hardLock: false } });
    expect(realm.store.userByUuid(ann)).toMatchObject({ hardLock: false, locked: false });
  });

  it.each(["body", "query"] as const)("with autoClearEmail read from the %s, a taken email moves and its holder is left without one", async (placement) => {
    const realm = await start({ options: { switches: { autoClearEmail: placement } } });
    const [ann, bob] = [uuidOf(realm, "E1"), uuidOf(realm, "E2")];
    expect((await call(realm, "PATCH", `/users/${ann}`, { body: { primaryEmail: "bob@example.com" } })).status).toBe(409);
    const path = placement === "query" ? `/users/${ann}?autoClearEmail=true` : `/users/${ann}`;
    const body = placement === "body" ? { primaryEmail: "bob@example.com", autoClearEmail: true } : { primaryEmail: "bob@example.com" };
    expect((await call(realm, "PATCH", path, { body })).status).toBe(201);
    expect(realm.store.userByUuid(bob)?.primaryEmail).toBeNull();
    expect(realm.store.userByUuid(ann)?.primaryEmail).toBe("bob@example.com");
    // The other place does not work: the query is ignored in body mode, the body member refused in query mode.
    const other = placement === "query" ? { path: `/users/${bob}`, body: { primaryEmail: "bob@example.com", autoClearEmail: true } } : { path: `/users/${bob}?autoClearEmail=true`, body: { primaryEmail: "bob@example.com" } };
    expect((await call(realm, "PATCH", other.path, { body: other.body })).status).toBe(placement === "query" ? 400 : 409);
  });

  it.each(["refuse", "allow"] as const)("DELETE of a user with participations: %s", async (mode) => {
    const realm = await start({ options: { switches: { deleteWithParticipations: mode } } });
    const ann = uuidOf(realm, "E1");
    await call(realm, "POST", "/orgunits/1001/projects/4001/participants", { body: { userid: ann } });
    const answer = await call(realm, "DELETE", `/users/${ann}`);
    expect(answer.status).toBe(mode === "refuse" ? 409 : 204);
    expect(realm.store.userByUuid(ann) === undefined).toBe(mode === "allow");
  });

  it("answers 404 to every DELETE /users/{id} on an instance without the route", async () => {
    const realm = await start({ options: { switches: { deleteUserRoute: "missing" } } });
    expect((await call(realm, "DELETE", `/users/${uuidOf(realm, "E2")}`)).status).toBe(404);
    expect(realm.store.users.size).toBe(3);
  });
});

describe("groups", () => {
  it("lists the org unit's groups and members, as user objects", async () => {
    const realm = await start();
    expect((await call(realm, "GET", "/orgunits")).json).toMatchObject({ orgUnits: [{ id: 1001, name: "Acme", type: "client" }] });
    expect((await call(realm, "GET", "/orgunits/1001/usergroups")).json).toMatchObject([{ groupId: 2001, name: "Sales" }, { groupId: 2002, name: "Support" }]);
    const ann = uuidOf(realm, "E1");
    expect(await call(realm, "POST", "/orgunits/1001/usergroups/2001/members", { body: { uuid: ann } })).toMatchObject({ status: 200, json: { uuid: ann } });
    expect((await call(realm, "GET", "/orgunits/1001/usergroups/2001/members")).json).toMatchObject([{ id: ann, externalId: "E1" }]);
    expect((await call(realm, "GET", "/orgunits/1999/usergroups")).status).toBe(404);
  });

  it.each([["conflict", 409], ["ok", 200]] as const)("answers a duplicate member (%s) with %i", async (mode, status) => {
    const realm = await start({ options: { switches: { duplicateMember: mode } } });
    const body = { uuid: uuidOf(realm, "E1") };
    await call(realm, "POST", "/orgunits/1001/usergroups/2001/members", { body });
    expect((await call(realm, "POST", "/orgunits/1001/usergroups/2001/members", { body })).status).toBe(status);
    expect(realm.store.members.size).toBe(1);
  });

  it.each([["404", 404], ["200", 200]] as const)("answers the removal of a non-member (%s) with %i", async (mode, status) => {
    const realm = await start({ options: { switches: { removeNonMember: mode } } });
    expect((await call(realm, "DELETE", `/orgunits/1001/usergroups/2001/members/${uuidOf(realm, "E1")}`)).status).toBe(status);
  });
});

describe("participants", () => {
  it("adds by email by creating a user without an external id: the trap a client must avoid", async () => {
    const realm = await start();
    expect((await call(realm, "POST", "/orgunits/1001/projects/4001/participants", { body: { email: "stranger@example.com" } })).status).toBe(201);
    expect(realm.store.userByEmail("stranger@example.com")).toMatchObject({ externalId: null });
    expect((await call(realm, "POST", "/orgunits/1001/projects/4001/participants", { body: { email: "a@b.c", userid: "x" } })).status).toBe(400);
  });

  it.each(["none", "header"] as const)("adds a participant (Location: %s) inactive; a second add is a 409 naming the first", async (mode) => {
    const realm = await start({ options: { switches: { participantLocation: mode } } });
    const body = { userid: uuidOf(realm, "E1") };
    const added = await call(realm, "POST", "/orgunits/1001/projects/4001/participants", { body });
    expect(added.status).toBe(201);
    expect(added.headers.get("location") ?? "none").toBe(mode === "header" ? `${realm.url}/orgunits/1001/projects/4001/participants/9001` : "none");
    expect((await call(realm, "GET", "/orgunits/1001/projects/4001/participants")).json).toMatchObject([{ id: 9001, activated: false, accessLink: null, activitiesTotal: 5 }]);
    const again = await call(realm, "POST", "/orgunits/1001/projects/4001/participants", { body });
    expect(again.status).toBe(409);
    expect(again.headers.get("location")).toMatch(/\/participants\/9001$/);
  });

  it.each([["reject", 422], ["ok", 201]] as const)("activates with 201; 422 for a project not activated; again (%s): %i", async (mode, status) => {
    const realm = await start({ options: { switches: { activateActive: mode } } });
    const userid = uuidOf(realm, "E1");
    await call(realm, "POST", "/orgunits/1001/projects/4001/participants", { body: { userid } });
    expect((await call(realm, "POST", "/orgunits/1001/projects/4001/participants/9001/activate")).status).toBe(201);
    expect((await call(realm, "POST", "/orgunits/1001/projects/4001/participants/9001/activate")).status).toBe(status);
    await call(realm, "POST", "/orgunits/1001/projects/4002/participants", { body: { userid } });
    expect((await call(realm, "POST", "/orgunits/1001/projects/4002/participants/9002/activate")).status).toBe(422);
  });

  it("leaves a participant in error with the components' reasons when activation fails (406), and activates it once they agree", async () => {
    const realm = await start();
    await call(realm, "POST", "/orgunits/1001/projects/4001/participants", { body: { userid: uuidOf(realm, "E1") } });
    realm.store.activationFailures.set(4001, ["Licence pool exhausted"]);
    const refused = await call(realm, "POST", "/orgunits/1001/projects/4001/participants/9001/activate");
    expect(refused).toMatchObject({ status: 406, json: { failures: [{ message: "Licence pool exhausted" }] } });
    expect(realm.store.participants.get(9001)).toMatchObject({ inError: true, errorMessage: "Licence pool exhausted", activated: false });
    realm.store.activationFailures.delete(4001);
    expect((await call(realm, "POST", "/orgunits/1001/projects/4001/participants/9001/activate")).status).toBe(201);
    expect(realm.store.participants.get(9001)).toMatchObject({ inError: false, activated: true });
  });

  it("removes with 204; a refused removal is a 409 that leaves the participant listed, in error", async () => {
    const realm = await start();
    await call(realm, "POST", "/orgunits/1001/projects/4001/participants", { body: { userid: uuidOf(realm, "E1") } });
    realm.store.deleteFailures.add(4001);
    expect((await call(realm, "DELETE", "/orgunits/1001/projects/4001/participants/9001")).status).toBe(409);
    expect(realm.store.participants.get(9001)).toMatchObject({ inError: true });
    realm.store.deleteFailures.clear();
    expect((await call(realm, "DELETE", "/orgunits/1001/projects/4001/participants/9001")).status).toBe(204);
    expect((await call(realm, "DELETE", "/orgunits/1001/projects/4001/participants/9001")).status).toBe(404);
  });

  it("lists a user's participations as an array with the project's name", async () => {
    const realm = await start();
    const ann = uuidOf(realm, "E1");
    await call(realm, "POST", "/orgunits/1001/projects/4001/participants", { body: { userid: ann } });
    expect((await call(realm, "GET", `/users/${ann}/projectParticipations`)).json).toMatchObject([{ projectName: "Onboarding", projectOrgId: 1001 }]);
  });
});

describe("load", () => {
  it("answers 429 with Retry-After past the per-minute limit when one is set, and logs every request", async () => {
    const realm = await start({ options: { rateLimit: { perMinute: 2 } } });
    await call(realm, "GET", "/orgunits");
    await call(realm, "GET", "/orgunits");
    const limited = await call(realm, "GET", "/orgunits");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(realm.log.entries().map((entry) => entry.status)).toEqual([200, 200, 429]);
  });

  it("refuses an unknown switch or value, naming it", async () => {
    await expect(startLearnifierPortal({ options: { switches: { autoClear: "body" } } })).rejects.toThrow(/unknown Learnifier fake portal switch autoClear/);
    await expect(startLearnifierPortal({ options: { switches: { duplicateMember: "maybe" } } })).rejects.toThrow(/duplicateMember takes conflict or ok/);
  });
});
