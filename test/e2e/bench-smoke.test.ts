/**
 * A small `npm run bench` inside `npm test`, so the bench never rots: 100 people, no latency and a
 * rate limit too high to matter. It asserts the targets of issue 7 that do not depend on the
 * machine's speed; wall times are the full bench's business (scripts/bench.ts).
 */
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { formatReport, perPersonLookups } from "../support/bench-report.js";
import { runBench, type BenchResult } from "../support/bench-run.js";

const projectRoot = resolve(__dirname, "..", "..");

describe("bench smoke: 100 people through the real pulumi", () => {
  let result: BenchResult;

  beforeAll(async () => {
    result = await runBench(100, { projectRoot, latencyMs: 0, rateLimitPerMinute: 100_000, share: 0.8, baseline: false });
    console.log(formatReport(result));
  });

  it("runs every step without a failure and converges the portal", () => {
    for (const [name, operation] of Object.entries(result.operations)) {
      expect({ name, exitCode: operation.exitCode, errors: operation.errors, output: operation.failureOutput }).toEqual({ name, exitCode: 0, errors: 0, output: undefined });
    }
    expect(result.converged).toBe(true);
  });

  it("makes no API call on a no-op preview", () => {
    expect(result.operations.noopPreview.calls.total).toBe(0);
  });

  it("refreshes with at most twice the list-page minimum, and changes only drifted inputs", () => {
    for (const operation of [result.operations.noopPreviewRefresh, result.operations.refreshAfterHandEdits]) {
      expect(operation.calls.total).toBeGreaterThan(0);
      expect(operation.calls.total).toBeLessThanOrEqual(2 * operation.listPageMinimum);
    }
    expect(result.inputsChangedByRefresh).toBe(result.edits.byHand);
  });

  it("creates the roster with at most 1.05 × (writes + list pages) calls and no look-up per person", () => {
    const { firstUp } = result.operations;
    expect(firstUp.calls.writes).toBe(result.resources.total);
    expect(firstUp.calls.total).toBeLessThanOrEqual(1.05 * (firstUp.calls.writes + firstUp.listPageMinimum));
    expect(perPersonLookups(firstUp)).toBe(0);
  });

  it("writes only what the edits need on the next up", () => {
    // One PUT per person edited in the roster, one per hand edit the refresh recorded.
    expect(result.operations.upAfterRosterEdits.calls.writes).toBe(result.edits.inRoster + result.edits.byHand);
  });

  it("keeps state within 2 KB per resource", () => {
    expect(result.state.bytesPerResource).toBeLessThanOrEqual(2048);
  });
});
