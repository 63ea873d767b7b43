/**
 * How every LMS here compares emails: without regard to case or surrounding space.
 * @module
 */

export function sameEmail(a: string | null | undefined, b: string | null | undefined): boolean {
  return typeof a === "string" && typeof b === "string" && a.trim().toLowerCase() === b.trim().toLowerCase();
}
