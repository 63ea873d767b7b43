/**
 * A wrong `learnupon:portalUrl` fails a provider method with one sentence naming that setting,
 * over real sockets: a URL whose server answers web pages (a company site, a login page) and an
 * https URL pointing at a plain-http port. Neither message carries a credential, and neither
 * failure is retried: both are the URL's fault, not the network's.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as runtime from "../../provider/runtime.js";
import { usePortals } from "./support.js";

const start = usePortals();
const USERNAME = "portal-url-user";
const PASSWORD = "portal-url-Pa55word";
const NEWS = { employeeId: "E1001", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" };

let website: Server | undefined;
const requests: string[] = [];
beforeEach(async () => {
  for (const name of ["LEARNUPON_PORTAL_URL", "LEARNUPON_USERNAME", "LEARNUPON_PASSWORD"]) vi.stubEnv(name, undefined);
  requests.length = 0;
  website = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end("<!DOCTYPE html><html><head><title>Acme Corp</title></head><body>Welcome</body></html>");
  });
  await new Promise<void>((resolve) => website!.listen(0, "127.0.0.1", resolve));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  website?.closeAllConnections();
  await new Promise((resolve) => website?.close(resolve));
});

/** The error a `User` create fails with after `configure` with this portal URL. */
async function createError(portalUrl: string): Promise<Error> {
  await runtime.configure({
    config: { get: (key) => ({ "learnupon:portalUrl": portalUrl, "learnupon:username": USERNAME, "learnupon:password": PASSWORD })[key] },
  });
  const { inputs } = (await runtime.dispatch("User", "check", {}, NEWS)) as { inputs: unknown };
  return (await runtime.dispatch("User", "create", inputs).then(
    () => new Error("create succeeded"),
    (error: unknown) => error,
  )) as Error;
}

function expectNoCredential(error: Error): void {
  const everything = `${error.message}\n${error.stack}\n${JSON.stringify(error)}`;
  for (const secret of [PASSWORD, USERNAME, Buffer.from(`${USERNAME}:${PASSWORD}`).toString("base64")]) {
    expect(everything).not.toContain(secret);
  }
}

describe("a portal URL that is not LearnUpon's API", () => {
  it("a server answering 200 with an HTML page: names the page and learnupon:portalUrl, one request", async () => {
    const url = `http://127.0.0.1:${(website!.address() as AddressInfo).port}`;
    const error = await createError(url);
    expect(error.message).toBe(
      `the portal at ${url}/api/v1 answered GET /users with an HTML page, not LearnUpon's JSON API: check learnupon:portalUrl`,
    );
    expectNoCredential(error);
    expect(requests).toEqual(["GET /api/v1/users?page=1"]);
  });

  it("https to a plain-http port: says so instead of OpenSSL's words, and does not retry", async () => {
    const t = await start();
    const url = t.portal.url.replace("http://", "https://");
    const started = performance.now();
    const error = await createError(url);
    expect(error.message).toBe(
      `TLS handshake with the LearnUpon portal at ${url}/api/v1 failed (is it http, not https?): check learnupon:portalUrl`,
    );
    expect(error.message).not.toMatch(/SSL routines|wrong version number/);
    expectNoCredential(error);
    expect(performance.now() - started).toBeLessThan(1_000); // no backoff: four retries would wait 15 s
  });
});
