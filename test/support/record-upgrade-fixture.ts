/**
 * Records the fixture of test/e2e/upgrade.test.ts: a stack that version 0.1 of this package wrote.
 *
 * It starts the fake portal with a fixed seed and fixed credentials, runs `pulumi up` of the root
 * roster program (index.ts) on a file backend with the roster below, and writes to
 * test/e2e/fixtures/upgrade-from-0.1/:
 * - `state.json`: `pulumi stack export` of that stack (the checkpoint the upgrade starts from);
 * - `portal.json`: the fake portal's records afterwards as seed data, ids kept, so the test can
 *   start a portal holding exactly the users, memberships and enrollments the state points at;
 * - `roster.yaml`: the roster file the stack was applied from.
 *
 * It must run from the OLD code, so the state is what 0.1 wrote. To regenerate, from this checkout:
 *
 *     out=$PWD/test/e2e/fixtures/upgrade-from-0.1
 *     git worktree add --detach ../learnupon-0.1 d7bd8c1
 *     cp test/support/record-upgrade-fixture.ts ../learnupon-0.1/test/support/
 *     cd ../learnupon-0.1 && bash scripts/run.sh --pulumi bash -c \
 *       "npx tsc -p tsconfig.build.json && node dist/test/support/record-upgrade-fixture.js $out"
 *     cd - && git worktree remove --force ../learnupon-0.1
 *
 * The engine creates people in parallel, so each recording gives them other ids: a new recording
 * differs from the last in more than timestamps, and agrees with itself.
 *
 * Two values in the export belong to this one run: the default provider's inputs copy the stack
 * config, so they hold the portal's URL (a random port) and the roster file's path (a temporary
 * folder). `state.json` has the placeholders `{{portalUrl}}` and `{{rosterFile}}` in their place,
 * and the test writes its own portal's URL and roster path there before `pulumi stack import`, so
 * state and config agree as they did for the stack that wrote it, with no fixed port that another
 * test run could hold. (Version 0.1's resources do not record their portal, so nothing else holds
 * the URL.) Source positions are relative to the project (`project:///…`); the script fails if the
 * export ever holds a path of this machine.
 * @module
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startFakePortal, type FakePortal, type SeedData } from "../../provider/fake-portal/index.js";
import { createWorkspace } from "./pulumi-cli.js";

export const FIXTURE_CREDENTIALS = { username: "fixture-user", password: "fixture-password-123" } as const;
export const FIXTURE_STACK = "upgrade-fixture";
/** Stand-ins in `state.json` for the run's portal URL and roster path (see the module comment). */
export const PORTAL_URL_PLACEHOLDER = "{{portalUrl}}";
export const ROSTER_FILE_PLACEHOLDER = "{{rosterFile}}";

/** The portal before the first `up`: the groups and courses the roster names, and one person to adopt. */
const SEED: SeedData = {
  customFields: [{ id: 701, label: "Department" }],
  courses: [
    { id: 201, name: "Security Awareness" },
    { id: 202, name: "Code of Conduct" },
    { id: 203, name: "Git Fundamentals" },
  ],
  groups: [
    { id: 301, title: "Engineering" },
    { id: 302, title: "Sales" },
  ],
  groupCourses: [{ id: 401, group_id: 301, course_id: 203 }], // Engineering enrols its members in Git Fundamentals
  // Already in the portal with another letter case: adopted by email.
  users: [{ id: 101, email: "Alan.Turing@Example.com", first_name: "Alan", last_name: "Turing" }],
};

/** Five people: a manager, group members, due and expiry dates, custom data, a language, one deactivated. */
const ROSTER = `# The roster the upgrade fixture's stack was applied from (test/support/record-upgrade-fixture.ts).
people:
  - { employeeId: E1, email: ada.lovelace@example.com, firstName: Ada, lastName: Lovelace, userType: manager,
      groups: [Engineering], courses: [Security Awareness, { name: Git Fundamentals, dueDate: 2027-03-31 }] }
  - { employeeId: E2, email: alan.turing@example.com, firstName: Alan, lastName: Turing,
      groups: [Engineering, Sales], courses: [{ name: Code of Conduct, dueDate: 2027-01-31 }] }
  - { employeeId: E3, email: grace.hopper@example.com, firstName: Grace, lastName: Hopper, language: fr,
      customData: { Department: Sales }, groups: [Sales], courses: [Security Awareness, Code of Conduct] }
  - { employeeId: E4, email: linus.torvalds@example.com, firstName: Linus, lastName: Torvalds,
      courses: [{ name: Security Awareness, dueDate: 2027-06-30, expiresAt: 2027-12-31 }] }
  - { employeeId: E5, email: joan.clarke@example.com, firstName: Joan, lastName: Clarke, enabled: false,
      groups: [Sales] }
`;

