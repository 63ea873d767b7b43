import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { thinProvider, type ResourceKind } from "../../provider/resources/lifecycle.js";

// Pulumi serializes each resource's provider into state twice (inputs and outputs). It must
// capture nothing heavy or secret, and load this package by name so upgrades reach old state.
describe.each<ResourceKind>(["User", "Enrollment", "GroupMembership"])("the serialized %s provider", (kind) => {
  it("is small and calls into the installed package", async () => {
    const serialized = await pulumi.runtime.serializeFunction(() => thinProvider(kind), { allowSecrets: false });
    const text = serialized.text;
    console.log(`${kind} __provider: ${text.length} bytes`);
    expect(text.length).toBeLessThan(2048);
    expect(text).toContain('require("pulumi-learnupon/runtime")');
    expect(text).toContain(`"${kind}"`);
    expect(serialized.containsSecrets).toBe(false);
    for (const heavy of ["zod", "undici", "password", "LEARNUPON_"]) expect(text).not.toContain(heavy);
  });
});
