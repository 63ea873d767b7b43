/**
 * The fake Learn Amp as the sandbox seam starts it (demo, bench, `fake-portal --lms learnamp`,
 * the conformance suite): the generic seed becomes teams and people, switches are checked by
 * name and value, and the stack config that points a roster at it comes back with it.
 * @module
 */
import { LEARNAMP_SWITCHES, type LearnAmpOptions } from "./options.js";
import { LearnAmpFakePortal } from "./server.js";

export interface LearnAmpSandboxOptions {
  seed: {
    groups: readonly string[];
    courses: readonly string[];
    people: ReadonlyArray<{ email: string; firstName: string; lastName: string; employeeId?: string; enabled?: boolean; userType?: string }>;
  };
  host?: string;
  port?: number;
  latencyMs?: number;
  rateLimit?: false | { perMinute: number };
  pageSize?: number;
  switches?: Record<string, string>;
}

/** Checks `switches` against the fake's, naming an unknown switch or value and what it takes. */
export function learnAmpSwitchOptions(switches: Record<string, string> = {}): Partial<LearnAmpOptions> {
  const known: Record<string, readonly string[]> = LEARNAMP_SWITCHES;
  for (const [name, value] of Object.entries(switches)) {
    const values = known[name];
    if (!values) throw new Error(`Learn Amp fake: no switch ${name}; the switches are ${Object.keys(known).join(", ")}`);
    if (!values.includes(value)) throw new Error(`Learn Amp fake: switch ${name} takes ${values.join(" or ")}, not "${value}"`);
  }
  return switches as Partial<LearnAmpOptions>;
}

export const learnAmpFakePortal = {
  switches: LEARNAMP_SWITCHES as Record<string, readonly string[]>,
  async start(options: LearnAmpSandboxOptions) {
    // Learn Amp has no courses to seed: content reaches people through team tasks.
    const people = options.seed.people.map((person) => ({ ...person }));
    const portal = await LearnAmpFakePortal.start({
      host: options.host,
      port: options.port,
      latencyMs: options.latencyMs,
      seed: { teams: [...options.seed.groups], people },
      options: {
        ...learnAmpSwitchOptions(options.switches),
        ...(options.rateLimit !== undefined && { rateLimit: options.rateLimit }),
        ...(options.pageSize !== undefined && { pageSize: options.pageSize }),
      },
    });
    return {
      url: portal.url,
      config: { "learnamp:baseUrl": portal.url, "learnamp:clientId": portal.clientId },
      secrets: { "learnamp:clientSecret": portal.clientSecret },
      log: portal.log,
      /** The fake itself, for tests that act as an admin would. */
      portal,
      close: () => portal.close(),
    };
  },
};
