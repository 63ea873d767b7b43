import { describe, expect, it } from "vitest";
import { backoffDelay, lowRemainingPause, parseRetryAfter, retryDelay } from "../../provider/client/retry-timing.js";

const NOW = Date.parse("2026-03-02T10:00:00Z");

describe("parseRetryAfter", () => {
  it.each([
    { header: undefined, expected: undefined },
    { header: "", expected: undefined },
    { header: "   ", expected: undefined },
    { header: "0", expected: 0 },
    { header: "60", expected: 60_000 },
    { header: " 5 ", expected: 5_000 },
    { header: "1.5", expected: 1_500 },
    { header: "-3", expected: undefined },
    { header: "soon", expected: undefined },
    { header: "1", expected: 1_000 },
    { header: "Mon, 02 Mar 2026 10:00:30 GMT", expected: 30_000 },
    { header: "Mon, 02 Mar 2026 09:59:00 GMT", expected: 0 }, // in the past: no wait, never negative
    { header: "Mon, 32 Foo 2026 99:00:00 GMT", expected: undefined },
  ])("$header → $expected", ({ header, expected }) => {
    expect(parseRetryAfter(header, NOW)).toBe(expected);
  });
});

describe("backoffDelay (equal jitter)", () => {
  const options = { baseMs: 1_000, maxMs: 30_000 };
  it.each([
    { retry: 1, random: 0, expected: 500 },
    { retry: 1, random: 0.999, expected: 1_000 },
    { retry: 2, random: 0, expected: 1_000 },
    { retry: 3, random: 0.5, expected: 3_000 },
    { retry: 5, random: 0, expected: 8_000 },
    { retry: 6, random: 0, expected: 15_000 }, // 32 s capped at 30 s, half guaranteed
    { retry: 20, random: 0.999, expected: 29_985 },
  ])("retry $retry with random $random → $expected ms", ({ retry, random, expected }) => {
    expect(backoffDelay(retry, options, () => random)).toBe(expected);
  });
});

describe("retryDelay", () => {
  const backoff = { baseMs: 100, maxMs: 1_000 };
  it.each([
    { name: "Retry-After wins over backoff", retryAfterMs: 2_000, expected: 2_000 },
    { name: "Retry-After is capped", retryAfterMs: 3_600_000, expected: 60_000 },
    { name: "Retry-After of zero is honoured", retryAfterMs: 0, expected: 0 },
    { name: "no Retry-After: backoff (200 ms ceiling, half of the rest)", retryAfterMs: undefined, expected: 150 },
  ])("$name", ({ retryAfterMs, expected }) => {
    expect(retryDelay({ retryNumber: 2, retryAfterMs, maxRetryAfterMs: 60_000 }, backoff, () => 0.5)).toBe(expected);
  });
});

describe("lowRemainingPause", () => {
  it.each([
    { remaining: 250, expected: 0 },
    { remaining: 11, expected: 0 },
    { remaining: 10, expected: 5_455 },
    { remaining: 1, expected: 30_000 },
    { remaining: 0, expected: 60_000 },
    { remaining: -1, expected: 60_000 },
    { remaining: Number.NaN, expected: 0 },
  ])("$remaining left (watermark 10) → pause $expected ms", ({ remaining, expected }) => {
    expect(lowRemainingPause(remaining, 10, 60_000)).toBe(expected);
  });
});
