/**
 * `npm run demo [-- --lms learnamp]`: the roster program against a built-in fake portal, step by step.
 *
 *   npm run demo -- [--lms learnupon|…]   (the backends: test/support/backends.ts)
 *
 * 1. Start the fake portal, seeded with courses, groups and a few people who already exist.
 * 2. `pulumi up` the example roster: existing people are adopted, the rest created.
 * 3. Edit the roster (one person added, one removed, one email changed): `pulumi preview --diff`, then `up`.
 * 4. Show that the removed person is deactivated, not deleted.
 * 5. Change the portal by hand (disable someone, rename someone, remove an enrollment):
 *    `pulumi preview --refresh` reports the drift and `pulumi up --refresh` repairs it.
 * Each step prints the API calls it made, from the fake portal's request log. For an LMS without
 * some of what the example roster declares (enrollments, roles, languages), the roster is first cut
 * down to what that LMS has, and the demo says what it left out.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { backendNamed } from "../provider/lms/backends.js";
import type { LmsBackend } from "../provider/lms/backend.js";
import { parseYamlRoster, type RosterPerson } from "../provider/roster/roster-file.js";
import { BACKENDS, type BackendUnderTest, type PortalUnderTest } from "../test/support/backends.js";
import { COURSES, GROUPS } from "../test/support/demo-seed.js";
import { createWorkspace, type PulumiWorkspace } from "../test/support/pulumi-cli.js";

const projectRoot = resolve(__dirname, "..", "..");
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

function banner(step: string): void {
  console.log(`\n${bold("━━ " + step)}\n`);
}

function apiCalls(portal: PortalUnderTest, title: string): string {
  const entries = portal.log.entries();
  portal.clearLog();
  const counts = new Map<string, number>();
  for (const entry of entries) {
    // Numeric ids and UUIDs alike become {id}, so a route is counted once.
    const route = `${entry.method} ${entry.path.split("?")[0]!.replace(/\/(\d+|[0-9a-f]{8}-[0-9a-f-]{27})(?=\/|$)/gi, "/{id}")}`;
    counts.set(route, (counts.get(route) ?? 0) + 1);
  }
  const lines = [...counts].map(([route, count]) => `    ${String(count).padStart(4)} × ${route}`);
  return `  ${title} API calls: ${entries.length}\n${lines.join("\n")}`;
}

async function pulumi(workspace: PulumiWorkspace, args: string[]): Promise<void> {
  console.log(`$ pulumi ${args.join(" ")}`);
  await workspace.run([...args, "--stack", workspace.stack], { onOutput: (chunk) => process.stdout.write(chunk) });
}

function describeUser(portal: PortalUnderTest, title: string, email: string): string {
  const user = portal.person(email);
  if (!user) return `${email}: not in the portal`;
  return `${user.firstName} ${user.lastName} <${user.email}>: ${title} id ${user.id}, ${user.enabled ? "enabled" : "DEACTIVATED"}`;
}

/** The example roster, cut down to what the LMS has; says what it left out. */
function rosterFor(lms: LmsBackend, people: RosterPerson[]): { people: RosterPerson[]; leftOut: string[] } {
  const { resources, userTypes, unsupportedFields } = lms.capabilities;
  const leftOut = new Set<string>();
  const fitted = people.map((person) => {
    const copy: RosterPerson = { ...person };
    if (resources.Enrollment !== true && copy.courses.length > 0) {
      copy.courses = [];
      leftOut.add("courses");
    }
    if (copy.userType !== undefined && !userTypes.includes(copy.userType)) {
      delete copy.userType;
      leftOut.add("userType");
    }
    for (const field of Object.keys(unsupportedFields.User ?? {})) {
      if (field in copy) {
        delete (copy as unknown as Record<string, unknown>)[field];
        leftOut.add(field);
      }
    }
    // A course's dates become the Enrollment's: the same names, refused the same way.
    const courseFields = Object.keys(unsupportedFields.Enrollment ?? {});
    copy.courses = copy.courses.map((course) => {
      const fitted: Record<string, unknown> = { ...course };
      for (const field of courseFields.filter((name) => name in fitted)) {
        delete fitted[field];
        leftOut.add(`courses.${field}`);
      }
      return fitted as unknown as typeof course;
    });
    return copy;
  });
  return { people: fitted, leftOut: [...leftOut] };
}

/** People as a roster file writes them: enabled unless it says otherwise, no empty lists. */
function asYaml(people: RosterPerson[]): string {
  const written = people.map(({ enabled, ...person }) => ({
    ...Object.fromEntries(Object.entries(person).filter(([, value]) => !(Array.isArray(value) && value.length === 0))),
    ...(enabled ? {} : { enabled }),
  }));
  return stringify({ people: written });
}

