/**
 * The Northpass backend of the LMS seam against the fake Northpass school over real HTTP: the field
 * table both ways, the exact requests each method makes (the school's transcript), and every
 * switch value the client must tolerate, the unconfirmed deactivation above all.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, AuthError, AmbiguousNameError, collect, createRateLimiter } from "../../provider/client/index.js";
import { createNorthpassClient, type NorthpassClient } from "../../provider/client/northpass/client.js";
import { NorthpassFakeSchool, uuidOf, type NorthpassOptions } from "../../provider/fake-portal/northpass/index.js";
import { northpassLms, type NorthpassLmsOptions } from "../../provider/lms/northpass/client.js";
import type { LmsClient, LmsUser } from "../../provider/lms/model.js";

let school: NorthpassFakeSchool;
let wire: NorthpassClient;
let lms: LmsClient;
let logged: string[];

async function start(options: Partial<NorthpassOptions> = {}, lmsOptions: NorthpassLmsOptions = {}): Promise<void> {
  school = await NorthpassFakeSchool.start({
    seed: {
      groups: ["Sales", "Sales EMEA", "Support", "Support"],
      courses: ["Onboarding"],
      people: [
        { email: "Ada@Example.com", firstName: "Ada", lastName: "Lovelace" },
        { email: "grace@example.com", firstName: "Grace", lastName: "Hopper", enabled: false },
      ],
      groupCourses: { Sales: ["Onboarding"] },
    },
    options: { perSecond: false, ...options },
  });
  wire = createNorthpassClient({
    baseUrl: school.apiUrl,
    apiKey: school.apiKey,
    rateLimiter: fastLimiter(),
    sleep: () => Promise.resolve(),
  });
  logged = [];
  lms = northpassLms(wire, { log: (line) => logged.push(line), ...lmsOptions });
}

/** A limiter that never holds a test back, and waits out a 429 without sleeping. */
function fastLimiter() {
  return createRateLimiter({ perSecond: 10_000, burst: 10_000, sleep: () => Promise.resolve() });
}

afterEach(async () => {
  await lms.close();
  await school.close();
});

/** The school's transcript since the last `clearLog`: "METHOD path". */
function transcript(): string[] {
  return school.log.entries().map((entry) => `${entry.method} ${decodeURIComponent(entry.path)}`);
}

async function person(email: string): Promise<LmsUser> {
  const found = await lms.users.findByEmail(email);
  if (!found) throw new Error(`no ${email} in the fake school`);
  return found;
}

const ADA_ID = uuidOf(0x1_000_001);

