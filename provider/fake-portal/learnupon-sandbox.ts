/**
 * The fake LearnUpon portal as a sandbox (`sandbox.ts`): seeded in the project's own terms, with
 * the contract's open points as named switches, and the stack config that points a stack at it.
 * It loads the server (and msw) only when a portal starts, so the CLI's `--help` works without msw.
 * @module
 */
import type { PortalOptions } from "./options.js";
import { checkedSwitches, type FakePortalFactory, type SandboxOptions, type SandboxPortal, type SandboxSeed } from "./sandbox.js";
import { seedDataSchema, type SeedData } from "./store.js";

/** The custom user field the sandbox has, so a roster's `customData.Department` has somewhere to go. */
const SANDBOX_CUSTOM_FIELD = "Department";
/**
 * The custom user field a seeded employee id goes in, added only when a seeded person has one:
 * point `learnupon:employeeIdField` at it.
 */
export const SANDBOX_EMPLOYEE_ID_FIELD = "Employee Id";

/** The quirk switches whose values are names: each a point docs/learnupon-api-notes.md leaves open, the default first. */
export const learnUponSwitches = {
  enrollmentDates: ["timestamp", "date"],
  enrollmentExpiryField: ["expiry_date", "expires_at"],
  groupMemberRows: ["user", "membership"],
  duplicateMembership: ["reject", "silent"],
  groupTitleMatch: ["exact", "partial"],
  searchMissStatus: ["404", "200"],
} as const satisfies Partial<Record<keyof PortalOptions, readonly string[]>>;

/** The portal options the named switches set; an unknown switch or value is refused, naming it. */
export function learnUponOptions(given: Record<string, string> = {}): Partial<PortalOptions> {
  const switches = checkedSwitches({ switches: learnUponSwitches }, given);
  return { ...switches, searchMissStatus: Number(switches["searchMissStatus"]) } as Partial<PortalOptions>;
}

/** The seed in LearnUpon's terms; an unknown role is refused here, naming it. */
export function learnUponSeed(seed: SandboxSeed): SeedData {
  const holdsEmployeeIds = seed.people.some((person) => person.employeeId !== undefined);
  return seedDataSchema.parse({
    customFields: [{ label: SANDBOX_CUSTOM_FIELD }, ...(holdsEmployeeIds ? [{ label: SANDBOX_EMPLOYEE_ID_FIELD }] : [])],
    courses: seed.courses.map((name) => ({ name })),
    groups: seed.groups.map((title) => ({ title })),
    users: seed.people.map((person) => ({
      email: person.email,
      first_name: person.firstName,
      last_name: person.lastName,
      ...(person.enabled !== undefined && { enabled: person.enabled }),
      ...(person.userType !== undefined && { user_type: person.userType }),
      ...(person.employeeId !== undefined && { CustomData: { [SANDBOX_EMPLOYEE_ID_FIELD]: person.employeeId } }),
    })),
  });
}

export const learnUponFakePortal: FakePortalFactory = {
  switches: learnUponSwitches,
  async start(options: SandboxOptions): Promise<SandboxPortal> {
    const { startFakePortal } = await import("./server.js");
    const portal = await startFakePortal({
      seed: learnUponSeed(options.seed),
      ...(options.host !== undefined && { host: options.host }),
      ...(options.port !== undefined && { port: options.port }),
      ...(options.latencyMs !== undefined && { latencyMs: options.latencyMs }),
      options: {
        ...learnUponOptions(options.switches),
        ...(options.pageSize !== undefined && { pageSize: options.pageSize }),
        ...(options.rateLimit !== undefined && {
          rateLimit: options.rateLimit === false ? false : { perMinute: options.rateLimit.perMinute, perWeek: 500_000 },
        }),
      },
    });
    return {
      url: portal.url,
      config: { "learnupon:portalUrl": portal.url, "learnupon:username": portal.username },
      secrets: { "learnupon:password": portal.password },
      log: portal.log,
      close: () => portal.close(),
    };
  },
};
