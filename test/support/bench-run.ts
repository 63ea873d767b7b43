/**
 * One bench run at one roster size: the real `pulumi` CLI and engine, a file backend, and a
 * backend's fake portal (LearnUpon's by default) over HTTP with a latency per request and a rate
 * limit, as a team would meet them.
 *
 * The portal holds one group and two courses (without group courses, so every enrollment is
 * explicit). The roster gives each of N people the group and both courses: 4 × N resources (2 × N
 * on an LMS without enrollments, whose people get the group alone). Then,
 * in order, each step measured on its own (API calls, wall time, peak memory):
 *
 * 1. first `up`, from an empty portal;
 * 2. no-op `preview`, which must not touch the API;
 * 3. no-op `preview --refresh`, which reads everything back;
 * 4. 1% of the people changed by hand in the portal (renamed or disabled), then `refresh`;
 * 5. 1% of the people changed in the roster file (new email or last name), then `up`, which also
 *    repairs the hand edits the refresh recorded.
 *
 * Then the state's size, and optionally the engine baseline: as many trivial dynamic resources
 * (no network, state only) for a first `up` and a no-op `preview`.
 * @module
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { RosterPerson } from "../../provider/roster/roster-file.js";
import { BACKENDS, type BackendUnderTest, type PortalUnderTest } from "./backends.js";
import {
  readCheckpoint,
  resourcesWithChangedInputs,
  sampleMemory,
  stateSize,
  summarizeCalls,
  type ApiCalls,
  type PeakMemory,
  type StateSize,
} from "./bench-measure.js";
import { createWorkspace, type PulumiWorkspace } from "./pulumi-cli.js";

export interface BenchSettings {
  /** The repository root: the roster program lives there and the baseline under test/e2e/programs. */
  projectRoot: string;
  /** The backend (`roster:lms`) whose fake portal the run measures. @default "learnupon" */
  lms?: string | undefined;
  /** Delay the fake portal adds to every request. */
  latencyMs: number;
  /** Requests a minute the fake portal allows; the provider is told the same (`learnupon:requestsPerMinute`, …). */
  rateLimitPerMinute: number;
  /** `learnupon:rateLimitShare`, …: the share of that limit the provider may use. */
  share: number;
  /** `--parallel` for every pulumi command; the CLI's default (4 × cores) when unset. */
  parallel?: number | undefined;
  /** Set PULUMI_SKIP_CHECKPOINTS: the file backend writes the state once at the end, not twice per step. */
  skipCheckpoints?: boolean | undefined;
  /** Set PULUMI_DIY_BACKEND_GZIP: the file backend stores the state gzipped. */
  gzipState?: boolean | undefined;
  /** Also time the trivial-resource baseline. @default true */
  baseline?: boolean | undefined;
  /** Progress lines, so a long run shows where it is. */
  log?: ((line: string) => void) | undefined;
}

export const OPERATIONS = {
  firstUp: "first up",
  noopPreview: "no-op preview",
  noopPreviewRefresh: "no-op preview --refresh",
  refreshAfterHandEdits: "refresh after 1% hand edits",
  upAfterRosterEdits: "up after 1% roster edits",
} as const;
export type OperationName = keyof typeof OPERATIONS;

export interface OperationResult {
  /** The pulumi command line, without the options every command gets. */
  command: string;
  wallMs: number;
  exitCode: number;
  calls: ApiCalls;
  /** The list-page minimum for the portal as it was when the command started. */
  listPageMinimum: number;
  peakMemoryMiB: PeakMemory;
  /** `error:` diagnostics pulumi printed: failed resource operations and the like. */
  errors: number;
  /** 429s or rate-limit messages that reached pulumi's output, i.e. that the client did not absorb. */
  surfacedRateLimits: number;
  /** The end of pulumi's output when the command failed, to see why without rerunning. */
  failureOutput?: string;
}

export interface BaselineResult {
  resources: number;
  firstUp: { wallMs: number; peakMemoryMiB: PeakMemory };
  noopPreview: { wallMs: number; peakMemoryMiB: PeakMemory };
  state: StateSize;
}

export interface BenchResult {
  people: number;
  /** The backend measured. */
  lms: string;
  resources: { users: number; enrollments: number; memberships: number; total: number };
  settings: Omit<BenchSettings, "projectRoot" | "log">;
  /** How many people were edited by hand, and in the roster. */
  edits: { byHand: number; inRoster: number };
  operations: Record<OperationName, OperationResult>;
  state: StateSize;
  /** Resources whose stored inputs the refresh after hand edits changed: the hand-edited users alone, ideally. */
  inputsChangedByRefresh: number;
  /** After the last `up`, every person in the portal as the roster declares them. */
  converged: boolean;
  baseline?: BaselineResult;
}

const GROUP = "Bench Group";
const COURSES = ["Bench Course A", "Bench Course B"] as const;

