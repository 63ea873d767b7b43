/**
 * The bench's instruments: what one pulumi command cost the portal (API calls from the fake
 * portal's request log), how much memory the pulumi processes of one workspace peaked at (from
 * /proc), and how big the stack's state file is (from the file backend).
 *
 * Other engineers run pulumi on the same machine, so processes are matched to a workspace by the
 * `PULUMI_HOME` in their environment, which every process pulumi starts inherits from the bench.
 * @module
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import type { RequestLogEntry } from "../../provider/fake-portal/index.js";

// ---------------------------------------------------------------------------------------------
// API calls

export interface ApiCalls {
  total: number;
  reads: number;
  writes: number;
  /** Answers with status 429 the fake portal sent (the client retries them; none should be needed). */
  rateLimited: number;
  /** Calls per route, e.g. `{ "POST /users": 100, "GET /enrollments/search?course_id": 2 }`, most frequent first. */
  byRoute: Record<string, number>;
}

/** Sums up log entries by route. */
export function summarizeCalls(entries: readonly RequestLogEntry[]): ApiCalls {
  const byRoute = new Map<string, number>();
  for (const entry of entries) byRoute.set(routeOf(entry), (byRoute.get(routeOf(entry)) ?? 0) + 1);
  const writes = entries.filter((entry) => entry.write).length;
  return {
    total: entries.length,
    reads: entries.length - writes,
    writes,
    rateLimited: entries.filter((entry) => entry.status === 429).length,
    byRoute: Object.fromEntries([...byRoute].sort(([, a], [, b]) => b - a)),
  };
}

/**
 * `GET /api/v1/enrollments/search?course_id=200001&page=2` → `GET /enrollments/search?course_id`:
 * ids become `{id}`, and the query keeps its parameter names (they tell a listing by course from a
 * search per person) but not the page number.
 */
export function routeOf(entry: Pick<RequestLogEntry, "method" | "path">): string {
  const url = new URL(entry.path, "http://portal");
  const path = url.pathname.replace(/^\/api\/v1/, "").replace(/\/(\d+|[0-9a-f]{8}-[0-9a-f-]{27})(?=\/|$)/gi, "/{id}");
  const keys = [...new Set(url.searchParams.keys())].filter((key) => key !== "page" && key !== "version_id").sort();
  return `${entry.method} ${path}${keys.length > 0 ? `?${keys.join("&")}` : ""}`;
}

// ---------------------------------------------------------------------------------------------
// Peak memory

/** Which pulumi process a sample belongs to. */
export type ProcessRole = "engine" | "program" | "provider";

/** Peak resident memory (VmHWM) in MiB, by role; the largest when a role had several processes. */
export type PeakMemory = Partial<Record<ProcessRole, number>>;

function roleOf(commandLine: string): ProcessRole | undefined {
  if (commandLine.includes("cmd/dynamic-provider")) return "provider"; // node …/@pulumi/pulumi/cmd/dynamic-provider/index.js
  if (commandLine.includes("cmd/run/index.js")) return "program"; // the language host's node running index.ts
  if (/(^|\/)pulumi\0/.test(commandLine)) return "engine"; // the CLI itself, which hosts the engine
  return undefined;
}

/**
 * Samples the peak RSS of the pulumi processes started for one workspace, until `stop()`.
 *
 * VmHWM is the kernel's own high-water mark, so a sample taken any time before a process exits
 * holds its peak so far; polling every `intervalMs` misses at most the growth of its last interval.
 */