const projectRoot = resolve(__dirname, "..", "..");

async function main(outputDir: string): Promise<void> {
  const portal = await startFakePortal({ ...FIXTURE_CREDENTIALS, seed: SEED, options: { rateLimit: false } });
  const scratch = await mkdtemp(join(tmpdir(), "pulumi-learnupon-fixture-"));
  const workspace = await createWorkspace({ programDir: projectRoot, stack: FIXTURE_STACK });
  try {
    await writeFile(join(scratch, "roster.yaml"), ROSTER);
    await workspace.setConfig("learnupon:portalUrl", portal.url);
    await workspace.setConfig("learnupon:username", portal.username);
    await workspace.setConfig("learnupon:password", portal.password, { secret: true });
    await workspace.setConfig("learnupon:requestsPerMinute", "100000");
    await workspace.setConfig("roster:file", join(scratch, "roster.yaml"));
    const stack = ["--stack", FIXTURE_STACK];
    await workspace.run(["up", "--yes", "--skip-preview", ...stack]);
    await workspace.run(["preview", "--expect-no-changes", ...stack]); // the old code agrees with itself

    const exported = (await workspace.run(["stack", "export", ...stack])).stdout;
    const state = exported.replaceAll(portal.url, PORTAL_URL_PLACEHOLDER).replaceAll(join(scratch, "roster.yaml"), ROSTER_FILE_PLACEHOLDER);
    assertNoMachinePaths("state.json", state, [projectRoot, scratch, workspace.stateDir, tmpdir(), portal.url]);
    await mkdir(outputDir, { recursive: true });
    await writeFile(join(outputDir, "state.json"), state);
    await writeFile(join(outputDir, "portal.json"), `${JSON.stringify(seedOf(portal), null, 2)}\n`);
    await writeFile(join(outputDir, "roster.yaml"), ROSTER);
    console.log(`wrote state.json, portal.json and roster.yaml to ${outputDir}`);
  } finally {
    await workspace.dispose();
    await rm(scratch, { recursive: true, force: true });
    await portal.close();
  }
}

/** The portal's records as seed data with their ids; refuses fields the seed schema cannot carry. */
function seedOf(portal: FakePortal): SeedData {
  const store = portal.store;
  // Structural, so the script compiles both here and in the old code it is run with (a Map there).
  const list = <T extends { id: number }>(records: { values(): Iterable<T> }) => [...records.values()].sort((a, b) => a.id - b.id);
  for (const user of list(store.users)) {
    if (Object.keys(user.extras).length > 0 || user.account_expires !== null || user.timezone_id !== null) {
      throw new Error(`user ${user.id} has fields portal.json cannot seed; extend the seed schema first`);
    }
  }
  if (store.groupInvites.size > 0) throw new Error("group invites cannot be seeded");
  return {
    customFields: list(store.customFields).map(({ id, label, type_id, predefined_values }) => ({ id, label, type_id, predefined_values })),
    courses: list(store.courses).map(({ id, name, published_status_id, number_of_modules, reference_code, seeded_num_enrolled }) => ({
      id,
      name,
      published_status_id,
      number_of_modules,
      reference_code,
      num_enrolled: seeded_num_enrolled,
    })),
    groups: list(store.groups).map(({ id, title, description }) => ({ id, title, description })),
    groupCourses: list(store.groupCourses).map(({ id, group_id, course_id }) => ({ id, group_id, course_id })),
    users: list(store.users).map((user) => ({
      id: user.id,
      email: user.email,
      username: user.username,
      first_name: user.first_name,
      last_name: user.last_name,
      locale: user.locale,
      user_type: user.user_type,
      enabled: user.enabled,
      sign_in_count: user.sign_in_count,
      CustomData: user.customData,
    })),
    memberships: list(store.memberships).map(({ id, group_id, user_id }) => ({ id, group_id, user_id })),
    enrollments: list(store.enrollments).map(({ id, user_id, course_id, group_id, status, percentage, due_date, expires_at }) => ({
      id,
      user_id,
      course_id,
      group_id,
      status,
      percentage,
      due_date,
      expires_at,
    })),
  };
}

function assertNoMachinePaths(file: string, text: string, forbidden: string[]): void {
  const homeAndScratchFolders = ["tmp", "home", "work", "Users"].map((folder) => `/${folder}/`);
  for (const needle of [...forbidden, ...homeAndScratchFolders]) {
    if (text.includes(needle)) throw new Error(`${file} would hold the machine-specific "${needle}"; sanitize it before committing`);
  }
}

if (require.main === module) {
  const outputDir = process.argv[2];
  if (outputDir === undefined) {
    console.error("usage: node dist/test/support/record-upgrade-fixture.js <output folder>");
    process.exit(2);
  }
  main(resolve(outputDir)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