describe("Northpass people through the seam", () => {
  it("lists everyone, deactivated people included, in the seam's terms, following links.next", async () => {
    await start({ maxLimit: 1 });
    const users = await collect(lms.users.list());
    expect(users).toEqual([
      { id: ADA_ID, email: "Ada@Example.com", firstName: "Ada", lastName: "Lovelace", userType: "learner", enabled: true, customData: {} },
      expect.objectContaining({ email: "grace@example.com", enabled: false }),
    ]);
    // limit=100 is cut to 1 by the school; the client follows the links it is given.
    expect(transcript()).toEqual(["GET /v2/people?page=1&limit=100", "GET /v2/people?page=2&limit=100"]);
  });

  it("finds by email without regard to case with filter[email][eq], and re-checks the match", async () => {
    await start();
    expect(await lms.users.findByEmail("ADA@example.com")).toMatchObject({ id: ADA_ID });
    expect(await lms.users.findByEmail("nobody@example.com")).toBeUndefined();
    expect(transcript()).toEqual(["GET /v2/people?filter[email][eq]=ADA@example.com&page=1&limit=100", "GET /v2/people?filter[email][eq]=nobody@example.com&page=1&limit=100"]);
  });

  it("creates a new person with one POST of a JSON:API document", async () => {
    await start();
    const id = await lms.users.create({ email: "new@example.com", firstName: "New", lastName: "Person", userType: "learner", password: "never-sent" });
    expect(school.log.entries()).toEqual([
      expect.objectContaining({ method: "POST", path: "/v2/people", status: 201, body: { data: { type: "people", attributes: { email: "new@example.com", first_name: "New", last_name: "Person" } } } }),
    ]);
    expect(await person("new@example.com")).toMatchObject({ id, firstName: "New", enabled: true });
  });

  it.each(["200", "422"] as const)("adopts a known email (existingEmail %s) and brings them to the declared fields", async (existingEmail) => {
    await start({ existingEmail });
    const id = await lms.users.create({ email: "ada@example.com", firstName: "Augusta", lastName: "Lovelace" });
    expect(id).toBe(ADA_ID);
    expect(await person("ada@example.com")).toMatchObject({ firstName: "Augusta" });
    const lookups = existingEmail === "422" ? ["GET /v2/people?filter[email][eq]=ada@example.com&page=1&limit=100"] : [];
    expect(transcript().slice(0, -1)).toEqual(["POST /v2/people", ...lookups, `PATCH /v2/people/${ADA_ID}`]);
  });

  it("reactivates a deactivated person adopted by create, reading them back", async () => {
    await start();
    const id = await lms.users.create({ email: "grace@example.com", firstName: "Grace", lastName: "Hopper" });
    expect(await person("grace@example.com")).toMatchObject({ id, enabled: true });
    expect(school.log.entries().find((entry) => entry.method === "PATCH")?.body).toEqual({ data: { type: "people", id, attributes: { deactivated: false } } });
  });

  it("updates only the changed attributes with PATCH, an email too", async () => {
    await start();
    const ada = await person("ada@example.com");
    school.log.clear();
    const after = await lms.users.update(ada, { email: "ada.lovelace@example.com", lastName: "King" });
    expect(after).toMatchObject({ id: ADA_ID, email: "ada.lovelace@example.com", lastName: "King", firstName: "Ada" });
    expect(school.log.entries().map((entry) => entry.body)).toEqual([
      { data: { type: "people", id: ADA_ID, attributes: { email: "ada.lovelace@example.com", last_name: "King" } } },
    ]);
  });

  it("deactivates with PATCH deactivated: true and confirms it by reading the person back", async () => {
    await start();
    const ada = await person("ada@example.com");
    school.log.clear();
    expect(await lms.users.update(ada, { enabled: false })).toMatchObject({ enabled: false });
    expect(transcript()).toEqual([`PATCH /v2/people/${ADA_ID}`, `GET /v2/people/${ADA_ID}`]);
    expect(school.store.people.get(0x1_000_001)?.deactivated_at).not.toBeNull();
  });

  it("fails loudly, naming the person, when the school ignores the deactivation", async () => {
    await start({ deactivation: "ignored" });
    const ada = await person("ada@example.com");
    const failure = lms.users.update(ada, { enabled: false });
    await expect(failure).rejects.toThrow(`Northpass did not confirm the deactivation of Ada@Example.com (Northpass person ${ADA_ID})`);
    await expect(failure).rejects.toThrow(/not recorded as removed/);
    expect(await person("ada@example.com")).toMatchObject({ enabled: true });
  });

  it("with removeFromGroups chosen, takes an unconfirmed deactivation's person out of the groups the stack manages", async () => {
    await start({ deactivation: "ignored" }, { unconfirmedDeactivation: "removeFromGroups" });
    const ada = await person("ada@example.com");
    const sales = await lms.catalog.groupByTitle("Sales");
    await lms.memberships.add({ groupId: sales!.id, userId: ada.id, processEnrollments: true });
    expect(await lms.users.update(ada, { enabled: false })).toMatchObject({ enabled: true });
    expect(await lms.memberships.isMember(sales!.id, ada.id)).toBe(false);
    expect(logged).toEqual([expect.stringMatching(/did not confirm the deactivation of Ada@Example.com .*removed them from 1 group\(s\) this stack manages/)]);
  });

  it("deletes permanently; a JSON 404 afterwards means already gone", async () => {
    await start();
    expect(await lms.users.delete(ADA_ID)).toBe(true);
    expect(await lms.users.delete(ADA_ID)).toBe(false);
  });
});