function chosenBackend(): BackendUnderTest {
  const { values } = parseArgs({ options: { lms: { type: "string", default: "learnupon" } } });
  const backend = BACKENDS.find((candidate) => candidate.name === values.lms);
  if (!backend) throw new Error(`--lms must be one of ${BACKENDS.map((candidate) => candidate.name).join(", ")}, not "${values.lms}"`);
  return backend;
}

async function main(): Promise<void> {
  const backend = chosenBackend();
  const lms = backendNamed(backend.name);
  const { title } = backend;
  banner(`1. Start the fake ${title} portal`);
  const portal = await backend.start({
    seed: {
      groups: [...GROUPS],
      courses: [...COURSES],
      people: [
        // In the roster with another letter case: adopted, not duplicated.
        { email: "Alan.Turing@Example.com", firstName: "Alan", lastName: "Turing" },
        // Left last year and was deactivated; the roster brings them back: re-enabled with their history.
        { email: "shep.hyken@example.com", firstName: "Shep", lastName: "Hyken", enabled: false },
        // The portal's admin: not in the roster, never touched.
        { email: "api@example.com", firstName: "API", lastName: "User", userType: lms.capabilities.protectedUserTypes[0] ?? lms.capabilities.defaultUserType },
      ],
    },
  });
  const scratch = await mkdtemp(join(tmpdir(), "pulumi-learnupon-demo-"));
  console.log(`  portal: ${portal.url} (groups, courses and 3 people who already exist: two will be adopted)`);
  const workspace = await createWorkspace({ programDir: projectRoot, stack: `demo-${backend.name}` });

  try {
    const rosterFile = join(scratch, "roster.yaml");
    const example = join(projectRoot, "examples", "roster.yaml");
    const { people, leftOut } = rosterFor(lms, parseYamlRoster(example, await readFile(example, "utf8"), { warn: () => undefined }));
    await writeFile(rosterFile, asYaml(people));
    if (leftOut.length > 0) console.log(`  ${title} has no place for the example roster's ${leftOut.join(", ")}: left out`);
    await workspace.setConfig("roster:lms", backend.name);
    for (const [key, value] of Object.entries(portal.config)) await workspace.setConfig(key, value);
    for (const [key, value] of Object.entries(portal.secrets)) await workspace.setConfig(key, value, { secret: true });
    await workspace.setConfig("roster:file", rosterFile);
    portal.clearLog();

    banner(`2. First \`pulumi up\` of the example roster (${people.length} people, ${GROUPS.length} groups${backend.enrollments ? `, ${COURSES.length} courses` : ""})`);
    await pulumi(workspace, ["up", "--yes", "--skip-preview"]);
    console.log(apiCalls(portal, title));

    banner("3. A roster change in a pull request: one person added, one removed, one email changed");
    const joan: RosterPerson = {
      employeeId: "E3005", email: "joan.clarke@example.com", firstName: "Joan", lastName: "Clarke", enabled: true,
      groups: ["Support"], courses: backend.enrollments ? [{ name: "Security Awareness" }, { name: "Customer Care" }] : [],
    };
    const edited = [
      ...people
        .filter((person) => person.employeeId !== "E2003") // Zig Ziglar leaves
        .map((person) => (person.employeeId === "E1002" ? { ...person, email: "alan.turing@example.org" } : person)), // Alan's email changes
      joan,
    ];
    await writeFile(rosterFile, asYaml(edited));
    await pulumi(workspace, ["preview", "--diff"]);
    console.log(apiCalls(portal, title));
    await pulumi(workspace, ["up", "--yes", "--skip-preview"]);
    console.log(apiCalls(portal, title));

    banner("4. The person removed from the roster is deactivated, not deleted (training history kept)");
    console.log(`  ${describeUser(portal, title, "zig.ziglar@example.com")}`);
    console.log(`  ${describeUser(portal, title, "alan.turing@example.org")} (same ${title} id as before the email change)`);

    banner("5. Someone changes the portal by hand");
    portal.byHand.deactivate("grace.hopper@example.com");
    portal.byHand.rename("linus.torvalds@example.com", "Linux");
    if (backend.enrollments) portal.byHand.removeEnrollment("linus.torvalds@example.com", "Security Awareness");
    else portal.byHand.removeMembership("linus.torvalds@example.com", "Engineering");
    console.log(
      `  Grace Hopper disabled, Linus Torvalds renamed to Linux, Linus's ${backend.enrollments ? "Security Awareness enrollment" : "Engineering membership"} removed`,
    );

    banner("6. `pulumi preview --refresh` finds the drift");
    await pulumi(workspace, ["preview", "--refresh", "--diff"]);
    console.log(apiCalls(portal, title));

    banner("7. `pulumi up --refresh` repairs it");
    await pulumi(workspace, ["up", "--refresh", "--yes", "--skip-preview"]);
    console.log(apiCalls(portal, title));
    console.log(`  ${describeUser(portal, title, "grace.hopper@example.com")}`);
    console.log(`  ${describeUser(portal, title, "linus.torvalds@example.com")}`);

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
