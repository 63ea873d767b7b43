/**
 * What every backend's fake portal offers the demo, the bench, the `fake-portal --lms` command and
 * users' own CI: start one seeded with groups, courses and people, point a stack at it with the
 * stack config it gives, read its request log. Each backend's fake implements this over its own
 * store and endpoints; nothing here imports msw, so a backend can name its fake without loading it.
 * @module
 */
import type { RequestLog } from "./request-log.js";

/** Who and what the portal holds when it starts, in the project's own terms. */
export interface SandboxSeed {
  groups: string[];
  courses: string[];
  people: Array<{
    email: string;
    firstName: string;
    lastName: string;
    /** Written where the LMS can hold it (an external id, or LearnUpon's employee id field). */
    employeeId?: string;
    enabled?: boolean;
    userType?: string;
  }>;
}

export interface SandboxOptions {
  seed: SandboxSeed;
  /** @default "127.0.0.1" */
  host?: string;
  /** @default 0, any free port */
  port?: number;
  /** Added to every answer, to measure a run as over a network. @default 0 */
  latencyMs?: number;
  /** The portal's rate limit, or none. @default the LMS's documented limit */
  rateLimit?: false | { perMinute: number };
  /** Records per list page. @default the LMS's own */
  pageSize?: number;
  /** The fake's switches for points the vendor's documentation leaves open, by name (see `switches`). */
  switches?: Record<string, string>;
}

export interface SandboxPortal {
  /** Where the portal listens, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The stack config that points the roster program at it; `secrets` are set with `--secret`. */
  readonly config: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
  /** Every API request it answered. */
  readonly log: RequestLog;
  close(): Promise<void>;
}

export interface FakePortalFactory {
  /** Each switch's values, the default first: the less convenient variant where the vendor is unclear. */
  readonly switches: Readonly<Record<string, readonly string[]>>;
  start(options: SandboxOptions): Promise<SandboxPortal>;
}

/** The switches given, checked against the factory's: an unknown name or value is refused, naming both. */
export function checkedSwitches(factory: Pick<FakePortalFactory, "switches">, given: Record<string, string> = {}): Record<string, string> {
  const chosen: Record<string, string> = {};
  for (const [name, values] of Object.entries(factory.switches)) chosen[name] = values[0] ?? "";
  for (const [name, value] of Object.entries(given)) {
    const values = factory.switches[name];
    if (values === undefined) throw new Error(`unknown switch ${name}; the switches are ${Object.keys(factory.switches).join(", ") || "none"}`);
    if (!values.includes(value)) throw new Error(`switch ${name} must be one of ${values.join(", ")}, not "${value}"`);
    chosen[name] = value;
  }
  return chosen;
}
