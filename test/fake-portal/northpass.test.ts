/**
 * The fake Northpass school over real HTTP: the contract's behaviours (JSON:API documents, X-Api-Key,
 * page/limit with links, filters, HTML 404 for unknown routes, 10 a second) and each switch value.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NorthpassFakeSchool, type NorthpassOptions } from "../../provider/fake-portal/northpass/index.js";

let school: NorthpassFakeSchool;

async function start(options: Partial<NorthpassOptions> = {}): Promise<void> {
  school = await NorthpassFakeSchool.start({
    seed: { groups: ["Sales", "Sales EMEA"], courses: ["Onboarding"], people: [{ email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" }] },
    options: { perSecond: false, ...options },
  });
}

afterEach(async () => {
  await school.close();
});

interface Answer {
  status: number;
  headers: Headers;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- a test reads whatever the school sent
  text: string;
}

async function call(method: string, path: string, body?: unknown, key: string | null = school.apiKey): Promise<Answer> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (key !== null) headers["x-api-key"] = key;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${school.apiUrl}${path}`, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const text = await response.text();
  const json: unknown = /json/.test(response.headers.get("content-type") ?? "") && text !== "" ? JSON.parse(text) : undefined;
  return { status: response.status, headers: response.headers, json, text };
}

const personDocument = (email: string, extra: Record<string, unknown> = {}) => ({ data: { type: "people", attributes: { email, first_name: "New", last_name: "Person", ...extra } } });

describe("the fake Northpass school", () => {
  beforeEach(() => start());

  it("answers 401 with the recorded JSON:API body without the key, and never takes ?api_key=", async () => {
    const missing = await call("GET", "/people", undefined, null);
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({ errors: [{ status: "401", title: "Unauthorized", detail: "You don't have the necessary credentials", source: {} }] });
    expect((await call("GET", `/people?api_key=${school.apiKey}`, undefined, null)).status).toBe(401);
    expect((await call("GET", "/people", undefined, "wrong")).status).toBe(401);
  });

  it("answers an unknown route with an HTML page, not JSON", async () => {
    const answer = await call("GET", "/learners");
    expect(answer.status).toBe(404);
    expect(answer.headers.get("content-type")).toMatch(/text\/html/);
    expect(answer.text).toMatch(/^<!DOCTYPE html>/);
    expect((await call("GET", "/groups/x/people")).headers.get("content-type")).toMatch(/text\/html/);
  });

  it("pages by page and limit with absolute links, next only while more follow, and caps limit silently", async () => {
    for (let n = 0; n < 4; n++) await call("POST", "/people", personDocument(`p${n}@example.com`));
    const first = await call("GET", "/people?limit=2");
    expect(first.json.data).toHaveLength(2);
    expect(first.json.links.self).toBe(`${school.apiUrl}/people?limit=2`);
    expect(first.json.links.prev).toBeUndefined();
    expect(first.json.links.next).toBe(`${school.apiUrl}/people?limit=2&page=2`);
    const last = await call("GET", "/people?limit=2&page=3");
    expect(last.json.data).toHaveLength(1);
    expect(last.json.links.next).toBeUndefined();
    expect(last.json.links.prev).toBe(`${school.apiUrl}/people?limit=2&page=2`);
    school.options.maxLimit = 3;
    expect((await call("GET", "/people?limit=500")).json.data).toHaveLength(3);
  });

  it("filters: [eq] exact (emails without case), a bare filter is a substring, an unknown attribute is ignored", async () => {
    expect((await call("GET", "/groups?filter[name][eq]=Sales")).json.data.map((g: any) => g.attributes.name)).toEqual(["Sales"]); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect((await call("GET", "/groups?filter[name]=sales")).json.data).toHaveLength(2);
    expect((await call("GET", `/people?${encodeURI("filter[email][eq]=ADA@example.com")}`)).json.data).toHaveLength(1);
    expect((await call("GET", "/people?filter[favourite_colour][eq]=blue")).json.data).toHaveLength(1);
  });

  it("creates a person with 201 and answers a known email with the existing person, unchanged, with 200", async () => {
    const created = await call("POST", "/people", personDocument("new@example.com"));
    expect(created.status).toBe(201);
    expect(created.json.data).toMatchObject({ type: "people", attributes: { email: "new@example.com", registration_status: "not_activated" } });
    const again = await call("POST", "/people", personDocument("NEW@example.com", { first_name: "Other" }));
    expect(again.status).toBe(200);
    expect(again.json.data).toMatchObject({ id: created.json.data.id, attributes: { first_name: "New" } });
    expect([...school.store.people.values()].filter((person) => person.invited)).toHaveLength(1);
  });

  it("lists a group's members with the person only in the relationship, under a compound id", async () => {
    const [sales] = (await call("GET", "/groups?filter[name][eq]=Sales")).json.data;
    const [ada] = (await call("GET", "/people")).json.data;
    expect((await call("POST", `/groups/${sales.id}/relationships/people`, { data: [{ type: "people", id: ada.id }] })).status).toBe(204);
    const members = (await call("GET", `/groups/${sales.id}/memberships`)).json.data;
    expect(members).toEqual([expect.objectContaining({ id: `${sales.id}:${ada.id}`, relationships: expect.objectContaining({ person: { data: { type: "people", id: ada.id } } }) })]);
    expect((await call("DELETE", `/groups/${sales.id}/relationships/people`, { data: [{ type: "people", id: ada.id }] })).status).toBe(204);
    expect((await call("DELETE", `/groups/${sales.id}/relationships/people`, { data: [{ type: "people", id: ada.id }] })).status).toBe(204);
  });

  it("derives course enrollments from the groups holding the course", async () => {
    school.store.assignCourse("Sales", "Onboarding");
    const [sales] = (await call("GET", "/groups?filter[name][eq]=Sales")).json.data;
    const [ada] = (await call("GET", "/people")).json.data;
    const [course] = (await call("GET", "/courses")).json.data;
    await call("POST", `/groups/${sales.id}/relationships/people`, { data: [{ type: "people", id: ada.id }] });
    const enrollments = (await call("GET", `/courses/${course.id}/enrollments`)).json.data;
    expect(enrollments).toEqual([expect.objectContaining({ attributes: expect.objectContaining({ person_id: ada.id, progress: 0 }) })]);
  });

  it("deletes with 204: gone from GET at once, listed as deactivated once more while deletion runs", async () => {
    const [ada] = (await call("GET", "/people")).json.data;
    expect((await call("DELETE", `/people/${ada.id}`)).status).toBe(204);
    expect((await call("GET", `/people/${ada.id}`)).status).toBe(404);
    expect((await call("GET", "/people")).json.data).toEqual([expect.objectContaining({ attributes: expect.objectContaining({ disabled: true }) })]);
    expect((await call("GET", "/people")).status).toBe(404); // empty now, and an empty list is a 404 by default
  });

  it("holds 10 requests a second, then answers 429 with a JSON:API error", async () => {
    school.options.perSecond = 10;
    const statuses = [];
    for (let n = 0; n < 12; n++) statuses.push((await call("GET", "/groups")).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses.slice(10)).toEqual([429, 429]);
    const refused = await call("GET", "/groups");
    expect(refused.json.errors[0]).toMatchObject({ status: "429", title: "Too Many Requests" });
    expect(refused.headers.get("retry-after")).toBeNull();
  });

  it("logs every API request with its body, and never the key", async () => {
    await call("POST", "/people", personDocument("logged@example.com"));
    expect(school.log.entries()).toEqual([expect.objectContaining({ method: "POST", path: "/v2/people", status: 201, write: true, body: personDocument("logged@example.com") })]);
    expect(JSON.stringify(school.log.entries())).not.toContain(school.apiKey);
  });
});

describe("each switch of the fake Northpass school", () => {
  async function adaAndSales(): Promise<{ adaId: string; salesId: string }> {
    const [ada] = (await call("GET", "/people")).json.data;
    const [sales] = (await call("GET", "/groups?filter[name][eq]=Sales")).json.data;
    return { adaId: ada.id, salesId: sales.id };
  }

  it.each([
    ["accepted", true],
    ["ignored", false],
  ] as const)("deactivation %s: PATCH deactivated answers 200 and the read shows deactivated: %s", async (deactivation, shows) => {
    await start({ deactivation });
    const { adaId } = await adaAndSales();
    const patched = await call("PATCH", `/people/${adaId}`, { data: { type: "people", id: adaId, attributes: { deactivated: true } } });
    expect(patched.status).toBe(200);
    const read = (await call("GET", `/people/${adaId}`)).json.data.attributes;
    expect(read.disabled).toBe(shows);
    expect(read.deactivated_at !== null).toBe(shows);
  });

  it.each([
    ["422", 422],
    ["2xx", 204],
  ] as const)("duplicateMember %s: adding someone already in the group answers %s", async (duplicateMember, status) => {
    await start({ duplicateMember });
    const { adaId, salesId } = await adaAndSales();
    const body = { data: [{ type: "people", id: adaId }] };
    expect((await call("POST", `/groups/${salesId}/relationships/people`, body)).status).toBe(204);
    expect((await call("POST", `/groups/${salesId}/relationships/people`, body)).status).toBe(status);
  });

  it.each([
    ["404", 404],
    ["200", 200],
  ] as const)("emptyList %s: a group without members lists with %s", async (emptyList, status) => {
    await start({ emptyList });
    const { salesId } = await adaAndSales();
    const answer = await call("GET", `/groups/${salesId}/memberships`);
    expect(answer.status).toBe(status);
    if (status === 200) expect(answer.json.data).toEqual([]);
    else expect(answer.json.errors[0].status).toBe("404");
  });

  it.each([
    ["absent", null],
    ["sent", "1"],
  ] as const)("retryAfter %s: a 429 carries Retry-After %s", async (retryAfter, header) => {
    await start({ retryAfter, perSecond: 1 });
    await call("GET", "/groups");
    const refused = await call("GET", "/groups");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe(header);
  });

  it.each([
    ["200", 200],
    ["422", 422],
  ] as const)("existingEmail %s: creating a known email answers %s", async (existingEmail, status) => {
    await start({ existingEmail });
    const answer = await call("POST", "/people", personDocument("ada@example.com"));
    expect(answer.status).toBe(status);
    if (status === 422) expect(answer.json.errors[0].source).toEqual({ pointer: "/data/attributes/email" });
  });

  it("flips on a running school through the admin route", async () => {
    await start();
    const response = await fetch(`${school.url}/__fake/switches`, {
      method: "PATCH",
      headers: { "x-api-key": school.apiKey, "content-type": "application/json" },
      body: JSON.stringify({ deactivation: "ignored" }),
    });
    expect(response.status).toBe(200);
    expect(school.options.deactivation).toBe("ignored");
    const refused = await fetch(`${school.url}/__fake/switches`, {
      method: "PATCH",
      headers: { "x-api-key": school.apiKey, "content-type": "application/json" },
      body: JSON.stringify({ deactivation: "sometimes" }),
    });
    expect(refused.status).toBe(400);
    expect(school.log.entries()).toEqual([]);
  });
});