/** Person `index` of the bench roster. Every field derives from the index, so `person00042` in a log names its roster entry. */
export function benchPerson(index: number, enrollments = true): RosterPerson {
  const id = String(index).padStart(5, "0");
  return {
    employeeId: `B${id}`,
    email: `person${id}@bench.example.com`,
    firstName: `Given${id}`,
    lastName: `Family${id}`,
    userType: "learner",
    enabled: true,
    groups: [GROUP],
    courses: enrollments ? COURSES.map((name) => ({ name })) : [],
  };
}

/** 1% of `people`, at least 2 so that both kinds of edit happen, spread over the roster. */
function editedIndexes(people: number, offset: number): number[] {
  const count = Math.max(2, Math.round(people / 100));
  const step = Math.floor(people / count);
  return Array.from({ length: count }, (_, position) => position * step + Math.floor(step * offset));
}

/** Runs the steps above for `people` people against a fresh portal and stack, and removes both afterwards. */
export async function runBench(people: number, settings: BenchSettings): Promise<BenchResult> {
  if (people < 10) throw new RangeError(`the bench needs at least 10 people, got ${people}`);
  const log = settings.log ?? (() => undefined);
  const backend = benchBackend(settings.lms);
  const portal = await backend.start({
    seed: { groups: [GROUP], courses: [...COURSES], people: [] },
    rateLimit: { perMinute: settings.rateLimitPerMinute, share: settings.share },
    latencyMs: settings.latencyMs,
  });
  const scratch = await mkdtemp(join(tmpdir(), "pulumi-learnupon-bench-"));
  const rosterFile = join(scratch, "roster.yaml");
  const environment = backendEnvironment(settings);
  // Unique, and matching .gitignore's Pulumi.e2e-*.yaml: the stack's config file lands in the repository root.
  const stack = `e2e-bench-${people}-${process.pid}`;
  let workspace: PulumiWorkspace | undefined;

  try {
    const roster = Array.from({ length: people }, (_, index) => benchPerson(index, backend.enrollments));
    await writeFile(rosterFile, stringify({ people: roster }));
    workspace = await createWorkspace({ programDir: settings.projectRoot, stack, env: environment });
    await workspace.setConfig("roster:lms", backend.name);
    for (const [key, value] of Object.entries(portal.config)) await workspace.setConfig(key, value);
    for (const [key, value] of Object.entries(portal.secrets)) await workspace.setConfig(key, value, { secret: true });
    await workspace.setConfig("roster:file", rosterFile);

    const courses = backend.enrollments ? COURSES : [];
    const measure = measurer(workspace, portal, { groups: [GROUP], courses }, settings, log);
    const operations = {} as Record<OperationName, OperationResult>;
    operations.firstUp = await measure("firstUp", ["up", "--yes", "--skip-preview"]);
    const afterFirstUp = await readCheckpoint(workspace.stateDir, stack);
    operations.noopPreview = await measure("noopPreview", ["preview", "--expect-no-changes"]);
    operations.noopPreviewRefresh = await measure("noopPreviewRefresh", ["preview", "--refresh", "--expect-no-changes"]);

    const byHand = editedIndexes(people, 0);
    editByHand(portal, byHand.map((index) => roster[index]!));
    operations.refreshAfterHandEdits = await measure("refreshAfterHandEdits", ["refresh", "--yes", "--skip-preview"]);
    const inputsChangedByRefresh = resourcesWithChangedInputs(afterFirstUp, await readCheckpoint(workspace.stateDir, stack));

    const inRoster = editedIndexes(people, 0.5);
    const edited = editRoster(roster, inRoster);
    await writeFile(rosterFile, stringify({ people: edited }));
    operations.upAfterRosterEdits = await measure("upAfterRosterEdits", ["up", "--yes", "--skip-preview"]);

    const result: BenchResult = {
      people,
      lms: backend.name,
      resources: { users: people, enrollments: people * courses.length, memberships: people, total: people * (2 + courses.length) },
      settings: settingsOnly(settings),
      edits: { byHand: byHand.length, inRoster: inRoster.length },
      operations,
      state: stateSize(await readCheckpoint(workspace.stateDir, stack)),
      inputsChangedByRefresh,
      converged: portalMatches(portal, edited),
    };
    if (settings.baseline ?? true) result.baseline = await runBaseline(result.resources.total, settings, log);
    return result;
  } finally {
    await workspace?.dispose();
    await rm(join(settings.projectRoot, `Pulumi.${stack}.yaml`), { force: true });
    await portal.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The environment variables that switch the file backend's measured options on. */
function backendEnvironment(settings: BenchSettings): Record<string, string> {
  return {
    ...(settings.skipCheckpoints ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {}),
    ...(settings.gzipState ? { PULUMI_DIY_BACKEND_GZIP: "true" } : {}),
  };
}

/** The backend named, with its fake portal: LearnUpon's unless asked. */
function benchBackend(name = "learnupon"): BackendUnderTest {
  const backend = BACKENDS.find((candidate) => candidate.name === name);
  if (!backend) throw new Error(`--lms must be one of ${BACKENDS.map((candidate) => candidate.name).join(", ")}, not "${name}"`);
  return backend;
}

function settingsOnly({ projectRoot: _root, log: _log, ...settings }: BenchSettings): BenchResult["settings"] {
  return settings;
}

/** Runs one pulumi command and measures it; a failed command is recorded, not thrown, so the report shows it. */
function measurer(
  workspace: PulumiWorkspace,
  portal: PortalUnderTest,
  scope: { groups: readonly string[]; courses: readonly string[] },
  settings: BenchSettings,
  log: (line: string) => void,
) {
  const parallel = settings.parallel !== undefined ? ["--parallel", String(settings.parallel)] : [];
  return async (name: OperationName, args: string[]): Promise<OperationResult> => {
    log(`  ${OPERATIONS[name]}: pulumi ${args.join(" ")} …`);
    const pagesBefore = portal.listPageMinimum(scope);
    portal.clearLog();
    const memory = sampleMemory(workspace.env["PULUMI_HOME"]!);
    const run = await workspace.run([...args, ...parallel, "--stack", workspace.stack], { check: false });
    const peakMemoryMiB = await memory.stop();
    const output = `${run.stdout}\n${run.stderr}`;
    const result: OperationResult = {
      command: `pulumi ${args.join(" ")}`,
      wallMs: run.durationMs,
      exitCode: run.exitCode,
      calls: summarizeCalls(portal.log.entries()),
      listPageMinimum: pagesBefore,
      peakMemoryMiB,
      errors: output.match(/^\s*error:/gm)?.length ?? 0,
      surfacedRateLimits: output.match(/\b429\b|exceeded the 1 (minute|week) limit|RateLimitError/g)?.length ?? 0,
      ...(run.exitCode !== 0 ? { failureOutput: output.split("\n").slice(-40).join("\n") } : {}),
    };
    log(`    ${(result.wallMs / 1000).toFixed(1)} s, ${result.calls.total} API calls, exit ${result.exitCode}`);
    return result;
  };
}

/** Half the people are renamed in the portal, the other half disabled, as an admin might by hand. */
function editByHand(portal: PortalUnderTest, people: RosterPerson[]): void {
  people.forEach((person, position) => {
    if (!portal.person(person.email)) throw new Error(`bench: ${person.email} is not in the portal after the first up`);
    if (position % 2 === 0) portal.byHand.rename(person.email, `${person.firstName} (by hand)`);
    else portal.byHand.deactivate(person.email);
  });
}

/** Half the chosen people get a new email, the other half a new last name, as HR's next export might. */
function editRoster(roster: RosterPerson[], indexes: number[]): RosterPerson[] {
  const edited = [...roster];
  indexes.forEach((index, position) => {
    const person = roster[index]!;
    edited[index] =
      position % 2 === 0
        ? { ...person, email: person.email.replace("@", ".new@") }
        : { ...person, lastName: `${person.lastName}-Renamed` };
  });
  return edited;
}

/** Every person in the portal with the roster's email, names and enabled flag. */
function portalMatches(portal: PortalUnderTest, roster: RosterPerson[]): boolean {
  return roster.every((person) => {
    const user = portal.person(person.email);
    return user?.firstName === person.firstName && user.lastName === person.lastName && user.enabled === person.enabled;
  });
}

/** The engine's own cost: the same number of resources with a provider that does nothing. */
async function runBaseline(resources: number, settings: BenchSettings, log: (line: string) => void): Promise<BaselineResult> {
  const stack = `e2e-bench-trivial-${resources}-${process.pid}`;
  const programDir = join(settings.projectRoot, "test", "e2e", "programs", "trivial-many");
  const workspace = await createWorkspace({ programDir, stack, env: backendEnvironment(settings) });
  const parallel = settings.parallel !== undefined ? ["--parallel", String(settings.parallel)] : [];
  const timed = async (label: string, args: string[]) => {
    log(`  baseline ${label}: pulumi ${args.join(" ")} …`);
    const memory = sampleMemory(workspace.env["PULUMI_HOME"]!);
    const run = await workspace.run([...args, ...parallel, "--stack", stack]);
    const peakMemoryMiB = await memory.stop();
    log(`    ${(run.durationMs / 1000).toFixed(1)} s`);
    return { wallMs: run.durationMs, peakMemoryMiB };
  };
  try {
    await workspace.setConfig("trivial-many:count", String(resources));
    const firstUp = await timed("first up", ["up", "--yes", "--skip-preview"]);
    const noopPreview = await timed("no-op preview", ["preview", "--expect-no-changes"]);
    return { resources, firstUp, noopPreview, state: stateSize(await readCheckpoint(workspace.stateDir, stack)) };
  } finally {
    await workspace.dispose();
    await rm(join(programDir, `Pulumi.${stack}.yaml`), { force: true });
  }
}
