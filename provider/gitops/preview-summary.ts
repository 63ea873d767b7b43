/**
 * `summarizePreview`: the output of `pulumi preview --json` as markdown for a pull request, in the
 * words a reviewer needs: who is added, deactivated, deleted, re-activated or changed (field:
 * before → after), which enrollments and group memberships are added or removed, and what was
 * changed in the portal by hand (drift, when the preview ran with `--refresh`).
 *
 * In three steps: ./summary/parse.ts reads the JSON, ./summary/classify.ts works out what changes,
 * ./summary/render.ts writes the markdown.
 *
 * Secrets never reach the markdown: fields named like "password" are skipped, and values the
 * engine marks secret ("[secret]", or ciphertext objects) are shown as "(secret)". The stack
 * config, which holds the credentials, is only read for `learnupon:userRemoval`.
 * @module
 */
import { classifyPreview } from "./summary/classify.js";
import { parsePreview } from "./summary/parse.js";
import { renderSummary } from "./summary/render.js";

export interface SummaryOptions {
  /** Used for `learnupon:userRemoval` when the preview's config does not set it, as the provider does. */
  env?: NodeJS.ProcessEnv;
}

/** Reads `pulumi preview --json` output (as text) and returns the markdown summary. */
export function summarizePreview(previewJson: string, options: SummaryOptions = {}): string {
  return renderSummary(classifyPreview(parsePreview(previewJson), options.env ?? process.env));
}
