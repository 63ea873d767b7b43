/**
 * The fake Learn Amp over raw HTTP, as a client that does not know its rules would meet it: the
 * token endpoint's errors, the /v1 gate (bearer, Accept, rate limit), form and JSON bodies, paging
 * headers, Grape-style validation, and the switches that change an answer.
 */
import { afterEach, describe, expect, it } from "vitest";
import { LEARNAMP_SWITCHES, startLearnAmpFakePortal, startLearnAmpSandbox, type LearnAmpFakePortal, type LearnAmpOptions } from "../../provider/fake-portal/learnamp/index.js";

let portal: LearnAmpFakePortal;
afterEach(async () => portal?.close());

async function start(options: Partial<LearnAmpOptions> = {}) {
  portal = await startLearnAmpFakePortal({ seed: { teams: ["Engineering"], people: [{ email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" }] }, options: { rateLimit: false, ...options } });
  return portal;
}

const form = (fields: Record<string, string>) => ({ body: new URLSearchParams(fields).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });

async function token(): Promise<string> {
  const response = await fetch(`${portal.url}/oauth/token`, { method: "POST", ...form({ grant_type: "client_credentials", client_id: portal.clientId, client_secret: portal.clientSecret }) });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function api(path: string, init: RequestInit & { token?: string } = {}) {
  const bearer = init.token ?? (await token());
  const response = await fetch(`${portal.url}/v1${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, accept: "application/json", ...init.headers } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

describe("the token endpoint", () => {
  it("answers Doorkeeper's shape with no refresh token, and RFC 6749 errors", async () => {
    await start();
    const ok = await fetch(`${portal.url}/oauth/token`, { method: "POST", ...form({ grant_type: "client_credentials", client_id: portal.clientId, client_secret: portal.clientSecret }) });
    const body = (await ok.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["access_token", "created_at", "expires_in", "scope", "token_type"]);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 7200, scope: "public" });
    const wrong = await fetch(`${portal.url}/oauth/token`, { method: "POST", ...form({ grant_type: "client_credentials", client_id: portal.clientId, client_secret: "nope" }) });
    expect([wrong.status, ((await wrong.json()) as { error: string }).error]).toEqual([401, "invalid_client"]);
    const grant = await fetch(`${portal.url}/oauth/token`, { method: "POST", ...form({ grant_type: "password" }) });
    expect([grant.status, ((await grant.json()) as { error: string }).error]).toEqual([400, "unsupported_grant_type"]);
  });

  it("mints a new token per request by default, and hands back the live one when switched", async () => {
    await start();
    expect(await token()).not.toBe(await token());
    portal.options.tokens = "reuse";
    expect(await token()).toBe(await token());
  });
});

describe("the /v1 gate", () => {
  it("401 without a live token, 406 for another format, 429 over the budget (Retry-After only when switched)", async () => {
    await start();
    expect((await api("/users", { token: "forged" })).status).toBe(401);
    expect((await api("/users", { headers: { accept: "text/html" } })).status).toBe(406);
    portal.options.rateLimit = { perMinute: 2 };
    const bearer = await token();
    const statuses = [];
    for (let n = 0; n < 3; n++) statuses.push((await api("/users", { token: bearer })).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await api("/users", { token: bearer })).headers.get("retry-after")).toBeNull();
    portal.options.retryAfter = "seconds";
    expect((await api("/users", { token: bearer })).headers.get("retry-after")).toBe("1");
  });
});

describe("users", () => {
  it("pages with Total, Per-Page and Total-Pages, 10 a page by default; perPage is clamped to the maximum", async () => {
    await start();
    for (let n = 0; n < 30; n++) portal.store.createUser({ email: `p${n}@x.org`, firstName: "P", lastName: String(n), role: "viewer", integrationExternalId: null, status: "confirmed" });
    const first = await api("/users");
    expect([(first.body?.["users"] as unknown[]).length, first.headers.get("total"), first.headers.get("per-page"), first.headers.get("total-pages")]).toEqual([10, "32", "10", "4"]);
    portal.options.maxPerPage = "25";
    portal.options.pageHeaders = "no-total-pages";
    const clamped = await api("/users?perPage=100&page=2");
    expect([(clamped.body?.["users"] as unknown[]).length, clamped.headers.get("per-page"), clamped.headers.get("total-pages")]).toEqual([7, "25", null]);
    expect(((await api("/users?page=9")).body?.["users"] as unknown[]).length).toBe(0);
  });

  it("validates like Grape, refuses duplicate emails without regard to case, and reads forms only unless switched", async () => {
    await start();
    const missing = await api("/users", { method: "POST", ...form({ email: "" }) });
    expect(missing).toMatchObject({ status: 400, body: { error: "email is empty, firstName is missing, firstName is empty, lastName is missing, lastName is empty" } });
    const duplicate = await api("/users", { method: "POST", ...form({ email: "ADA@example.com", firstName: "A", lastName: "L" }) });
    expect(duplicate).toMatchObject({ status: 400, body: { error: "Validation failed: Email has already been taken", fullErrors: { email: ["has already been taken"] } } });
    const json = { method: "POST", body: JSON.stringify({ email: "b@x.org", firstName: "B", lastName: "C" }), headers: { "content-type": "application/json" } };
    expect((await api("/users", json)).status).toBe(400);
    portal.options.jsonBodies = "accepted";
    expect((await api("/users", json)).status).toBe(201);
  });

  it("PUT needs email and both names unless switched to partial updates; role cannot be set to owner", async () => {
    await start();
    const id = portal.store.userByEmail("ada@example.com")!.id;
    expect((await api(`/users/${id}`, { method: "PUT", ...form({ jobTitle: "Analyst" }) })).status).toBe(400);
    portal.options.updateRequires = "partial";
    expect(await api(`/users/${id}`, { method: "PUT", ...form({ jobTitle: "Analyst" }) })).toMatchObject({ status: 200, body: { jobTitle: "Analyst" } });
    expect((await api(`/users/${id}`, { method: "PUT", ...form({ role: "owner" }) })).status).toBe(400);
  });

  it("the 2024 release has no external ids, no lookup by them and no status filter", async () => {
    await start({ era: "2024" });
    const listed = await api("/users?filters[status][]=deactivated");
    expect((listed.body?.["users"] as Array<Record<string, unknown>>).map((user) => "integrationExternalId" in user)).toEqual([false, false]);
    expect((await api("/users/by_integration_external_id/E-1")).status).toBe(404);
  });

  it("deactivating someone deactivated is 204, or 422 when switched", async () => {
    await start();
    const id = portal.store.userByEmail("ada@example.com")!.id;
    expect((await api(`/users/${id}/deactivate`, { method: "PUT" })).status).toBe(204);
    expect((await api(`/users/${id}/deactivate`, { method: "PUT" })).status).toBe(204);
    portal.options.redeactivate = "422";
    expect((await api(`/users/${id}/deactivate`, { method: "PUT" })).status).toBe(422);
  });
});

describe("team members", () => {
  it("refuses a deactivated person unless switched; lists members as a team object", async () => {
    await start();
    const [team, ada] = [portal.store.teams.all()[0]!.id, portal.store.userByEmail("ada@example.com")!.id];
    portal.store.deactivate(portal.store.users.get(ada)!);
    const add = { method: "POST", body: JSON.stringify({ userId: ada }), headers: { "content-type": "application/json" } };
    expect((await api(`/teams/${team}/users`, add)).status).toBe(422);
    portal.options.deactivatedMember = "accepted";
    expect(await api(`/teams/${team}/users`, add)).toMatchObject({ status: 201, body: { teamId: team, userId: ada } });
    const members = await api(`/teams/${team}/users`);
    expect(members.body).toMatchObject({ id: team, name: "Engineering", users: [{ id: ada }] });
  });
});

it("every switch has at least two values, the first its default", () => {
  for (const [name, values] of Object.entries(LEARNAMP_SWITCHES)) expect(values.length, name).toBeGreaterThanOrEqual(2);
});

describe("as the sandbox starts it", () => {
  it("seeds teams and people, gives the stack config, and names a bad switch with what it takes", async () => {
    const sandbox = await startLearnAmpSandbox({
      seed: { groups: ["Sales"], courses: ["Ignored"], people: [{ email: "a@x.org", firstName: "A", lastName: "B", employeeId: "E-9", enabled: false }] },
      switches: { era: "2024" },
      rateLimit: false,
    });
    try {
      expect(sandbox.config).toEqual({ "learnamp:baseUrl": sandbox.url, "learnamp:clientId": sandbox.portal.clientId });
      expect(Object.keys(sandbox.secrets)).toEqual(["learnamp:clientSecret"]);
      expect(sandbox.portal.options.era).toBe("2024");
      expect(sandbox.portal.store.userByEmail("a@x.org")).toMatchObject({ status: "deactivated", integrationExternalId: "E-9" });
      expect(sandbox.portal.store.teams.all().map((team) => team.name)).toEqual(["Sales"]);
    } finally {
      await sandbox.close();
    }
    const bad = { seed: { groups: [], courses: [], people: [] } };
    await expect(startLearnAmpSandbox({ ...bad, switches: { era: "2025" } })).rejects.toThrow('switch era must be one of 2026, 2024, not "2025"');
    await expect(startLearnAmpSandbox({ ...bad, switches: { colour: "red" } })).rejects.toThrow(/unknown switch colour/);
  });
});
