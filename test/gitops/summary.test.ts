/**
 * `summary`: the markdown a pull request gets from `pulumi preview --json`.
 *
 * The golden test reads a real preview (recorded by test/e2e/gitops.test.ts against the fake portal,
 * with every kind of change and drift made by hand) and compares the summary with the reviewed
 * markdown byte for byte. The other tests use small hand-written previews for what a recorded one
 * cannot show: secrets, a failed preview, removal policies from config.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSummaryCli } from "../../provider/gitops/cli.js";
import { summarizePreview } from "../../provider/gitops/preview-summary.js";

const fixtures = join(__dirname, "fixtures");
const USER = "pulumi-nodejs:dynamic/learnupon:User";
const ENROLLMENT = "pulumi-nodejs:dynamic/learnupon:Enrollment";

function urn(type: string, name: string): string {
  return `urn:pulumi:prod::learnupon-roster::learnupon:index:Roster$${type}::${name}`;
}

/** A preview JSON with these steps, shaped as `pulumi preview --json` writes it. */
function preview(steps: object[], extra: object = {}): string {
  return JSON.stringify({ config: { "learnupon:password": "[secret]" }, steps, changeSummary: {}, ...extra });
}

const ada = { employeeId: "E1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", userType: "learner", enabled: true };

describe("summary", () => {
  it("describes a real preview with every kind of change exactly as the golden file", () => {
    const json = readFileSync(join(fixtures, "every-change.preview.json"), "utf8");
    const summary = summarizePreview(json, { env: {} });
    expect(summary).toBe(readFileSync(join(fixtures, "every-change.summary.md"), "utf8"));
    // The recorded preview holds secrets (the API key's password, the managedPeople output); the summary none.
    expect(json).toContain('"learnupon:password": "[secret]"');
    expect(summary).not.toContain("secret");
  });

  it("never prints a password or a secret value, in plain text or encrypted", () => {
    const ciphertext = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:c2VjcmV0" };
    const json = preview(
      [
        {
          op: "create",
          urn: urn(USER, "E2"),
          newState: { type: USER, inputs: { ...ada, employeeId: "E2", email: "alan@example.com", password: "hunter2-plain", customData: { Badge: "[secret]" } } },
        },
        {
          op: "update",
          urn: urn(USER, "E1"),
          oldState: { type: USER, outputs: { ...ada, password: ciphertext, customData: { Salary: ciphertext } } },
          newState: { type: USER, inputs: { ...ada, password: "hunter2-new", customData: { Salary: "[secret]" } } },
        },
      ],
      { config: { "learnupon:password": "hunter2-config" } },
    );
    const summary = summarizePreview(json, { env: {} });
    expect(summary).not.toMatch(/hunter2|ciphertext|c2VjcmV0|1b47061264|\[secret\]/);
    expect(summary).toContain("- **E1** Ada Lovelace (ada@example.com)\n  - customData.Salary: (secret) → (secret)\n");
  });

  it("takes the removal policy from the person, else the stack config, else LEARNUPON_USER_REMOVAL", () => {
    const removed = (name: string, outputs: object = {}) => ({
      op: "delete",
      urn: urn(USER, name),
      oldState: { type: USER, outputs: { ...ada, employeeId: name, email: `${name.toLowerCase()}@example.com`, ...outputs } },
    });
    const steps = [removed("E1"), removed("E2", { removal: "deactivate" }), removed("E3", { enabled: false })];
    const fromConfig = summarizePreview(preview(steps, { config: { "learnupon:userRemoval": "delete" } }), { env: { LEARNUPON_USER_REMOVAL: "retain" } });
    expect(fromConfig).toContain("#### People deleted (2)");
    expect(fromConfig).toContain("#### People deactivated (1)\n\nThey can no longer sign in; their training history is kept.\n\n- **E2** Ada Lovelace (e2@example.com): removed from the roster\n");
    const fromEnvironment = summarizePreview(preview(steps), { env: { LEARNUPON_USER_REMOVAL: "retain" } });
    expect(fromEnvironment).toContain("- **E1** Ada Lovelace (e1@example.com): removal policy `retain`\n");
    const byDefault = summarizePreview(preview(steps), { env: {} });
    expect(byDefault).toContain("- **E3** Ada Lovelace (e3@example.com): already deactivated\n");
  });

  it("says when there is nothing to change", () => {
    const stackOnly = [{ op: "same", urn: "urn:pulumi:prod::learnupon-roster::pulumi:pulumi:Stack::learnupon-roster-prod", oldState: { type: "pulumi:pulumi:Stack" } }];
    expect(summarizePreview(preview(stackOnly), { env: {} })).toBe("### LearnUpon roster changes\n\nNo changes: the portal already matches the roster.\n");
  });

  it("shows why a preview failed, and what it planned so far", () => {
    const refusal = "roster change refused: it would deactivate or delete the portal's API user or an admin:\n  - E0 api@example.com: deactivate";
    const json = preview(
      [{ op: "create", urn: urn(ENROLLMENT, "E1/Git Fundamentals"), newState: { type: ENROLLMENT, inputs: { courseName: "Git Fundamentals" } } }],
      { diagnostics: [{ message: `error: ${refusal}\n`, severity: "error" }, { message: "a note", severity: "info" }] },
    );
    expect(summarizePreview(json, { env: {} })).toBe(
      [
        "### LearnUpon roster: the preview failed",
        "",
        "Nothing will be applied until the preview passes.",
        "",
        "```",
        `error: ${refusal}`,
        "```",
        "",
        "**Enrollments**: 1 added.",
        "",
        "#### Enrollments added (1)",
        "",
        "- **E1**: Git Fundamentals",
        "",
      ].join("\n"),
    );
  });

  it("keeps names from being read as markdown", () => {
    const json = preview([{ op: "create", urn: urn(USER, "E1"), newState: { type: USER, inputs: { ...ada, firstName: "<img src=x>", lastName: "*Bold*_`x`" } } }]);
    expect(summarizePreview(json, { env: {} })).toContain("- **E1** \\<img src=x\\> \\*Bold\\*\\_\\`x\\` (ada@example.com)\n");
  });

  it("keeps HR data from breaking the list or notifying anyone: newlines shown as \\n, @mentions as code", () => {
    const json = preview([
      {
        op: "create",
        urn: urn(USER, "E1"),
        newState: { type: USER, inputs: { ...ada, firstName: "Ada\n## Owned", lastName: "Lovelace @octocat", email: "ada@example.com" } },
      },
      {
        op: "update",
        urn: urn(USER, "E2"),
        oldState: { type: USER, outputs: { ...ada, employeeId: "E2", email: "alan@example.com", customData: { Team: "R&D" } } },
        newState: { type: USER, inputs: { ...ada, employeeId: "E2", email: "alan@example.com", customData: { Team: "@acme/admins\r\nok" } } },
      },
      { op: "create", urn: urn(ENROLLMENT, "E1/Git @everyone"), newState: { type: ENROLLMENT, inputs: { courseName: "Git\t @everyone" } } },
    ]);
    const summary = summarizePreview(json, { env: {} });
    // `\\n` in markdown renders as \n: the name stays on its list item's line.
    expect(summary).toContain("- **E1** Ada\\\\n\\#\\# Owned Lovelace `@octocat` (ada@example.com)\n");
    expect(summary).toContain("  - customData.Team: `R&D` → `@acme/admins\\r\\nok`\n");
    expect(summary).toContain("(ada@example.com): Git\\\\t `@everyone`\n");
    // Outside code spans, no line starts with anything but a list item, a heading or prose of ours,
    // and no @ is left where GitHub would read a mention.
    const outsideCode = summary.replace(/`[^`\n]*`/g, "");
    expect(outsideCode).not.toMatch(/(?<!\w)@\w/);
    expect(summary.split("\n").filter((line) => line.startsWith("## "))).toEqual([]);
  });

  it("refuses input that is not a preview", () => {
    expect(() => summarizePreview("Previewing update (prod):", { env: {} })).toThrow("summary reads the output of `pulumi preview --json`, but its input is not JSON");
    expect(() => summarizePreview('{"steps": 3}', { env: {} })).toThrow(/summary reads the output of `pulumi preview --json`: .*steps/s);
  });

  it("refuses JSON that is not a preview document, such as `{}` or a stack's outputs, instead of saying there are no changes", () => {
    const notAPreview = /summary reads the output of `pulumi preview --json`, but its input has none of `steps`, `diagnostics` and `changeSummary`/;
    expect(() => summarizePreview("{}", { env: {} })).toThrow(notAPreview);
    expect(() => summarizePreview('{"people": {"active": 5, "deactivated": 0}, "enrollments": 7, "memberships": 5}', { env: {} })).toThrow(notAPreview);
    expect(() => summarizePreview("[]", { env: {} })).toThrow(notAPreview);
    // A preview that failed before planning anything has diagnostics only, and is still summarized.
    expect(summarizePreview('{"diagnostics": [{"message": "roster.yaml: bad", "severity": "error"}]}', { env: {} })).toContain("roster.yaml: bad");
  });

  it("runs as a command: preview JSON on stdin, markdown on stdout", async () => {
    let written = "";
    await runSummaryCli([], { readStdin: async () => preview([]), writeOut: (text) => (written += text), env: {} });
    expect(written).toBe("### LearnUpon roster changes\n\nNo changes: the portal already matches the roster.\n");
  });
});
