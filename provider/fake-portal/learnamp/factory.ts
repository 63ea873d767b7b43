/**
 * The fake Learn Amp as a sandbox (`../sandbox.ts`): the generic seed becomes teams and people
 * (Learn Amp has no courses: content reaches people through team tasks), the switches are checked
 * by name and value, and the stack config that points a roster at it comes back with it. The
 * server (and msw) loads only when a portal starts.
 * @module
 */
import { checkedSwitches, type FakePortalFactory, type SandboxOptions, type SandboxPortal } from "../sandbox.js";
import { LEARNAMP_SWITCHES, type LearnAmpOptions } from "./options.js";
import type { LearnAmpFakePortal } from "./server.js";

/** The options the named switches set; an unknown switch or value is refused, naming it. */
export function learnAmpSwitchOptions(given: Record<string, string> = {}): Partial<LearnAmpOptions> {
  return checkedSwitches({ switches: LEARNAMP_SWITCHES }, given) as Partial<LearnAmpOptions>;
}

/** A running sandbox, with the fake itself for tests that act as an admin would. */
export interface LearnAmpSandbox extends SandboxPortal {
  readonly portal: LearnAmpFakePortal;
}

export async function startLearnAmpSandbox(options: SandboxOptions): Promise<LearnAmpSandbox> {
  const switches = learnAmpSwitchOptions(options.switches);
  const { LearnAmpFakePortal } = await import("./server.js");
  const portal = await LearnAmpFakePortal.start({
    host: options.host,
    port: options.port,
    latencyMs: options.latencyMs,
    seed: { teams: [...options.seed.groups], people: options.seed.people.map((person) => ({ ...person })) },
    options: {
      ...switches,
      ...(options.rateLimit !== undefined && { rateLimit: options.rateLimit }),
      ...(options.pageSize !== undefined && { pageSize: options.pageSize }),
    },
  });
  return {
    url: portal.url,
    config: { "learnamp:baseUrl": portal.url, "learnamp:clientId": portal.clientId },
    secrets: { "learnamp:clientSecret": portal.clientSecret },
    log: portal.log,
    portal,
    close: () => portal.close(),
  };
}

export const learnAmpFakePortal: FakePortalFactory = { switches: LEARNAMP_SWITCHES, start: startLearnAmpSandbox };