export function sampleMemory(pulumiHome: string, intervalMs = 100): { stop(): Promise<PeakMemory> } {
  const marker = `PULUMI_HOME=${pulumiHome}\0`;
  const ours = new Map<number, ProcessRole>(); // pids known to be this workspace's
  const others = new Set<number>(); // pids known not to be: never read their environment again
  const peak: PeakMemory = {};
  let stopped = false;

  async function tick(): Promise<void> {
    const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name)).map(Number);
    for (const pid of pids) {
      if (others.has(pid) || ours.has(pid)) continue;
      const role = roleOf(await readProc(pid, "cmdline"));
      if (role && (await readProc(pid, "environ")).includes(marker)) ours.set(pid, role);
      else others.add(pid);
    }
    for (const [pid, role] of ours) {
      const match = /VmHWM:\s+(\d+) kB/.exec(await readProc(pid, "status"));
      if (match) peak[role] = Math.max(peak[role] ?? 0, Number(match[1]) / 1024);
    }
  }

  const done = (async () => {
    while (!stopped) {
      await tick();
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();

  return {
    async stop() {
      stopped = true;
      await done;
      return peak;
    },
  };
}

/** A /proc file as text; empty when the process has gone or hides it. */
async function readProc(pid: number, file: string): Promise<string> {
  return readFile(`/proc/${pid}/${file}`, "latin1").catch(() => "");
}

// ---------------------------------------------------------------------------------------------
// State

/** One resource as the file backend stores it: the fields the bench looks at. */
export interface StateResource {
  urn: string;
  type: string;
  custom?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  sourcePosition?: string;
  stackTrace?: unknown;
}

export interface Checkpoint {
  bytesOnDisk: number;
  json: Buffer;
  resources: StateResource[];
}

/** Reads the stack's checkpoint from a file backend under `stateDir` (see createWorkspace), gzipped or not. */
export async function readCheckpoint(stateDir: string, stack: string): Promise<Checkpoint> {
  const stacksDir = join(stateDir, "backend", ".pulumi", "stacks");
  for (const project of await readdir(stacksDir)) {
    const files = await readdir(join(stacksDir, project)).catch(() => [] as string[]);
    const file = files.find((name) => name === `${stack}.json` || name === `${stack}.json.gz`);
    if (!file) continue;
    const onDisk = await readFile(join(stacksDir, project, file));
    const json = file.endsWith(".gz") ? gunzipSync(onDisk) : onDisk;
    const parsed = JSON.parse(json.toString("utf8")) as { checkpoint: { latest?: { resources?: StateResource[] } } };
    return { bytesOnDisk: onDisk.length, json, resources: parsed.checkpoint.latest?.resources ?? [] };
  }
  throw new Error(`no state file for stack ${stack} under ${stacksDir}`);
}

export interface StateSize {
  /** The stack file as the backend wrote it (gzipped when PULUMI_DIY_BACKEND_GZIP is on). */
  bytesOnDisk: number;
  /** The checkpoint as JSON text. */
  jsonBytes: number;
  /** What gzip makes of that JSON: about what PULUMI_DIY_BACKEND_GZIP would store. */
  gzipBytes: number;
  /** Every resource in the checkpoint: the stack, components and providers included. */
  resources: number;
  /** The dynamic resources the program declares (`pulumi-nodejs:dynamic/…`): users, enrollments… or the baseline's. */
  managedResources: number;
  /** jsonBytes ÷ managedResources. */
  bytesPerResource: number;
  /** Of which the provider module, `__provider`, stored in both inputs and outputs. */
  providerBytesPerResource: number;
  /** Of which `sourcePosition` and `stackTrace`: where in the program the resource was declared. */
  sourceBytesPerResource: number;
}

/** The dynamic resources the program declares, as opposed to the stack, components and providers. */
function isManaged(resource: StateResource): boolean {
  return resource.custom === true && resource.type.startsWith("pulumi-nodejs:dynamic");
}

export function stateSize(checkpoint: Checkpoint): StateSize {
  const managed = checkpoint.resources.filter(isManaged);
  const perResource = (bytes: (resource: StateResource) => number) =>
    managed.length > 0 ? Math.round(managed.reduce((sum, resource) => sum + bytes(resource), 0) / managed.length) : 0;
  const providerLength = (properties?: Record<string, unknown>) => String(properties?.["__provider"] ?? "").length;
  return {
    bytesOnDisk: checkpoint.bytesOnDisk,
    jsonBytes: checkpoint.json.length,
    gzipBytes: gzipSync(checkpoint.json).length,
    resources: checkpoint.resources.length,
    managedResources: managed.length,
    bytesPerResource: managed.length > 0 ? Math.round(checkpoint.json.length / managed.length) : 0,
    providerBytesPerResource: perResource((resource) => providerLength(resource.inputs) + providerLength(resource.outputs)),
    sourceBytesPerResource: perResource((resource) => JSON.stringify([resource.sourcePosition, resource.stackTrace]).length),
  };
}

/**
 * How many managed resources' stored inputs differ between two checkpoints. After a refresh only
 * drifted resources should differ: for any other, the next `up` finds the program's inputs unequal
 * to the stored ones and rewrites the whole checkpoint file for that resource. (The provider's own
 * inputs always differ: its secret config is encrypted afresh at every write.)
 */
export function resourcesWithChangedInputs(before: Checkpoint, after: Checkpoint): number {
  const inputsBefore = new Map(before.resources.map((resource) => [resource.urn, JSON.stringify(resource.inputs ?? {})]));
  return after.resources.filter(isManaged).filter((resource) => inputsBefore.get(resource.urn) !== JSON.stringify(resource.inputs ?? {})).length;
}
