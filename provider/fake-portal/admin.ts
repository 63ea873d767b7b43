/**
 * Admin endpoints under `/__fake/`, so a test or demo in another process (a `pulumi up` run, a
 * shell script) can read the request log, seed, reset, inject faults and flip quirk switches.
 *
 * They take the portal's own Basic credentials, and are neither logged, rate limited, delayed nor
 * faulted: observing the portal must not change what it records.
 *
 * | route                        | does                                                      |
 * |------------------------------|-----------------------------------------------------------|
 * | `GET /__fake/log`            | `{"requests":[...]}`, filtered by `?method=&pathPrefix=`  |
 * | `GET /__fake/log/count`      | `{"count":N,"writes":N}` for the same filters             |
 * | `DELETE /__fake/log`         | clears the log                                            |
 * | `GET /__fake/state`          | every store collection as plain JSON                      |
 * | `POST /__fake/seed`          | loads `SeedData`; answers the new ids (`SeedResult`)      |
 * | `POST /__fake/reset`         | empties store, log, faults and rate-limit buckets         |
 * | `POST /__fake/faults`        | queues a `FaultSpec`; answers `{"pending":N}`             |
 * | `DELETE /__fake/faults`      | drops queued faults                                       |
 * | `GET`/`PATCH /__fake/options`| reads or changes quirk switches (`PortalOptions`)         |
 * | `PUT /__fake/latency`        | `{"latencyMs":N}` for every later API request             |
 * @module
 */
import { z } from "zod";
import { faultSpecSchema, type FaultInjector } from "./faults.js";
import type { RequestFilter, RequestLog } from "./request-log.js";

/** The parts of a running portal the admin endpoints reach; each portal says how its store is seeded and shown. */
export interface AdminSurface {
  readonly log: RequestLog;
  readonly faults: FaultInjector;
  setLatency(ms: number): void;
  reset(): void;
  /** Every store collection as plain JSON. */
  state(): object;
  /** Loads seed data sent as JSON (throws on bad input) and answers what was created. */
  seed(input: unknown): object;
  /** The quirk switches as they stand. */
  options(): object;
  /** Changes quirk switches sent as JSON (throws on bad input) and answers them all. */
  patchOptions(input: unknown): object;
}

export interface AdminReply {
  status: number;
  body: unknown;
}

const latencySchema = z.strictObject({ latencyMs: z.number().int().min(0).max(60_000) });

/** Answers one admin request to `url` (under `/__fake/`) with its raw `body`. */
export function answerAdmin(portal: AdminSurface, method: string, url: URL, body: string): AdminReply {
  const route = `${method.toUpperCase()} ${url.pathname.replace(/^\/__fake/, "")}`;
  const filter: RequestFilter = {
    method: url.searchParams.get("method") ?? undefined,
    pathPrefix: url.searchParams.get("pathPrefix") ?? undefined,
  };
  try {
    switch (route) {
      case "GET /log":
        return ok({ requests: portal.log.entries(filter) });
      case "GET /log/count":
        return ok({ count: portal.log.count(filter), writes: portal.log.entries(filter).filter((entry) => entry.write).length });
      case "DELETE /log":
        portal.log.clear();
        return ok({ success: "ok" });
      case "GET /state":
        return ok(portal.state());
      case "POST /seed":
        return ok(portal.seed(parseJson(body)));
      case "POST /reset":
        portal.reset();
        return ok({ success: "ok" });
      case "POST /faults":
        portal.faults.inject(faultSpecSchema.parse(parseJson(body)));
        return ok({ pending: portal.faults.pending() });
      case "DELETE /faults":
        portal.faults.clear();
        return ok({ pending: 0 });
      case "GET /options":
        return ok(portal.options());
      case "PATCH /options":
        return ok(portal.patchOptions(parseJson(body)));
      case "PUT /latency":
        portal.setLatency(latencySchema.parse(parseJson(body)).latencyMs);
        return ok({ success: "ok" });
      default:
        return { status: 404, body: { message: `No admin route ${route}` } };
    }
  } catch (error) {
    return { status: 400, body: { message: describeError(error) } };
  }
}

function parseJson(body: string): unknown {
  return JSON.parse(body === "" ? "{}" : body);
}

function ok(body: object): AdminReply {
  return { status: 200, body };
}

function describeError(error: unknown): string {
  if (error instanceof z.ZodError) return z.prettifyError(error);
  return error instanceof Error ? error.message : String(error);
}
