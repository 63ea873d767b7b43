/**
 * The fake Learnifier realm as a sandbox (`../sandbox.ts`): seeded in the project's own terms, with
 * the open points of docs/learnifier-api-notes.md as named switches, and the stack config that
 * points a stack at it. It loads the server (and msw) only when a realm starts.
 * @module
 */
import { checkedSwitches, type FakePortalFactory, type SandboxOptions, type SandboxPortal, type SandboxSeed } from "../sandbox.js";
import { LEARNIFIER_SWITCHES } from "./options.js";
import type { LearnifierFakePortal } from "./server.js";
import type { LearnifierSeed } from "./store.js";

/** The seed in Learnifier's terms: employee ids are external ids, courses are activated projects, admins have Back Office roles. */
export function learnifierSeedOf(seed: SandboxSeed): LearnifierSeed {
  return {
    groups: seed.groups,
    projects: seed.courses.map((name) => ({ name })),
    users: seed.people.map((person) => ({
      ...(person.employeeId !== undefined && { externalId: person.employeeId }),
      email: person.email,
      firstName: person.firstName,
      lastName: person.lastName,
      hardLock: person.enabled === false,
      backOffice: person.userType === "admin",
    })),
  };
}

/** A sandbox realm, and the realm itself for tests that look inside it. */
export async function startLearnifierSandbox(options: SandboxOptions): Promise<SandboxPortal & { portal: LearnifierFakePortal }> {
  const switches = checkedSwitches(learnifierFakePortal, options.switches);
  const { startLearnifierPortal } = await import("./server.js");
  const portal = await startLearnifierPortal({
    seed: learnifierSeedOf(options.seed),
    ...(options.host !== undefined && { host: options.host }),
    ...(options.port !== undefined && { port: options.port }),
    ...(options.latencyMs !== undefined && { latencyMs: options.latencyMs }),
    // Learnifier publishes no rate limit: none unless asked for.
    options: { rateLimit: options.rateLimit ?? false, switches, ...(options.pageSize !== undefined && { maxLimit: options.pageSize }) },
  });
  const pace = options.rateLimit ? options.rateLimit.perMinute / 60 : 10_000;
  return {
    url: portal.url,
    config: {
      "learnifier:baseUrl": portal.url,
      "learnifier:keyId": portal.keyId,
      "learnifier:orgUnit": portal.orgUnitId,
      "learnifier:requestsPerSecond": String(pace),
    },
    secrets: { "learnifier:keySecret": portal.keySecret },
    log: portal.log,
    portal,
    close: () => portal.close(),
  };
}

export const learnifierFakePortal: FakePortalFactory = { switches: LEARNIFIER_SWITCHES, start: startLearnifierSandbox };
