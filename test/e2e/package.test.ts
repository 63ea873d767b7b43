/**
 * The package as a new user gets it: `npm pack` of this repository (its prepack build), installed
 * from the tarball into a project shaped like the one `pulumi new typescript` writes
 * (https://github.com/pulumi/templates, folder `typescript/`), then type-checked, run with the
 * real `pulumi` against the fake portal, and its CLI tried.
 *
 * The GitOps template is set up from the installed package as its README says (the tarball in
 * vendor/), type-checked, and previewed into the pull request summary.
 *
 * npm installs from its cache where it can (`--prefer-offline`), at the versions this repository
 * locks, so the test needs the registry only for what the cache lacks.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakePortal, type FakePortal } from "../../provider/fake-portal/index.js";
import { createWorkspace, runCommand, type PulumiWorkspace } from "../support/pulumi-cli.js";
import { startForwardProxy, type ForwardProxy } from "../support/forward-proxy.js";

const projectRoot = resolve(__dirname, "..", "..");

/** The version this repository installed, so that npm finds it in its cache. */
async function lockedVersion(name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(projectRoot, "node_modules", name, "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

/**
 * `pulumi new typescript`'s tsconfig.json: before March 2026 with module commonjs and
 * moduleResolution node (what most existing projects have), since then with nodenext.
 * Neither sets skipLibCheck or esModuleInterop.
 */
function stockTsconfig(module: "commonjs" | "nodenext") {
  return {
    compilerOptions: {
      strict: true,
      outDir: "bin",
      target: "es2020",
      module,
      moduleResolution: module === "commonjs" ? "node" : "nodenext",
      sourceMap: true,
      experimentalDecorators: true,
      pretty: true,
      noFallthroughCasesInSwitch: true,
      noImplicitReturns: true,
      forceConsistentCasingInFileNames: true,
    },
    files: ["index.ts"],
  };
}

/** A user's program: the roster in code, leaving out what has a default, and one resource on its own. */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { Enrollment, Roster, User, type RosterPersonArgs } from "pulumi-learnupon";

const people: RosterPersonArgs[] = [
  { employeeId: "E1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", groups: ["Engineering"], courses: [{ name: "Security Awareness" }] },
  { employeeId: "E2", email: "alan@example.com", firstName: "Alan", lastName: "Turing" },
];
const roster = new Roster("portal", { people });

const grace = new User("E3", { employeeId: "E3", email: "grace@example.com", firstName: "Grace", lastName: "Hopper", userType: "manager" });
new Enrollment("E3/security", { userId: grace.userId, courseName: "Security Awareness", dueDate: "2027-01-31" });

export const counts = roster.counts;
export const graceId: pulumi.Output<number> = grace.userId;
`;

describe("the packed package in a new `pulumi new typescript` project", () => {
  let scratch: string;
  let project: string;
  let packedFiles: string[];
  let tarballName: string;
  const npm = (args: string[], cwd: string) =>
    runCommand("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, env: {}, check: true });
  const cli = (args: string[], options: { stdin?: string } = {}) => runInstalledCli(project, args, options);

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "pulumi-learnupon-package-"));
    project = join(scratch, "project");
    await mkdir(project);

    const packed = await npm(["pack", "--json", "--pack-destination", scratch], projectRoot);
    const [tarball] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    packedFiles = tarball!.files.map((file) => file.path);
    tarballName = tarball!.filename;

    await writeFile(
      join(project, "package.json"),
      JSON.stringify({ name: "roster-in-code", main: "index.ts", devDependencies: {}, dependencies: {} }, null, 2),
    );
    await writeFile(join(project, "Pulumi.yaml"), "name: roster-in-code\nruntime: nodejs\ndescription: A roster written in code\n");
    await writeFile(join(project, "index.ts"), PROGRAM);
    await npm(
      [
        "install",
        "--prefer-offline",
        join(scratch, tarballName),
        `@pulumi/pulumi@${await lockedVersion("@pulumi/pulumi")}`,
        `typescript@${await lockedVersion("typescript")}`,
        `@types/node@${await lockedVersion("@types/node")}`,
      ],
      project,
    );
  });

  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("packs the build, LICENSE and README, without source maps or stale files", async () => {
    for (const file of ["LICENSE", "README.md", "package.json", "dist/provider/index.js", "dist/provider/index.d.ts", "dist/provider/runtime.js", "dist/provider/cli.js", "dist/provider/fake-portal/index.js"]) {
      expect(packedFiles, file).toContain(file);
    }
    expect(packedFiles.filter((file) => file.endsWith(".map"))).toEqual([]);
    // Every built file has its source: nothing left behind in dist/ by a deleted module.
    const orphans = packedFiles
      .filter((file) => file.startsWith("dist/"))
      .map((file) => file.replace(/^dist\//, "").replace(/\.d\.ts$|\.js$/, ".ts"))
      .filter((source) => !existsSync(join(projectRoot, source)));
    expect(orphans).toEqual([]);
    expect((await readFile(join(projectRoot, "LICENSE"), "utf8")).startsWith("\n                                 Apache License\n")).toBe(true);
    console.log(`npm pack: ${packedFiles.length} files`);
  });

  it("installs one @pulumi/pulumi (the project's) and no msw", () => {
    expect(existsSync(join(project, "node_modules", "@pulumi", "pulumi"))).toBe(true);
    expect(existsSync(join(project, "node_modules", "pulumi-learnupon", "node_modules", "@pulumi", "pulumi"))).toBe(false);
    expect(existsSync(join(project, "node_modules", "msw"))).toBe(false);
  });

  it.each(["commonjs", "nodenext"] as const)("type-checks under the stock tsconfig (module %s), without skipLibCheck", async (module) => {
    await writeFile(join(project, "tsconfig.json"), JSON.stringify(stockTsconfig(module), null, 2));
    const result = await runCommand(join(project, "node_modules", ".bin", "tsc"), ["--noEmit", "--pretty", "false"], { cwd: project, env: {}, check: false });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
  });

  it("has a CLI that lists its commands, and says what fake-portal needs", async () => {
    const help = await cli(["--help"]);
    expect(help.exitCode).toBe(0);
    for (const command of ["summary", "dump", "fake-portal"]) expect(help.stdout).toMatch(new RegExp(`^  ${command} +\\S`, "m"));
    expect((await cli(["--version"])).stdout).toBe(`${JSON.parse(await readFile(join(projectRoot, "package.json"), "utf8")).version}\n`);
    for (const command of ["summary", "dump", "fake-portal"]) {
      const commandHelp = await cli([command, "--help"]);
      expect(commandHelp.exitCode, command).toBe(0);
      expect(commandHelp.stdout, command).toMatch(/^usage: /);
    }
    const withoutMsw = await cli(["fake-portal"]);
    expect(withoutMsw.exitCode).toBe(1);
    expect(withoutMsw.stderr).toContain("npm install --save-dev msw@^3");
    const notAPreview = await cli(["summary"], { stdin: "{}" });
    expect(notAPreview.exitCode).toBe(1);
    expect(notAPreview.stdout).toBe("");
    expect(notAPreview.stderr).toContain("summary reads the output of `pulumi preview --json`");
  });

  describe("pulumi up and destroy", () => {
    let portal: FakePortal;
    let proxy: ForwardProxy;
    let workspace: PulumiWorkspace;
    let credentials: Record<string, string>;

    beforeAll(async () => {
      portal = await startFakePortal({
        seed: { courses: [{ name: "Security Awareness" }], groups: [{ title: "Engineering" }] },
        options: { rateLimit: false },
      });
      proxy = await startForwardProxy();
      credentials = { LEARNUPON_PORTAL_URL: portal.url, LEARNUPON_USERNAME: portal.username, LEARNUPON_PASSWORD: portal.password };
      workspace = await createWorkspace({ programDir: project, stack: "e2e-package" });
    });

    afterAll(async () => {
      await workspace?.dispose();
      await proxy?.close();
      await portal?.close();
    });

    const emails = () => [...portal.store.users.values()].map((user) => `${user.email} ${user.enabled ? "enabled" : "disabled"}`).sort();

    it("creates the people through HTTP_PROXY", async () => {
      const up = await workspace.run(["up", "--yes", "--skip-preview", "--stack", workspace.stack], { env: { ...credentials, HTTP_PROXY: proxy.url } });
      expect(emails()).toEqual(["ada@example.com enabled", "alan@example.com enabled", "grace@example.com enabled"]);
      expect(portal.store.enrollments.size).toBe(2);
      const portalHost = new URL(portal.url).host;
      expect(proxy.log.length).toBeGreaterThan(0);
      expect(proxy.log.filter((entry) => !entry.includes(portalHost))).toEqual([]);
      console.log(`pulumi up: ${up.durationMs} ms, ${portal.log.entries({}).length} portal requests, ${proxy.log.length} through the proxy`);
    });

    it("deactivates them on destroy, straight to the portal when NO_PROXY names it", async () => {
      const throughProxyBefore = proxy.log.length;
      const destroy = await workspace.run(["destroy", "--yes", "--skip-preview", "--stack", workspace.stack], {
        env: { ...credentials, HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" },
      });
      expect(emails()).toEqual(["ada@example.com disabled", "alan@example.com disabled", "grace@example.com disabled"]);
      expect(proxy.log.length).toBe(throughProxyBefore);
      console.log(`pulumi destroy: ${destroy.durationMs} ms`);
    });
  });

  describe("the GitOps template, as its README sets it up", () => {
    let portal: FakePortal;
    let template: string;
    let workspace: PulumiWorkspace;
    let credentials: Record<string, string>;
    const writeRoster = (people: object[]) => writeFile(join(template, "roster.yaml"), stringify({ people }));
    const preview = () =>
      workspace.run(["preview", "--stack", workspace.stack, "--refresh", "--json"], { env: credentials, check: false });
    const summary = (previewJson: string) => runInstalledCli(template, ["summary"], { stdin: previewJson });

    beforeAll(async () => {
      // Step 1: the template from the installed package, the tarball in vendor/, npm install.
      template = join(scratch, "gitops");
      await cp(join(project, "node_modules", "pulumi-learnupon", "examples", "gitops"), template, { recursive: true });
      await mkdir(join(template, "vendor"));
      await cp(join(scratch, tarballName), join(template, "vendor", tarballName));
      await npm(["install", "--prefer-offline"], template);

      portal = await startFakePortal({ seed: { groups: [{ title: "Engineering" }] }, options: { rateLimit: false } });
      // Step 2: the portal URL in the stack config; the API key from the environment, as the workflow passes it.
      workspace = await createWorkspace({ programDir: template, stack: "e2e-gitops-template" });
      await workspace.setConfig("learnupon:portalUrl", portal.url);
      credentials = { LEARNUPON_USERNAME: portal.username, LEARNUPON_PASSWORD: portal.password };
    });

    afterAll(async () => {
      await workspace?.dispose();
      await portal?.close();
    });

    it("type-checks with its own tsconfig", async () => {
      const result = await runCommand(join(template, "node_modules", ".bin", "tsc"), ["--noEmit", "--pretty", "false"], { cwd: template, env: {}, check: false });
      expect(result.stdout + result.stderr).toBe("");
      expect(result.exitCode).toBe(0);
    });

    it("previews a roster into the pull request summary", async () => {
      await writeRoster([
        { employeeId: "E1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", groups: ["Engineering"] },
        { employeeId: "E2", email: "alan@example.com", firstName: "Alan", lastName: "Turing" },
      ]);
      const result = await preview();
      expect(result.exitCode).toBe(0);
      const markdown = await summary(result.stdout);
      expect(markdown.exitCode).toBe(0);
      expect(markdown.stdout).toContain("People added");
      expect(markdown.stdout).toContain("ada@example.com");
      expect(markdown.stdout).toContain("alan@example.com");
      expect(portal.store.users.size).toBe(0);
    });

    it("reports a bad roster from the top level, and the summary of the failed preview says why", async () => {
      await writeRoster([{ employeeId: "E1", email: "ada.example.com", firstName: "Ada", lastName: "Lovelace" }]);
      const result = await preview();
      expect(result.exitCode).not.toBe(0);
      const markdown = await summary(result.stdout);
      expect(markdown.exitCode).toBe(0);
      expect(markdown.stdout).toMatch(/roster\.yaml:.*email: is not a valid email address/);
      console.log(`bad roster reported by pulumi preview in ${result.durationMs} ms`);
    });
  });

  it("serves the fake portal from the installed package once msw is installed", async () => {
    await npm(["install", "--prefer-offline", "--save-dev", `msw@${await lockedVersion("msw")}`], project);
    const server = spawn(join(project, "node_modules", ".bin", "pulumi-learnupon"), ["fake-portal", "--rate-limit", "off"], {
      cwd: project,
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const started = JSON.parse(await firstLine(server)) as { apiUrl: string; username: string; password: string };
      const response = await fetch(`${started.apiUrl}/users`, {
        headers: { authorization: `Basic ${Buffer.from(`${started.username}:${started.password}`).toString("base64")}` },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ user: [] });
    } finally {
      server.kill("SIGTERM");
    }
  });
  it("type-checks a test that imports pulumi-learnupon/fake-portal under the current stock tsconfig (nodenext)", async () => {
    // Under the older commonjs/node tsconfig, zod's and msw's own declarations need skipLibCheck.
    await writeFile(
      join(project, "fake-portal.test.ts"),
      'import { startFakePortal } from "pulumi-learnupon/fake-portal";\n\nexport async function sandbox(): Promise<string> {\n  const portal = await startFakePortal({ options: { rateLimit: false } });\n  await portal.close();\n  return portal.url;\n}\n',
    );
    await writeFile(join(project, "tsconfig.json"), JSON.stringify({ ...stockTsconfig("nodenext"), files: ["fake-portal.test.ts"] }, null, 2));
    const result = await runCommand(join(project, "node_modules", ".bin", "tsc"), ["--noEmit", "--pretty", "false"], { cwd: project, env: {}, check: false });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
  });
});

function runInstalledCli(project: string, args: string[], options: { stdin?: string }) {
  const cli = join(project, "node_modules", ".bin", "pulumi-learnupon");
  return runCommand(cli, args, { cwd: project, env: {}, check: false, stdin: options.stdin ?? "" });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      lines.close();
      resolvePromise(line);
    });
    child.once("exit", (code) => reject(new Error(`fake-portal exited with ${code} before printing its address`)));
  });
}
