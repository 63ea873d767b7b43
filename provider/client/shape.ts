/**
 * Checks a 2xx response body against a zod schema and turns a mismatch into a
 * `ResponseShapeError` naming the endpoint and each offending field (`user[0].id`), so a
 * surprising server answer fails at the boundary instead of as a `TypeError` deep in a caller.
 * @module
 */
import type { z } from "zod";
import { ResponseShapeError } from "./errors.js";
import type { HttpRequest, HttpResponse } from "./transport.js";

/**
 * The parsed body, typed by `schema`.
 * @param endpoint the route as documented, e.g. `"GET /users/{id}"`
 */
export function parseShape<Schema extends z.ZodType>(
  schema: Schema,
  response: HttpResponse,
  request: Pick<HttpRequest, "method" | "path">,
  endpoint: string,
): z.output<Schema> {
  const result = schema.safeParse(response.body);
  if (result.success) return result.data;
  throw new ResponseShapeError({
    method: request.method,
    path: request.path,
    endpoint,
    status: response.status,
    contentType: response.headers["content-type"],
    issues: result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  });
}

/** `["user", 0, "id"]` → `"user[0].id"`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let formatted = "";
  for (const key of path) {
    if (typeof key === "number") formatted += `[${key}]`;
    else formatted += formatted === "" ? String(key) : `.${String(key)}`;
  }
  return formatted;
}
