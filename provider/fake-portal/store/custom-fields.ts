/**
 * Custom user fields: how the keys of a user's `CustomData` find their definitions. Users and
 * seeding both store custom values, so the matching lives here once.
 * @module
 */
import type { Collection } from "../collection.js";
import type { CustomFieldRecord, CustomValue } from "./records.js";

/**
 * Resolves custom-data keys to definition labels, by label or by definition id; unknown keys are
 * dropped. Labels match case- and space-insensitively (contract §2.1).
 */
export function labelCustomData(
  definitions: Collection<CustomFieldRecord>,
  values: Record<string, CustomValue>,
): Record<string, CustomValue> {
  const labelled: Record<string, CustomValue> = {};
  for (const [key, value] of Object.entries(values)) {
    const field = definitions.find(
      (definition) => normalizeLabel(definition.label) === normalizeLabel(key) || String(definition.id) === key,
    );
    if (field) labelled[field.label] = value;
  }
  return labelled;
}

function normalizeLabel(label: string): string {
  return label.replace(/\s+/g, "").toLowerCase();
}
