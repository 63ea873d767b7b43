/**
 * Scripted transport faults for the next N matching requests: a status (429, 503, ...), a reset
 * connection or extra latency. They let client tests prove their retry and back-off paths against
 * a real socket, including the contract's "force the next N requests to return 429" hook (§4.11).
 * @module
 */
import { z } from "zod";
import type { RequestFilter } from "./request-log.js";

export const faultSpecSchema = z.strictObject({
  /** How many matching requests the fault applies to. */
  count: z.number().int().positive(),
  /** Answer with this status instead of the portal. */
  status: z.number().int().min(100).max(599).optional(),
  /** JSON body for `status`. @default the 429 body for 429, else {"message":"Injected fault"} */
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** Destroy the socket without answering. */
  reset: z.literal(true).optional(),
  /** Wait this long first; with neither `status` nor `reset` the portal then answers normally. */
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  match: z.strictObject({ method: z.string().optional(), pathPrefix: z.string().optional() }).optional(),
}).refine((spec) => spec.status !== undefined || spec.reset === true || spec.latencyMs !== undefined, {
  message: "a fault needs a status, reset or latencyMs",
});

export type FaultSpec = z.input<typeof faultSpecSchema>;

interface PendingFault {
  spec: FaultSpec;
  remaining: number;
}

export class FaultInjector {
  #pending: PendingFault[] = [];

  /** Queues a fault; faults apply in the order injected, first match wins. Throws on an invalid spec. */
  inject(spec: FaultSpec): void {
    const valid = faultSpecSchema.parse(spec);
    this.#pending.push({ spec: valid, remaining: valid.count });
  }

  /** The fault for this request, if any, counting it as used. */
  take(method: string, path: string): FaultSpec | undefined {
    const fault = this.#pending.find((candidate) => matches(candidate.spec.match, method, path));
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.#pending = this.#pending.filter((candidate) => candidate !== fault);
    return fault.spec;
  }

  /** Requests still to be faulted, over all queued faults. */
  pending(): number {
    return this.#pending.reduce((total, fault) => total + fault.remaining, 0);
  }

  clear(): void {
    this.#pending = [];
  }
}

function matches(match: RequestFilter | undefined, method: string, path: string): boolean {
  if (match?.method !== undefined && match.method.toUpperCase() !== method.toUpperCase()) return false;
  return match?.pathPrefix === undefined || path.startsWith(match.pathPrefix);
}
