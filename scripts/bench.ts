/**
 * `npm run bench`: the roster program with the real `pulumi` against the fake LearnUpon portal, at
 * a realistic latency per request and a rate limit, for each roster size; prints a table per size
 * with issue 7's targets next to the figures, and writes every figure as JSON.
 *
 *   npm run bench -- [--lms learnupon|…] [--sizes 100,1000,5000] [--latency 50] [--rate-limit 300] [--share 0.8]
 *                    [--parallel P] [--skip-checkpoints] [--gzip] [--no-baseline] [--out .bench/results.json]
 *
 * `--lms` picks the backend and its fake portal (test/support/backends.ts). `--rate-limit` is the
 * requests a minute the fake portal enforces, and what the provider is told the portal allows
 * (`learnupon:requestsPerMinute`, or the backend's own); `--share` is the share of it the provider may use.
 * `--skip-checkpoints` and `--gzip` set PULUMI_SKIP_CHECKPOINTS and PULUMI_DIY_BACKEND_GZIP.
 *
 * What each step does: test/support/bench-run.ts. The targets: test/support/bench-report.ts.
 * Not part of CI (a 5,000-person run takes hours at 300 requests a minute); test/e2e/bench-smoke.test.ts
 * runs a small one inside `npm test`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkTargets, formatReport } from "../test/support/bench-report.js";
import { runBench, type BenchResult, type BenchSettings } from "../test/support/bench-run.js";

const projectRoot = resolve(__dirname, "..", "..");

function readOptions(): { sizes: number[]; out: string; settings: BenchSettings } {
  const { values } = parseArgs({
    options: {
      lms: { type: "string", default: "learnupon" },
      sizes: { type: "string", default: "100,1000,5000" },
      latency: { type: "string", default: "50" },
      "rate-limit": { type: "string", default: "300" },
      share: { type: "string", default: "0.8" },
      parallel: { type: "string" },
      "skip-checkpoints": { type: "boolean", default: false },
      gzip: { type: "boolean", default: false },
      "no-baseline": { type: "boolean", default: false },
      out: { type: "string", default: ".bench/results.json" },
    },
  });
  const number = (flag: string, text: string, valid: (value: number) => boolean): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || !valid(value)) throw new Error(`--${flag} ${text} is not valid`);
    return value;
  };
  return {
    sizes: values.sizes.split(",").map((size) => number("sizes", size.trim(), (value) => Number.isInteger(value) && value >= 10)),
    out: resolve(values.out),
    settings: {
      projectRoot,
      lms: values.lms,
      latencyMs: number("latency", values.latency, (value) => value >= 0),
      rateLimitPerMinute: number("rate-limit", values["rate-limit"], (value) => Number.isInteger(value) && value > 0),
      share: number("share", values.share, (value) => value > 0 && value <= 1),
      parallel: values.parallel === undefined ? undefined : number("parallel", values.parallel, (value) => Number.isInteger(value) && value > 0),
      skipCheckpoints: values["skip-checkpoints"],
      gzipState: values.gzip,
      baseline: !values["no-baseline"],
      log: (line) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`),
    },
  };
}

async function main(): Promise<void> {
  const { sizes, out, settings } = readOptions();
  const results: Array<BenchResult & { targets: ReturnType<typeof checkTargets> }> = [];
  for (const people of sizes) {
    settings.log?.(`N = ${people}`);
    const result = await runBench(people, settings);
    results.push({ ...result, targets: checkTargets(result) });
    console.log(`\n${formatReport(result)}\n`);
    // Written after every size, so a long run that is stopped keeps what it measured.
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify({ pulumiBench: "issue 7", at: new Date().toISOString(), results }, null, 2)}\n`);
  }
  console.log(`results: ${out}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
