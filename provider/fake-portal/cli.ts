/**
 * `pulumi-learnupon fake-portal`: run the fake portal as a process, for a sandbox, a demo or an
 * out-of-process test.
 *
 *     fake-portal [--port 0] [--host 127.0.0.1] [--username u --password p] [--seed file.json]
 *                 [--rate-limit 300|off] [--latency 50] [--page-size 500]
 *
 * Once listening it prints exactly one line of JSON, `{"url","apiUrl","username","password"}`, so a
 * parent process can read where to connect, then serves until SIGINT or SIGTERM.
 * @module
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { z } from "zod";
import type { PortalOptions } from "./options.js";
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
  "usage: fake-portal [--port 0] [--host 127.0.0.1] [--username u --password p] [--seed file.json] " +
  "[--rate-limit 300|off] [--latency 50] [--page-size 500]";

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
  const options: Partial<PortalOptions> = {
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
