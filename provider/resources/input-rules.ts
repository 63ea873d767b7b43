/**
 * Rules for text that reaches the portal, shared by the resources' `check` and the roster file:
 * dates that exist in the calendar, and names on one line.
 * @module
 */
import { z } from "zod";

const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Why `text` is not a date the portal accepts, or undefined when it is one. The shape alone lets
 * `2027-13-45` through, which LearnUpon refuses only when the enrollment is already being written.
 */
export function dateProblem(text: string): string | undefined {
  const [, year, month, day] = DATE_SHAPE.exec(text) ?? [];
  if (year === undefined || month === undefined || day === undefined) return "must be a date written YYYY-MM-DD";
  const monthNumber = Number(month);
  if (monthNumber < 1 || monthNumber > 12) return `${text} is not a date: there is no month ${month}`;
  // Day 0 of the next month is the last day of this one.
  const daysInMonth = new Date(Date.UTC(Number(year), monthNumber, 0)).getUTCDate();
  const dayNumber = Number(day);
  if (dayNumber < 1 || dayNumber > daysInMonth) return `${text} is not a date: ${year}-${month} has days 01 to ${daysInMonth}`;
  return undefined;
}

/** A `YYYY-MM-DD` date that exists. */
export function calendarDate() {
  return z.string("must be a date written YYYY-MM-DD").superRefine((text, context) => {
    const problem = dateProblem(text);
    if (problem) context.addIssue({ code: "custom", message: problem });
  });
}

/** Line breaks, tabs and the other control characters, and the Unicode line and paragraph separators. */
const CONTROL_CHARACTER = /[\p{Cc}\u2028\u2029]/u;

/**
 * Why `text` cannot be a name, or undefined. A newline in a name splits it in the portal's exports
 * and in every list that shows it on one line.
 */
export function controlCharacterProblem(text: string): string | undefined {
  const found = CONTROL_CHARACTER.exec(text);
  if (!found) return undefined;
  const codePoint = `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
  const what = found[0] === "\n" || found[0] === "\r" ? "a line break" : "a control character";
  return `must be on one line, without control characters: it holds ${what} (${codePoint}) at character ${found.index + 1}`;
}

/** A zod refinement: `schema.superRefine(refuseControlCharacters)`. */
export function refuseControlCharacters(text: string, context: z.RefinementCtx<string>): void {
  const problem = controlCharacterProblem(text);
  if (problem) context.addIssue({ code: "custom", message: problem });
}
