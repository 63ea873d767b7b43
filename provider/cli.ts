#!/usr/bin/env node
/**
 * `npx pulumi-learnupon <command>`; `--help` lists the commands, `<command> --help` shows one.
 *
 * Each command is loaded only when it runs: `fake-portal` needs msw, an optional peer dependency
 * that a roster project does not install, and the other commands must work without it.
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

interface Command {
  /** One line for `--help`. */
  summary: string;
  run(argv: string[]): Promise<void>;
}

const COMMANDS: Record<string, Command> = {
  summary: {
    summary: "turn `pulumi preview --json` (on stdin) into markdown for a pull request",
    run: async (argv) => (await import("./gitops/cli.js")).runSummaryCli(argv),
  },
  dump: {
    summary: "write the portal's people, group memberships and enrollments as a roster file",
    run: async (argv) => (await import("./gitops/cli.js")).runDumpCli(argv),
  },
  "fake-portal": {
    summary: "serve a fake LearnUpon portal on 127.0.0.1 for a sandbox or a test (needs msw installed)",
    run: async (argv) => {
      if (!argv.includes("--help")) assertMswInstalled();
      await (await import("./fake-portal/cli.js")).runFakePortalCli(argv);
    },
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    "usage: pulumi-learnupon <command> [options]",
    "",
    "commands:",
    ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    "",
    "options:",
    "  --help     this list; `pulumi-learnupon <command> --help` for a command's options",
    "  --version  the package version",
    "",
  ].join("\n");
}

function packageVersion(): string {
  // dist/provider/cli.js → the package root.
  const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

/** The fake portal serves its answers through msw's request handlers. */
function assertMswInstalled(): void {
  try {
    require.resolve("msw");
  } catch {
    throw new Error(
      "fake-portal needs the msw package, an optional peer dependency of pulumi-learnupon that is not installed here.\n" +
        "Install it next to pulumi-learnupon: npm install --save-dev msw@^3",
    );
  }
}

async function main([command, ...argv]: string[]): Promise<void> {
  if (command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(usage());
    return;
  }
  if (command === "--version" || command === "-v") {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }
  const chosen = command === undefined ? undefined : COMMANDS[command];
  if (!chosen) {
    process.stderr.write(`${command === undefined ? "" : `unknown command "${command}"\n\n`}${usage()}`);
    process.exitCode = 2;
    return;
  }
  await chosen.run(argv);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