describe("Northpass group memberships through the seam", () => {
  it("finds a group by its exact name, refuses an ambiguous one, and misses an unknown one", async () => {
    await start();
    expect(await lms.catalog.groupByTitle("Sales")).toEqual({ id: uuidOf(0x2_000_001), title: "Sales" });
    await expect(lms.catalog.groupByTitle("Support")).rejects.toThrow(AmbiguousNameError);
    await expect(lms.catalog.groupByTitle("Support")).rejects.toThrow(/2 Northpass groups are named "Support"/);
    expect(await lms.catalog.groupByTitle("Marketing")).toBeUndefined();
  });

  it("looks each group name up once per run, however many memberships name it", async () => {
    await start();
    await Promise.all([lms.catalog.groupByTitle("Sales"), lms.catalog.groupByTitle("Sales"), lms.catalog.groupByTitle("Sales")]);
    expect(transcript()).toEqual(["GET /v2/groups?filter[name][eq]=Sales&page=1&limit=100"]);
  });

  it.each(["422", "2xx"] as const)("adds through the people relationship; an existing member is done (duplicateMember %s)", async (duplicateMember) => {
    await start({ duplicateMember });
    const groupId = (await lms.catalog.groupByTitle("Sales"))!.id;
    await lms.memberships.add({ groupId, userId: ADA_ID, processEnrollments: true });
    school.log.clear();
    await lms.memberships.add({ groupId, userId: ADA_ID, processEnrollments: true });
    const confirmation = duplicateMember === "422" ? [`GET /v2/groups/${groupId}/memberships?page=1&limit=100`] : [];
    expect(transcript()).toEqual([`POST /v2/groups/${groupId}/relationships/people`, ...confirmation]);
    expect(await collect(lms.memberships.listByGroup(groupId))).toEqual([ADA_ID]);
  });

  it("repeats a failed add only after a read of the group shows it did not land", async () => {
    await start();
    const groupId = (await lms.catalog.groupByTitle("Sales"))!.id;
    school.log.clear();
    school.faults.inject({ count: 1, status: 503, match: { method: "POST" } });
    await lms.memberships.add({ groupId, userId: ADA_ID, processEnrollments: true });
    expect(school.log.entries().map((entry) => `${entry.method} ${entry.status}`)).toEqual(["POST 503", "GET 404", "POST 204"]);
    expect(await lms.memberships.isMember(groupId, ADA_ID)).toBe(true);
  });

  it("removes with DELETE and a body of identifiers", async () => {
    await start();
    const groupId = (await lms.catalog.groupByTitle("Sales"))!.id;
    await lms.memberships.add({ groupId, userId: ADA_ID, processEnrollments: true });
    school.log.clear();
    await lms.memberships.remove({ groupId, userId: ADA_ID });
    expect(school.log.entries()).toEqual([
      expect.objectContaining({ method: "DELETE", path: `/v2/groups/${groupId}/relationships/people`, status: 204, body: { data: [{ type: "people", id: ADA_ID }] } }),
    ]);
    expect(await lms.memberships.isMember(groupId, ADA_ID)).toBe(false);
  });

  it.each(["404", "200"] as const)("reads an empty group as no members (emptyList %s)", async (emptyList) => {
    await start({ emptyList });
    const groupId = (await lms.catalog.groupByTitle("Sales"))!.id;
    expect(await collect(lms.memberships.listByGroup(groupId))).toEqual([]);
  });

  it("lists a person's groups from one listing of every group's members, kept for the next person", async () => {
    await start();
    const groupId = (await lms.catalog.groupByTitle("Sales"))!.id;
    await lms.memberships.add({ groupId, userId: ADA_ID, processEnrollments: true });
    school.log.clear();
    expect(await collect(lms.memberships.groupsOf(ADA_ID))).toEqual([{ id: groupId, title: "Sales" }]);
    const calls = school.log.entries().length; // the groups, then each group's members
    expect(calls).toBe(5);
    expect(await collect(lms.memberships.groupsOf(uuidOf(0x1_000_002)))).toEqual([]);
    expect(school.log.entries()).toHaveLength(calls);
  });
});

describe("Northpass enrollments through the seam", () => {
  it("reads enrollments the groups give, and refuses to write one, saying to use a group", async () => {
    await start();
    const groupId = (await lms.catalog.groupByTitle("Sales"))!.id;
    const course = (await lms.catalog.courseByName("Onboarding"))!;
    await lms.memberships.add({ groupId, userId: ADA_ID, processEnrollments: true });
    expect(await collect(lms.enrollments.listByCourse(course.id))).toEqual([expect.objectContaining({ userId: ADA_ID, courseId: course.id, status: "not_started", progress: 0 })]);
    expect(await collect(lms.enrollments.listByUser(ADA_ID))).toEqual([expect.objectContaining({ courseId: course.id, courseName: "Onboarding" })]);
    const ada = await person("ada@example.com");
    await expect(lms.enrollments.create({ user: ada, courseId: course.id })).rejects.toThrow(
      /no API call that enrols one person in one course.*Assign the course to a group in Northpass and declare a GroupMembership/,
    );
  });
});

describe("the Northpass wire conventions", () => {
  it.each(["absent", "sent"] as const)("waits out a 429 (Retry-After %s) and answers", async (retryAfter) => {
    await start({ retryAfter });
    school.faults.inject({ count: 2, status: 429 });
    expect(await lms.users.findByEmail("ada@example.com")).toMatchObject({ id: ADA_ID });
    expect(school.log.entries().map((entry) => entry.status)).toEqual([429, 429, 200]);
  });

  it("keeps an HTML 404 (a wrong base URL) as the error it is, never as an empty list", async () => {
    await start();
    const wrongBase = createNorthpassClient({ baseUrl: `${school.url}/v1`, apiKey: school.apiKey, rateLimiter: fastLimiter() });
    const failure = collect(northpassLms(wrongBase).users.list());
    await expect(failure).rejects.toThrow(ApiError);
    await expect(failure).rejects.toThrow(/an HTML page .*not an API response/);
    await wrongBase.close();
  });

  it("sends the key only in X-Api-Key, and never shows it in an error", async () => {
    await start();
    const badKey = createNorthpassClient({ baseUrl: school.apiUrl, apiKey: "not-the-key", rateLimiter: fastLimiter() });
    const error = await collect(badKey.people.list()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthError);
    expect(String((error as Error).message)).not.toContain("not-the-key");
    expect(school.log.entries().every((entry) => !entry.path.includes("api_key"))).toBe(true);
    await badKey.close();
  });
});
