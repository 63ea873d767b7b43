/**
 * `npm run demo`: the roster program against the built-in fake LearnUpon portal, step by step.
 *
 * 1. Start the fake portal, seeded with courses, groups and a few people who already exist.
 * 2. `pulumi up` the example roster: existing people are adopted, the rest created.
 * 3. Edit the roster (one person added, one removed, one email changed): `pulumi preview --diff`, then `up`.
 * 4. Show that the removed person is deactivated, not deleted.
 * 5. Change the portal by hand (disable someone, rename someone, remove an enrollment):
 *    `pulumi preview --refresh` reports the drift and `pulumi up --refresh` repairs it.
 * Each step prints the API calls it made, from the fake portal's request log.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startFakePortal, type FakePortal } from "../provider/fake-portal/index.js";
import { createWorkspace, type PulumiWorkspace } from "../test/support/pulumi-cli.js";
import { demoSeed } from "../test/support/demo-seed.js";

const projectRoot = resolve(__dirname, "..", "..");
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

function banner(step: string): void {
  console.log(`\n${bold("━━ " + step)}\n`);
}

function apiCalls(portal: FakePortal): string {
  const entries = portal.log.entries();
  portal.log.clear();
  const counts = new Map<string, number>();
  for (const entry of entries) {
    const route = `${entry.method} ${entry.path.split("?")[0]!.replace(/\/\d+/g, "/{id}")}`;
    counts.set(route, (counts.get(route) ?? 0) + 1);
  }
  const lines = [...counts].map(([route, count]) => `    ${String(count).padStart(4)} × ${route}`);
  return `  LearnUpon API calls: ${entries.length}\n${lines.join("\n")}`;
}

async function pulumi(workspace: PulumiWorkspace, args: string[]): Promise<void> {
  console.log(`$ pulumi ${args.join(" ")}`);
  await workspace.run([...args, "--stack", workspace.stack], { onOutput: (chunk) => process.stdout.write(chunk) });
}

function describeUser(portal: FakePortal, email: string): string {
  const user = [...portal.store.users.values()].find((candidate) => candidate.email?.toLowerCase() === email.toLowerCase());
  if (!user) return `${email}: not in the portal`;
  return `${user.first_name} ${user.last_name} <${user.email}>: LearnUpon id ${user.id}, ${user.enabled ? "enabled" : "DEACTIVATED"}`;
}

async function main(): Promise<void> {
  banner("1. Start the fake LearnUpon portal");
  const portal = await startFakePortal({ seed: demoSeed() });
  const scratch = await mkdtemp(join(tmpdir(), "pulumi-learnupon-demo-"));
  console.log(`  portal: ${portal.url} (courses, groups and 3 people who already exist: two will be adopted)`);
  const workspace = await createWorkspace({ programDir: projectRoot, stack: "demo" });

  try {
    const rosterFile = join(scratch, "roster.yaml");
    await copyFile(join(projectRoot, "examples", "roster.yaml"), rosterFile);
    await workspace.setConfig("learnupon:portalUrl", portal.url);
    await workspace.setConfig("learnupon:username", portal.username);
    await workspace.setConfig("learnupon:password", portal.password, { secret: true });
    await workspace.setConfig("roster:file", rosterFile);
    portal.log.clear();

    banner("2. First `pulumi up` of the example roster (12 people, 3 groups, 4 courses)");
    await pulumi(workspace, ["up", "--yes", "--skip-preview"]);
    console.log(apiCalls(portal));

    banner("3. A roster change in a pull request: one person added, one removed, one email changed");
    const edited = (await readFile(rosterFile, "utf8"))
      .replace(/^ {2}- \{ employeeId: E2003.*\n.*\n/m, "") // Zig Ziglar leaves
      .replace("alan.turing@example.com", "alan.turing@example.org") // Alan's email changes
      .concat(
        "  - { employeeId: E3005, email: joan.clarke@example.com, firstName: Joan, lastName: Clarke,\n" +
          "      groups: [Support], courses: [Security Awareness, Customer Care] }\n",
      );
    await writeFile(rosterFile, edited);
    await pulumi(workspace, ["preview", "--diff"]);
    console.log(apiCalls(portal));
    await pulumi(workspace, ["up", "--yes", "--skip-preview"]);
    console.log(apiCalls(portal));

    banner("4. The person removed from the roster is deactivated, not deleted (training history kept)");
    console.log(`  ${describeUser(portal, "zig.ziglar@example.com")}`);
    console.log(`  ${describeUser(portal, "alan.turing@example.org")} (same LearnUpon id as before the email change)`);

    banner("5. Someone changes the portal by hand");
    const [grace, linus] = ["grace.hopper@example.com", "linus.torvalds@example.com"].map(
      (email) => [...portal.store.users.values()].find((user) => user.email === email)!,
    );
    portal.store.updateUser(grace!.id, { enabled: false });
    portal.store.updateUser(linus!.id, { first_name: "Linux" });
    const removedEnrollment = [...portal.store.enrollments.values()].find((enrollment) => enrollment.user_id === linus!.id)!;
    portal.store.unenroll(removedEnrollment, true);
    console.log("  Grace Hopper disabled, Linus Torvalds renamed to Linux, Linus's Security Awareness enrollment removed");

    banner("6. `pulumi preview --refresh` finds the drift");
    await pulumi(workspace, ["preview", "--refresh", "--diff"]);
    console.log(apiCalls(portal));

    banner("7. `pulumi up --refresh` repairs it");
    await pulumi(workspace, ["up", "--refresh", "--yes", "--skip-preview"]);
    console.log(apiCalls(portal));
    console.log(`  ${describeUser(portal, "grace.hopper@example.com")}`);
    console.log(`  ${describeUser(portal, "linus.torvalds@example.com")}`);

    banner("Done");
    console.log("  The demo's stack lived in a temporary file backend and has been removed.");
  } finally {
    await workspace.dispose();
    await portal.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
