/**
 * Markdown for text that comes from HR data: names and emails must not be read as markdown or
 * HTML, break the list they are in, or notify anyone on GitHub.
 * @module
 */

export function bold(text: string): string {
  return `**${escapeMarkdown(text)}**`;
}

/**
 * `text` shown as it is: markdown characters escaped, a newline shown as `\n`, and an `@name`
 * shown as code, where GitHub makes no mention (`ada@example.com` is no mention already).
 */
export function escapeMarkdown(text: string): string {
  return visibleControls(text)
    .split(MENTION)
    .map((part, index) => (index % 2 === 1 ? code(part) : part.replace(/[\\`*_[\]()<>#|~!]/g, (character) => `\\${character}`)))
    .join("");
}

/** An `@user` or `@org/team` GitHub would notify: an `@` not after a letter, digit or `_`. */
const MENTION = /((?<!\w)@[A-Za-z0-9][\w-]*(?:\/[\w-]+)?)/;

/** Line breaks, tabs and other control characters as escapes (`\n`), so a value stays on its line. */
function visibleControls(text: string): string {
  const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
  return text.replace(/[\p{Cc}\u2028\u2029]/gu, (character) => named[character] ?? `\\u{${character.codePointAt(0)!.toString(16)}}`);
}

/** A code span that holds any text, backticks and line breaks included. */
export function code(raw: string): string {
  const text = visibleControls(raw);
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  return longestRun > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

export function fenced(text: string): string {
  const longestRun = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  return `${fence}\n${text}\n${fence}`;
}
