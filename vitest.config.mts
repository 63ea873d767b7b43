import { defineConfig } from "vitest/config";

// Two tiers: fast tests of the client, fake portal and resources against the fake over HTTP,
// and end-to-end runs of the real `pulumi` CLI (slow, one file at a time to spare the 2 cores).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
