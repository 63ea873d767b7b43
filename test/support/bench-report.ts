/**
 * The bench's verdicts and tables: issue 7's targets checked against one run's figures, and the
 * text tables `npm run bench` prints (the same numbers as its JSON).
 *
 * Targets (issue 7), with L = list-page minimum (user pages + enrollment pages per course +
 * membership pages per group, 500 records a page):
 * - no-op `preview`: 0 API calls;
 * - no-op refresh: at most 2 × L calls;
 * - first `up`: at most 1.05 × (writes + L) calls, and no look-up per person;
 * - an `up`'s wall time: at most 1.1 × the rate-limit bound, writes ÷ (share × requests a minute),
 *   with 0 failed operations and 0 surfaced 429s;
 * - state: at most 2 KB per resource.
 * @module
 */
import { OPERATIONS, type BenchResult, type OperationName, type OperationResult } from "./bench-run.js";

export interface TargetCheck {
  target: string;
  /** What was measured. */
  figure: string;
  /** The limit it is held to, worked out for this run. */
  limit: string;
  met: boolean;
}

/** Routes that look up one person at a time: what adopting by search instead of by listing would cost. */
const PER_PERSON_ROUTE = /^GET \/users\/(search|\{id\})|[?&](user_id|email)\b/;

export function perPersonLookups(operation: OperationResult): number {
  return Object.entries(operation.calls.byRoute)
    .filter(([route]) => PER_PERSON_ROUTE.test(route))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** The time the writes need at the client's share of the portal's limit: nothing can finish sooner. */
export function rateLimitBoundMs(result: BenchResult, operation: OperationResult): number {
  const { share, rateLimitPerMinute } = result.settings;
  return (operation.calls.writes / (share * rateLimitPerMinute)) * 60_000;
}

export function checkTargets(result: BenchResult): TargetCheck[] {
  const { firstUp, noopPreview, noopPreviewRefresh, refreshAfterHandEdits, upAfterRosterEdits } = result.operations;
  const all = Object.values(result.operations);
  const wallTarget = (operation: OperationResult, name: OperationName): TargetCheck => {
    const bound = rateLimitBoundMs(result, operation);
    return {
      target: `${OPERATIONS[name]}: wall ≤ 1.1 × rate-limit bound`,
      figure: seconds(operation.wallMs),
      limit: `1.1 × ${seconds(bound)} = ${seconds(1.1 * bound)} (${operation.calls.writes} writes)`,
      met: operation.wallMs <= 1.1 * bound,
    };
  };
  // Not one of the issue's targets: with few writes the engine's pass over every resource (the
  // no-op preview: program, check and diff of each), not the rate limit, sets an up's pace.
  const floorTarget = (operation: OperationResult, name: OperationName): TargetCheck => {
    const rateBound = rateLimitBoundMs(result, operation);
    const bound = rateBound + noopPreview.wallMs;
    return {
      target: `${OPERATIONS[name]}: wall ≤ 1.1 × (rate-limit bound + engine floor)`,
      figure: seconds(operation.wallMs),
      limit: `1.1 × (${seconds(rateBound)} + ${seconds(noopPreview.wallMs)}) = ${seconds(1.1 * bound)}`,
      met: operation.wallMs <= 1.1 * bound,
    };
  };
  const refreshTarget = (operation: OperationResult, name: OperationName): TargetCheck => ({
    target: `${OPERATIONS[name]}: calls ≤ 2 × list-page minimum`,
    figure: `${operation.calls.total} calls`,
    limit: `2 × ${operation.listPageMinimum} = ${2 * operation.listPageMinimum}`,
    met: operation.calls.total <= 2 * operation.listPageMinimum,
  });
  const firstUpAllowance = 1.05 * (firstUp.calls.writes + firstUp.listPageMinimum);
  return [
    { target: "no-op preview: 0 API calls", figure: `${noopPreview.calls.total} calls`, limit: "0", met: noopPreview.calls.total === 0 },
    refreshTarget(noopPreviewRefresh, "noopPreviewRefresh"),
    refreshTarget(refreshAfterHandEdits, "refreshAfterHandEdits"),
    {
      // Not one of the issue's targets, but what the up-time target rests on: any other resource
      // whose stored inputs change makes the next `up` rewrite the whole checkpoint for it.
      target: "refresh changes the stored inputs of drifted resources only",
      figure: `${result.inputsChangedByRefresh} resources`,
      limit: `${result.edits.byHand} (the users edited by hand)`,
      met: result.inputsChangedByRefresh === result.edits.byHand,
    },
    {
      target: "first up: calls ≤ 1.05 × (writes + list pages)",
      figure: `${firstUp.calls.total} calls`,
      limit: `1.05 × (${firstUp.calls.writes} + ${firstUp.listPageMinimum}) = ${Math.floor(firstUpAllowance)}`,
      met: firstUp.calls.total <= firstUpAllowance,
    },
    {
      target: "first up: no look-up per person",
      figure: `${perPersonLookups(firstUp)} look-ups`,
      limit: "0",
      met: perPersonLookups(firstUp) === 0,
    },
    wallTarget(firstUp, "firstUp"),
    wallTarget(upAfterRosterEdits, "upAfterRosterEdits"),
    floorTarget(upAfterRosterEdits, "upAfterRosterEdits"),
    {
      target: "every command: 0 failed operations, 0 surfaced 429s",
      figure: `${sum(all, (op) => op.errors)} errors, ${sum(all, (op) => op.surfacedRateLimits)} surfaced 429s, ${sum(all, (op) => op.calls.rateLimited)} 429s absorbed, exit codes ${all.map((op) => op.exitCode).join(",")}`,
      limit: "0, 0, all exit 0",
      met: all.every((op) => op.exitCode === 0 && op.errors === 0 && op.surfacedRateLimits === 0),
    },
    {
      target: "portal converged to the edited roster",
      figure: result.converged ? "yes" : "no",
      limit: "yes",
      met: result.converged,
    },
    {
      target: "state ≤ 2 KB per resource",
      figure: `${result.state.bytesPerResource} B`,
      limit: "2048 B",
      met: result.state.bytesPerResource <= 2048,
    },
  ];
}

/** The figures, the targets and the baseline for one size, as plain text. */
export function formatReport(result: BenchResult): string {
  const { settings } = result;
  const lines: string[] = [];
  lines.push(
    `${result.lms}, N = ${result.people} people: ${result.resources.total} resources (${result.resources.users} users, ` +
      `${result.resources.enrollments} enrollments, ${result.resources.memberships} memberships); ` +
      `latency ${settings.latencyMs} ms, portal limit ${settings.rateLimitPerMinute}/min, share ${settings.share}, ` +
      `--parallel ${settings.parallel ?? "default"}, checkpoints ${settings.skipCheckpoints ? "skipped" : "on"}, ` +
      `state ${settings.gzipState ? "gzipped" : "plain"}; edits: ${result.edits.byHand} by hand, ${result.edits.inRoster} in the roster`,
    "",
  );

  const operations = Object.entries(result.operations) as Array<[OperationName, OperationResult]>;
  lines.push(
    ...table(
      ["operation", "wall", "calls", "reads", "writes", "list-page min", "429s absorbed", "exit", "peak MiB provider/program/engine"],
      operations.map(([name, op]) => [
        OPERATIONS[name],
        seconds(op.wallMs),
        String(op.calls.total),
        String(op.calls.reads),
        String(op.calls.writes),
        String(op.listPageMinimum),
        String(op.calls.rateLimited),
        String(op.exitCode),
        [op.peakMemoryMiB.provider, op.peakMemoryMiB.program, op.peakMemoryMiB.engine].map(mebibytes).join(" / "),
      ]),
    ),
    "",
    "calls by route:",
    ...operations
      .filter(([, op]) => op.calls.total > 0)
      .map(([name, op]) => `  ${OPERATIONS[name]}: ${Object.entries(op.calls.byRoute).map(([route, count]) => `${count} × ${route}`).join(", ")}`),
    "",
    `state: ${kilobytes(result.state.jsonBytes)} JSON for ${result.state.managedResources} resources = ${result.state.bytesPerResource} B per resource, ` +
      `of which __provider (inputs and outputs) ${result.state.providerBytesPerResource} B and source positions ${result.state.sourceBytesPerResource} B; ` +
      `on disk ${kilobytes(result.state.bytesOnDisk)}; gzipped ${kilobytes(result.state.gzipBytes)} = ` +
      `${Math.round(result.state.gzipBytes / Math.max(1, result.state.managedResources))} B per resource`,
    "",
  );

  if (result.baseline) {
    const { baseline } = result;
    lines.push(
      `engine baseline: ${baseline.resources} trivial dynamic resources (state ${baseline.state.bytesPerResource} B per resource)`,
      ...table(
        ["operation", "roster", "trivial", "ratio", "peak MiB provider roster/trivial", "peak MiB program roster/trivial"],
        [
          ["first up", result.operations.firstUp, baseline.firstUp] as const,
          ["no-op preview", result.operations.noopPreview, baseline.noopPreview] as const,
        ].map(([label, roster, trivial]) => [
          label,
          seconds(roster.wallMs),
          seconds(trivial.wallMs),
          `${(roster.wallMs / trivial.wallMs).toFixed(2)}×`,
          `${mebibytes(roster.peakMemoryMiB.provider)} / ${mebibytes(trivial.peakMemoryMiB.provider)}`,
          `${mebibytes(roster.peakMemoryMiB.program)} / ${mebibytes(trivial.peakMemoryMiB.program)}`,
        ]),
      ),
      "",
    );
  }

  const checks = checkTargets(result);
  lines.push(
    "targets (issue 7):",
    ...table(["target", "figure", "limit", "met"], checks.map((check) => [check.target, check.figure, check.limit, check.met ? "yes" : "NO"])),
    `${checks.filter((check) => check.met).length} of ${checks.length} met`,
  );
  return lines.join("\n");
}

/** Left-aligned columns separated by two spaces, with a rule under the header. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)];
}

function sum<T>(items: T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function kilobytes(bytes: number): string {
  return bytes >= 10 * 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

function mebibytes(value: number | undefined): string {
  return value === undefined ? "?" : value.toFixed(0);
}
