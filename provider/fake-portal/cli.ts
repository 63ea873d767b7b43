/**
 * `pulumi-learnupon fake-portal`: run the fake portal as a process, for a sandbox, a demo or an
 * out-of-process test.
 *
 *     fake-portal [--lms learnupon] [--port 0] [--host 127.0.0.1] [--username u --password p] [--seed file.json]
 *                 [--rate-limit 300|off] [--latency 50] [--page-size 500] [--switch name=value …]
 *
 * Once listening it prints exactly one line of JSON, so a parent process can read where to connect:
 * for LearnUpon `{"url","apiUrl","username","password"}`, for another LMS `{"url","config","secrets"}`
 * (the stack config that points a stack at it). Then it serves until SIGINT or SIGTERM. `--lms` names another
 * backend's fake portal; its `--seed` is `{"groups":[…],"courses":[…],"people":[…]}` in the
 * project's own terms, and `--username`/`--password` are LearnUpon's alone.
 * @module
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { z } from "zod";
import { learnUponOptions } from "./learnupon-sandbox.js";
import type { PortalOptions } from "./options.js";
import type { SandboxSeed } from "./sandbox.js";
import type { StartFakePortalOptions } from "./server.js";
import { seedDataSchema } from "./store.js";

/** Where the CLI writes and what stops it; tests replace both. */
export interface CliIo {
  /** Receives the one line of JSON. @default writes to stdout */
  writeLine?: (line: string) => void;
  /** Stops the portal when aborted. @default SIGINT or SIGTERM */
  stop?: AbortSignal;
}

const USAGE =
  "usage: fake-portal [--lms learnupon] [--port 0] [--host 127.0.0.1] [--username u --password p] [--seed file.json] " +
  "[--rate-limit 300|off] [--latency 50] [--page-size 500] [--switch name=value …]";

/**
 * Runs the portal until stopped. `argv` holds the arguments after `fake-portal`.
 * Rejects with a message naming the flag when an argument is invalid.
 */
export async function runFakePortalCli(argv: string[], io: CliIo = {}): Promise<void> {
  const writeLine = io.writeLine ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      lms: { type: "string", default: "learnupon" },
      switch: { type: "string", multiple: true, default: [] },
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      username: { type: "string" },
      password: { type: "string" },
      seed: { type: "string" },
      "rate-limit": { type: "string", default: "300" },
      latency: { type: "string", default: "0" },
      "page-size": { type: "string", default: "500" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    writeLine(USAGE);
    return;
  }
  const switches = Object.fromEntries(
    values.switch.map((given) => {
      const [name, ...value] = given.split("=");
      if (!name || value.length === 0) throw new Error(`fake-portal: --switch must be name=value, got "${given}"`);
      return [name, value.join("=")];
    }),
  );
  if (values.lms.trim().toLowerCase() !== "learnupon") {
    await runOtherLms(values.lms, switches, values, writeLine, io.stop);
    return;
  }
  const options: Partial<PortalOptions> = {
    ...learnUponOptions(switches),
    pageSize: integerFlag("page-size", values["page-size"], 1),
    rateLimit:
      values["rate-limit"] === "off"
        ? false
        : { perMinute: integerFlag("rate-limit", values["rate-limit"], 1), perWeek: 500_000 },
  };
  const start: StartFakePortalOptions = {
    host: values.host,
    port: integerFlag("port", values.port, 0, 65_535),
    latencyMs: integerFlag("latency", values.latency, 0),
    options,
    ...(values.username === undefined ? {} : { username: values.username }),
    ...(values.password === undefined ? {} : { password: values.password }),
    ...(values.seed === undefined ? {} : { seed: await readSeedFile(values.seed) }),
  };

  // Loaded here, not at the top: msw is an optional dependency, and `--help` works without it.
  const { startFakePortal } = await import("./server.js");
  const portal = await startFakePortal(start);
  writeLine(JSON.stringify({ url: portal.url, apiUrl: portal.apiUrl, username: portal.username, password: portal.password }));
  await stopped(io.stop);
  await portal.close();
}

/** Another backend's fake portal, through its sandbox (`sandbox.ts`). */
async function runOtherLms(
  lms: string,
  switches: Record<string, string>,
  values: { host: string; port: string; latency: string; "rate-limit": string; "page-size": string; seed?: string | undefined },
  writeLine: (line: string) => void,
  stop: AbortSignal | undefined,
): Promise<void> {
  const { backendNamed } = await import("../lms/backends.js");
  const factory = await backendNamed(lms, "fake-portal: --lms").loadFakePortal();
  const portal = await factory.start({
    seed: values.seed === undefined ? { groups: [], courses: [], people: [] } : await readSandboxSeed(values.seed),
    host: values.host,
    port: integerFlag("port", values.port, 0, 65_535),
    latencyMs: integerFlag("latency", values.latency, 0),
    pageSize: integerFlag("page-size", values["page-size"], 1),
    rateLimit: values["rate-limit"] === "off" ? false : { perMinute: integerFlag("rate-limit", values["rate-limit"], 1) },
    switches,
  });
  writeLine(JSON.stringify({ url: portal.url, config: portal.config, secrets: portal.secrets }));
  await stopped(stop);
  await portal.close();
}

const sandboxSeedSchema = z.strictObject({
  groups: z.array(z.string()).default([]),
  courses: z.array(z.string()).default([]),
  people: z
    .array(
      z.strictObject({
        email: z.string(),
        firstName: z.string(),
        lastName: z.string(),
        employeeId: z.string().optional(),
        enabled: z.boolean().optional(),
        userType: z.string().optional(),
      }),
    )
    .default([]),
});

async function readSandboxSeed(path: string): Promise<SandboxSeed> {
  try {
    return sandboxSeedSchema.parse(JSON.parse(await readFile(path, "utf8"))) as SandboxSeed;
  } catch (error) {
    const reason = error instanceof z.ZodError ? z.prettifyError(error) : error instanceof Error ? error.message : String(error);
    throw new Error(`fake-portal: invalid seed file ${path}: ${reason}`, { cause: error });
  }
}

function integerFlag(name: string, value: string, min: number, max?: number): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(parsed >= min && parsed <= (max ?? Number.MAX_SAFE_INTEGER))) {
    const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new Error(`fake-portal: --${name} must be an integer ${range}, got "${value}"`);
  }
  return parsed;
}

async function readSeedFile(path: string): Promise<z.input<typeof seedDataSchema>> {
  try {
    return seedDataSchema.parse(JSON.parse(await readFile(path, "utf8")));
  } catch (error) {
    const reason = error instanceof z.ZodError ? z.prettifyError(error) : error instanceof Error ? error.message : String(error);
    throw new Error(`fake-portal: invalid seed file ${path}: ${reason}`, { cause: error });
  }
}

/** Resolves when `signal` aborts, or on the first SIGINT or SIGTERM when there is no signal. */
function stopped(signal: AbortSignal | undefined): Promise<void> {
  if (signal) {
    return signal.aborted ? Promise.resolve() : new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
