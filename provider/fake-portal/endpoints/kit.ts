/**
 * The shared toolkit of the fake portal's endpoints: what an endpoint receives and answers, the
 * readers for LearnUpon's loosely typed parameters, paging, and the error replies.
 *
 * Readers throw a `RejectedCall` carrying the 4xx reply; the route gate in `handlers.ts` catches it,
 * so endpoints read top to bottom without an error branch per parameter.
 * @module
 */
import type { JsonObject, PortalOptions } from "../options.js";
import type { CustomValue, PortalStore } from "../store.js";

/** What an endpoint answers: a status, a JSON object and optional headers. */
export interface Reply {
  status: number;
  body: JsonObject;
  headers?: Record<string, string>;
}

export interface ApiCall {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON object, or undefined when the request carried no JSON object. */
  body: JsonObject | undefined;
}

export interface Portal {
  store: PortalStore;
  options: PortalOptions;
}

export type Endpoint = (portal: Portal, call: ApiCall) => Reply;

/** Thrown by parameter readers and lookups, and turned into its reply by the route gate. */
export class RejectedCall extends Error {
  constructor(readonly reply: Reply) {
    super(typeof reply.body.message === "string" ? reply.body.message : `HTTP ${reply.status}`);
  }
}

/** One page of `records` under `key`, after any `leading` keys, with LearnUpon's paging headers (contract §1.4). */
export function paged<T>(
  { options }: Portal,
  call: ApiCall,
  key: string,
  records: T[],
  render: (record: T) => JsonObject,
  leading: JsonObject = {},
): Reply {
  const requested = Number.parseInt(call.query.get("page") ?? "", 10);
  const current = requested >= 1 ? requested : 1;
  const start = (current - 1) * options.pageSize;
  // contract §1.4: `per_page` and `limit` are not parameters; the page size is the portal's.
  const items = records.slice(start, start + options.pageSize).map(render);
  return {
    status: 200,
    body: { ...leading, [key]: items },
    headers: {
      "LU-Current-Page": String(current),
      "LU-Records-Per-Page": String(options.pageSize),
      "LU-Has-Next-Page": start + options.pageSize < records.length ? "true" : "false",
    },
  };
}

/** The body inside its capitalised wrapper (contract §1.2), or a rejection naming the resource. */
export function requireWrapped(
  options: PortalOptions,
  call: ApiCall,
  wrapper: string,
  noun: string,
  status = options.missingWrapperStatus,
): JsonObject {
  const lowercase = wrapper.replace(/(?<=[a-z])(?=[A-Z])/g, "_").toLowerCase();
  const fields = call.body?.[wrapper] ?? (options.acceptLowercaseWrappers ? call.body?.[lowercase] : undefined);
  if (!isObject(fields)) throw reject(status, `Invalid ${noun} parameters provided`);
  return fields;
}

/** Path ids are integers; anything else matches no record. */
export function pathId(call: ApiCall): number {
  const id = call.params.id ?? "";
  return /^\d+$/.test(id) ? Number(id) : Number.NaN;
}

export function apiVersion(call: ApiCall): number {
  const version = Number.parseFloat(call.query.get("version_id") ?? "");
  return Number.isFinite(version) ? version : 1;
}

/** Flags arrive as `"true"` in the docs' examples and as booleans from some clients; both count. */
export function isTrueFlag(value: unknown): boolean {
  return value === true || value === "true" || value === 1 || value === "1";
}

export function optionalText(fields: JsonObject, key: string): string | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw reject(400, `${key} must be a string`);
  return value;
}

/** Ids and other integers may be numbers or numeric strings: the docs' own examples send `"5127"` (contract §2.4.1). */
export function optionalInteger(fields: JsonObject, key: string): number | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  throw reject(400, `${key} must be an integer`);
}

export function optionalBoolean(fields: JsonObject, key: string): boolean | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw reject(400, `${key} must be true or false`);
}

/** Date-only fields are `YYYY-MM-DD` dates that exist (contract §1.2); anything else is a 400, not a crash. */
export function optionalDate(fields: JsonObject, key: string): string | undefined {
  const value = optionalText(fields, key);
  if (value === undefined) return undefined;
  // A day past the month's end rolls over (02-30 parses as 03-02); a month 13 does not parse at all.
  const parsed = new Date(`${value}T00:00:00Z`);
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
  if (!valid) throw reject(400, `${key} must be a date in YYYY-MM-DD format`);
  return value;
}

export function optionalCustomData(fields: JsonObject): Record<string, CustomValue> | undefined {
  const value = fields.CustomData;
  if (value === undefined) return undefined;
  if (!isObject(value) || !Object.values(value).every(isCustomValue)) {
    throw reject(400, "CustomData must be an object of values keyed by field label");
  }
  return value as Record<string, CustomValue>;
}

export function isCustomValue(value: unknown): value is CustomValue {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function ok(body: JsonObject): Reply {
  return { status: 200, body };
}

/** contract §1.7: errors are a JSON object with a `message` string. */
export function fail(status: number, message: string): Reply {
  return { status, body: { message } };
}

export function reject(status: number, message: string): RejectedCall {
  return new RejectedCall(fail(status, message));
}

export function requireEmailShape(email: string): void {
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw reject(400, `Email address ${email} is invalid`);
}
