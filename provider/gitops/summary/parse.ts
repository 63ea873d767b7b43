/**
 * Parse: the text `pulumi preview --json` writes, checked to be a preview document.
 *
 * Each step has an `op` (create, update, delete, same, refresh…), the state before (`oldState`,
 * as a refresh left it) and the declared inputs (`newState.inputs`). Values the engine keeps secret
 * read "[secret]", or in a state, a ciphertext object: `isSecret` knows both.
 * @module
 */
import { z } from "zod";

const stateSchema = z.looseObject({
  type: z.string(),
  inputs: z.record(z.string(), z.unknown()).nullish(),
  outputs: z.record(z.string(), z.unknown()).nullish(),
});
const previewSchema = z.looseObject({
  config: z.record(z.string(), z.unknown()).nullish(),
  steps: z.array(z.looseObject({ op: z.string(), urn: z.string(), oldState: stateSchema.nullish(), newState: stateSchema.nullish() })).nullish(),
  diagnostics: z.array(z.looseObject({ message: z.string(), severity: z.string() })).nullish(),
});
export type Preview = z.output<typeof previewSchema>;
export type Step = NonNullable<Preview["steps"]>[number];
export type Properties = Record<string, unknown>;

/** How Pulumi encrypts a secret value in state: an object carrying this signature key. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

/** Reads `pulumi preview --json` output, or says why it is not one. */
export function parsePreview(previewJson: string): Preview {
  let document: unknown;
  try {
    document = JSON.parse(previewJson);
  } catch {
    throw new Error("summary reads the output of `pulumi preview --json`, but its input is not JSON");
  }
  if (!isPreviewDocument(document)) {
    // `{}` or a stack's outputs would otherwise read as a preview without changes.
    throw new Error(
      "summary reads the output of `pulumi preview --json`, but its input has none of `steps`, `diagnostics` and `changeSummary`",
    );
  }
  const parsed = previewSchema.safeParse(document);
  if (!parsed.success) throw new Error(`summary reads the output of \`pulumi preview --json\`: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Every preview document has one of these: a preview that fails before planning still has its diagnostics. */
function isPreviewDocument(document: unknown): boolean {
  if (document === null || typeof document !== "object" || Array.isArray(document)) return false;
  return ["steps", "diagnostics", "changeSummary"].some((key) => key in document);
}

export function isSecret(value: unknown): boolean {
  return value === "[secret]" || (typeof value === "object" && value !== null && SECRET_SIGNATURE in value);
}
