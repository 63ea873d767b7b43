/**
 * Drives the real `pulumi` CLI for end-to-end tests, the demo and the benchmarks.
 *
 * Each workspace gets its own file:// backend and PULUMI_HOME in a temporary folder, and a
 * passphrase secrets provider, so nothing touches the user's real Pulumi login or state.
 * The CLI must already be on PATH (scripts/run.sh --pulumi puts the pinned build there).
 * @module
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunResult {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface RunOptions {
  /** Fail (reject) when the exit code is not 0. @default true */
  check?: boolean;
  /** Extra environment for this command only. */
  env?: Record<string, string>;
  /** Called with each chunk of output as it arrives (the demo streams it to the terminal). */
  onOutput?: (chunk: string) => void;
}

export interface PulumiWorkspace {
  /** The program directory (holds Pulumi.yaml). */
  readonly programDir: string;
  readonly stack: string;
  /** Folder holding the file backend and PULUMI_HOME; removed by `dispose`. */
  readonly stateDir: string;
  readonly env: Record<string, string>;
  run(args: string[], options?: RunOptions): Promise<RunResult>;
  setConfig(key: string, value: string, options?: { secret?: boolean }): Promise<void>;
  /** The stack's checkpoint file as text, read from the file backend. */
  readStateFile(): Promise<string>;
  dispose(): Promise<void>;
}

export const E2E_PASSPHRASE = "pulumi-learnupon-e2e";

export async function createWorkspace(options: {
  programDir: string;
  stack: string;
  env?: Record<string, string>;
}): Promise<PulumiWorkspace> {
  const stateDir = await mkdtemp(join(tmpdir(), "pulumi-learnupon-"));
  const env: Record<string, string> = {
    PULUMI_BACKEND_URL: `file://${join(stateDir, "backend")}`,
    PULUMI_HOME: join(stateDir, "home"),
    PULUMI_CONFIG_PASSPHRASE: E2E_PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    NO_COLOR: "1",
    ...options.env,
  };
  await mkdirp(join(stateDir, "backend"));

  const workspace: PulumiWorkspace = {
    programDir: options.programDir,
    stack: options.stack,
    stateDir,
    env,
    run: (args, runOptions = {}) =>
      runCommand("pulumi", ["--non-interactive", "--color=never", ...args], {
        cwd: options.programDir,
        env: { ...env, ...runOptions.env },
        check: runOptions.check ?? true,
        ...(runOptions.onOutput ? { onOutput: runOptions.onOutput } : {}),
      }),
    async setConfig(key, value, { secret = false } = {}) {
      await workspace.run(["config", "set", "--stack", options.stack, key, ...(secret ? ["--secret"] : ["--plaintext"]), "--", value]);
    },
    async readStateFile() {
      const stacksDir = join(stateDir, "backend", ".pulumi", "stacks");
      const projects = await readdir(stacksDir);
      for (const project of projects) {
        const files = await readdir(join(stacksDir, project)).catch(() => [] as string[]);
        const file = files.find((name) => name === `${options.stack}.json`);
        if (file) return readFile(join(stacksDir, project, file), "utf8");
      }
      throw new Error(`no state file for stack ${options.stack} under ${stacksDir}`);
    },
    async dispose() {
      await workspace.run(["stack", "rm", "--yes", "--force", "--stack", options.stack], { check: false });
      await rm(stateDir, { recursive: true, force: true });
    },
  };
  await workspace.run(["stack", "init", options.stack]);
  return workspace;
}

async function mkdirp(dir: string): Promise<void> {
  const { mkdir } = await import("node:fs/promises");
  await mkdir(dir, { recursive: true });
}

export function runCommand(
  command: string,
  args: string[],
  options: {
    cwd: string;
    env: Record<string, string>;
    check: boolean;
    onOutput?: (chunk: string) => void;
    /** Piped to the command's standard input. @default none */
    stdin?: string;
    /** Start from this process's environment (else from `env` alone). @default true */
    inheritEnv?: boolean;
  },
): Promise<RunResult> {
  const started = Date.now();
  const display = `${command} ${args.join(" ")}`;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...(options.inheritEnv === false ? {} : process.env), ...options.env },
      stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    child.stdin?.end(options.stdin);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk;
      options.onOutput?.(chunk.toString());
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk;
      options.onOutput?.(chunk.toString());
    });
    child.on("error", (error) =>
      reject(new Error(`could not start \`${display}\`: ${error.message} (is the pulumi CLI on PATH? run through scripts/run.sh --pulumi)`)),
    );
    child.on("close", (code) => {
      const result = { command: display, exitCode: code ?? -1, stdout, stderr, durationMs: Date.now() - started };
      if (options.check && result.exitCode !== 0) {
        reject(new Error(`\`${display}\` exited with ${result.exitCode}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
      } else {
        resolve(result);
      }
    });
  });
}
