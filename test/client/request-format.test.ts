/**
 * Per-backend request rules over real HTTP: a `Content-Type` on bodyless requests, form or JSON
 * bodies (per transport and per request), the JSON:API media type, repeated query keys; and
 * error bodies that are not the API's JSON (an HTML 404 page, a JSON:API `errors` array).
 */
import { afterEach, describe, expect, it } from "vitest";
import { apiKeyHeader, basicAuth } from "../../provider/client/auth.js";
import { NotFoundError, ServerError, ValidationError } from "../../provider/client/errors.js";
import { createTransport, formEncode, type TransportOptions } from "../../provider/client/transport.js";
import { startScriptedServer, type ScriptStep, type ScriptedServer } from "./scripted-server.js";

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function transportFor(script: ScriptStep[], options: Partial<TransportOptions> = {}) {
  server = await startScriptedServer(script);
  const transport = createTransport({ baseUrl: `${server.url}/v2`, auth: basicAuth("key-id", "key-secret"), ...options });
  return { transport, log: server.log };
}

describe("request format", () => {
  it("contentTypeWithoutBody declares JSON on a bodyless GET too, and sends no body", async () => {
    const { transport, log } = await transportFor([{ status: 200, body: [] }], { format: { contentTypeWithoutBody: true } });
    await transport.request({ method: "GET", path: "/users", query: { limit: 10, offset: 0 } });
    expect(log[0]?.headers["content-type"]).toBe("application/json");
    expect(log[0]?.body).toBe("");
  });

  it("the JSON:API media type on bodies and Accept, when a backend asks for it", async () => {
    const format = { jsonContentType: "application/vnd.api+json", accept: "application/vnd.api+json" };
    const { transport, log } = await transportFor([{ status: 201, body: { data: { id: "p1" } } }], { format });
    const body = { data: { type: "people", attributes: { email: "ann@example.com" } } };
    await transport.request({ method: "POST", path: "/people", body });
    expect(log[0]?.headers["content-type"]).toBe("application/vnd.api+json");
    expect(log[0]?.headers["accept"]).toBe("application/vnd.api+json");
    expect(JSON.parse(log[0]?.body ?? "")).toEqual(body);
  });

  it("form bodies with Rack-style nesting, booleans as text, nulls empty, undefined left out", async () => {
    const { transport, log } = await transportFor([{ status: 201, body: { id: 1 } }], { format: { bodyEncoding: "form" } });
    await transport.request({
      method: "POST",
      path: "/users",
      body: {
        email: "a+b@x.com",
        skipInvitation: true,
        managerId: null,
        jobTitle: undefined,
        secondaryTeamIds: [376, 377],
        customFields: [{ name: "Dept", value: "Ops" }],
      },
    });
    expect(log[0]?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect([...new URLSearchParams(log[0]?.body)]).toEqual([
      ["email", "a+b@x.com"],
      ["skipInvitation", "true"],
      ["managerId", ""],
      ["secondaryTeamIds[]", "376"],
      ["secondaryTeamIds[]", "377"],
      ["customFields[][name]", "Dept"],
      ["customFields[][value]", "Ops"],
    ]);
  });

  it("a request may choose JSON on a form transport, and the other way round", async () => {
    const { transport, log } = await transportFor([{ status: 201, body: {} }], { format: { bodyEncoding: "form" } });
    await transport.request({ method: "POST", path: "/teams/5/users", body: { userId: 9 }, encoding: "json" });
    await transport.request({ method: "POST", path: "/users", body: { firstName: "Ann" } });
    expect(log.map((r) => [r.headers["content-type"], r.body])).toEqual([
      ["application/json", '{"userId":9}'],
      ["application/x-www-form-urlencoded", "firstName=Ann"],
    ]);
  });

  it("a form body must be an object of fields", () => {
    expect(() => formEncode(["a"])).toThrow("A form body must be an object of fields");
    expect(formEncode({ user: { name: "A", tags: ["x"] } })).toBe("user%5Bname%5D=A&user%5Btags%5D%5B%5D=x");
  });

  it("repeats a query key per array value, brackets percent-encoded, order kept", async () => {
    const { transport, log } = await transportFor([{ status: 200, body: { users: [] } }]);
    await transport.request({
      method: "GET",
      path: "/users",
      query: { "filters[status][]": ["active", "deactivated"], expanded: true, "filters[email]": undefined, perPage: 100 },
    });
    expect(log[0]?.url).toBe("/v2/users?filters%5Bstatus%5D%5B%5D=active&filters%5Bstatus%5D%5B%5D=deactivated&expanded=true&perPage=100");
    const query = new URL(log[0]?.url ?? "", "http://x").searchParams;
    expect(query.getAll("filters[status][]")).toEqual(["active", "deactivated"]);
  });
});

describe("error bodies that are not the API's JSON", () => {
  const page = (title: string) =>
    `<!DOCTYPE html><html><head><title>${title}</title><meta name="echo" content="np-key-77"></head><body>${"<p>filler</p>".repeat(500)}</body></html>`;

  it("an HTML 404 page is a NotFoundError named by its title, short and without the page or the key", async () => {
    const { transport } = await transportFor([{ status: 404, body: page("The page you were looking for doesn't exist (404)"), headers: { "content-type": "text/html; charset=utf-8" } }], {
      auth: apiKeyHeader("X-Api-Key", "np-key-77"),
    });
    const error = await transport.request({ method: "GET", path: "/learners" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).message).toBe(
      `GET /learners failed with 404: an HTML page ("The page you were looking for doesn't exist (404)"), not an API response`,
    );
    const body = (error as NotFoundError).body as string;
    expect(body.length).toBeLessThanOrEqual(2_001);
    expect(JSON.stringify(error)).not.toContain("np-key-77");
    expect(body).toContain('content="[REDACTED]"');
  });

  it("an HTML page without a title, and one served as JSON, are still told apart from API text", async () => {
    const { transport } = await transportFor([
      { status: 502, body: "<html><body>Bad gateway</body></html>", headers: { "content-type": "text/html" } },
      { status: 500, body: "<!doctype html><html><title>Oops</title></html>" },
    ]);
    const first = await transport.request({ method: "GET", path: "/a" }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ServerError);
    expect((first as ServerError).message).toBe("GET /a failed with 502: an HTML page, not an API response");
    const second = await transport.request({ method: "GET", path: "/b" }).catch((e: unknown) => e);
    expect((second as ServerError).message).toBe('GET /b failed with 500: an HTML page ("Oops"), not an API response');
  });

  it("a JSON:API errors array gives its first detail to the message", async () => {
    const { transport } = await transportFor([
      { status: 422, body: { errors: [{ status: "422", title: "Invalid Attribute", detail: "Uh oh, that name has already been added", source: { pointer: "/data/attributes/name" } }] } },
      { status: 401, body: { errors: [{ status: "401", title: "Unauthorized" }] } },
    ]);
    const invalid = await transport.request({ method: "POST", path: "/groups", body: {} }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).message).toBe("POST /groups failed with 422: Uh oh, that name has already been added");
    const unauthorized = await transport.request({ method: "GET", path: "/people" }).catch((e: unknown) => e);
    expect((unauthorized as ValidationError).message).toBe("GET /people failed with 401: Unauthorized");
  });
});
