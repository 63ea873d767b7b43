/**
 * The Northpass backend's settings, capabilities and configuration messages: keys and environment
 * fallbacks, one error naming every bad key and never a value, what a roster cannot ask of
 * Northpass (refused at preview with the reason), and failures explained by the key to fix.
 */
import { describe, expect, it } from "vitest";
import { ApiError, AuthError } from "../../provider/client/index.js";
import { capabilityFailures } from "../../provider/lms/backend.js";
import { backendFor } from "../../provider/lms/backends.js";
import { northpass } from "../../provider/lms/northpass/backend.js";
import { parseYamlRoster } from "../../provider/roster/roster-file.js";

const config = (values: Record<string, string>) => ({ get: (key: string) => values[key] });

describe("Northpass settings", () => {
  it("is chosen by roster:lms northpass", () => {
    expect(backendFor(config({ "roster:lms": "northpass" }))).toBe(northpass);
  });

  it("reads the key, the public API host by default, and the removal policies", () => {
    const settings = northpass.readSettings(config({ "northpass:apiKey": "k-123" }), {});
    expect(settings).toMatchObject({
      apiKey: "k-123",
      baseUrl: "https://api.northpass.com/v2",
      portal: "https://api.northpass.com/v2",
      portalKey: "northpass:baseUrl",
      userRemoval: "deactivate",
      unconfirmedDeactivation: "fail",
      requestsPerSecond: 10,
      rateLimitShare: 0.8,
    });
  });

  it("falls back to NORTHPASS_API_KEY and NORTHPASS_BASE_URL", () => {
    const settings = northpass.readSettings(config({}), { NORTHPASS_API_KEY: "k-env", NORTHPASS_BASE_URL: "http://127.0.0.1:9/v2/" });
    expect(settings).toMatchObject({ apiKey: "k-env", baseUrl: "http://127.0.0.1:9/v2", portal: "http://127.0.0.1:9/v2" });
  });

  it("names every bad key in one error, and never a value", () => {
    const reading = () =>
      northpass.readSettings(config({ "northpass:baseUrl": "ftp://secret-host", "northpass:unconfirmedDeactivation": "shrug", "northpass:userRemoval": "purge" }), {});
    expect(reading).toThrow(/northpass:apiKey missing: set it with `pulumi config set northpass:apiKey --secret …` or the NORTHPASS_API_KEY environment variable/);
    expect(reading).toThrow(/northpass:baseUrl must be an http\(s\) URL/);
    expect(reading).toThrow(/northpass:unconfirmedDeactivation must be one of fail, removeFromGroups/);
    expect(reading).toThrow(/northpass:userRemoval must be one of deactivate, delete, retain/);
    expect(reading).not.toThrow(/secret-host|shrug|purge/);
  });
});

describe("what a roster cannot ask of Northpass", () => {
  it("refuses an Enrollment, saying to assign the course to a group and declare the membership", () => {
    expect(capabilityFailures(northpass, "Enrollment", undefined, { userEmail: "ada@example.com", courseName: "Onboarding" })).toEqual([
      {
        property: "(inputs)",
        reason:
          "Enrollment: Northpass has no Enrollment: course access comes from groups and no API call enrols one person in one course; " +
          "assign the course to a group in Northpass and declare the person's membership of that group instead",
      },
    ]);
  });

  it("refuses, per row of the roster file, courses, roles other than learner and fields a person has no place for", () => {
    const roster = [
      "people:",
      "  - { employeeId: E1, email: ada@example.com, firstName: Ada, lastName: Lovelace, groups: [Sales], courses: [Onboarding] }",
      "  - { employeeId: E2, email: alan@example.com, firstName: Alan, lastName: Turing, userType: admin }",
      "  - { employeeId: E3, email: linus@example.com, firstName: Linus, lastName: Torvalds, language: fr }",
      "  - { employeeId: E4, email: grace@example.com, firstName: Grace, lastName: Hopper, userType: learner, groups: [Sales] }",
    ].join("\n");
    const parsing = () => parseYamlRoster("roster.yaml", roster, { lms: northpass, warn: () => undefined });
    expect(parsing).toThrow(/roster\.yaml:people\[0\]: courses: Northpass has no Enrollment: course access comes from groups/);
    expect(parsing).toThrow(/roster\.yaml:people\[1\]: userType: must be one of learner/);
    expect(parsing).toThrow(/roster\.yaml:people\[2\]: language: is not supported by Northpass/);
    expect(parsing).not.toThrow(/people\[3\]/);
  });
});

describe("Northpass configuration problems", () => {
  it("names northpass:apiKey for a rejected key, and northpass:baseUrl for an HTML page", () => {
    const rejected = new AuthError("GET /people failed with 401", { method: "GET", path: "/people", status: 401 });
    expect(northpass.configProblem(rejected, "https://api.northpass.com/v2")).toBe("Northpass rejected the API credentials (HTTP 401): check northpass:apiKey");
    const page = new ApiError("GET /people failed with 404", { method: "GET", path: "/people?page=1", status: 404, body: "<!DOCTYPE html><html></html>" });
    expect(northpass.configProblem(page, "https://example.com/v1")).toBe(
      "the portal at https://example.com/v1 answered GET /people with an HTML page, not Northpass's JSON API: check northpass:baseUrl",
    );
  });
});
