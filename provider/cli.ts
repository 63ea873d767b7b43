#!/usr/bin/env node
/**
 * `npx pulumi-learnupon <command>`:
 *   fake-portal [--port 0] ...   start the fake LearnUpon portal; prints its URL and credentials as JSON
 *   summary < preview.json       the output of `pulumi preview --json` as markdown for a pull request
 *   dump [--out roster.yaml]     the portal's current people, memberships and enrollments as a roster file
 * @module
 */
import { runFakePortalCli } from "./fake-portal/index.js";
import { runDumpCli, runSummaryCli } from "./gitops/cli.js";

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  "fake-portal": (argv) => runFakePortalCli(argv),
  summary: (argv) => runSummaryCli(argv),
  dump: (argv) => runDumpCli(argv),
};

async function main([command, ...argv]: string[]): Promise<void> {
  const run = command === undefined ? undefined : COMMANDS[command];
  if (!run) {
    console.error(`usage: pulumi-learnupon <${Object.keys(COMMANDS).join(" | ")}> [options]`);
    process.exitCode = 2;
    return;
  }
  await run(argv);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
