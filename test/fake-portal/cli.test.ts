/**
 * `fake-portal` CLI: one line of JSON once listening, flags applied, a seed file loaded, and a clean
 * stop. Runs in-process with the stop signal and output replaced, so no child process is needed.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runFakePortalCli } from "../../provider/fake-portal/index.js";
import { basicAuth } from "./support.js";

interface Printed {
  url: string;
  apiUrl: string;
  username: string;
  password: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts the CLI; resolves with the printed line once it is listening. Stopped after the test. */
async function runCli(argv: string[]): Promise<{ lines: string[]; printed: Printed }> {
  const lines: string[] = [];
  const controller = new AbortController();
  let announce: (line: string) => void = () => {};
  const listening = new Promise<string>((resolve) => (announce = resolve));
  const running = runFakePortalCli(argv, {
    writeLine: (line) => {
      lines.push(line);
      announce(line);
    },
    stop: controller.signal,
  });
  cleanups.push(async () => {
    controller.abort();
    await running;
  });
  const line = await Promise.race([listening, running.then(() => "")]);
  return { lines, printed: JSON.parse(line) as Printed };
}

describe("fake-portal CLI", () => {
  it("prints one JSON line with where and how to connect, and serves the API", async () => {
    const { lines, printed } = await runCli(["--port", "0", "--username", "ci", "--password", "ci-secret"]);

    expect(lines).toHaveLength(1);
    expect(Object.keys(printed)).toEqual(["url", "apiUrl", "username", "password"]);
    expect(printed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect([printed.apiUrl, printed.username, printed.password]).toEqual([`${printed.url}/api/v1`, "ci", "ci-secret"]);
    const answer = await fetch(`${printed.apiUrl}/users`, { headers: { authorization: basicAuth("ci", "ci-secret") } });
    expect([answer.status, await answer.json()]).toEqual([200, { customDataFieldDefintions: [], user: [] }]);
  });

  it("applies --seed, --page-size and --rate-limit off", async () => {
    const folder = await mkdtemp(join(tmpdir(), "fake-portal-cli-"));
    cleanups.push(() => rm(folder, { recursive: true, force: true }));
    const seedFile = join(folder, "seed.json");
    await writeFile(seedFile, JSON.stringify({ users: [{ email: "a@x.com" }, { email: "b@x.com" }, { email: "c@x.com" }] }));

    const { printed } = await runCli(["--seed", seedFile, "--page-size", "2", "--rate-limit", "off"]);
    const answer = await fetch(`${printed.apiUrl}/users`, { headers: { authorization: basicAuth(printed.username, printed.password) } });
    const body = (await answer.json()) as { user: { email: string }[] };

    expect(body.user.map((user) => user.email)).toEqual(["a@x.com", "b@x.com"]);
    expect([answer.headers.get("lu-has-next-page"), answer.headers.get("x-lu-rate-limit-remaining-minute")]).toEqual(["true", null]);
  });

  it("stops serving when stopped", async () => {
    const controller = new AbortController();
    let printedLine = "";
    const running = runFakePortalCli([], { writeLine: (line) => (printedLine = line), stop: controller.signal });
    for (let attempt = 0; attempt < 100 && printedLine === ""; attempt++) await new Promise((resolve) => setTimeout(resolve, 10));
    const { url } = JSON.parse(printedLine) as Printed;

    controller.abort();
    await running;

    await expect(fetch(`${url}/api/v1/users`)).rejects.toThrow(TypeError);
  });

  it("rejects invalid flags with a message naming the flag", async () => {
    await expect(runFakePortalCli(["--rate-limit", "lots"])).rejects.toThrow(
      'fake-portal: --rate-limit must be an integer of at least 1, got "lots"',
    );
    await expect(runFakePortalCli(["--port", "70000"])).rejects.toThrow(
      'fake-portal: --port must be an integer from 0 to 65535, got "70000"',
    );
    await expect(runFakePortalCli(["--seed", "/nonexistent/seed.json"])).rejects.toThrow(
      "fake-portal: invalid seed file /nonexistent/seed.json",
    );
    await expect(runFakePortalCli(["--verbose"])).rejects.toThrow("--verbose");
  });
});
