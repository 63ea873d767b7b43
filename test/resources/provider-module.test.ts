import { createRequire } from "node:module";
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { providerModule, type ResourceKind } from "../../provider/resources/lifecycle.js";

/**
 * Loads a provider module the way Pulumi's dynamic-provider host does (require-from-string, with
 * `require` resolving from the program directory, here the repository root and its self-link).
 */
function loadProviderModule(text: string): pulumi.dynamic.ResourceProvider {
  const module = { exports: {} as { handler?: () => pulumi.dynamic.ResourceProvider } };
  new Function("exports", "require", "module", text)(module.exports, createRequire(join(process.cwd(), "program.js")), module);
  if (!module.exports.handler) throw new Error("the provider module exports no handler");
  return module.exports.handler();
}

// Every resource stores its provider module twice (inputs and outputs): it must stay small, hold
// nothing secret, and load this package by name so upgrades reach old state.
describe.each<ResourceKind>(["User", "Enrollment", "GroupMembership"])("the %s provider module", (kind) => {
  it("is one short line that calls into the installed package", () => {
    const text = providerModule(kind);
    expect(text).toBe(`exports.handler = () => require("pulumi-learnupon/runtime").provider("${kind}");`);
    expect(text.length).toBeLessThan(100);
  });

  it("loads a provider with every method, wired to this kind", async () => {
    const provider = loadProviderModule(providerModule(kind));
    for (const method of ["configure", "check", "diff", "create", "read", "update", "delete"] as const) {
      expect(typeof provider[method]).toBe("function");
    }
    const result = await provider.check!({}, {});
    expect(result.failures?.[0]?.reason).toMatch(new RegExp(`^${kind}: `));
  });
});
